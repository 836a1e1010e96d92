"""Reciprocal matching at scale: suggestions for everyone in a 10,000-person cohort, and the optimal
assignment of a 2,000 (Canada) x 2,000 (partner countries) pool.

Run with `make bench` (or `python -m benchmarks.matching`; `--quick` for 1,000 people and 300 x 300, `--hash`
for the hash embedder instead of the real bundled model, `--profile` to print where the time goes). Everything
runs in-process, on this machine, in one run.

The cohort is synthetic and deterministic (`--seed`): people of Canada (the "north" side) and of the seven
partner countries, with the languages, IANA time zones, availability windows, business stages and capacities
of the demo cohort (knowledge_base/demo_cohort.jsonl) drawn at random in the same proportions, 2-4 offered and
2-4 needed skill ids of the taxonomy (some skills more common than others), and offers/needs texts and goals
written from the skills' labels in the person's preferred language ("Je peux aider pour : Tenue de livres,
...", naming her first two skills), so that the texts repeat as much as short profiles do and embedding them
stays a bounded cost. Building the features (profiles -> arrays, embedding every distinct text once) is
timed and printed on its own line; the measured operations start from the built features:

1. `Matcher.suggest_all(features, k=3)` over the whole cohort (`--people`, default 10,000), every direction:
   seconds, people left with no suggestion, and exposure control (the most lists any one person appears
   in, divided by her capacity, must be <= the matcher's exposure factor). Goal: under 30 s.
2. `Matcher.cohort(features, directions={"north-south"})` on `--pool` Canadians and as many people of the
   partner countries (default 2,000 x 2,000): seconds, pairs, solver method, the optimality certificate
   (total score against the relaxation's bound), edges used and column-generation rounds. Goal: under 10 s.

Checks (exit status 1 if one fails; speed is printed as met / NOT met, never judged, the machine may be
shared): every person gets a list, no list holds herself, a duplicate, more than k people or someone who
shares no language or kind with her; exposure within its limit; every pair of the assignment is Canada x
partner country, shares a language, and nobody is in more pairs than her capacity; the assignment is
certified optimal.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import pstats
import time
from collections import Counter
from dataclasses import dataclass

from assistant.config import Settings
from assistant.embeddings import HashEmbedder, build_embedder
from assistant.matching.matcher import Matcher
from assistant.matching.profiles import Profile
from assistant.matching.scoring import KIND_PARTNERS, Features
from assistant.matching.taxonomy import Taxonomy, default_taxonomy
from benchmarks.matching_cohort import NORTH_SHARE, CohortMaker, distinct_texts

GOAL_SUGGEST_S = 30.0
GOAL_COHORT_S = 10.0


# -- features -------------------------------------------------------------------------------------------------------


def build_features(matcher: Matcher, profiles: list[Profile]) -> tuple[Features, float, int]:
    start = time.perf_counter()
    features = matcher.features(profiles)
    return features, time.perf_counter() - start, distinct_texts(profiles)


# -- checks -----------------------------------------------------------------------------------------------------------


def check_suggestions(features: Features, results: dict, k: int, exposure_factor: int) -> tuple[dict, list[str]]:
    problems: list[str] = []
    by_id = {p.id: p for p in features.profiles}
    missing = [pid for pid in features.ids if pid not in results]
    if missing:
        problems.append(f"{len(missing)} people have no entry in the results (e.g. {missing[0]})")
    appearances: Counter[str] = Counter()
    empty = 0
    for pid, suggestions in results.items():
        me = by_id[pid]
        if not suggestions:
            empty += 1
        ids = [s.id for s in suggestions]
        if len(ids) > k:
            problems.append(f"{pid}: {len(ids)} suggestions, more than k={k}")
        if len(set(ids)) != len(ids):
            problems.append(f"{pid}: the same person suggested twice")
        if pid in ids:
            problems.append(f"{pid}: suggested to herself")
        for s in suggestions:
            other = by_id[s.id]
            appearances[s.id] += 1
            if not set(me.languages) & set(other.languages):
                problems.append(f"{pid} -> {s.id}: no shared language")
            if other.kind not in KIND_PARTNERS[me.kind]:
                problems.append(f"{pid} -> {s.id}: a {me.kind} paired with a {other.kind}")
    ratio = max((count / by_id[pid].capacity for pid, count in appearances.items()), default=0.0)
    if ratio > exposure_factor + 1e-9:
        problems.append(f"exposure: someone appears in {ratio:.2f} x her capacity lists, above {exposure_factor}")
    figures = {
        "empty": empty,
        "suggestions": sum(len(v) for v in results.values()),
        "exposure_ratio": ratio,
        "shown": len(appearances),
    }
    return figures, problems[:20] + ([f"... {len(problems) - 20} more"] if len(problems) > 20 else [])


def check_cohort(features: Features, result) -> list[str]:
    problems: list[str] = []
    by_id = {p.id: p for p in features.profiles}
    used: Counter[str] = Counter()
    seen: set[frozenset[str]] = set()
    for pair in result.pairs:
        a, b = by_id[pair.a], by_id[pair.b]
        used[a.id] += 1
        used[b.id] += 1
        if {a.region, b.region} != {"north", "south"}:
            problems.append(f"{a.id} ({a.country}) x {b.id} ({b.country}): not Canada x partner country")
        if not set(a.languages) & set(b.languages):
            problems.append(f"{a.id} x {b.id}: no shared language")
        if b.kind not in KIND_PARTNERS[a.kind]:
            problems.append(f"{a.id} x {b.id}: a {a.kind} paired with a {b.kind}")
        key = frozenset((a.id, b.id))
        if len(key) < 2 or key in seen:
            problems.append(f"{a.id} x {b.id}: a self-pair or a pair listed twice")
        seen.add(key)
    over = [pid for pid, count in used.items() if count > by_id[pid].capacity]
    if over:
        problems.append(f"{len(over)} people in more pairs than their capacity (e.g. {over[0]})")
    s = result.solution
    if s is None:
        problems.append("no solution returned")
    else:
        total = sum(p.score for p in result.pairs)
        if abs(total - s.total) > 1e-3 * max(1.0, abs(s.total)):
            problems.append(f"the pairs' scores add up to {total:.4f}, the solver says {s.total:.4f}")
        if not s.optimal:
            problems.append(f"not certified optimal: total {s.total:.4f}, bound {s.bound:.4f} (method {s.method})")
    return problems[:20] + ([f"... {len(problems) - 20} more"] if len(problems) > 20 else [])


# -- runs -------------------------------------------------------------------------------------------------------------


def profiled(enabled: bool, label: str, call):
    """call(), under cProfile when enabled; prints the functions that took the most time."""
    if not enabled:
        return call()
    profiler = cProfile.Profile()
    value = profiler.runcall(call)
    for sort in ("tottime", "cumulative"):
        out = io.StringIO()
        pstats.Stats(profiler, stream=out).sort_stats(sort).print_stats(18)
        text = out.getvalue()
        print(f"\n  profile of {label}, by {sort}:")
        print("\n".join("    " + line for line in text[text.find("ncalls") :].splitlines() if line.strip()))
    return value


@dataclass
class SuggestRun:
    """Suggestions for everyone: what was measured and checked."""

    people: int
    features_s: float
    texts: int
    seconds: float
    figures: dict
    problems: list[str]
    exposure_factor: int


@dataclass
class CohortRun:
    """The optimal assignment of the pool: what was measured and checked."""

    features_s: float
    texts: int
    seconds: float
    result: object
    problems: list[str]


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=10_000, help="Cohort size for the suggestions (default 10,000).")
    parser.add_argument(
        "--pool", type=int, default=2_000, help="People on each side of the assignment (default 2,000)."
    )
    parser.add_argument("--k", type=int, default=3, help="Suggestions per person (default 3).")
    parser.add_argument("--seed", type=int, default=7, help="Seed of the synthetic cohort (default 7).")
    parser.add_argument("--quick", action="store_true", help="A smoke run: 1,000 people and 300 x 300.")
    parser.add_argument("--hash", action="store_true", help="The hash embedder instead of the real bundled model.")
    parser.add_argument("--profile", action="store_true", help="Run the measured operations under cProfile.")
    args = parser.parse_args(argv)
    if args.quick:
        args.people, args.pool = min(args.people, 1_000), min(args.pool, 300)
    if args.people < 2 or args.pool < 1 or args.k < 1:
        parser.error("--people must be at least 2, --pool and --k at least 1")
    return args


def progress(line: str) -> None:
    print(f"  ... {line}", flush=True)


def load_embedder(use_hash: bool):
    """(embedder, a line naming it), warmed up."""
    if use_hash:
        embedder = HashEmbedder()
        model = "hash embedder (--hash)"
    else:
        embedder = build_embedder(Settings())  # the configured model (multilingual-e5-small by default)
        model = f"real model {embedder.name}"
    embedder.embed_batch(["warm up"])
    return embedder, model


def run_suggestions(args: argparse.Namespace, taxonomy: Taxonomy, embedder) -> SuggestRun:
    """1. Suggestions for everyone."""
    maker = CohortMaker(taxonomy, args.seed)
    north = round(args.people * NORTH_SHARE)
    people = maker.cohort(north, args.people - north)
    matcher = Matcher(taxonomy, embedder)
    progress(f"features of {len(people):,} people")
    features, features_s, texts = build_features(matcher, people)
    progress(f"suggestions for {len(people):,} people")
    start = time.perf_counter()
    results = profiled(args.profile, "suggest_all", lambda: matcher.suggest_all(features, k=args.k))
    seconds = time.perf_counter() - start
    figures, problems = check_suggestions(features, results, args.k, matcher.exposure_factor)
    return SuggestRun(len(people), features_s, texts, seconds, figures, problems, matcher.exposure_factor)


def run_cohort(args: argparse.Namespace, taxonomy: Taxonomy, embedder) -> CohortRun:
    """2. The optimal assignment of a Canada x partner countries pool."""
    pool = CohortMaker(taxonomy, args.seed + 1).cohort(args.pool, args.pool)
    matcher = Matcher(taxonomy, embedder)
    progress(f"features of {len(pool):,} people (pool)")
    features, features_s, texts = build_features(matcher, pool)
    progress(f"optimal assignment of {args.pool:,} x {args.pool:,}")
    start = time.perf_counter()
    result = profiled(
        args.profile,
        "cohort",
        lambda: matcher.cohort(features, directions=frozenset({"north-south"})),
    )
    seconds = time.perf_counter() - start
    return CohortRun(features_s, texts, seconds, result, check_cohort(features, result))


# -- report -----------------------------------------------------------------------------------------------------------


def figure_rows(args: argparse.Namespace, suggest: SuggestRun, cohort: CohortRun) -> list[tuple[str, str]]:
    """(what, figures) for each line of the report's first table."""
    result, figures = cohort.result, suggest.figures
    rows = [
        (
            f"features, {suggest.people:,} people",
            f"{suggest.features_s:.1f} s ({suggest.texts:,} distinct texts embedded)",
        ),
        (
            f"suggest_all, {suggest.people:,} people, k={args.k}",
            f"{suggest.seconds:.1f} s; {figures['empty']:,} people with no suggestion; {figures['suggestions']:,} "
            f"suggestions showing {figures['shown']:,} people",
        ),
        (
            "  exposure: most lists per person / capacity",
            f"{figures['exposure_ratio']:.2f} (limit {suggest.exposure_factor})",
        ),
        (
            f"features, {args.pool:,} x {args.pool:,} pool",
            f"{cohort.features_s:.1f} s ({cohort.texts:,} distinct texts embedded)",
        ),
        (
            f"cohort, {args.pool:,} x {args.pool:,}, north-south",
            f"{cohort.seconds:.1f} s; {len(result.pairs):,} pairs, {len(result.unmatched):,} people unmatched",
        ),
    ]
    s = result.solution
    if s is not None:
        rows.append(
            (
                "  solver",
                f"{s.method}, optimal {s.optimal}, total {s.total:.4f} vs bound {s.bound:.4f} (gap {s.gap:.2g}), "
                f"{s.edges:,} edges used, {s.rounds} round(s)",
            )
        )
    return rows


