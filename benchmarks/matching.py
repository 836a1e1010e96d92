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

import numpy as np

from assistant.matching.matcher import Matcher
from assistant.matching.profiles import DAYS, Profile
from assistant.matching.scoring import KIND_PARTNERS, Features
from assistant.matching.taxonomy import Taxonomy, default_taxonomy

GOAL_SUGGEST_S = 30.0
GOAL_COHORT_S = 10.0
PARTNERS = ("bolivia", "senegal", "benin", "guatemala", "rwanda", "cote-divoire", "philippines")
NORTH_SHARE = 0.36  # Canadians in the demo cohort: 48 of 134

# country -> ((languages, weight), ...), as in the demo cohort; the first language is the preferred one.
LANGUAGES: dict[str, tuple[tuple[tuple[str, ...], float], ...]] = {
    "canada": (
        (("fr", "en"), 0.30), (("en",), 0.31), (("fr",), 0.15), (("en", "fr"), 0.08), (("fr", "en", "es"), 0.05),
        (("en", "es"), 0.05), (("es", "en"), 0.04), (("fr", "es"), 0.02),
    ),
    "bolivia": ((("es",), 0.77), (("es", "en"), 0.23)),
    "guatemala": ((("es",), 0.75), (("es", "en"), 0.25)),
    "senegal": ((("fr",), 0.62), (("fr", "en"), 0.38)),
    "benin": ((("fr",), 0.75), (("fr", "en"), 0.25)),
    "cote-divoire": ((("fr",), 0.83), (("fr", "en"), 0.17)),
    "rwanda": ((("fr", "en"), 0.25), (("en", "fr"), 0.33), (("fr",), 0.25), (("en",), 0.17)),
    "philippines": ((("en",), 1.0),),
}  # fmt: skip
TIMEZONES: dict[str, tuple[tuple[str, float], ...]] = {
    "canada": (
        ("America/Toronto", 0.60), ("America/Vancouver", 0.10), ("America/Edmonton", 0.07),
        ("America/Moncton", 0.07), ("America/Halifax", 0.05), ("America/Winnipeg", 0.04),
        ("America/Regina", 0.04), ("America/St_Johns", 0.03),
    ),
    "bolivia": (("America/La_Paz", 1.0),),
    "senegal": (("Africa/Dakar", 1.0),),
    "benin": (("Africa/Porto-Novo", 1.0),),
    "guatemala": (("America/Guatemala", 1.0),),
    "rwanda": (("Africa/Kigali", 1.0),),
    "cote-divoire": (("Africa/Abidjan", 1.0),),
    "philippines": (("Asia/Manila", 1.0),),
}  # fmt: skip
STAGES = {
    "north": (("established", 0.50), ("growth", 0.28), ("early", 0.20), ("idea", 0.02)),
    "south": (("growth", 0.37), ("established", 0.28), ("early", 0.27), ("idea", 0.08)),
}
SECTORS = {
    "north": (
        "accounting", "digital-marketing", "business-consulting", "hr-consulting", "ethical-fashion", "preserves",
        "software", "organic-farm", "maple-products", "specialty-food", "ecotourism", "retail", "bakery",
        "export-consulting", "community-lending", "web-agency",
    ),
    "south": (
        "handicrafts", "coffee", "cocoa", "shea-butter", "fish-processing", "attieke", "quinoa", "weaving",
        "tailoring", "natural-cosmetics", "community-tourism", "market-gardening", "coconut-products",
        "dried-fruit", "sari-sari-store", "cassava-processing", "dairy", "plastic-recycling",
    ),
}  # fmt: skip
DAY_WEIGHTS = (74, 106, 56, 118, 38, 91, 11)  # mon..sun, availability slots of the demo cohort
WINDOWS = (
    (("19:00", "21:00"), 79), (("09:00", "11:00"), 68), (("14:00", "16:00"), 66), (("15:00", "17:00"), 53),
    (("16:00", "18:00"), 44), (("08:00", "10:00"), 41), (("18:00", "20:00"), 41), (("10:00", "12:00"), 19),
    (("17:00", "19:00"), 13), (("20:00", "22:00"), 12), (("07:00", "09:00"), 8), (("12:00", "13:00"), 4),
)  # fmt: skip
CAPACITY = ((1, 0.70), (2, 0.22), (3, 0.08))
TEMPLATES = {
    "fr": ("Je peux aider pour : {skills}", "J'ai besoin d'aide pour : {skills}", " et ", ", entre autres"),
    "en": ("I can help with: {skills}", "I need help with: {skills}", " and ", ", among others"),
    "es": ("Puedo ayudar con: {skills}", "Necesito ayuda con: {skills}", " y ", ", entre otras cosas"),
}
GOALS = {
    "fr": ("Progresser en : {skill}", "Partager mon expérience avec une entrepreneure d'un pays partenaire",
           "Faire grandir mon entreprise avec une mentore"),
    "en": ("Get better at: {skill}", "Share my experience with an entrepreneur from a partner country",
           "Grow my business with a mentor"),
    "es": ("Mejorar en: {skill}", "Compartir mi experiencia con una emprendedora de un país socio",
           "Hacer crecer mi negocio con una mentora"),
}  # fmt: skip


