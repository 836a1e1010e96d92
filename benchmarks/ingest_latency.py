"""Questions while a large upload is ingested: `/v1/ask` p50/p95 on an idle server, then while an upload
of `--chunks` chunks (20,000 with `--full`) is read, chunked, embedded and written; goal: p95 during the
ingest under 2x the idle p95.

Run with `python -m benchmarks.ingest_latency` (a short default: 200 chunks, both worker modes) or
`--full` (20,000 chunks; long on a small machine). The server is the real one, `mentor serve` in its own
process, with the default embedding model and an index built from knowledge_base/ (`mentor ingest`, once,
copied for each mode); the upload is synthetic guides of unique sentences (words drawn, with a fixed seed,
from the bundled guides), so every chunk is embedded (nothing comes from a cache). One client asks the
evaluation set's questions one after another, on loopback, from this process.

Modes (`--modes`): `process`, the ingest worker in its own process at a lower priority with one compute
thread (the default, MENTOR_INGEST_WORKER=process), and `thread`, the ingest in a thread of the server
(how uploads ran before; MENTOR_INGEST_WORKER=thread). Timings on a shared machine are noisy: the share of
the machine's CPU time that processes other than the server used meanwhile is printed ("others %"; in
`process` mode the ingest worker is one of them).
"""

from __future__ import annotations

import argparse
import os
import random
import re
import shutil
import signal
import subprocess
import tempfile
import time
from pathlib import Path

import httpx
import numpy as np

from benchmarks.api_load import build_index, load_questions, mentor_command
from benchmarks.machine import busy_cpu_seconds, cpu_seconds
from testkit.loopback import free_port

ROOT = Path(__file__).resolve().parents[1]
GOAL_RATIO = 2.0
SECTIONS_PER_DOC = 100
FILES_PER_UPLOAD = 200
WORDS_PER_SECTION = 24  # about one chunk of e5 tokens with the section heading (measured: 90 words made 4)


