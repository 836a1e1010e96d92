"""Matching over HTTP (staff): suggestions for one woman (`GET /v1/matches/{id}`), stored pairings and
staff decisions, the whole-pool assignment and the fairness report. An approval that makes a pairing
active tells both women on their own channels."""

from __future__ import annotations

import logging
from typing import Annotated

from fastapi import APIRouter, Query
from pydantic import BaseModel, Field
from starlette.concurrency import run_in_threadpool

from web.deps import ChannelsDep, EditorDep, ReaderDep, RuntimeDep
from web.matching import tell_both_if_active
from web.schemas import CohortOut, MatchingReportOut, PairingOut, SuggestionsOut

log = logging.getLogger(__name__)
router = APIRouter(tags=["staff"])


class CohortIn(BaseModel):
    directions: list[str] | None = Field(
        None, description="north-south, south-south, national; default: the settings'."
    )
    save: bool = Field(True, description="Store the pairs as proposals for staff to approve or reject.")


@router.get("/v1/matches/{participant_id}", response_model=SuggestionsOut)
async def suggestions(
    runtime: RuntimeDep,
    participant_id: str,
    staff: ReaderDep,
    k: Annotated[int, Query(ge=1, le=50)] = 3,
    lang: Annotated[str | None, Query(pattern="^(fr|es|en)$")] = None,
):
    """Her best reciprocal partners with the fit each way and an explanation (evidence only)."""
    found = await run_in_threadpool(runtime.matching.suggest, participant_id, k, lang)
    return {
        "participant_id": participant_id,
        "main_need": found.main_need_dict(),
        "suggestions": [s.to_dict() for s in found],
    }


@router.get("/v1/pairings", response_model=list[PairingOut])
async def pairings(
    runtime: RuntimeDep,
    staff: ReaderDep,
    status: Annotated[str | None, Query(pattern="^(proposed|active|rejected|declined)$")] = None,
):
    """Stored pairings: proposals from the chat and from cohort runs, with their decisions."""
    return await run_in_threadpool(runtime.store.pairings, None, status)


@router.post("/v1/pairings/cohort", response_model=CohortOut)
async def run_cohort(runtime: RuntimeDep, body: CohortIn, staff: EditorDep):
    """The optimal assignment of the whole pool; approved pairs kept, rejected ones never proposed."""
    result, problems = await run_in_threadpool(runtime.matching.cohort, None, body.directions, body.save)
    log.info("cohort run by %s: %d pairs", staff.name, len(result.pairs))
    return {**result.to_dict(), "summary": result.summary(), "problems": [str(p) for p in problems]}


@router.post("/v1/pairings/{match_id}/approve", response_model=PairingOut)
async def approve(runtime: RuntimeDep, channels: ChannelsDep, match_id: str, staff: EditorDep):
    pairing = await run_in_threadpool(runtime.matching.decide, match_id, "approved", staff.name)
    await tell_both_if_active(runtime, channels, pairing)
    return pairing


@router.post("/v1/pairings/{match_id}/reject", response_model=PairingOut)
async def reject(runtime: RuntimeDep, match_id: str, staff: EditorDep):
    return await run_in_threadpool(runtime.matching.decide, match_id, "rejected", staff.name)


@router.get("/v1/matching/report", response_model=MatchingReportOut)
async def report(runtime: RuntimeDep, staff: ReaderDep):
    """Ours against a random feasible pairing and a one-directional one, on the configured pool."""
    found, _ = await run_in_threadpool(runtime.matching.report)
    return found
