"""The `match` group: reciprocal suggestions, whole-cohort pairing, staff decisions, and the fairness report.

`matching_report` and the `--profiles`/`--directions`/`--seed` options are public because `eval matching`
prints the same report.
"""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Annotated

import typer

from assistant.cli.context import ExitOnError, err, fail, get_runtime, language_option, out

app = typer.Typer(
    help="Reciprocal matching: suggestions, whole-cohort pairing, staff decisions, report.", no_args_is_help=True
)
DEMO_COHORT = Path(__file__).resolve().parents[2] / "knowledge_base" / "demo_cohort.jsonl"

ProfilesOption = Annotated[
    Path | None, typer.Option("--profiles", help="Default: MENTOR_MATCH_PROFILES, else the demo cohort.")
]
DirectionsOption = Annotated[
    str | None,
    typer.Option("--directions", help="Allowed pair directions, comma-separated: north-south, south-south, national."),
]
SeedOption = Annotated[int, typer.Option("--seed", help="Seed of the random baseline.")]
MatchIdArgument = Annotated[str, typer.Argument(help="A pairing id (see `mentor match list`).")]
ByOption = Annotated[str, typer.Option("--by", help="Who decides.")]


def _print_problems(problems) -> None:
    for problem in problems:
        err.print(f"warning: {problem}", highlight=False, markup=False)


