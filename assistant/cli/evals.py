"""The `eval` group: answer quality by configuration and language, matching figures, feedback export.

The CLI is a composition root here: the `evals` package is imported inside `eval run`, so `mentor --help`
stays fast and the `assistant` library does not depend on the evaluation code.
"""

from __future__ import annotations

import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from assistant.cli.context import ExitOnError, err, fail, get_runtime, out, progress_bar
from assistant.cli.match import DirectionsOption, ProfilesOption, SeedOption, matching_report
from assistant.errors import AssistantError
from assistant.eval_cases import candidate_cases, write_candidates

app = typer.Typer(
    help="Evaluation: answer quality by configuration and language, matching figures, feedback export.",
    no_args_is_help=True,
)

DatasetOption = Annotated[
    Path | None,
    typer.Option("--dataset", help="The clean set (default: questions.jsonl of MENTOR_EVAL_DATASETS_DIR)."),
]
RealisticOption = Annotated[
    Path | None,
    typer.Option(
        "--realistic",
        help="The realistic set: messages as typed, conversations (default: realistic.jsonl of "
        "MENTOR_EVAL_DATASETS_DIR). Naming one set runs only the sets named.",
    ),
]
SplitOption = Annotated[
    str, typer.Option("--split", help="The realistic set's split: test (the reported one), calibration, or all.")
]
KbOption = Annotated[
    Path | None,
    typer.Option(
        "--kb", help="Knowledge base folder, ingested into a temporary data directory (default: MENTOR_KB_DIR)."
    ),
]
ConfigOption = Annotated[
    list[str] | None,
    typer.Option(
        "--config",
        help="hybrid, bm25, dense, langchain-naive, each optionally @<embedding model> (hybrid@all-MiniLM-L6-v2: "
        "the same pipeline on that model's own index); repeat the option; default: the four on the configured model.",
    ),
]
ReportFolderOption = Annotated[
    Path | None, typer.Option("--report", help="Folder for the reports (default: <data dir>/evals/<time>).")
]
RepeatOption = Annotated[int, typer.Option("--repeat", min=1, max=20, help="Ask every case N times (stability).")]
FailUnderOption = Annotated[
    list[str] | None,
    typer.Option("--fail-under", help="METRIC=VALUE or CONFIG:METRIC=VALUE: exit 1 if a value is lower."),
]
FailOverOption = Annotated[
    list[str] | None,
    typer.Option("--fail-over", help="Same, for lower-is-better metrics (errors, latency_p95_ms, ...)."),
]
BaselineOption = Annotated[
    Path | None, typer.Option("--baseline", help="An earlier --report folder: differences and a paired test.")
]
CrossLanguageOption = Annotated[
    bool,
    typer.Option(
        "--cross-language/--no-cross-language",
        help="Also ask every case over each single-language slice of the knowledge base.",
    ),
]
JudgeOption = Annotated[bool, typer.Option("--judge", help="Add an LLM-judged faithfulness score (needs MENTOR_LLM).")]


@app.command("run")
def eval_run(
    ctx: typer.Context,
    dataset: DatasetOption = None,
    kb: KbOption = None,
    configs: ConfigOption = None,
    report: ReportFolderOption = None,
    repeat: RepeatOption = 1,
    fail_under: FailUnderOption = None,
    fail_over: FailOverOption = None,
    baseline: BaselineOption = None,
    cross_language: CrossLanguageOption = True,
    judge: JudgeOption = False,
    realistic: RealisticOption = None,
    split: SplitOption = "test",
) -> None:
    """Answer quality of one or more configurations, per language, on the clean and the realistic sets, with
    reports for people and for CI."""
    # Lazy: the evaluation code only for this command; see the module docstring.
    from evals import dataset as eval_dataset
    from evals import reports, runner

    settings = get_runtime(ctx).settings
    if dataset is None and realistic is None:  # neither named: both sets of the datasets folder
        dataset = settings.eval_datasets_dir / eval_dataset.CLEAN_FILE
        realistic = settings.eval_datasets_dir / eval_dataset.REALISTIC_FILE
        if not realistic.is_file():
            err.print(f"[yellow]warning:[/] no realistic set at {realistic}; the clean set only", highlight=False)
            realistic = None
    options = runner.Options(
        dataset=dataset,
        realistic=realistic,
        split=split,
        kb=kb,
        configs=tuple(configs or runner.Options.configs),
        repeat=repeat,
        cross_language=cross_language,
        fail_under=tuple(fail_under or ()),
        fail_over=tuple(fail_over or ()),
        baseline=baseline,
        judge=judge,
    )
    folder = report or settings.data_dir / "evals" / datetime.now(UTC).strftime("%Y%m%d-%H%M%S")
    with ExitOnError(), progress_bar() as (_, progress):
        result, rows = runner.evaluate(
            settings, options, progress, warn=lambda text: err.print(f"[yellow]warning:[/] {text}", highlight=False)
        )
    with ExitOnError():
        try:
            written = reports.write(result, rows, folder)
        except OSError as exc:
            raise AssistantError(f"cannot write the reports to {folder}: {exc.strerror or exc}") from exc
    _print_tables(result)
    out.print(f"reports: {folder} ({', '.join(p.name for p in written)})", highlight=False)
    failed = [c for c in result["checks"] if not c["passed"]]
    for c in failed:
        err.print(f"[bold red]below bound:[/] {c['bound']} (measured {c['value']})", highlight=False)
    if failed:
        raise typer.Exit(1)


