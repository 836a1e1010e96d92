"""The FastAPI application: built by `create_app(settings)`, models, index and database loaded once in
the lifespan.

Routes get the runtime through a typed dependency and stay thin: parse, call the assistant, shape the
reply. Errors are JSON `{code, message}` with a stable code: `AssistantError`s and `ApiError`s are
translated in one handler each; validation errors are 422; bodies over the limit are 413; nothing the
client sends should produce a 500.
"""

from __future__ import annotations

import asyncio
import logging
from contextlib import asynccontextmanager
from typing import Annotated

import httpx
from fastapi import Depends, FastAPI, File, Query, Request, UploadFile
from fastapi.exceptions import RequestValidationError
from fastapi.middleware.cors import CORSMiddleware
from fastapi.responses import JSONResponse
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException as StarletteHTTPException

from assistant.config import Settings
from assistant.core import Assistant
from assistant.errors import (
    AssistantError,
    ConfigurationError,
    IndexCorruptError,
    InputError,
    NotFoundError,
    NotIndexedError,
)
from assistant.gaps import group_gaps
from assistant.knowledge.ingest import list_documents
from assistant.knowledge.uploads import UploadRejected, check_upload
from assistant.languages import detect_language
from assistant.runtime import Runtime
from assistant.storage import StaffIdentity
from web.auth import EDITORS, READERS, ApiError, require
from web.channels import Channels
from web.channels import router as channels_router
from web.jobs import IngestJobs
from web.limits import BodyLimit
from web.matching import router as matching_router
from web.pathways import nudge_scheduler
from web.pathways import router as pathways_router
from web.schemas import (
    AskIn,
    AskOut,
    DocumentOut,
    ErrorBody,
    FeedbackIn,
    FeedbackOut,
    GapGroupOut,
    Health,
    JobOut,
    NegativeFeedbackOut,
    RemovedOut,
    SearchOut,
    StatsOut,
    UploadOut,
)

log = logging.getLogger(__name__)

_STATUS = {
    NotFoundError: 404,
    InputError: 422,
    NotIndexedError: 503,
    IndexCorruptError: 503,
    ConfigurationError: 500,
}
ERRORS = {
    401: {"model": ErrorBody, "description": "No staff token, or an unknown or revoked one."},
    403: {"model": ErrorBody, "description": "The token's role may not use this route."},
    422: {"model": ErrorBody, "description": "The request is malformed."},
}


