"""Pathways and nudges over HTTP (staff): her learning pathway (`GET /v1/pathways/{id}`), the nudges'
effect per cohort (`GET /v1/nudges/stats`) and a nudge run (`POST /v1/nudges/run`)."""

from __future__ import annotations

import logging
from typing import Annotated

from fastapi import APIRouter, Query
from starlette.concurrency import run_in_threadpool

from web.auth import ApiError
from web.deps import ChannelsDep, EditorDep, ReaderDep, RuntimeDep
from web.nudges import NudgeRunBusy, nudge_counts, run_nudges
from web.schemas import NudgeCountsOut, NudgeRunOut, PathwayOut

log = logging.getLogger(__name__)
router = APIRouter(tags=["staff"])


@router.get("/v1/pathways/{participant_id}", response_model=PathwayOut)
async def pathway(
    runtime: RuntimeDep,
    participant_id: str,
    staff: ReaderDep,
    lang: Annotated[str | None, Query(pattern="^(fr|es|en)$")] = None,
):
    """Her pathway: `{"participant_id", "language", "steps": [{"module_id", "title", "why", "minutes",
    "resources"}]}`, with her diagnostic, completed modules and the agenda for her next pairing meeting."""
    return await run_in_threadpool(runtime.pathways.pathway, participant_id, lang)


@router.get("/v1/nudges/stats", response_model=dict[str, NudgeCountsOut])
async def nudge_stats(runtime: RuntimeDep, staff: ReaderDep, days: Annotated[int, Query(ge=1, le=3650)] = 90):
    """Per cohort (country): nudges sent, answered, ignored (no answer in 3 days), waiting, failed."""
    return await nudge_counts(runtime, days)


@router.post("/v1/nudges/run", response_model=NudgeRunOut)
async def nudge_run(
    runtime: RuntimeDep, channels: ChannelsDep, staff: EditorDep, dry_run: Annotated[bool, Query()] = False
):
    """Send the nudges due now (or list them with `dry_run=true`)."""
    try:
        result = await run_nudges(runtime, channels, dry_run)
    except NudgeRunBusy as exc:
        raise ApiError(409, "busy", f"{exc}: try again in a minute") from None
    log.info("nudge run by %s: %d sent", staff.name, result["sent"])
    return result