@app.command("suggest")
def match_suggest(
    ctx: typer.Context,
    participant_id: Annotated[str, typer.Argument(help="A participant id or a cohort file's profile id.")],
    k: Annotated[int, typer.Option("--k", min=1, max=50, help="How many suggestions.")] = 3,
    profiles: ProfilesOption = None,
    lang: Annotated[str | None, typer.Option("--lang", help="Language of the explanations (default: hers).")] = None,
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """Her best reciprocal partners, each with why."""
    lang = language_option(lang)
    with ExitOnError():
        service = get_runtime(ctx).matching
        pool = service.pool(profiles)
        _print_problems(pool.problems)
        suggestions = service.suggest(participant_id, k=k, lang=lang, pool=pool)
    if as_json:
        payload = {
            "participant_id": participant_id,
            "main_need": suggestions.main_need_dict(),
            "suggestions": [s.to_dict() for s in suggestions],
        }
        print(json.dumps(payload, ensure_ascii=False, indent=2))
        return
    if not suggestions:
        out.print("No suitable partner: nobody who shares her language has a fit both ways.")
        return
    for n, s in enumerate(suggestions, 1):
        out.print(
            f"{n}. {s.id} {s.name} ({s.country})  score {s.score:.3f}  fit to her {s.fit_to_her:.2f}  "
            f"fit from her {s.fit_from_her:.2f}\n   {s.explanation}",
            highlight=False,
            markup=False,
        )


@app.command("cohort")
def match_cohort(
    ctx: typer.Context,
    profiles: ProfilesOption = None,
    directions: DirectionsOption = None,
    out_csv: Annotated[Path | None, typer.Option("--out", help="Also write the pairs as CSV.")] = None,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Do not store the pairs as proposals for staff.")] = False,
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """Pair the whole pool: the highest total reciprocal score under the constraints and capacities
    (optimal, not greedy). Approved pairs are kept; rejected or declined ones are never proposed."""
    with ExitOnError():
        result, problems = get_runtime(ctx).matching.cohort(profiles, directions, save=not dry_run)
    _print_problems(problems)
    if out_csv is not None:
        _write_pairs_csv(result.pairs, out_csv)
    if as_json:
        print(json.dumps(result.to_dict(), ensure_ascii=False, indent=2))
        return
    for p in result.pairs:
        kept = " (kept: approved)" if p.kept else ""
        line = f"{p.a} + {p.b}  score {p.score:.3f}  fits {p.fit_ab:.2f}/{p.fit_ba:.2f}{kept}"
        out.print(f"{line}\n   {'; '.join(p.reasons)}", highlight=False, markup=False)
    for u in result.unmatched:
        out.print(f"unmatched {u['id']}: {u['reason']}", highlight=False, markup=False)
    summary = result.summary()
    out.print(
        f"{summary['pairs']} pairs, {summary['unmatched']} unmatched of {summary['people']}; total score "
        f"{summary['total_score']} ({'optimal' if summary['optimal'] else 'bound ' + str(summary['bound'])}, "
        f"{summary['solver']}, {summary['seconds']} s)",
        highlight=False,
    )


def _write_pairs_csv(pairs, path: Path) -> None:
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["a", "b", "score", "fit_ab", "fit_ba", "shared_languages", "reasons"])
        for p in pairs:
            writer.writerow([p.a, p.b, f"{p.score:.4f}", f"{p.fit_ab:.4f}", f"{p.fit_ba:.4f}",
                             " ".join(p.shared_languages), "; ".join(p.reasons)])  # fmt: skip


@app.command("report")
def match_report(
    ctx: typer.Context,
    profiles: ProfilesOption = None,
    directions: DirectionsOption = None,
    seed: SeedOption = 7,
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """Fairness and quality: ours against a random feasible pairing and a one-directional one."""
    matching_report(ctx, profiles, directions, seed, as_json)


def matching_report(ctx, profiles, directions, seed: int, as_json: bool, folder: Path | None = None) -> None:
    """Prints (and, given a folder, writes as matching.json) ours against the random and one-directional
    baselines; on the demo cohort unless a cohort file is given or configured."""
    runtime = get_runtime(ctx)
    if profiles is None and runtime.settings.match_profiles is None:
        profiles = DEMO_COHORT
    with ExitOnError():
        report, problems = runtime.matching.report(profiles, directions, seed=seed)
    _print_problems(problems)
    if folder is not None:
        try:
            folder.mkdir(parents=True, exist_ok=True)
            (folder / "matching.json").write_text(json.dumps(report, ensure_ascii=False, indent=2) + "\n", "utf-8")
        except OSError as exc:
            fail(f"cannot write {folder / 'matching.json'}: {exc.strerror or exc}")
    if as_json:
        print(json.dumps(report, ensure_ascii=False, indent=2))
        return
    _print_matching(report)
    if folder is not None:
        out.print(f"written: {folder / 'matching.json'}", highlight=False)


def _print_matching(report: dict) -> None:
    names = ("ours", "random", "one_directional")
    out.print(f"{'':<22}" + "".join(f"{n:>16}" for n in names), highlight=False)
    for metric in ("pairs", "match_rate", "mean_score", "mean_weaker_fit", "language_violations"):
        out.print(f"{metric:<22}" + "".join(f"{report[n][metric]:>16}" for n in names), highlight=False)
    out.print("match rate by country (ours):", highlight=False)
    for country, row in report["ours"]["by_country"].items():
        out.print(f"  {country:<20}{row['match_rate']:>8}  ({row['matched']}/{row['people']})", highlight=False)
    checks = report["checks"]
    out.print(
        f"weaker side's fit: {checks['weaker_fit_ratio_vs_one_directional']}x the one-directional baseline "
        f"(goal 1.5x: {'met' if checks['weaker_fit_goal_met'] else 'NOT met'}); largest country gap "
        f"{checks['largest_country_gap_points']} points "
        f"(goal 10: {'met' if checks['country_goal_met'] else 'NOT met'})",
        highlight=False,
    )
    lists = report.get("suggestions")
    if lists:
        out.print(
            f"main need in her top 3 when a feasible partner offers it: {lists['main_need_coverage']:.1%} "
            f"({lists['main_need_covered_in_top3']}/{lists['main_need_offered_by_a_feasible_partner']}; at most "
            f"{lists['main_need_ceiling_under_exposure']} under exposure control, so "
            f"{lists['main_need_coverage_of_reachable']:.1%} of the reachable; "
            f"{lists['main_need_not_covered_but_said_why']} more told why; goal 90% and the rest told why: "
            f"{'met' if lists['main_need_goal_met'] else 'NOT met'})\n"
            f"lists whose reasons are specific and unrepeated: {lists['specific_unrepeated_rate']:.1%} "
            f"({lists['lists_specific_unrepeated']}/{lists['lists']}; goal 90%: "
            f"{'met' if lists['reasons_goal_met'] else 'NOT met'})",
            highlight=False,
        )


@app.command("list")
def match_list(
    ctx: typer.Context,
    status: Annotated[str | None, typer.Option("--status", help="proposed, active, rejected or declined.")] = None,
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """Stored pairings (proposals from the chat and cohort runs, and their decisions)."""
    with ExitOnError():
        rows = get_runtime(ctx).store.pairings(status=status)
    if as_json:
        print(json.dumps(rows, ensure_ascii=False, indent=2))
        return
    for r in rows:
        out.print(
            f"{r['id']}  {r['a']} + {r['b']}  {r['status']:<9} score {r['score']:.3f}  {r['source']}", highlight=False
        )
    out.print(f"{len(rows)} pairings", highlight=False)


def _decide(ctx: typer.Context, match_id: str, decision: str, by: str) -> None:
    with ExitOnError():
        row = get_runtime(ctx).matching.decide(match_id, decision, by)
    out.print(f"{row['a']} + {row['b']}: {row['status']}", highlight=False)


@app.command("approve")
def match_approve(ctx: typer.Context, match_id: MatchIdArgument, by: ByOption = "cli") -> None:
    """Approve a pairing: kept by every later cohort run."""
    _decide(ctx, match_id, "approved", by)


@app.command("reject")
def match_reject(ctx: typer.Context, match_id: MatchIdArgument, by: ByOption = "cli") -> None:
    """Reject a pairing: never proposed again."""
    _decide(ctx, match_id, "rejected", by)