def create_app(
    settings: Settings, runtime: Runtime | None = None, http_client: httpx.AsyncClient | None = None
) -> FastAPI:
    """The app. `http_client` is what the channels send replies with (one is made when none is given)."""
    runtime = runtime or Runtime(settings)

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        # Expensive things load once here, not per request.
        await run_in_threadpool(lambda: runtime.embedder)
        await run_in_threadpool(lambda: runtime.store)
        # The language detector's models load on first use (~0.5 s, ~180 MB): before ready, not on a request.
        await run_in_threadpool(detect_language, "Bonjour, ¿cómo estás? Hello")
        try:
            await run_in_threadpool(lambda: runtime.retriever)
        except (NotIndexedError, IndexCorruptError) as exc:
            log.warning("starting without a usable index: %s", exc)
        app.state.assistant = Assistant(runtime)
        app.state.jobs = IngestJobs(runtime)
        app.state.channels = Channels(settings, app.state.assistant, http_client)
        await app.state.channels.start()
        scheduler = None
        if settings.nudges_in_server:
            scheduler = asyncio.get_running_loop().create_task(nudge_scheduler(app, settings.nudge_every_minutes * 60))
        yield
        if scheduler is not None:
            scheduler.cancel()
        await app.state.channels.stop()  # replies in flight are sent before the process goes
        app.state.jobs.shutdown()

    app = FastAPI(
        title="Mentoring assistant API",
        version="0.2.0",
        description="Grounded answers from the programme's guides (fr/es/en), feedback, and staff tools.",
        lifespan=lifespan,
        responses={422: {"model": ErrorBody}, 503: {"model": ErrorBody}},
    )
    app.state.runtime = runtime
    app.add_middleware(
        BodyLimit,
        default_bytes=settings.max_body_kb * 1024,
        upload_bytes=int(settings.max_upload_mb * 1024 * 1024) * 10 + 1024 * 1024,
        upload_paths=("/v1/documents", "/staff/documents"),
    )
    if settings.cors_origins:  # closed unless origins are configured
        app.add_middleware(
            CORSMiddleware,
            allow_origins=settings.cors_origins,
            allow_methods=["GET", "POST", "DELETE"],
            allow_headers=["Authorization", "Content-Type"],
        )

    @app.exception_handler(AssistantError)
    async def assistant_error(request: Request, exc: AssistantError) -> JSONResponse:
        status = getattr(exc, "status", None) or next(
            (code for kind, code in _STATUS.items() if isinstance(exc, kind)), 500
        )
        return JSONResponse({"code": exc.code, "message": str(exc)}, status_code=status)

    @app.exception_handler(ApiError)
    async def api_error(request: Request, exc: ApiError) -> JSONResponse:
        return JSONResponse({"code": exc.code, "message": exc.message}, status_code=exc.status, headers=exc.headers)

    @app.exception_handler(RequestValidationError)
    async def invalid_request(request: Request, exc: RequestValidationError) -> JSONResponse:
        errors = exc.errors()
        first = errors[0] if errors else {"loc": (), "msg": "invalid request"}
        if first.get("type") == "json_invalid":
            return JSONResponse({"code": "invalid_json", "message": "the body is not valid JSON"}, status_code=422)
        where = ".".join(str(p) for p in first.get("loc", ()) if p != "body") or "request"
        return JSONResponse({"code": "invalid_request", "message": f"{where}: {first['msg']}"}, status_code=422)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        if exc.status_code == 400 and isinstance(exc.__cause__, UnicodeDecodeError):
            # FastAPI answers a JSON body that is not UTF-8 with a bare 400; it is malformed JSON like any other.
            return JSONResponse({"code": "invalid_json", "message": "the body is not valid JSON (not UTF-8)"}, 422)
        codes = {404: "not_found", 405: "method_not_allowed", 413: "too_large"}
        return JSONResponse(
            {"code": codes.get(exc.status_code, "http_error"), "message": str(exc.detail)},
            status_code=exc.status_code,
            headers=getattr(exc, "headers", None),
        )

    @app.get("/healthz", response_model=Health)
    async def healthz() -> Health:
        """The process is alive."""
        return Health(status="ok")

    @app.get("/readyz", response_model=Health, responses={503: {"model": Health}})
    async def readyz(runtime: RuntimeDep):
        """The index, the model and the database are loaded and the server can answer."""
        try:
            index = await run_in_threadpool(lambda: runtime.index)
        except AssistantError as exc:
            return JSONResponse({"status": "not_ready", "detail": str(exc)}, status_code=503)
        if not await run_in_threadpool(runtime.database.is_current):
            return JSONResponse({"status": "not_ready", "detail": "database unreachable or not migrated"}, 503)
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

    @app.post("/v1/ask", response_model=AskOut)
    async def ask(body: AskIn, assistant: AssistantDep):
        """Answer a question from the guides, with citations; the `mentor ask --json` shape plus
        `answer_id` (for feedback). With `user_id`, follow-up questions are understood in context."""
        answer = await run_in_threadpool(
            lambda: assistant.ask(body.question, language=body.language, channel="api", user_id=body.user_id)
        )
        return answer.to_dict()

    @app.post("/v1/feedback", response_model=FeedbackOut, status_code=201, responses={404: {"model": ErrorBody}})
    async def feedback(body: FeedbackIn, assistant: AssistantDep):
        """A thumbs-up or thumbs-down on an answer, with an optional comment."""
        feedback_id = await run_in_threadpool(assistant.feedback, body.answer_id, body.vote, body.comment)
        return FeedbackOut(id=feedback_id)

    @app.get("/v1/documents", response_model=list[DocumentOut], responses=ERRORS)
    async def documents(runtime: RuntimeDep, staff: StaffDep = require(*READERS)):
        """The documents in the index (staff)."""
        docs = await run_in_threadpool(list_documents, runtime.index_store)
        return [
            DocumentOut(
                doc_id=d["doc_id"],
                lang=d["lang"],
                title=d["title"],
                chunks=d["count"],
                source=d["source"],
                format=d.get("format"),
            )
            for d in docs
        ]

    @app.post(
        "/v1/documents",
        response_model=UploadOut,
        status_code=202,
        responses={**ERRORS, 413: {"model": ErrorBody}, 415: {"model": ErrorBody}},
    )
    async def upload(
        request: Request,
        runtime: RuntimeDep,
        files: Annotated[list[UploadFile], File(description="One or several guides (md, txt, pdf, docx, html).")],
        staff: StaffDep = require(*EDITORS),
    ):
        """Upload documents; they are ingested in the background (follow `GET /v1/jobs/{job_id}`)."""
        return await accept_uploads(request, runtime, files, staff)

    @app.delete("/v1/documents/{doc_id}", response_model=RemovedOut, responses={**ERRORS, 404: {"model": ErrorBody}})
    async def remove(doc_id: str, runtime: RuntimeDep, staff: StaffDep = require(*EDITORS)):
        """Remove a document (every language, or one as `doc_id.lang`) from the index."""
        return RemovedOut(removed=await run_in_threadpool(remove_document, runtime, doc_id))

    @app.get("/v1/jobs/{job_id}", response_model=JobOut, responses={**ERRORS, 404: {"model": ErrorBody}})
    async def job(job_id: str, runtime: RuntimeDep, staff: StaffDep = require(*READERS)):
        """A background job's status and progress."""
        found = await run_in_threadpool(runtime.store.job, job_id)
        if found is None:
            raise NotFoundError(f"no job with id {job_id!r}")
        return found

    @app.get("/v1/gaps", response_model=list[GapGroupOut], responses=ERRORS)
    async def gaps(runtime: RuntimeDep, staff: StaffDep = require(*READERS)):
        """Questions the guides could not answer, grouped by similarity, most frequent first."""
        return await run_in_threadpool(lambda: group_gaps(runtime.store.gaps(), runtime.embedder))

    @app.get("/v1/feedback", response_model=list[NegativeFeedbackOut], responses=ERRORS)
    async def negative_feedback(runtime: RuntimeDep, staff: StaffDep = require(*READERS)):
        """Thumbs-down answers, newest first, with the answer that was shown."""
        return await run_in_threadpool(runtime.store.negative_feedback)

    @app.get("/v1/stats", response_model=StatsOut, responses=ERRORS)
    async def stats(
        runtime: RuntimeDep,
        days: Annotated[int, Query(ge=1, le=366)] = 30,
        staff: StaffDep = require(*READERS),
    ):
        """Questions per day, language and channel; abstention rate; most cited guides."""
        return await run_in_threadpool(runtime.store.stats, days)

    from web.console import router as console_router

    app.include_router(channels_router)
    app.include_router(matching_router)
    app.include_router(pathways_router)
    app.include_router(console_router)
    return app


