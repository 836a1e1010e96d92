"""The FastAPI application: built by `create_app(settings)`, models and index loaded once in the lifespan.

Routes get the runtime through a typed dependency; `AssistantError`s are translated to JSON errors with a
stable `code` and a human `message` in one handler.
"""

from __future__ import annotations

import logging
from contextlib import asynccontextmanager
from typing import Annotated

from fastapi import Depends, FastAPI, Query, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.concurrency import run_in_threadpool

from assistant.config import Settings
from assistant.errors import (
    AssistantError,
    ConfigurationError,
    IndexCorruptError,
    InputError,
    NotIndexedError,
)
from assistant.runtime import Runtime
from web.schemas import ErrorBody, Health, SearchOut

log = logging.getLogger(__name__)

_STATUS = {InputError: 422, NotIndexedError: 503, IndexCorruptError: 503, ConfigurationError: 500}


def create_app(settings: Settings, runtime: Runtime | None = None) -> FastAPI:
    runtime = runtime or Runtime(settings)

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        # Expensive things load once here, not per request.
        await run_in_threadpool(lambda: runtime.embedder)
        try:
            await run_in_threadpool(lambda: runtime.index)
        except (NotIndexedError, IndexCorruptError) as exc:
            log.warning("starting without a usable index: %s", exc)
        yield

    app = FastAPI(
        title="Mentoring assistant API",
        version="0.1.0",
        lifespan=lifespan,
        responses={422: {"model": ErrorBody}, 503: {"model": ErrorBody}},
    )
    app.state.runtime = runtime

    @app.exception_handler(AssistantError)
    async def assistant_error(request: Request, exc: AssistantError) -> JSONResponse:
        status = next((code for kind, code in _STATUS.items() if isinstance(exc, kind)), 500)
        return JSONResponse({"code": exc.code, "message": str(exc)}, status_code=status)

    @app.exception_handler(RequestValidationError)
    async def invalid_request(request: Request, exc: RequestValidationError) -> JSONResponse:
        first = exc.errors()[0] if exc.errors() else {"loc": (), "msg": "invalid request"}
        where = ".".join(str(p) for p in first.get("loc", ()) if p != "body") or "request"
        return JSONResponse({"code": "invalid_request", "message": f"{where}: {first['msg']}"}, status_code=422)

    @app.get("/healthz", response_model=Health)
    async def healthz() -> Health:
        """The process is alive."""
        return Health(status="ok")

    @app.get("/readyz", response_model=Health, responses={503: {"model": Health}})
    async def readyz(runtime: RuntimeDep):
        """The index and model are loaded and the server can answer."""
        try:
            index = await run_in_threadpool(lambda: runtime.index)
        except AssistantError as exc:
            return JSONResponse({"status": "not_ready", "detail": str(exc)}, status_code=503)
        return Health(status="ready", detail=f"{len(index.chunks)} chunks, version {index.version}")

    @app.get("/v1/search", response_model=SearchOut)
    async def search(
        runtime: RuntimeDep,
        q: Annotated[str, Query(min_length=1, max_length=2000, description="The query.")],
        k: Annotated[int, Query(ge=1, le=50)] = 5,
        lang: Annotated[str | None, Query(pattern="^(fr|es|en)$")] = None,
    ):
        """Hybrid search over the knowledge base; the `mentor search --json` shape."""
        response = await run_in_threadpool(lambda: runtime.retriever.search(q, k=k, lang=lang))
        return response.to_dict()

    return app


def get_runtime(request: Request) -> Runtime:
    return request.app.state.runtime


RuntimeDep = Annotated[Runtime, Depends(get_runtime)]