# -- the synthetic cohort ---------------------------------------------------------------------------------------------


def _pick(rng: np.random.Generator, table):
    values = [value for value, _ in table]
    weights = np.array([weight for _, weight in table], dtype=float)
    return values[int(rng.choice(len(values), p=weights / weights.sum()))]


class CohortMaker:
    """Deterministic synthetic profiles (one seeded NumPy generator; the same seed gives the same cohort)."""

    def __init__(self, taxonomy: Taxonomy, seed: int) -> None:
        self.taxonomy = taxonomy
        self.rng = np.random.default_rng(seed)
        self.count = 0
        skills = len(taxonomy.ids)
        rank_weight = 1.0 / np.sqrt(np.arange(1, skills + 1))  # some skills are far more common than others
        # Each side of each region has its own favourite skills (Canadians offer bookkeeping more often...).
        self.popularity = {}
        for region in ("north", "south"):
            for side in ("offers", "needs"):
                weights = self.rng.permutation(rank_weight)
                self.popularity[region, side] = weights / weights.sum()

    def _skills(self, region: str, side: str, exclude: tuple[str, ...] = ()) -> tuple[str, ...]:
        p = self.popularity[region, side].copy()
        for sid in exclude:
            p[self.taxonomy.index[sid]] = 0.0
        chosen = self.rng.choice(len(p), size=int(self.rng.integers(2, 5)), replace=False, p=p / p.sum())
        return tuple(self.taxonomy.ids[int(i)] for i in chosen)

    def _text(self, template: str, skills: tuple[str, ...], lang: str) -> str:
        """Names her first two skills (in taxonomy order), as a short profile does."""
        _, _, conjunction, more = TEMPLATES[lang]
        named = sorted(skills, key=self.taxonomy.index.get)[:2]
        labels = [self.taxonomy.label(s, lang) for s in named]
        listed = labels[0] if len(labels) == 1 else labels[0] + conjunction + labels[1][:1].lower() + labels[1][1:]
        return template.format(skills=listed + (more if len(skills) > 2 else ""))

    def person(self, country: str) -> Profile:
        rng = self.rng
        self.count += 1
        region = "north" if country == "canada" else "south"
        languages = _pick(rng, LANGUAGES[country])
        lang = languages[0]
        offers = self._skills(region, "offers")
        needs = self._skills(region, "needs", exclude=offers)
        offer_template, need_template, _, _ = TEMPLATES[lang]
        goal_template, north_goal, south_goal = GOALS[lang]
        main_need = self.taxonomy.label(needs[0], lang)
        goals = (
            goal_template.format(skill=main_need[:1].lower() + main_need[1:]),
            north_goal if region == "north" else south_goal,
        )
        days = rng.choice(7, size=int(rng.integers(2, 5)), replace=False, p=np.array(DAY_WEIGHTS) / sum(DAY_WEIGHTS))
        availability = tuple(
            {"day": DAYS[int(d)], "from": start, "to": end}
            for d in sorted(days)
            for start, end in [_pick(rng, WINDOWS)]
        )
        is_org = rng.random() < 0.08
        diaspora = None
        if region == "north" and rng.random() < 0.04:
            diaspora = PARTNERS[int(rng.integers(len(PARTNERS)))]
        return Profile(
            id=f"{country[:3]}-{self.count:05d}",
            name=f"Participant {self.count}",
            kind="organisation" if is_org else "person",
            country=country,
            languages=languages,
            preferred_language=lang,
            sector=str(rng.choice(SECTORS[region])),
            stage=_pick(rng, STAGES[region]),
            organisation=f"{country} organisation {int(rng.integers(200))}" if is_org else None,
            diaspora_origin=diaspora,
            offers_text=self._text(offer_template, offers, lang),
            needs_text=self._text(need_template, needs, lang),
            offers=offers,
            needs=needs,
            goals=goals,
            timezone=_pick(rng, TIMEZONES[country]),
            availability=availability,
            modality="either" if rng.random() < 0.1 else "virtual",
            capacity=_pick(rng, CAPACITY),
        )

    def cohort(self, north: int, south: int) -> list[Profile]:
        """`north` Canadians and `south` people spread evenly over the partner countries, interleaved."""
        countries = ["canada"] * north + [PARTNERS[i % len(PARTNERS)] for i in range(south)]
        order = self.rng.permutation(len(countries))
        return [self.person(countries[int(i)]) for i in order]


def distinct_texts(profiles: list[Profile]) -> int:
    """The texts the scorer embeds (offers, needs, goals, sector), each distinct one counted once."""
    texts = set()
    for p in profiles:
        texts.update((p.offers_text, p.needs_text, " ".join(p.goals), p.sector.replace("-", " ")))
    texts.discard("")
    return len(texts)


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