def _print_tables(result: dict) -> None:
    """The summary table (a column per configuration), the cross-language one when measured, and the realistic
    set's useful answers per language."""
    from evals.reports import formatting  # lazy, as in eval_run

    names = list(result["configs"])
    if names:
        table = Table(title=f"clean set: {result['cases']} cases, repeat {result['repeat']}", show_edge=False)
        table.add_column("metric")
        for name in names:
            table.add_column(name, justify="right")
        for metric, values in formatting.summary_rows(result):
            table.add_row(metric, *values)
        out.print(table)
        _print_cross_language(result, names)
    realistic = result.get("realistic")
    if realistic:
        table = Table(
            title=f"realistic set, {realistic['split']} split: {realistic['cases']} messages", show_edge=False
        )
        table.add_column("metric")
        for name in realistic["configs"]:
            table.add_column(name, justify="right")
        for label, values in formatting.realistic_rows(realistic):
            table.add_row(label, *values)
        out.print(table)


def _print_cross_language(result: dict, names: list[str]) -> None:
    from evals.reports import formatting  # lazy, as in eval_run

    pairs = [(q, d) for q, row in result["configs"][names[0]]["by_pair"].items() for d in row if q != d]
    if pairs:
        cross = Table(title="cross-language: questions over a one-language knowledge base", show_edge=False)
        cross.add_column("question > documents")
        for name in names:
            cross.add_column(f"{name} hit@5 / mrr@10", justify="right")
        for q, d in pairs:
            cells = [result["configs"][n]["by_pair"][q][d] for n in names]
            fmt = formatting.format_value
            cross.add_row(f"{q} > {d}", *(f"{fmt('hit@5', c['hit@5'])} / {fmt('mrr@10', c['mrr@10'])}" for c in cells))
        out.print(cross)


@app.command("conversation")
def eval_conversation(
    dataset: Annotated[
        Path | None, typer.Option("--dataset", help="Conversation cases (default: evals/datasets/conversation.jsonl).")
    ] = None,
    part: Annotated[
        str, typer.Option("--split", help="report (the reported half), calibration (the one to tune on), or all.")
    ] = "report",
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """How the conversation engine understands people, per language: small talk handled, typed confirmations
    understood, onboarding fields extracted, edits and restarts (goals: 95% each)."""
    # Lazy: the evaluation code only for this command; see the module docstring.
    from evals.conversation import DATASET, GOAL, evaluate, load

    try:
        result = evaluate(load(dataset or DATASET), part)
    except (ValueError, OSError) as exc:
        fail(str(exc))
    if as_json:
        out.print_json(data=result)
        return
    table = Table(title=f"Conversation eval ({result['cases']} cases, split {result['split']}, goal {GOAL:.0%})")
    table.add_column("metric")
    for lang in result["by_language"]:
        table.add_column(lang, justify="right")
    metrics = sorted({m for figures in result["by_language"].values() for m in figures})
    for metric in metrics:
        row = []
        for figures in result["by_language"].values():
            f = figures.get(metric)
            row.append(
                "—" if f is None else f"{f['share']:.1%} ({f['passed']}/{f['cases']})" + ("" if f["goal_met"] else " ✗")
            )
        table.add_row(metric, *row)
    out.print(table)
    if result["failures"]:
        out.print("failed: " + ", ".join(result["failures"]))


@app.command("matching")
def eval_matching(
    ctx: typer.Context,
    profiles: ProfilesOption = None,
    directions: DirectionsOption = None,
    seed: SeedOption = 7,
    report: Annotated[Path | None, typer.Option("--report", help="Also write matching.json into this folder.")] = None,
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """Matching fairness and quality: ours against random and one-directional pairings (as `match report`)."""
    matching_report(ctx, profiles, directions, seed, as_json, report)


@app.command("export-feedback")
def eval_export_feedback(
    ctx: typer.Context,
    out_file: Annotated[
        Path | None, typer.Option("--out", help="JSONL file to write (default: standard output).")
    ] = None,
    limit: Annotated[int, typer.Option("--limit", min=1, help="At most this many candidates.")] = 500,
) -> None:
    """Thumbs-down answers and content gaps as candidate cases in the dataset format, for review."""
    runtime = get_runtime(ctx)
    with ExitOnError():
        candidates = candidate_cases(runtime.store, limit=limit, datasets_dir=runtime.settings.eval_datasets_dir)
    if out_file is None:
        write_candidates(candidates, sys.stdout)
        return
    try:
        with out_file.open("w", encoding="utf-8") as stream:
            count = write_candidates(candidates, stream)
    except OSError as exc:
        fail(f"cannot write {out_file}: {exc.strerror or exc}")
    out.print(f"{count} candidate case(s) written to {out_file}; review them, then promote from the console "
              "(Eval cases) or add them under evals/datasets/parts/", highlight=False)  # fmt: skip
