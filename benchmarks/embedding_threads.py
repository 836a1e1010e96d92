"""Which thread count of the multilingual-e5-small engine serves fastest under concurrent load.

Run with `make bench` (or `python -m benchmarks.embedding_threads`, `--seconds 3` for a quick run). For each
thread count (`--threads`, default 1,2,4) a fresh process loads the engine with it (OpenMP reads it once, at
load) and measures, in order:

- one query alone, repeated: p50 latency;
- `--clients` request threads (default 32) each asking its next query as soon as it has its vector, through
  the runtime's micro-batcher as in `mentor serve`, for `--seconds`: queries per second, p50 / p95 latency;
- a batch of 16 guide passages: passages per second (what an ingest does).

The machine's cores are shared with everything else running: compare the rows of one run, not across runs.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import threading
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
QUERIES = [
    "comment obtenir un crédit pour ma boutique",
    "¿cuántos países participan en el programa?",
    "what should we discuss at the first meeting",
    "como preparar una mision corta de experticia",
    "how do time zones affect virtual meetings with Rwanda",
    "comment terminer un binôme de mentorat",
]


def measure(threads: int, clients: int, seconds: float) -> dict:
    """Run inside the child process: the engine loaded with `threads`, then the three measurements."""
    from assistant.embeddings import E5Embedder, embed_passages, embed_queries
    from assistant.embeddings.batching import MicroBatcher

    os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")  # as `mentor serve` sets it before the engine loads
    embedder = E5Embedder(threads=threads)
    alone = []
    for n in range(30):
        started = time.perf_counter()
        embed_queries(embedder, [QUERIES[n % len(QUERIES)]])
        alone.append((time.perf_counter() - started) * 1000)
    batcher = MicroBatcher(lambda texts: embed_queries(embedder, texts), 32, 2.0)
    latencies: list[float] = []
    lock = threading.Lock()
    stop = time.perf_counter() + seconds

    def client(k: int) -> None:
        n = k
        while time.perf_counter() < stop:
            started = time.perf_counter()
            batcher(QUERIES[n % len(QUERIES)])
            with lock:
                latencies.append((time.perf_counter() - started) * 1000)
            n += 1

    workers = [threading.Thread(target=client, args=(k,)) for k in range(clients)]
    began = time.perf_counter()
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    elapsed = time.perf_counter() - began
    passages = [p.read_text(encoding="utf-8")[:800] for p in sorted((ROOT / "knowledge_base/guides/fr").glob("*.md"))]
    started = time.perf_counter()
    embed_passages(embedder, passages[:16])
    ingest = 16 / (time.perf_counter() - started)
    return {
        "threads": threads,
        "alone_p50_ms": float(np.median(alone)),
        "qps": len(latencies) / elapsed,
        "p50_ms": float(np.percentile(latencies, 50)),
        "p95_ms": float(np.percentile(latencies, 95)),
        "passages_per_s": ingest,
    }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--threads", default="1,2,4")
    parser.add_argument("--clients", type=int, default=32)
    parser.add_argument("--seconds", type=float, default=15.0)
    parser.add_argument("--child", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        print(json.dumps(measure(args.child, args.clients, args.seconds)))
        return
    rows = []
    for threads in [int(t) for t in args.threads.split(",") if t.strip()]:
        command = [sys.executable, "-m", "benchmarks.embedding_threads", "--child", str(threads),
                   "--clients", str(args.clients), "--seconds", str(args.seconds)]  # fmt: skip
        done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, check=True)
        rows.append(json.loads(done.stdout.strip().splitlines()[-1]))
    cores = os.cpu_count()
    print(f"\nmultilingual-e5-small engine threads, {cores} cores, {args.clients} clients via the micro-batcher")
    print(f"  {'threads':>7} {'alone p50':>10} {'queries/s':>10} {'p50 ms':>8} {'p95 ms':>8} {'passages/s':>11}")
    for r in rows:
        print(
            f"  {r['threads']:>7} {r['alone_p50_ms']:>10.1f} {r['qps']:>10.1f} {r['p50_ms']:>8.1f} "
            f"{r['p95_ms']:>8.1f} {r['passages_per_s']:>11.2f}"
        )
    best = max(rows, key=lambda r: r["qps"])
    print(f"  fastest under load: {best['threads']} thread(s) (MENTOR_EMBEDDING_THREADS, default 1)")


if __name__ == "__main__":
    main()
