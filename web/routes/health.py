"""Liveness and readiness: `/healthz` (the process answers), `/readyz` (index, model, database; speech said)."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import JSONResponse
from starlette.concurrency import run_in_threadpool

from assistant import AssistantError
from web.deps import RuntimeDep
from web.schemas import Health, Readiness

router = APIRouter()


@router.get("/healthz", response_model=Health)
async def healthz() -> Health:
    """The process is alive."""
    return Health(status="ok")


@router.get("/readyz", response_model=Readiness, responses={503: {"model": Readiness}})
async def readyz(runtime: RuntimeDep):
    """The index, the model and the database are loaded and the server can answer; `asr` says voice notes' state."""
    speech = await run_in_threadpool(runtime.transcriber_status)
    try:
        index = await run_in_threadpool(lambda: runtime.index)
    except AssistantError as exc:
        return JSONResponse({"status": "not_ready", "detail": str(exc), **speech}, status_code=503)
    if not await run_in_threadpool(runtime.database.is_current):
        return JSONResponse({"status": "not_ready", "detail": "database unreachable or not migrated", **speech}, 503)
    return Readiness(status="ready", detail=f"{len(index.chunks)} chunks, version {index.version}", **speech)
