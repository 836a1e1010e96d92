"""The long-running commands: `serve` (the HTTP server) and `telegram` (the bot, by long polling).

This is where the CLI acts as a composition root for the web and bot layers: `web` and `bots` are imported
inside the commands, so `mentor --help` stays fast and the `assistant` library imports no web code.
"""

from __future__ import annotations

import contextlib
import ctypes
import fcntl
import os
import sys
import threading
from typing import Annotated

import typer

from assistant.cli.context import ExitOnError, err, fail, get_runtime, make_assistant


def serve(
    ctx: typer.Context,
    host: Annotated[str | None, typer.Option(help="Interface to listen on.")] = None,
    port: Annotated[int | None, typer.Option(help="Port to listen on.")] = None,
    workers: Annotated[
        int | None, typer.Option(min=1, max=64, help="Processes (uvicorn workers); more than 1 needs PostgreSQL.")
    ] = None,
) -> None:
    """Start the HTTP server: JSON API (docs at /docs) and staff console (/staff)."""
    # Before torch loads: idle OpenMP threads sleep instead of spinning, leaving the cores to requests.
    os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
    # What the server writes (database, uploads, index versions, caches) is readable by its user only.
    os.umask(0o077)
    _limit_malloc_arenas()
    # Lazy: the web layer (and uvicorn) only for this command; see the module docstring.
    import uvicorn

    runtime = get_runtime(ctx)
    settings = runtime.settings
    count = workers or settings.workers
    sqlite = settings.database.startswith("sqlite")
    if sqlite and count > 1:
        fail(
            f"--workers {count} needs PostgreSQL (MENTOR_DATABASE_URL=postgresql+psycopg://...): with SQLite, "
            "one person's messages in order, the nudge scheduler and the ingestion queue hold within one "
            "process only. Serve with one worker, or see the README's Deployment section.",
            2,
        )
    with ExitOnError():
        database = runtime.database  # migrated once here, before any worker starts
    if sqlite:
        _one_server_per_sqlite_file(database)
    bind = {"host": host or settings.host, "port": port or settings.port, "log_level": settings.log_level.lower()}
    # Links sent in the chat name the address this server listens on unless MENTOR_PUBLIC_URL says another
    # (the workers read their settings from the environment).
    settings.host, settings.port = bind["host"], bind["port"]
    os.environ["MENTOR_HOST"], os.environ["MENTOR_PORT"] = str(bind["host"]), str(bind["port"])
    # The speech model assembled and its checksum verified beside the start-up (1-3 s the first time, a stat
    # later): a broken model is said once now, not on her first voice note; text is not held up by it.
    threading.Thread(target=runtime.prepare_speech, name="asr-prepare", daemon=True).start()
    if count == 1:
        from web.app import create_app

        uvicorn.run(create_app(settings, runtime), **bind)
        return
    # Each worker is a fresh process that builds its own settings from the environment: pass on --data-dir.
    os.environ["MENTOR_DATA_DIR"] = str(settings.data_dir.resolve())
    database.dispose()  # no connection shared with the workers
    err.print(f"{count} workers on {database!r}", highlight=False)
    # The supervisor pings each worker and replaces one that does not answer: a worker loading its models on a
    # busy machine can hold the GIL for more than uvicorn's 5 s, so it gets a minute (a dead one is seen at once).
    uvicorn.run("web.app:app_from_environment", factory=True, workers=count, timeout_worker_healthcheck=60, **bind)


_SERVE_LOCKS: list = []  # the open lock files, held until the process exits


def _one_server_per_sqlite_file(database) -> None:
    """A second `mentor serve` on the same SQLite file would break the one-process guarantees: refuse it."""
    path = database.engine.url.database
    if not path or path == ":memory:":
        return
    handle = open(f"{path}.serve-lock", "w")  # noqa: SIM115 (held open for the life of the server)
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        handle.close()
        fail(
            f"another `mentor serve` already uses the SQLite database {path}: SQLite serves one process. "
            "Stop it, use another --data-dir, or run several workers on PostgreSQL (README: Deployment).",
            2,
        )
    _SERVE_LOCKS.append(handle)


def telegram(ctx: typer.Context) -> None:
    """Run the Telegram bot with long polling (for development; production uses the server's webhook).
    Needs MENTOR_TELEGRAM_TOKEN."""
    runtime = get_runtime(ctx)
    settings = runtime.settings
    if not settings.telegram_token:
        fail("MENTOR_TELEGRAM_TOKEN is not set: create a bot with @BotFather and put its token there", 2)
    # Lazy: the bot layer and python-telegram-bot only for this command; the conversation engine pulls in
    # LangChain and scipy.
    from assistant.conversation import Engine
    from bots.telegram import build_application

    with ExitOnError():
        assistant = make_assistant(ctx)
        _ = assistant.runtime.index  # a missing index is a clear error now, not on the first message
        runtime.prepare_speech()  # a missing or broken speech model is said once now, not on the first voice note
    application = build_application(
        Engine(assistant), runtime.store, token=settings.telegram_token.get_secret_value(),
        api_base=settings.telegram_api_base, attempts=settings.channel_send_attempts,
        backoff_s=settings.channel_backoff_s, transcriber=runtime.transcriber,
        max_voice_seconds=settings.asr_max_seconds, max_voice_bytes=settings.asr_max_bytes,
        voice_workers=settings.asr_workers, engine_workers=settings.engine_workers,
        voice_confirm_confidence=settings.voice_confirm_confidence,
    )  # fmt: skip
    err.print("Telegram bot polling; Ctrl+C stops it.", highlight=False)
    application.run_polling(drop_pending_updates=False)


def _limit_malloc_arenas(arenas: int = 2) -> None:
    """glibc gives each busy thread its own heap arena; with 40 request threads that is ~50 MB of
    fragmentation for nothing. Same as MALLOC_ARENA_MAX=2, set before the threads start (Linux only)."""
    if sys.platform.startswith("linux") and "MALLOC_ARENA_MAX" not in os.environ:
        os.environ["MALLOC_ARENA_MAX"] = str(arenas)  # for workers started after this (read at their start)
        with contextlib.suppress(OSError, AttributeError):  # not glibc (musl): nothing to tune
            ctypes.CDLL("libc.so.6").mallopt(-8, arenas)  # M_ARENA_MAX
