"""The FastAPI application, assembled: built by `create_app(settings)`, with models, index and database
loaded once in the lifespan, the body limit and CORS middleware, the exception handlers (`web.errors`,
the console's guards) and the routers: the JSON API (`web.routes`), the webhooks, the web chat and the
staff console.
"""

from __future__ import annotations

import asyncio
import logging
from contextlib import asynccontextmanager

import httpx
from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware
from starlette.concurrency import run_in_threadpool

from assistant import Assistant, IndexCorruptError, NotIndexedError, Runtime, Settings, detect_language
from web import access_log, chat, console, errors, guides, webhooks
from web.channels import Channels
from web.control_chars import RefuseControlCharacters
from web.index_watch import watch_index
from web.jobs import IngestJobs
from web.limits import BodyLimit
from web.nudges import nudge_scheduler
from web.ratelimit import RateLimits
from web.routes import API_ROUTERS, STAFF_ROUTERS
from web.schemas import ErrorBody

log = logging.getLogger(__name__)


def create_app(
    settings: Settings, runtime: Runtime | None = None, http_client: httpx.AsyncClient | None = None
) -> FastAPI:
    """The app. `http_client` is what the channels send replies with (one is made when none is given)."""
    runtime = runtime or Runtime(settings)

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        access_log.install()  # here, after the server configured its logging
        await _load(runtime)
        app.state.assistant = Assistant(runtime)
        app.state.jobs = IngestJobs(runtime)
        await run_in_threadpool(app.state.jobs.start)
        app.state.channels = Channels(settings, app.state.assistant, http_client)
        await app.state.channels.start()
        loop = asyncio.get_running_loop()
        background = [loop.create_task(watch_index(runtime, settings.index_watch_s))]
        if settings.nudges_in_server:
            background.append(loop.create_task(nudge_scheduler(app, settings.nudge_every_minutes * 60)))
        yield
        for task in background:
            task.cancel()
        await asyncio.gather(*background, return_exceptions=True)  # the scheduler gives its lock back
        await app.state.channels.stop()  # replies in flight are sent before the process goes
        await run_in_threadpool(app.state.jobs.shutdown)  # a running ingest goes back to the queue

    app = FastAPI(
        title="Mentoring assistant API",
        version="0.2.0",
        description="Grounded answers from the programme's guides (fr/es/en), feedback, and staff tools.",
        lifespan=lifespan,
        responses={422: {"model": ErrorBody}, 503: {"model": ErrorBody}},
    )
    app.state.runtime = runtime
    app.state.rate_limits = RateLimits(settings, lambda: runtime.database)
    _add_middleware(app, settings)
    errors.install(app)
    console.install(app)
    for router in (*API_ROUTERS, webhooks.router, chat.router, guides.router, *STAFF_ROUTERS, console.router):
        app.include_router(router)
    return app


def app_from_environment() -> FastAPI:
    """The app of one `mentor serve --workers N` worker: a fresh process, its settings from the environment."""
    settings = Settings()
    logging.basicConfig(level=settings.log_level, format="%(levelname)s %(name)s: %(message)s")
    return create_app(settings)


async def _load(runtime: Runtime) -> None:
    """Expensive things load once here, not per request."""
    await run_in_threadpool(lambda: runtime.embedder)
    await run_in_threadpool(lambda: runtime.store)
    # The language detector's models load on first use (~0.5 s, ~180 MB): before ready, not on a request.
    await run_in_threadpool(detect_language, "Bonjour, ¿cómo estás? Hello")
    # The speech model's cheap check now, so a missing wheel is said once at start-up (loaded here only with
    # MENTOR_ASR_PRELOAD; otherwise on the first voice note).
    await run_in_threadpool(lambda: runtime.transcriber)
    try:
        await run_in_threadpool(lambda: runtime.retriever)
    except (NotIndexedError, IndexCorruptError) as exc:
        log.warning("starting without a usable index: %s", exc)


def _add_middleware(app: FastAPI, settings: Settings) -> None:
    app.add_middleware(RefuseControlCharacters)  # added first: runs inside the body limit
    app.add_middleware(
        BodyLimit,
        default_bytes=settings.max_body_kb * 1024,
        upload_bytes=int(settings.max_upload_mb * 1024 * 1024) * 10 + 1024 * 1024,
        upload_paths=("/v1/documents", "/staff/documents"),
        # A voice note over MENTOR_ASR_MAX_BYTES gets the chat's polite reply, read no further; far over, a 413.
        path_bytes={
            "/chat/api/voice": 2 * settings.asr_max_bytes + 1024 * 1024,
            "/webhooks/whatsapp": settings.whatsapp_max_body_kb * 1024,
        },
    )
    if settings.cors_origins:  # closed unless origins are configured
        app.add_middleware(
            CORSMiddleware,
            allow_origins=settings.cors_origins,
            allow_methods=["GET", "POST", "DELETE"],
            allow_headers=["Authorization", "Content-Type"],
        )