async def accept_uploads(request: Request, runtime: Runtime, files: list[UploadFile], staff: StaffIdentity):
    """Check every file first (all or nothing), save them under `<data_dir>/uploads/`, start the job."""
    settings = runtime.settings
    limit = int(settings.max_upload_mb * 1024 * 1024)
    if not files:
        raise UploadRejected("no files: send them as the multipart field 'files'")
    accepted: list[tuple[str, bytes]] = []
    for upload in files:
        data = await upload.read(limit + 1)
        accepted.append((check_upload(upload.filename or "", data, limit), data))
    names = [name for name, _ in accepted]
    if len(set(names)) != len(names):
        raise UploadRejected("two files have the same name")
    folder = settings.data_dir / "uploads"
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for name, data in accepted:
        path = folder / name
        partial = path.with_suffix(path.suffix + ".part")
        partial.write_bytes(data)
        partial.replace(path)  # a reader never sees half a file
        paths.append(path)
    job_id = request.app.state.jobs.submit(paths, staff.name)
    return UploadOut(job_id=job_id, files=names)


def remove_document(runtime: Runtime, doc_id: str) -> list[str]:
    uploads = (runtime.settings.data_dir / "uploads").resolve()
    sources = [d["source"] for d in list_documents(runtime.index_store) if doc_id in (d["doc_id"], d["key"])]
    removed = runtime.ingestor().remove(doc_id)  # NotFoundError (404) for an unknown id
    for source in sources:  # an uploaded file goes too, so a later ingest does not bring it back
        path = uploads / source.rsplit("/", 1)[-1]
        if source.startswith(str(uploads) + "/") and path.exists():
            path.unlink()
    return removed


def get_runtime(request: Request) -> Runtime:
    return request.app.state.runtime


def get_assistant(request: Request) -> Assistant:
    return request.app.state.assistant


RuntimeDep = Annotated[Runtime, Depends(get_runtime)]
AssistantDep = Annotated[Assistant, Depends(get_assistant)]
StaffDep = StaffIdentity
