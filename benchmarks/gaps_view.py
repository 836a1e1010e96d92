"""The content-gaps view under a flood of junk questions (issue 19, point 5).

Run with `python -m benchmarks.gaps_view` (`--gaps 2000` by default, `--hash` for the hash embedder instead
of the default model). Into a fresh SQLite database under a temporary folder it records `--gaps` distinct
junk questions through `GapGroups.record_gap` (what the answerer calls: each is embedded once and joins or
opens a group), then times:

1. recording, per gap (the cost added to an unanswered question);
2. `GapGroups.view()`, three times (what `/v1/gaps` and the console's gaps page do now);
3. the whole-batch clustering the view used to run on every request (`group_gaps(store.gaps(), embedder)`:
   every gap embedded again, then average-linkage clustering), once.

Figures are wall-clock seconds on this machine, which may be shared: they are printed, never judged.
"""

from __future__ import annotations

import argparse
import random
import statistics
import tempfile
import time
from pathlib import Path

from assistant.config import Settings
from assistant.embeddings import HashEmbedder
from assistant.gaps import GapGroups, group_gaps
from assistant.runtime import Runtime

WORDS = [
    "loan",
    "visa",
    "bus",
    "tax",
    "shop",
    "price",
    "market",
    "fish",
    "cloth",
    "seed",
    "rain",
    "truck",
    "phone",
    "bank",
    "school",
    "goat",
    "milk",
    "soap",
]


def junk(rng: random.Random, i: int) -> str:
    return f"{' '.join(rng.sample(WORDS, 4))} {rng.randrange(10**6)} #{i}?"


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--gaps", type=int, default=2000)
    parser.add_argument("--hash", action="store_true", help="the hash embedder instead of the default model")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="gaps-bench-") as folder:
        settings = Settings(data_dir=Path(folder), _env_file=None)
        runtime = Runtime(settings, embedder=HashEmbedder() if args.hash else None)
        groups = GapGroups(runtime.store, runtime.embedder)
        rng = random.Random(7)
        started = time.perf_counter()
        for i in range(args.gaps):
            groups.record_gap(junk(rng, i), "en", {})
        record_s = time.perf_counter() - started
        views = []
        for _ in range(3):
            started = time.perf_counter()
            shown = groups.view()
            views.append(time.perf_counter() - started)
        started = time.perf_counter()
        group_gaps(runtime.store.gaps(), runtime.embedder)
        batch_s = time.perf_counter() - started
        runtime.database.dispose()
    print(f"gaps view, {args.gaps} junk gaps, model {runtime.embedder.name}")
    print(f"  recording: {record_s / args.gaps * 1000:.1f} ms per gap (embedded once, grouped on arrival)")
    print(f"  view now: median {statistics.median(views):.3f} s of 3 ({len(shown)} groups shown)")
    print(f"  view before (re-embed and re-cluster every gap per request): {batch_s:.1f} s")


if __name__ == "__main__":
    main()
