"""The console's insight pages: content gaps (`/staff/gaps`, grouped, most frequent or newest first) and
thumbs-down answers (`/staff/feedback`)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool

from assistant import FEEDBACK_REASONS, phrase
from web.console.pages import render
from web.console.session import PageStaff
from web.deps import RuntimeDep

router = APIRouter(prefix="/staff")


@router.get("/gaps")
async def gaps(request: Request, staff: PageStaff, runtime: RuntimeDep, sort: str = "count") -> Response:
    """Questions the guides could not answer, grouped; most frequent or newest first."""
    sort = sort if sort in ("count", "recent") else "count"
    groups = await run_in_threadpool(lambda: runtime.gap_groups.view())
    if sort == "recent":
        groups.sort(key=lambda g: g["last_seen"], reverse=True)
    return render(request, "gaps.html", staff, active="gaps", groups=groups, sort=sort)


@router.get("/feedback")
async def feedback(request: Request, staff: PageStaff, runtime: RuntimeDep) -> Response:
    """Thumbs-down answers, newest first, with the answer that was shown, her reason and her comment; how many
    gave each reason on top."""
    items = await run_in_threadpool(runtime.store.negative_feedback)
    reasons = {r: phrase(f"feedback_reason_{r}", "en") for r in FEEDBACK_REASONS}
    counts = [(reasons[r], sum(1 for f in items if f["reason"] == r)) for r in FEEDBACK_REASONS]
    counts = [(label, n) for label, n in counts if n]
    return render(request, "feedback.html", staff, active="feedback", items=items, reasons=reasons, counts=counts)