def synthetic_guides(chunks: int, seed: int = 19) -> list[tuple[str, bytes]]:
    """English guides of unique sentences, about one chunk per section, `chunks` sections in all."""
    text = " ".join(p.read_text(encoding="utf-8") for p in sorted((ROOT / "knowledge_base/guides/en").glob("*.md")))
    words = sorted(set(re.findall(r"[a-z]{4,}", text.lower())))
    rng = random.Random(seed)
    files = []
    for d in range((chunks + SECTIONS_PER_DOC - 1) // SECTIONS_PER_DOC):
        count = min(SECTIONS_PER_DOC, chunks - d * SECTIONS_PER_DOC)
        parts = [f"---\nid: bench-{d:04d}\nlang: en\ntitle: Benchmark guide {d}\n---\n\n# Benchmark guide {d}\n"]
        for s in range(count):
            sentence = " ".join(rng.choice(words) for _ in range(WORDS_PER_SECTION))
            parts.append(f"## Section {s}\n\n{sentence.capitalize()}.\n")
        files.append((f"bench-{d:04d}.md", "\n".join(parts).encode()))
    return files


class Server:
    def __init__(self, data_dir: Path, mode: str, port: int, log_path: Path) -> None:
        self.url = f"http://127.0.0.1:{port}"
        env = {
            **os.environ,
            "MENTOR_DATA_DIR": str(data_dir),
            "MENTOR_INGEST_WORKER": mode,
            "MENTOR_INGEST_MAX_JOB_CHUNKS": "1000000",
            "MENTOR_INGEST_MAX_DOCUMENT_CHUNKS": "100000",
            "MENTOR_MAX_UPLOAD_FILES": str(FILES_PER_UPLOAD),
        }
        self._log = log_path.open("wb")
        self.process = subprocess.Popen(
            mentor_command("serve", "--port", str(port)),
            cwd=ROOT,
            env=env,
            stdout=self._log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def wait_ready(self) -> None:
        deadline = time.monotonic() + 180
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"{self.url}/readyz", timeout=2).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.1)
        raise SystemExit("the server did not become ready")

    def stop(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(60)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
        self._log.close()


def ask(client: httpx.Client, question: str) -> float:
    started = time.perf_counter()
    response = client.post("/v1/ask", json={"question": question})
    response.raise_for_status()
    return (time.perf_counter() - started) * 1000


def pct(values: list[float], q: float) -> float:
    return float(np.percentile(values, q)) if values else float("nan")


def run_mode(mode: str, base: Path, work: Path, files, questions, idle_n: int, port: int) -> dict:
    data = work / mode
    shutil.copytree(base, data)
    token = subprocess.run(
        mentor_command("staff", "create-token", "bench", "--role", "staff"),
        cwd=ROOT,
        env={**os.environ, "MENTOR_DATA_DIR": str(data)},
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()[-1]
    server = Server(data, mode, port, work / f"{mode}.log")
    try:
        server.wait_ready()
        auth = {"Authorization": f"Bearer {token}"}
        with httpx.Client(base_url=server.url, timeout=120) as client:
            for q in questions[:5]:
                ask(client, q)  # warm-up
            idle = [ask(client, questions[i % len(questions)]) for i in range(idle_n)]
            jobs = []
            for start in range(0, len(files), FILES_PER_UPLOAD):
                batch = [("files", f) for f in files[start : start + FILES_PER_UPLOAD]]
                response = client.post("/v1/documents", headers=auth, files=batch)
                response.raise_for_status()
                jobs.append(response.json()["job_id"])
            during, started, busy0, cpu0 = [], time.perf_counter(), busy_cpu_seconds(), cpu_seconds(server.process.pid)
            n = 0
            while True:
                states = [client.get(f"/v1/jobs/{j}", headers=auth).json() for j in jobs]
                if all(s["status"] in ("done", "failed", "cancelled") for s in states):
                    break
                during.append(ask(client, questions[n % len(questions)]))
                n += 1
            seconds = time.perf_counter() - started
            busy1, cpu1 = busy_cpu_seconds(), cpu_seconds(server.process.pid)
    finally:
        server.stop()
    chunks = sum(s.get("detail", {}).get("report", {}).get("embedded", 0) for s in states)
    failed = [s["error"] for s in states if s["status"] != "done"]
    return {
        "mode": mode,
        "idle": idle,
        "during": during,
        "seconds": seconds,
        "embedded": chunks,
        "failed": failed,
        "server_cpu": (cpu1 - cpu0) if cpu0 is not None and cpu1 is not None else None,
        "machine_cpu": (busy1 - busy0) if busy0 is not None and busy1 is not None else None,
    }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--chunks", type=int, default=200, help="chunks in the upload (default 200)")
    parser.add_argument("--full", action="store_true", help="the 20,000-chunk upload of the issue")
    parser.add_argument("--modes", default="thread,process", help="worker modes, comma-separated")
    parser.add_argument("--idle", type=int, default=60, help="questions asked on the idle server")
    parser.add_argument("--port", type=int, default=0, help="the server's port (default: a free one)")
    args = parser.parse_args(argv)
    chunks = 20_000 if args.full else args.chunks
    questions = load_questions()
    files = synthetic_guides(chunks)
    with tempfile.TemporaryDirectory(prefix="bench-ingest-", dir=os.environ.get("TMPDIR")) as tmp:
        work = Path(tmp)
        build_seconds = build_index(work / "base", os.environ.get("MENTOR_EMBEDDING_MODEL", "multilingual-e5-small"))
        print(f"/v1/ask during an ingest of {chunks} chunks ({len(files)} files); base index {build_seconds:.0f} s")
        print(f"{'mode':8} {'idle p50':>9} {'idle p95':>9} {'ingest p50':>11} {'ingest p95':>11} {'ratio':>6} "
              f"{'asks':>5} {'ingest s':>9} {'chunks/s':>9} {'others %':>9}")  # fmt: skip
        for mode in [m.strip() for m in args.modes.split(",") if m.strip()]:
            r = run_mode(mode, work / "base", work, files, questions, args.idle, args.port or free_port())
            ratio = pct(r["during"], 95) / pct(r["idle"], 95)
            others = ""
            if r["machine_cpu"] and r["server_cpu"] is not None:
                others = f"{100 * max(r['machine_cpu'] - r['server_cpu'], 0) / r['machine_cpu']:.0f}"
            print(
                f"{mode:8} {pct(r['idle'], 50):8.0f}ms {pct(r['idle'], 95):8.0f}ms {pct(r['during'], 50):10.0f}ms "
                f"{pct(r['during'], 95):10.0f}ms {ratio:6.2f} {len(r['during']):5d} {r['seconds']:9.1f} "
                f"{r['embedded'] / r['seconds']:9.1f} {others:>9}" + (f"  FAILED: {r['failed']}" if r["failed"] else "")
            )
            verdict = "met" if ratio < GOAL_RATIO else "NOT met"
            print(f"  goal p95 during ingest < {GOAL_RATIO:g}x idle: {verdict}")


if __name__ == "__main__":
    main()