def report(args: argparse.Namespace, model: str, load_s: float, suggest: SuggestRun, cohort: CohortRun) -> list[str]:
    """Prints the figures and the goals; returns the failed checks."""
    print(f"\nMatching benchmark ({model}, in-process, seed {args.seed})")
    print(f"  model load and warm-up: {load_s:.1f} s")
    rows = figure_rows(args, suggest, cohort)
    width = max(len(label) for label, _ in rows)
    for label, value in rows:
        print(f"  {label:<{width}}  {value}")

    header = f"  {'operation':<32}{'size':>16}{'seconds':>10}{'goal':>9}  verdict"
    print("\n" + header)
    print("  " + "-" * (len(header) - 2))
    for name, size, seconds, goal in (
        ("suggestions for everyone", f"{suggest.people:,} people", suggest.seconds, GOAL_SUGGEST_S),
        ("optimal cohort assignment", f"{args.pool:,} x {args.pool:,}", cohort.seconds, GOAL_COHORT_S),
    ):
        verdict = "met" if seconds < goal else "NOT met"
        limit = f"< {goal:.0f} s"
        print(f"  {name:<32}{size:>16}{seconds:>10.1f}{limit:>9}  {verdict}")
    if args.quick:
        print("  (--quick sizes: the goals are for 10,000 people and 2,000 x 2,000)")

    problems = [f"suggestions: {p}" for p in suggest.problems] + [f"assignment: {p}" for p in cohort.problems]
    for problem in problems:
        print(f"  FAILED {problem}")
    print(f"  {'FAILED: see above' if problems else 'OK: every correctness check passed'}")
    return problems


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    started = time.perf_counter()
    embedder, model = load_embedder(args.hash)
    load_s = time.perf_counter() - started
    taxonomy = default_taxonomy()
    suggest = run_suggestions(args, taxonomy, embedder)
    cohort = run_cohort(args, taxonomy, embedder)
    if report(args, model, load_s, suggest, cohort):
        raise SystemExit(1)


if __name__ == "__main__":
    main()
