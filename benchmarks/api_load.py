"""HTTP API under load: POST /v1/ask from 32 concurrent clients, micro-batching off and on; start to ready; RSS;
for each embedding model (`--models`, default multilingual-e5-small then all-MiniLM-L6-v2), in one run.

Run with `make bench` (or `python -m benchmarks.api_load`, `--requests 200` for a quick run). The server
is the real one, `mentor serve` in its own process, with the real bundled model and an index built once
from knowledge_base/ (`mentor ingest`, or `--data-dir` to reuse one). This process is the load
generator, on loopback, on the same machine: its own CPU use is printed, since it shares the cores with
the server. For each mode a fresh server is started with MENTOR_MICRO_BATCH set and everything else at
its default, and a fresh, empty database, so the modes compare with each other:

- start to ready: from spawning the process until GET /readyz answers 200;
- a warm-up (not counted), then `--requests` POST /v1/ask from `--clients` concurrent clients, each
  sending its next question as soon as it has its answer: requests per second, p50/p95 latency, errors
  (anything but 200);
- resident memory of the server process (VmRSS from /proc/<pid>/status, or psutil) after the load;
- CPU time used meanwhile by the server, by this process, and by anything else on the machine: the goals
  assume an otherwise idle machine, and a warning is printed when other processes took a noticeable share.

Settings other than those above come from the environment and `.env` as for `mentor serve`.

The questions are the evaluation set (evals/datasets/questions.jsonl), fr/es/en interleaved, in a fixed
order, answerable and unanswerable alike, as users would send them.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import httpx
import numpy as np

from benchmarks.machine import busy_cpu_seconds, cpu_seconds, rss_mb
from testkit.loopback import free_port

ROOT = Path(__file__).resolve().parents[1]
QUESTIONS = ROOT / "evals" / "datasets" / "questions.jsonl"

GOAL_SPEEDUP = 2.0
GOAL_P95_MS = 250.0
GOAL_READY_S = 15.0
GOAL_RSS_MB = {"multilingual-e5-small": 500.0}  # MB here are 10^6 bytes throughout
GOAL_RSS_OTHER_MB = 1000.0  # a torch model (MiniLM): 1 GB
MODELS = "multilingual-e5-small,all-MiniLM-L6-v2"


@dataclass
class ModeResult:
    mode: str
    clients: int
    requests: int
    errors: int
    seconds: float
    latencies_ms: list[float]
    ready_s: float
    rss_mb: float | None
    server_cpu_s: float | None
    client_cpu_s: float
    others_cpu_s: float | None  # CPU used meanwhile by processes other than the server and this one
    error_samples: list[str]

    @property
    def rps(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0

    def pct(self, q: float) -> float:
        return float(np.percentile(np.array(self.latencies_ms), q)) if self.latencies_ms else float("nan")


def load_questions(path: Path = QUESTIONS) -> list[str]:
    """Every question of the evaluation set, the three languages interleaved, in a fixed order."""
    by_lang: dict[str, list[str]] = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip():
            row = json.loads(line)
            by_lang.setdefault(row["language"], []).append(row["question"])
    lists = [by_lang[lang] for lang in sorted(by_lang)]
    mix = []
    for i in range(max(len(q) for q in lists)):
        mix.extend(q[i] for q in lists if i < len(q))
    return mix


def mentor_command(*args: str) -> list[str]:
    return [sys.executable, "-m", "assistant.cli", *args]


def prepare_index(data_dir: Path | None, work: Path, model: str) -> tuple[Path, str]:
    """The data directory to use (the one given, or a fresh index built under `work`) and a line saying which."""
    if data_dir is not None:
        return data_dir.resolve(), f"index reused from {data_dir.resolve()}"
    seconds = build_index(work / "data", model)
    return work / "data", f"index built from knowledge_base/ by `mentor ingest` ({seconds:.0f} s)"


def build_index(data_dir: Path, model: str) -> float:
    env = {**os.environ, "MENTOR_DATA_DIR": str(data_dir), "MENTOR_EMBEDDING_MODEL": model}
    started = time.perf_counter()
    done = subprocess.run(
        mentor_command("ingest", "--json"), cwd=ROOT, env=env, capture_output=True, text=True, check=False
    )
    if done.returncode != 0:
        raise SystemExit(f"mentor ingest failed ({done.returncode}):\n{done.stderr[-2000:]}")
    return time.perf_counter() - started


class Server:
    """`mentor serve` in its own process, stdout and stderr to a log file."""

    def __init__(self, data_dir: Path, database: Path, micro_batch: bool, log_path: Path, model: str) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log_path = log_path
        env = {
            **os.environ,
            "MENTOR_DATA_DIR": str(data_dir),
            "MENTOR_DATABASE_URL": f"sqlite:///{database}",
            "MENTOR_MICRO_BATCH": "true" if micro_batch else "false",
            "MENTOR_RATE_LIMIT_ANONYMOUS": "off",  # one client sending thousands of questions on purpose
            "MENTOR_EMBEDDING_MODEL": model,
        }
        self._log = log_path.open("wb")
        self.started = time.perf_counter()
        self.process = subprocess.Popen(
            mentor_command("serve", "--host", "127.0.0.1", "--port", str(self.port)),
            cwd=ROOT,
            env=env,
            stdout=self._log,
            stderr=subprocess.STDOUT,
        )

    def wait_ready(self, timeout: float = 120.0) -> float:
        deadline = self.started + timeout
        with httpx.Client(timeout=2.0) as client:
            while time.perf_counter() < deadline:
                if self.process.poll() is not None:
                    raise SystemExit(f"the server exited ({self.process.returncode}):\n{self.log_tail()}")
                try:
                    if client.get(f"{self.url}/readyz").status_code == 200:
                        return time.perf_counter() - self.started
                except httpx.HTTPError:
                    pass
                time.sleep(0.02)
        raise SystemExit(f"the server was not ready after {timeout:.0f} s:\n{self.log_tail()}")

    def log_tail(self, chars: int = 3000) -> str:
        self._log.flush()
        return self.log_path.read_text(errors="replace")[-chars:]

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.terminate()
                try:
                    self.process.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    self.process.kill()
                    self.process.wait()
        self._log.close()


async def drive(url: str, questions: list[str], total: int, clients: int, offset: int = 0):
    """`clients` concurrent clients, each sending its next question as soon as it has its answer, until
    `total` requests have been sent. Returns (latencies ms of the 200s, errors, error samples, seconds)."""
    latencies: list[float] = []
    errors = 0
    samples: list[str] = []
    counter = iter(range(total))
    limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)
    async with httpx.AsyncClient(base_url=url, timeout=60.0, limits=limits) as client:

        async def one_client() -> None:
            nonlocal errors
            for n in counter:
                body = {"question": questions[(offset + n) % len(questions)]}
                start = time.perf_counter()
                try:
                    response = await client.post("/v1/ask", json=body)
                    status = response.status_code
                    detail = response.text[:200]
                except httpx.HTTPError as exc:
                    status, detail = None, f"{exc.__class__.__name__}: {exc}"
                elapsed = (time.perf_counter() - start) * 1000
                if status == 200:
                    latencies.append(elapsed)
                else:
                    errors += 1
                    if len(samples) < 3:
                        samples.append(f"{status}: {detail}")

        started = time.perf_counter()
        await asyncio.gather(*(one_client() for _ in range(clients)))
        seconds = time.perf_counter() - started
    return latencies, errors, samples, seconds


def run_mode(
    mode: str, data_dir: Path, work: Path, questions: list[str], requests: int, clients: int, warmup: int, model: str
) -> ModeResult:
    server = Server(data_dir, work / f"mentor-{mode}.db", mode == "on", work / f"server-{mode}.log", model)
    try:
        ready_s = server.wait_ready()
        asyncio.run(drive(server.url, questions, warmup, clients, offset=len(questions) // 2))
        cpu_before = cpu_seconds(server.process.pid)
        client_before = time.process_time()
        busy_before = busy_cpu_seconds()
        latencies, errors, samples, seconds = asyncio.run(drive(server.url, questions, requests, clients))
        busy_after = busy_cpu_seconds()
        client_cpu = time.process_time() - client_before
        cpu_after = cpu_seconds(server.process.pid)
        rss = rss_mb(server.process.pid)
    finally:
        server.stop()
    server_cpu = None if cpu_before is None or cpu_after is None else cpu_after - cpu_before
    others = None
    if server_cpu is not None and busy_before is not None and busy_after is not None:
        others = max(0.0, busy_after - busy_before - server_cpu - client_cpu)
    return ModeResult(
        mode,
        clients,
        requests,
        errors,
        seconds,
        latencies,
        ready_s,
        rss,
        server_cpu,
        client_cpu,
        others,
        samples,
    )


def goal_rows(results: dict[str, ModeResult], warmup: int, model: str = "") -> list[tuple[str, str, str, bool]]:
    """(what, measured, goal, met) for each goal, in the order they are printed."""
    rows = []
    if "on" in results and "off" in results:
        on, off = results["on"], results["off"]
        speedup = on.rps / off.rps if off.rps else float("nan")
        rows.append(
            (
                f"throughput, batching on / off, {on.clients} clients",
                f"{speedup:.2f}x ({on.rps:.1f} / {off.rps:.1f} rps)",
                ">= 2x",
                speedup >= GOAL_SPEEDUP,
            )
        )
    for r in results.values():
        rows.append((f"p95 latency, batching {r.mode}", f"{r.pct(95):.0f} ms", "< 250 ms", r.pct(95) < GOAL_P95_MS))
    for r in results.values():
        rows.append((f"start to ready, batching {r.mode}", f"{r.ready_s:.2f} s", "< 15 s", r.ready_s < GOAL_READY_S))
    limit = GOAL_RSS_MB.get(model, GOAL_RSS_OTHER_MB)
    for r in results.values():
        value = f"{r.rss_mb:.1f} MB" if r.rss_mb is not None else "n/a"
        ok = r.rss_mb is not None and r.rss_mb < limit
        rows.append((f"RSS after {warmup + r.requests} requests, batching {r.mode}", value, f"< {limit:.0f} MB", ok))
    for r in results.values():
        rows.append((f"errors, batching {r.mode}", str(r.errors), "0", r.errors == 0))
    return rows


def report(results: dict[str, ModeResult], warmup: int, note: str, model: str = "") -> None:
    first = next(iter(results.values()))
    cores = os.cpu_count() or 1
    print(
        f"\nHTTP API load benchmark: POST /v1/ask, {first.clients} concurrent clients on loopback, embedding "
        f"model {model}, {cores} CPU cores shared by the server and this load generator"
    )
    print(f"  {note}; {warmup} warm-up requests per mode, not counted")
    header = (
        f"  {'mode':<10}{'clients':>8}{'requests':>9}{'errors':>7}{'rps':>8}{'p50 ms':>9}{'p95 ms':>9}"
        f"{'ready s':>9}{'RSS MB':>8}{'server CPU':>12}{'client CPU':>12}{'other CPU':>11}"
    )
    print(header)
    print("  " + "-" * (len(header) - 2))

    def seconds(value: float | None) -> str:
        return f"{value:.1f} s" if value is not None else "n/a"

    for r in results.values():
        rss = f"{r.rss_mb:.0f}" if r.rss_mb is not None else "n/a"
        print(
            f"  {'batch ' + r.mode:<10}{r.clients:>8}{r.requests:>9}{r.errors:>7}{r.rps:>8.1f}{r.pct(50):>9.1f}"
            f"{r.pct(95):>9.1f}{r.ready_s:>9.2f}{rss:>8}{seconds(r.server_cpu_s):>12}{seconds(r.client_cpu_s):>12}"
            f"{seconds(r.others_cpu_s):>11}"
        )
    print("  (CPU: core-seconds used during the counted requests; RSS after them; MB = 10^6 bytes)")
    for r in results.values():
        for sample in r.error_samples:
            print(f"  error sample (batch {r.mode}): {sample}")
        if r.others_cpu_s is not None and r.others_cpu_s > 0.1 * cores * r.seconds:
            print(
                f"  WARNING (batch {r.mode}): other processes used {r.others_cpu_s:.1f} core-s of the "
                f"{cores * r.seconds:.1f} available during the run; its figures are depressed, run again on an idle "
                "machine"
            )

    rows = goal_rows(results, warmup, model)
    width = max(len(row[0]) for row in rows)
    print("\n  Goals")
    for label, value, goal, ok in rows:
        print(f"  {label:<{width}}  {value:<28} goal {goal:<9} {'MET' if ok else 'NOT MET'}")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=1000, help="Counted requests per mode (default 1000).")
    parser.add_argument("--clients", type=int, default=32, help="Concurrent clients (default 32).")
    parser.add_argument("--warmup", type=int, default=100, help="Warm-up requests per mode, not counted.")
    parser.add_argument("--data-dir", type=Path, help="Reuse the index in this data dir instead of building one.")
    parser.add_argument("--modes", default="off,on", help="Micro-batching modes to run, in order (default 'off,on').")
    parser.add_argument("--models", default=MODELS, help=f"Embedding models, comma-separated (default {MODELS}).")
    args = parser.parse_args(argv)
    if args.requests < 1 or args.clients < 1 or args.warmup < 0:
        parser.error("--requests and --clients must be at least 1, --warmup at least 0")
    modes = [m.strip() for m in args.modes.split(",") if m.strip()]
    if not modes or any(m not in ("on", "off") for m in modes):
        parser.error("--modes takes 'on', 'off' or both, comma-separated")

    questions = load_questions()
    for model in [m.strip() for m in args.models.split(",") if m.strip()]:
        with tempfile.TemporaryDirectory(prefix="mentor-api-load-") as tmp:
            work = Path(tmp)
            data_dir, index_note = prepare_index(args.data_dir, work, model)
            results = {}
            for mode in modes:
                results[mode] = run_mode(
                    mode, data_dir, work, questions, args.requests, args.clients, args.warmup, model
                )
        report(results, args.warmup, f"{len(questions)} questions (fr/es/en); {index_note}", model)


if __name__ == "__main__":
    main()
