"""Liveness and readiness: `/healthz` (the process answers) and `/readyz` (index, model and database loaded)."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import JSONResponse
from starlette.concurrency import run_in_threadpool

from assistant import AssistantError
from web.deps import RuntimeDep
from web.schemas import Health

router = APIRouter()


@router.get("/healthz", response_model=Health)
async def healthz() -> Health:
    """The process is alive."""
    return Health(status="ok")


@router.get("/readyz", response_model=Health, responses={503: {"model": Health}})
async def readyz(runtime: RuntimeDep):
    """The index, the model and the database are loaded and the server can answer."""
    try:
        index = await run_in_threadpool(lambda: runtime.index)
    except AssistantError as exc:
        return JSONResponse({"status": "not_ready", "detail": str(exc)}, status_code=503)
    if not await run_in_threadpool(runtime.database.is_current):
        return JSONResponse({"status": "not_ready", "detail": "database unreachable or not migrated"}, 503)
    return Health(status="ready", detail=f"{len(index.chunks)} chunks, version {index.version}")
