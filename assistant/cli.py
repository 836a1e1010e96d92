"""The `mentor` command line: ingest, search, kb, serve (and more as the product grows).

One of the two composition roots (with `web/app.py`): it reads `Settings` once, builds a `Runtime`, and
translates `AssistantError`s into one clear line on stderr and a non-zero exit code. `web` is imported
lazily, inside the command that needs it.
"""

from __future__ import annotations

import contextlib
import csv
import itertools
import json
import logging
import os
import sys
from pathlib import Path
from typing import Annotated

import typer
from pydantic import ValidationError
from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)
from rich.table import Table

from assistant.config import SUPPORTED_LANGUAGES, Settings
from assistant.errors import AssistantError
from assistant.knowledge.ingest import IngestReport, list_documents
from assistant.runtime import Runtime

app = typer.Typer(help="Mentoring assistant for the reciprocal-mentoring programme.", no_args_is_help=True)
kb_app = typer.Typer(help="Look after the knowledge base index.", no_args_is_help=True)
app.add_typer(kb_app, name="kb")
match_app = typer.Typer(
    help="Reciprocal matching: suggestions, whole-cohort pairing, staff decisions, report.", no_args_is_help=True
)
app.add_typer(match_app, name="match")
pathway_app = typer.Typer(help="Learning pathways and resource recommendations.", no_args_is_help=True)
app.add_typer(pathway_app, name="pathway")
nudges_app = typer.Typer(help="Follow-up nudges on pathway steps and quiet pairings.", no_args_is_help=True)
app.add_typer(nudges_app, name="nudges")
staff_app = typer.Typer(help="Staff API tokens (for the HTTP API and the staff console).", no_args_is_help=True)
app.add_typer(staff_app, name="staff")
eval_app = typer.Typer(
    help="Evaluation: answer quality by configuration and language, matching figures, feedback export.",
    no_args_is_help=True,
)
app.add_typer(eval_app, name="eval")
DEMO_COHORT = Path(__file__).resolve().parents[1] / "knowledge_base" / "demo_cohort.jsonl"
err = Console(stderr=True, soft_wrap=True)
out = Console()


@app.callback()
def main_options(
    ctx: typer.Context,
    data_dir: Annotated[
        Path | None, typer.Option("--data-dir", help="Keep a separate index and database here (MENTOR_DATA_DIR).")
    ] = None,
) -> None:
    """Global options."""
    overrides = {"data_dir": data_dir} if data_dir is not None else {}
    try:
        settings = Settings(**overrides)
    except ValidationError as exc:
        first = exc.errors()[0]
        field = ".".join(str(p) for p in first["loc"]) or "settings"
        _fail(f"invalid setting MENTOR_{field.upper()}: {first['msg']}", 2)
    logging.basicConfig(level=settings.log_level, format="%(levelname)s %(name)s: %(message)s")
    for noisy in ("sentence_transformers", "transformers", "httpx", "faiss", "bm25s"):
        logging.getLogger(noisy).setLevel(max(logging.WARNING, logging.getLevelName(settings.log_level)))
    ctx.obj = Runtime(settings)


def _fail(message: str, code: int = 1) -> None:
    err.print(f"[bold red]error:[/] {message}", highlight=False)
    raise typer.Exit(code)


def _runtime(ctx: typer.Context) -> Runtime:
    return ctx.obj


class _Errors:
    """Turns an AssistantError into one line and its exit code."""

    def __enter__(self):
        return self

    def __exit__(self, kind, exc, tb):
        if isinstance(exc, AssistantError):
            _fail(str(exc), exc.exit_code)
        return False


