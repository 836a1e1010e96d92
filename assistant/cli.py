"""The `mentor` command line: ingest, search, kb, serve (and more as the product grows).

One of the two composition roots (with `web/app.py`): it reads `Settings` once, builds a `Runtime`, and
translates `AssistantError`s into one clear line on stderr and a non-zero exit code. `web` is imported
lazily, inside the command that needs it.
"""

from __future__ import annotations

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
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from assistant.config import SUPPORTED_LANGUAGES, Settings
from assistant.errors import AssistantError
from assistant.ingest import IngestReport, list_documents
from assistant.runtime import Runtime

app = typer.Typer(help="Mentoring assistant for the reciprocal-mentoring programme.", no_args_is_help=True)
kb_app = typer.Typer(help="Look after the knowledge base index.", no_args_is_help=True)
app.add_typer(kb_app, name="kb")
staff_app = typer.Typer(help="Staff API tokens (for the HTTP API and the staff console).", no_args_is_help=True)
app.add_typer(staff_app, name="staff")
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
    for noisy in ("sentence_transformers", "transformers", "httpx", "faiss"):
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
        with Progress(
            TextColumn("{task.description:<10}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            console=err,
            transient=False,
            disable=as_json,
        ) as bar:
            tasks: dict[str, int] = {}

            def progress(stage: str, done: int, total: int) -> None:
                if stage not in tasks:
                    tasks[stage] = bar.add_task(stage, total=total)
                bar.update(tasks[stage], completed=done, total=total)

            report = ingestor.ingest(targets, progress=progress)
    if as_json:
        print(json.dumps(report.to_dict(), ensure_ascii=False, indent=2))
    else:
        _print_report(report)


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
        docs = list_documents(_runtime(ctx).store)
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
        Engine(assistant), runtime.storage, token=settings.telegram_token.get_secret_value(),
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


@staff_app.command("create-token")
def staff_create_token(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="Who the token is for (unique).")],
    role: Annotated[str, typer.Option("--role", help="staff, admin or evaluator.")] = "staff",
) -> None:
    """Create a token and print it alone on stdout, once: only its hash is kept."""
    with _Errors():
        token = _runtime(ctx).storage.create_token(name, role)
    print(token)
    err.print(f"token for {name} ({role}) created; it cannot be shown again.", highlight=False)


@staff_app.command("revoke")
def staff_revoke(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="The token's name.")],
) -> None:
    """Revoke a token; it stops working at once."""
    with _Errors():
        revoked = _runtime(ctx).storage.revoke_token(name)
    if not revoked:
        err.print(f"no active token named {name!r}", highlight=False)
        raise typer.Exit(1)
    err.print(f"token {name!r} revoked", highlight=False)


@staff_app.command("list")
def staff_list(ctx: typer.Context) -> None:
    """The tokens (names, roles, whether revoked); never the secrets."""
    with _Errors():
        tokens = _runtime(ctx).storage.tokens()
    for token in tokens:
        state = "revoked" if token["revoked"] else "active"
        out.print(f"{token['name']:<40} {token['role']:<10} {state:<8} {token['created_at']}", highlight=False)


def main() -> None:
    try:
        app()
    except KeyboardInterrupt:
        err.print("interrupted")
        sys.exit(130)


if __name__ == "__main__":
    main()