def main(argv: list[str] | None = None) -> None:
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

    def progress(line: str) -> None:
        print(f"  ... {line}", flush=True)

    started = time.perf_counter()
    if args.hash:
        from assistant.embeddings import HashEmbedder

        embedder = HashEmbedder()
        model = "hash embedder (--hash)"
    else:
        from assistant.embeddings import SentenceTransformerEmbedder

        embedder = SentenceTransformerEmbedder()
        model = f"real bundled model {embedder.name}"
    embedder.embed_batch(["warm up"])
    load_s = time.perf_counter() - started
    taxonomy = default_taxonomy()

    # 1. Suggestions for everyone.
    maker = CohortMaker(taxonomy, args.seed)
    north = round(args.people * NORTH_SHARE)
    people = maker.cohort(north, args.people - north)
    suggest_matcher = Matcher(taxonomy, embedder)
    progress(f"features of {len(people):,} people")
    features, suggest_features_s, suggest_texts = build_features(suggest_matcher, people)
    progress(f"suggestions for {len(people):,} people")
    start = time.perf_counter()
    results = profiled(args.profile, "suggest_all", lambda: suggest_matcher.suggest_all(features, k=args.k))
    suggest_s = time.perf_counter() - start
    suggest, suggest_problems = check_suggestions(features, results, args.k, suggest_matcher.exposure_factor)

    # 2. The optimal assignment of a Canada x partner countries pool.
    pool = CohortMaker(taxonomy, args.seed + 1).cohort(args.pool, args.pool)
    cohort_matcher = Matcher(taxonomy, embedder)
    progress(f"features of {len(pool):,} people (pool)")
    pool_features, cohort_features_s, cohort_texts = build_features(cohort_matcher, pool)
    progress(f"optimal assignment of {args.pool:,} x {args.pool:,}")
    start = time.perf_counter()
    result = profiled(
        args.profile,
        "cohort",
        lambda: cohort_matcher.cohort(pool_features, directions=frozenset({"north-south"})),
    )
    cohort_s = time.perf_counter() - start
    cohort_problems = check_cohort(pool_features, result)
    s = result.solution

    # Report.
    print(f"\nMatching benchmark ({model}, in-process, seed {args.seed})")
    print(f"  model load and warm-up: {load_s:.1f} s")
    rows = [
        (
            f"features, {len(people):,} people",
            f"{suggest_features_s:.1f} s ({suggest_texts:,} distinct texts embedded)",
        ),
        (
            f"suggest_all, {len(people):,} people, k={args.k}",
            f"{suggest_s:.1f} s; {suggest['empty']:,} people with no suggestion; {suggest['suggestions']:,} "
            f"suggestions showing {suggest['shown']:,} people",
        ),
        (
            "  exposure: most lists per person / capacity",
            f"{suggest['exposure_ratio']:.2f} (limit {suggest_matcher.exposure_factor})",
        ),
        (
            f"features, {args.pool:,} x {args.pool:,} pool",
            f"{cohort_features_s:.1f} s ({cohort_texts:,} distinct texts embedded)",
        ),
        (
            f"cohort, {args.pool:,} x {args.pool:,}, north-south",
            f"{cohort_s:.1f} s; {len(result.pairs):,} pairs, {len(result.unmatched):,} people unmatched",
        ),
    ]
    if s is not None:
        rows.append(
            (
                "  solver",
                f"{s.method}, optimal {s.optimal}, total {s.total:.4f} vs bound {s.bound:.4f} (gap {s.gap:.2g}), "
                f"{s.edges:,} edges used, {s.rounds} round(s)",
            )
        )
    width = max(len(label) for label, _ in rows)
    for label, value in rows:
        print(f"  {label:<{width}}  {value}")

    header = f"  {'operation':<32}{'size':>16}{'seconds':>10}{'goal':>9}  verdict"
    print("\n" + header)
    print("  " + "-" * (len(header) - 2))
    for name, size, seconds, goal in (
        ("suggestions for everyone", f"{len(people):,} people", suggest_s, GOAL_SUGGEST_S),
        ("optimal cohort assignment", f"{args.pool:,} x {args.pool:,}", cohort_s, GOAL_COHORT_S),
    ):
        verdict = "met" if seconds < goal else "NOT met"
        limit = f"< {goal:.0f} s"
        print(f"  {name:<32}{size:>16}{seconds:>10.1f}{limit:>9}  {verdict}")
    if args.quick:
        print("  (--quick sizes: the goals are for 10,000 people and 2,000 x 2,000)")

    problems = [f"suggestions: {p}" for p in suggest_problems] + [f"assignment: {p}" for p in cohort_problems]
    for problem in problems:
        print(f"  FAILED {problem}")
    print(f"  {'FAILED: see above' if problems else 'OK: every correctness check passed'}")
    if problems:
        raise SystemExit(1)


if __name__ == "__main__":
    main()
