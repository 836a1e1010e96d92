"""The chat path under load against /v1/ask: p50/p95 of POST /chat/api/messages (the web chat: the relay,
the conversation engine, the same retrieval) beside POST /v1/ask, `--clients` concurrent clients each, on the
real server (`mentor serve` in its own process, the default embedding model, an index built once from
knowledge_base/).

Run with `python -m benchmarks.chat_load` (`--requests 200` for a quick run). Modes, each on a fresh server
and an empty database:

- `ask`: POST /v1/ask, the baseline;
- `chat`: POST /chat/api/messages, one chat person per client (her own cookie), the relay's engine pool at
  its default size (MENTOR_ENGINE_WORKERS);
- `chat-small-pool`: the same with the pool at cpu + 4 threads, the size of asyncio's default pool the
  relay used before it had its own (how it was).

Each client sends its next question as soon as it has its answer. Printed: requests per second, p50/p95,
errors, and the chat p95 over the /v1/ask p95. The machine's other load is printed too: on a shared machine
the figures are noisy, compare the modes of one run.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import tempfile
import time
from pathlib import Path

import httpx
import numpy as np

from benchmarks.api_load import Server, load_questions, prepare_index
from benchmarks.machine import busy_cpu_seconds

MODES = ("ask", "chat", "chat-small-pool")
GOAL_RATIO = 2.0  # chat p95 within twice /v1/ask's: the chat adds the engine's bookkeeping, not a queue


async def drive(url: str, path: str, questions: list[str], total: int, clients: int, offset: int = 0):
    """(latencies ms of the 200s, errors, seconds): `clients` clients, each with its own cookies."""
    latencies: list[float] = []
    errors = 0
    counter = iter(range(total))

    async def one_client(index: int) -> None:
        nonlocal errors
        async with httpx.AsyncClient(base_url=url, timeout=120.0) as client:
            for n in counter:
                question = questions[(offset + n) % len(questions)]
                body = {"question": question} if path == "/v1/ask" else {"text": question}
                started = time.perf_counter()
                try:
                    response = await client.post(path, json=body)
                    ok = response.status_code == 200
                except httpx.HTTPError:
                    ok = False
                if ok:
                    latencies.append((time.perf_counter() - started) * 1000)
                else:
                    errors += 1

    started = time.perf_counter()
    await asyncio.gather(*(one_client(i) for i in range(clients)))
    return latencies, errors, time.perf_counter() - started


def run_mode(mode: str, data_dir: Path, work: Path, questions: list[str], args) -> dict:
    env_before = os.environ.get("MENTOR_ENGINE_WORKERS")
    if mode == "chat-small-pool":
        os.environ["MENTOR_ENGINE_WORKERS"] = str((os.cpu_count() or 1) + 4)
    try:
        server = Server(data_dir, work / f"mentor-{mode}.db", True, work / f"server-{mode}.log", args.model)
    finally:
        if env_before is None:
            os.environ.pop("MENTOR_ENGINE_WORKERS", None)
        else:
            os.environ["MENTOR_ENGINE_WORKERS"] = env_before
    path = "/v1/ask" if mode == "ask" else "/chat/api/messages"
    try:
        server.wait_ready()
        asyncio.run(drive(server.url, path, questions, args.warmup, args.clients, offset=len(questions) // 2))
        busy_before = busy_cpu_seconds()
        latencies, errors, seconds = asyncio.run(drive(server.url, path, questions, args.requests, args.clients))
        busy_after = busy_cpu_seconds()
    finally:
        server.stop()
    busy = None if busy_before is None or busy_after is None else busy_after - busy_before
    return {"mode": mode, "latencies": latencies, "errors": errors, "seconds": seconds, "busy": busy}


def pct(values: list[float], q: float) -> float:
    return float(np.percentile(np.array(values), q)) if values else float("nan")


def report(results: list[dict], args, note: str) -> None:
    cores = os.cpu_count() or 1
    print(
        f"\nChat under load: {args.clients} concurrent clients, {args.requests} counted requests per mode, "
        f"model {args.model}, {cores} CPU cores shared with the load generator; {note}"
    )
    print(f"  {'mode':<17}{'requests':>9}{'errors':>7}{'rps':>8}{'p50 ms':>9}{'p95 ms':>9}{'busy CPU':>10}")
    for r in results:
        lat = r["latencies"]
        rps = len(lat) / r["seconds"] if r["seconds"] else 0.0
        busy = f"{r['busy']:.0f} s" if r["busy"] is not None else "n/a"
        print(
            f"  {r['mode']:<17}{len(lat):>9}{r['errors']:>7}{rps:>8.1f}{pct(lat, 50):>9.0f}{pct(lat, 95):>9.0f}"
            f"{busy:>10}"
        )
    by_mode = {r["mode"]: r for r in results}
    ask = by_mode.get("ask")
    for mode in ("chat", "chat-small-pool"):
        if ask and mode in by_mode:
            ratio = pct(by_mode[mode]["latencies"], 95) / pct(ask["latencies"], 95)
            verdict = "MET" if ratio <= GOAL_RATIO else "NOT MET"
            print(f"  p95 {mode} / p95 /v1/ask: {ratio:.2f}x (goal <= {GOAL_RATIO:.0f}x: {verdict})")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=500, help="Counted requests per mode (default 500).")
    parser.add_argument("--clients", type=int, default=50, help="Concurrent clients (default 50).")
    parser.add_argument("--warmup", type=int, default=50, help="Warm-up requests per mode, not counted.")
    parser.add_argument("--data-dir", type=Path, help="Reuse the index in this data dir instead of building one.")
    parser.add_argument("--modes", default=",".join(MODES), help=f"Modes, in order (default {','.join(MODES)}).")
    parser.add_argument("--model", default="multilingual-e5-small", help="Embedding model (default e5-small).")
    args = parser.parse_args(argv)
    modes = [m.strip() for m in args.modes.split(",") if m.strip()]
    if args.requests < 1 or args.clients < 1 or args.warmup < 0 or not set(modes) <= set(MODES) or not modes:
        parser.error(f"--requests and --clients at least 1, --warmup at least 0, --modes among {', '.join(MODES)}")
    questions = load_questions()
    with tempfile.TemporaryDirectory(prefix="chat-load-") as tmp:
        work = Path(tmp)
        data_dir, note = prepare_index(args.data_dir, work, args.model)
        results = [run_mode(mode, data_dir, work, questions, args) for mode in modes]
    report(results, args, note)


if __name__ == "__main__":
    main()