@app.command()
def ingest(
    ctx: typer.Context,
    paths: Annotated[list[Path] | None, typer.Argument(help="Files or folders (default: the knowledge base).")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the summary as JSON.")] = False,
) -> None:
    """Ingest Markdown, text, PDF, DOCX and HTML files into the index (incremental)."""
    runtime = _runtime(ctx)
    targets = paths or [runtime.settings.kb_dir]
    with _Errors():
        ingestor = runtime.ingestor()
        with _progress_bar(disable=as_json) as (_, progress):
            report = ingestor.ingest(targets, progress=progress)
    if as_json:
        print(json.dumps(report.to_dict(), ensure_ascii=False, indent=2))
    else:
        _print_report(report)


@contextlib.contextmanager
def _progress_bar(disable: bool = False):
    """A bar per stage on stderr; yields (bar, progress) where `progress(stage, done, total)` drives it."""
    with Progress(
        TextColumn("{task.description:<10}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        TimeRemainingColumn(),
        console=err,
        transient=False,
        disable=disable,
    ) as bar:
        tasks: dict[str, int] = {}

        def progress(stage: str, done: int, total: int) -> None:
            if stage not in tasks:
                tasks[stage] = bar.add_task(stage, total=total)
            bar.update(tasks[stage], completed=done, total=total)

        yield bar, progress


def _print_report(report: IngestReport) -> None:
    langs = ", ".join(f"{lang} {n}" for lang, n in report.languages.items()) or "none"
    out.print(
        f"[bold]{report.documents}[/] documents, [bold]{report.chunks}[/] chunks ({langs}) in {report.seconds:.1f} s",
        highlight=False,
    )
    out.print(
        f"added {len(report.added)}, updated {len(report.updated)}, unchanged {report.unchanged}, "
        f"removed {len(report.removed)}, chunks embedded {report.embedded}"
        + ("" if report.changed else " (index already up to date)"),
        highlight=False,
    )
    if report.skipped:
        out.print(f"[yellow]skipped {len(report.skipped)} file(s):[/]")
        for skipped in report.skipped:
            out.print(f"  {skipped.path}: {skipped.reason}", highlight=False, markup=False)


def _language_option(value: str | None) -> str | None:
    if value is not None and value not in SUPPORTED_LANGUAGES:
        raise typer.BadParameter(f"use one of {', '.join(SUPPORTED_LANGUAGES)}")
    return value


@app.command()
def search(
    ctx: typer.Context,
    query: Annotated[str, typer.Argument(help="What to look for, in French, Spanish or English.")],
    k: Annotated[int, typer.Option("--k", min=1, max=100, help="How many results.")] = 5,
    lang: Annotated[str | None, typer.Option("--lang", callback=_language_option, help="fr, es or en.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Machine-readable output.")] = False,
) -> None:
    """Search the knowledge base (hybrid BM25 + dense, language-aware)."""
    runtime = _runtime(ctx)
    with _Errors():
        if not query.strip():
            _fail("the query is empty: type a question or some keywords", 2)
        response = runtime.retriever.search(query, k=k, lang=lang)
    if as_json:
        print(json.dumps(response.to_dict(), ensure_ascii=False, indent=2))
        return
    if not response.hits:
        out.print("No results.")
    for hit in response.hits:
        out.print(
            f"[bold]{hit.rank}.[/] [{hit.chunk.lang}] {hit.chunk.title} — {hit.chunk.heading}  "
            f"[dim]{hit.score:.3f}  {hit.chunk.chunk_id}[/]",
            highlight=False,
        )
        text = " ".join(hit.chunk.text.split())
        out.print(f"   {text[:300]}{'…' if len(text) > 300 else ''}", highlight=False, markup=False)


def _assistant(ctx: typer.Context):
    from assistant.core import Assistant

    return Assistant(_runtime(ctx))


def _print_answer(answer) -> None:
    from assistant.phrases import phrase

    out.print(answer.full_text, highlight=False, markup=False)
    if answer.citations:
        out.print(f"\n{phrase('sources', answer.language)}:", highlight=False)
        for c in answer.citations:
            out.print(f"  [{c.n}] {c.title} ({c.language}) — {c.chunk_id}", highlight=False, markup=False)


@app.command()
def ask(
    ctx: typer.Context,
    question: Annotated[str, typer.Argument(help="A question in French, Spanish or English.")],
    lang: Annotated[str | None, typer.Option("--lang", callback=_language_option, help="Answer language.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Machine-readable output.")] = False,
) -> None:
    """Answer a question from the guides, with numbered sources (or say honestly they do not know)."""
    with _Errors():
        answer = _assistant(ctx).ask(question, language=lang, channel="cli")
    if as_json:
        print(json.dumps(answer.to_dict(), ensure_ascii=False, indent=2))
    else:
        _print_answer(answer)


@app.command()
def chat(
    ctx: typer.Context,
    lang: Annotated[str | None, typer.Option("--lang", callback=_language_option, help="Preferred language.")] = None,
    user: Annotated[
        str, typer.Option("--user", help="Who you are to the assistant (its memory is per user).")
    ] = "local",
) -> None:
    """The conversation engine in the terminal, as on Telegram and WhatsApp: questions, /start, /help...
    Buttons are numbered: type the number to press one."""
    from assistant.conversation import Engine, Message
    from assistant.phrases import phrase

    with _Errors():
        assistant = _assistant(ctx)
        _ = assistant.runtime.index  # load before the first prompt, so errors show at once
    engine = Engine(assistant)
    preferred = lang or "en"
    out.print(f"{phrase('greeting', preferred)} {phrase('chat_help', preferred)}", highlight=False)
    buttons: list = []
    for turn in itertools.count(1):
        try:
            text = input("> ")
        except (EOFError, KeyboardInterrupt):
            out.print()
            break
        if text.strip().lower() in {"/quit", "/exit", "quit", "exit"}:
            break
        choice = text.strip()
        pressed = buttons[int(choice) - 1] if choice.isdigit() and 0 < int(choice) <= len(buttons) else None
        message = Message(
            channel="terminal", user_id=user, text=pressed.title if pressed else text, message_id=str(turn),
            language_hint=preferred, button_id=pressed.id if pressed else None,
        )  # fmt: skip
        try:
            replies = engine.handle(message)
        except AssistantError as exc:
            out.print(str(exc), highlight=False, markup=False)
            continue
        for_others = [r for r in replies if r.to is not None]
        replies = [r for r in replies if r.to is None]
        if for_others:
            out.print(f"({len(for_others)} message(s) sent to another participant)", style="dim", highlight=False)
        buttons = [b for r in replies for b in r.buttons]
        number = itertools.count(1)
        for reply in replies:
            out.print(reply.text, highlight=False, markup=False)
            if reply.buttons:
                out.print(
                    "   ".join(f"[{next(number)}] {b.title}" for b in reply.buttons), highlight=False, markup=False
                )
        out.print()


@kb_app.command("list")
def kb_list(
    ctx: typer.Context,
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """List the documents in the index."""
    with _Errors():
        docs = list_documents(_runtime(ctx).index_store)
    if as_json:
        print(json.dumps(docs, ensure_ascii=False, indent=2))
        return
    if not docs:
        out.print("The index is empty: run `mentor ingest`.")
        return
    for doc in docs:
        out.print(f"{doc['key']:<45} {doc['count']:>4} chunks  {doc['title']}", highlight=False, markup=False)
    out.print(f"{len(docs)} documents")


@kb_app.command("remove")
def kb_remove(
    ctx: typer.Context,
    doc_id: Annotated[str, typer.Argument(help="A document id (all languages) or id.lang (one version).")],
) -> None:
    """Remove a document from the index."""
    with _Errors():
        removed = _runtime(ctx).ingestor().remove(doc_id)
    out.print(f"removed {', '.join(removed)}", highlight=False)


@app.command()
def serve(
    ctx: typer.Context,
    host: Annotated[str | None, typer.Option(help="Interface to listen on.")] = None,
    port: Annotated[int | None, typer.Option(help="Port to listen on.")] = None,
) -> None:
    """Start the HTTP server: JSON API (docs at /docs) and staff console (/staff)."""
    # Before torch loads: idle OpenMP threads sleep instead of spinning, leaving the cores to requests.
    os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
    _limit_malloc_arenas()
    import uvicorn

    from web.app import create_app

    runtime = _runtime(ctx)
    settings = runtime.settings
    uvicorn.run(
        create_app(settings, runtime),
        host=host or settings.host,
        port=port or settings.port,
        log_level=settings.log_level.lower(),
    )


@app.command()
def telegram(ctx: typer.Context) -> None:
    """Run the Telegram bot with long polling (for development; production uses the server's webhook).
    Needs MENTOR_TELEGRAM_TOKEN."""
    runtime = _runtime(ctx)
    settings = runtime.settings
    if not settings.telegram_token:
        _fail("MENTOR_TELEGRAM_TOKEN is not set: create a bot with @BotFather and put its token there", 2)
    from assistant.conversation import Engine
    from bots.telegram import build_application

    with _Errors():
        assistant = _assistant(ctx)
        _ = assistant.runtime.index  # a missing index is a clear error now, not on the first message
    application = build_application(
        Engine(assistant), runtime.store, token=settings.telegram_token.get_secret_value(),
        api_base=settings.telegram_api_base, attempts=settings.channel_send_attempts,
        backoff_s=settings.channel_backoff_s,
    )  # fmt: skip
    err.print("Telegram bot polling; Ctrl+C stops it.", highlight=False)
    application.run_polling(drop_pending_updates=False)


def _limit_malloc_arenas(arenas: int = 2) -> None:
    """glibc gives each busy thread its own heap arena; with 40 request threads that is ~50 MB of
    fragmentation for nothing. Same as MALLOC_ARENA_MAX=2, set before the threads start (Linux only)."""
    if sys.platform.startswith("linux") and "MALLOC_ARENA_MAX" not in os.environ:
        import contextlib
        import ctypes

        with contextlib.suppress(OSError, AttributeError):  # not glibc (musl): nothing to tune
            ctypes.CDLL("libc.so.6").mallopt(-8, arenas)  # M_ARENA_MAX


# -- matching -------------------------------------------------------------------------------------------------------

ProfilesOption = Annotated[
    Path | None,
    typer.Option(
        "--profiles", help="A cohort file (JSON Lines); default MENTOR_MATCH_PROFILES, plus the chat's participants."
    ),
]
DirectionsOption = Annotated[
    str | None,
    typer.Option("--directions", help="Allowed pair directions, comma-separated: north-south, south-south, national."),
]


def _print_problems(problems) -> None:
    for problem in problems:
        err.print(f"warning: {problem}", highlight=False, markup=False)


@match_app.command("suggest")
def match_suggest(
    ctx: typer.Context,
    participant_id: Annotated[str, typer.Argument(help="A participant id or a cohort file's profile id.")],
    k: Annotated[int, typer.Option("--k", min=1, max=50, help="How many suggestions.")] = 3,
    profiles: ProfilesOption = None,
    lang: Annotated[str | None, typer.Option("--lang", help="Language of the explanations (default: hers).")] = None,
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """Her best reciprocal partners, each with why."""
    lang = _language_option(lang)
    with _Errors():
        service = _runtime(ctx).matching
        pool = service.pool(profiles)
        _print_problems(pool.problems)
        suggestions = service.suggest(participant_id, k=k, lang=lang, pool=pool)
    if as_json:
        payload = {"participant_id": participant_id, "suggestions": [s.as_json() for s in suggestions]}
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


@match_app.command("cohort")
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
    with _Errors():
        result, problems = _runtime(ctx).matching.cohort(profiles, directions, save=not dry_run)
    _print_problems(problems)
    if out_csv is not None:
        with open(out_csv, "w", newline="", encoding="utf-8") as handle:
            writer = csv.writer(handle)
            writer.writerow(["a", "b", "score", "fit_ab", "fit_ba", "shared_languages", "reasons"])
            for p in result.pairs:
                writer.writerow([p.a, p.b, f"{p.score:.4f}", f"{p.fit_ab:.4f}", f"{p.fit_ba:.4f}",
                                 " ".join(p.shared_languages), "; ".join(p.reasons)])  # fmt: skip
    if as_json:
        print(json.dumps(result.as_json(), ensure_ascii=False, indent=2))
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


ProfilesOption = Annotated[
    Path | None, typer.Option("--profiles", help="Default: MENTOR_MATCH_PROFILES, else the demo cohort.")
]
SeedOption = Annotated[int, typer.Option("--seed", help="Seed of the random baseline.")]


@match_app.command("report")
def match_report(
    ctx: typer.Context,
    profiles: ProfilesOption = None,
    directions: DirectionsOption = None,
    seed: SeedOption = 7,
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """Fairness and quality: ours against a random feasible pairing and a one-directional one."""
    _matching_report(ctx, profiles, directions, seed, as_json)


def _matching_report(ctx, profiles, directions, seed: int, as_json: bool, folder: Path | None = None) -> None:
    runtime = _runtime(ctx)
    if profiles is None and runtime.settings.match_profiles is None:
        profiles = DEMO_COHORT
    with _Errors():
        report, problems = runtime.matching.report(profiles, directions, seed=seed)
    _print_problems(problems)
    if folder is not None:
        try:
            folder.mkdir(parents=True, exist_ok=True)
            (folder / "matching.json").write_text(json.dumps(report, ensure_ascii=False, indent=2) + "\n", "utf-8")
        except OSError as exc:
            _fail(f"cannot write {folder / 'matching.json'}: {exc.strerror or exc}")
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


@match_app.command("list")
def match_list(
    ctx: typer.Context,
    status: Annotated[str | None, typer.Option("--status", help="proposed, active, rejected or declined.")] = None,
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """Stored pairings (proposals from the chat and cohort runs, and their decisions)."""
    with _Errors():
        rows = _runtime(ctx).store.pairings(status=status)
    if as_json:
        print(json.dumps(rows, ensure_ascii=False, indent=2))
        return
    for r in rows:
        out.print(
            f"{r['id']}  {r['a']} + {r['b']}  {r['status']:<9} score {r['score']:.3f}  {r['source']}", highlight=False
        )
    out.print(f"{len(rows)} pairings", highlight=False)


def _decide(ctx: typer.Context, match_id: str, decision: str, by: str) -> None:
    with _Errors():
        row = _runtime(ctx).matching.decide(match_id, decision, by)
    out.print(f"{row['a']} + {row['b']}: {row['status']}", highlight=False)


@match_app.command("approve")
def match_approve(
    ctx: typer.Context,
    match_id: Annotated[str, typer.Argument(help="A pairing id (see `mentor match list`).")],
    by: Annotated[str, typer.Option("--by", help="Who decides.")] = "cli",
) -> None:
    """Approve a pairing: kept by every later cohort run."""
    _decide(ctx, match_id, "approved", by)


@match_app.command("reject")
def match_reject(
    ctx: typer.Context,
    match_id: Annotated[str, typer.Argument(help="A pairing id (see `mentor match list`).")],
    by: Annotated[str, typer.Option("--by", help="Who decides.")] = "cli",
) -> None:
    """Reject a pairing: never proposed again."""
    _decide(ctx, match_id, "rejected", by)


@staff_app.command("create-token")
def staff_create_token(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="Who the token is for (unique).")],
    role: Annotated[str, typer.Option("--role", help="staff, admin or evaluator.")] = "staff",
) -> None:
    """Create a token and print it alone on stdout, once: only its hash is kept."""
    with _Errors():
        token = _runtime(ctx).store.create_token(name, role)
    print(token)
    err.print(f"token for {name} ({role}) created; it cannot be shown again.", highlight=False)


@staff_app.command("revoke")
def staff_revoke(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="The token's name.")],
) -> None:
    """Revoke a token; it stops working at once."""
    with _Errors():
        revoked = _runtime(ctx).store.revoke_token(name)
    if not revoked:
        err.print(f"no active token named {name!r}", highlight=False)
        raise typer.Exit(1)
    err.print(f"token {name!r} revoked", highlight=False)


@staff_app.command("list")
def staff_list(ctx: typer.Context) -> None:
    """The tokens (names, roles, whether revoked); never the secrets."""
    with _Errors():
        tokens = _runtime(ctx).store.tokens()
    for token in tokens:
        state = "revoked" if token["revoked"] else "active"
        out.print(f"{token['name']:<40} {token['role']:<10} {state:<8} {token['created_at']}", highlight=False)


@pathway_app.command("show")
def pathway_show(
    ctx: typer.Context,
    participant_id: Annotated[str, typer.Argument(help="A participant id (see the staff console).")],
    lang: Annotated[str | None, typer.Option("--lang", help="Language of titles and reasons (default: hers).")] = None,
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """Her pathway: the ordered modules, why each is next, their time and resources."""
    lang = _language_option(lang)
    with _Errors():
        payload = _runtime(ctx).pathways.pathway(participant_id, lang)
    if as_json:
        print(json.dumps(payload, ensure_ascii=False, indent=2))
        return
    if not payload["steps"]:
        out.print("Every module is completed (or already known to her).", highlight=False)
    for n, step in enumerate(payload["steps"], 1):
        out.print(f"{n}. {step['title']} ({step['minutes']} min) [{step['module_id']}]\n   {step['why']}",
                  highlight=False, markup=False)  # fmt: skip
    for n, item in enumerate(payload["agenda"], 1):
        out.print(("Agenda for the next meeting with her partner:\n" if n == 1 else "") + f"  {n}. {item}",
                  highlight=False, markup=False)  # fmt: skip


@pathway_app.command("quality")
def pathway_quality(
    ctx: typer.Context,
    profiles: Annotated[
        Path | None, typer.Option("--profiles", help="A cohort file (default: the demo cohort).")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """Prerequisite violations, first steps on the two weakest competencies, and repeated resources, on
    the demo cohort (exit status 1 when a goal is missed)."""
    from assistant.pathways.quality import evaluate, load_demo

    with _Errors():
        runtime = _runtime(ctx)
        quality = evaluate(load_demo(profiles), runtime.embedder, runtime.pathways.catalog)
    payload = quality.as_json()
    if as_json:
        print(json.dumps(payload, ensure_ascii=False, indent=2))
    else:
        out.print(
            f"people: {payload['people']}\n"
            f"prerequisite violations: {payload['prerequisite_violations']} (goal 0)\n"
            f"first step on one of her two weakest competencies: {payload['first_step_on_two_weakest']:.1%} "
            f"(goal >= 90%); directly or as their prerequisite: "
            f"{payload['first_step_on_two_weakest_or_their_prerequisite']:.1%}\n"
            f"completed resources recommended again: {payload['completed_resources_repeated']} (goal 0)\n"
            f"people left without recommendations: {payload['people_without_recommendations']}\n"
            f"goals {'met' if quality.ok else 'NOT met'}",
            highlight=False,
            markup=False,
        )
    if not quality.ok:
        raise typer.Exit(1)


@nudges_app.command("run")
def nudges_run(
    ctx: typer.Context,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="List what is due; send nothing.")] = False,
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """Send the nudges due now (follow-ups on steps, check-ins on quiet pairings), through the configured
    channels; quiet hours, one a day and WhatsApp's 24-hour window respected."""
    import asyncio

    from assistant.core import Assistant
    from assistant.pathways.nudges import Nudger

    async def go():
        runtime = _runtime(ctx)
        nudger = Nudger(runtime.settings, runtime.store, runtime.pathways)
        if dry_run:
            return await nudger.run(None, dry_run=True)
        from web.channels import Channels

        channels = Channels(runtime.settings, Assistant(runtime))
        try:
            return await nudger.run(channels.notify)
        finally:
            await channels.stop()

    with _Errors():
        result = asyncio.run(go())
    payload = result.as_json()
    if as_json:
        print(json.dumps(payload, ensure_ascii=False, indent=2, default=str))
        return
    for item in payload["planned"]:
        state = f"held back: {item['held_back']}" if item["held_back"] else ("due" if dry_run else "sent")
        line = f"{item['participant']}  {item['kind']:<8} {item['ref']:<32} {item['channel']:<9} {item['mode']:<8}"
        out.print(f"{line} {state}", highlight=False, markup=False)
    out.print(f"sent {payload['sent']}, failed {payload['failed']}, held back {payload['skipped'] or 'none'}"
              + (" (dry run)" if dry_run else ""), highlight=False, markup=False)  # fmt: skip


@nudges_app.command("stats")
def nudges_stats(
    ctx: typer.Context,
    days: Annotated[int, typer.Option("--days", min=1, help="Nudges sent in the last N days.")] = 90,
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """Nudges sent, answered, ignored (no answer in 3 days), waiting and failed, per cohort (country)."""
    from datetime import timedelta

    with _Errors():
        stats = _runtime(ctx).store.nudge_stats(since=timedelta(days=days))
    if as_json:
        print(json.dumps(stats, ensure_ascii=False, indent=2))
        return
    out.print(f"{'cohort':<16}{'sent':>6}{'answered':>10}{'ignored':>9}{'waiting':>9}{'failed':>8}", highlight=False)
    for cohort, row in stats.items():
        out.print(f"{cohort:<16}{row['sent']:>6}{row['answered']:>10}{row['ignored']:>9}{row['waiting']:>9}"
                  f"{row['failed']:>8}", highlight=False)  # fmt: skip


ConfigOption = Annotated[
    list[str] | None,
    typer.Option("--config", help="hybrid, bm25, dense, langchain-naive (repeat the option; default: all four)."),
]


@eval_app.command("run")
def eval_run(
    ctx: typer.Context,
    dataset: Annotated[
        Path | None, typer.Option("--dataset", help="JSONL cases (default: evals/datasets/questions.jsonl).")
    ] = None,
    kb: Annotated[
        Path | None,
        typer.Option(
            "--kb", help="Knowledge base folder, ingested into a temporary data directory (default: MENTOR_KB_DIR)."
        ),
    ] = None,
    configs: ConfigOption = None,
    report: Annotated[
        Path | None, typer.Option("--report", help="Folder for the reports (default: <data dir>/evals/<time>).")
    ] = None,
    repeat: Annotated[int, typer.Option("--repeat", min=1, max=20, help="Ask every case N times (stability).")] = 1,
    fail_under: Annotated[
        list[str] | None,
        typer.Option("--fail-under", help="METRIC=VALUE or CONFIG:METRIC=VALUE: exit 1 if a value is lower."),
    ] = None,
    fail_over: Annotated[
        list[str] | None,
        typer.Option("--fail-over", help="Same, for lower-is-better metrics (errors, latency_p95_ms, ...)."),
    ] = None,
    baseline: Annotated[
        Path | None, typer.Option("--baseline", help="An earlier --report folder: differences and a paired test.")
    ] = None,
    cross_language: Annotated[
        bool,
        typer.Option(
            "--cross-language/--no-cross-language",
            help="Also ask every case over each single-language slice of the knowledge base.",
        ),
    ] = True,
    judge: Annotated[
        bool, typer.Option("--judge", help="Add an LLM-judged faithfulness score (needs MENTOR_LLM).")
    ] = False,
) -> None:
    """Answer quality of one or more configurations, per language, with reports for people and for CI."""
    from datetime import UTC, datetime

    from evals import reports, runner

    runtime = _runtime(ctx)
    settings = runtime.settings
    options = runner.Options(
        dataset=dataset or runner.DEFAULT_DATASET,
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
    with _Errors(), _progress_bar() as (_, progress):
        result, rows = runner.evaluate(
            settings, options, progress, warn=lambda text: err.print(f"[yellow]warning:[/] {text}", highlight=False)
        )
    with _Errors():
        try:
            written = runner.write(result, rows, folder)
        except OSError as exc:
            raise AssistantError(f"cannot write the reports to {folder}: {exc.strerror or exc}") from exc
    names = list(result["configs"])
    table = Table(title=f"{result['cases']} cases, repeat {result['repeat']}", show_edge=False)
    table.add_column("metric")
    for name in names:
        table.add_column(name, justify="right")
    for metric, values in reports.summary_rows(result):
        table.add_row(metric, *values)
    out.print(table)
    pairs = [(q, d) for q, row in result["configs"][names[0]]["by_pair"].items() for d in row if q != d]
    if pairs:
        cross = Table(title="cross-language: questions over a one-language knowledge base", show_edge=False)
        cross.add_column("question > documents")
        for name in names:
            cross.add_column(f"{name} hit@5 / mrr@10", justify="right")
        for q, d in pairs:
            cells = [result["configs"][n]["by_pair"][q][d] for n in names]
            cross.add_row(f"{q} > {d}", *(f"{reports.format_value('hit@5', c['hit@5'])} / "
                                          f"{reports.format_value('mrr@10', c['mrr@10'])}" for c in cells))  # fmt: skip
        out.print(cross)
    out.print(f"reports: {folder} ({', '.join(p.name for p in written)})", highlight=False)
    failed = [c for c in result["checks"] if not c["passed"]]
    for c in failed:
        err.print(f"[bold red]below bound:[/] {c['bound']} (measured {c['value']})", highlight=False)
    if failed:
        raise typer.Exit(1)


@eval_app.command("matching")
def eval_matching(
    ctx: typer.Context,
    profiles: ProfilesOption = None,
    directions: DirectionsOption = None,
    seed: SeedOption = 7,
    report: Annotated[Path | None, typer.Option("--report", help="Also write matching.json into this folder.")] = None,
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """Matching fairness and quality: ours against random and one-directional pairings (as `match report`)."""
    _matching_report(ctx, profiles, directions, seed, as_json, report)


@eval_app.command("export-feedback")
def eval_export_feedback(
    ctx: typer.Context,
    out_file: Annotated[
        Path | None, typer.Option("--out", help="JSONL file to write (default: standard output).")
    ] = None,
    limit: Annotated[int, typer.Option("--limit", min=1, help="At most this many candidates.")] = 500,
) -> None:
    """Thumbs-down answers and content gaps as candidate cases in the dataset format, for review."""
    from assistant.eval_cases import candidate_cases, write_candidates

    runtime = _runtime(ctx)
    with _Errors():
        candidates = candidate_cases(runtime.store, limit=limit, datasets_dir=runtime.settings.eval_datasets_dir)
    if out_file is None:
        write_candidates(candidates, sys.stdout)
        return
    try:
        with out_file.open("w", encoding="utf-8") as stream:
            count = write_candidates(candidates, stream)
    except OSError as exc:
        _fail(f"cannot write {out_file}: {exc.strerror or exc}")
    out.print(f"{count} candidate case(s) written to {out_file}; review them, then promote from the console "
              "(Eval cases) or add them under evals/datasets/parts/", highlight=False)  # fmt: skip


def main() -> None:
    try:
        app()
    except KeyboardInterrupt:
        err.print("interrupted")
        sys.exit(130)


if __name__ == "__main__":
    main()
