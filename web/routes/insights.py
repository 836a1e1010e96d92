"""What staff learn from the questions (readers): content gaps grouped by similarity, thumbs-down answers,
and usage statistics."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from starlette.concurrency import run_in_threadpool

from web.deps import ReaderDep, RuntimeDep
from web.errors import ERRORS
from web.schemas import GapGroupOut, NegativeFeedbackOut, StatsOut

router = APIRouter()


@router.get("/v1/gaps", response_model=list[GapGroupOut], responses=ERRORS)
async def gaps(runtime: RuntimeDep, staff: ReaderDep):
    """Questions the guides could not answer, grouped by similarity, most frequent first."""
    return await run_in_threadpool(lambda: runtime.gap_groups.view())


@router.get("/v1/feedback", response_model=list[NegativeFeedbackOut], responses=ERRORS)
async def negative_feedback(runtime: RuntimeDep, staff: ReaderDep):
    """Thumbs-down answers, newest first, with the answer that was shown."""
    return await run_in_threadpool(runtime.store.negative_feedback)


@router.get("/v1/stats", response_model=StatsOut, responses=ERRORS)
async def stats(runtime: RuntimeDep, staff: ReaderDep, days: Annotated[int, Query(ge=1, le=366)] = 30):
    """Questions per day, language and channel; abstention rate; most cited guides."""
    return await run_in_threadpool(runtime.store.stats, days)
