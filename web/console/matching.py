"""The console's matching page (`/staff/matching`): stored pairings with staff decisions, the whole-pool
assignment run, and the fairness report on demand."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from assistant import AssistantError
from web.console.pages import refuse, render
from web.console.session import EditorPost, PageStaff, post_staff
from web.deps import ChannelsDep, RuntimeDep
from web.errors import error_status
from web.matching import tell_both_if_active

router = APIRouter(prefix="/staff")

STATUS_ORDER = {"proposed": 0, "active": 1, "declined": 2, "rejected": 3}
NOTICES = {
    "run": "Cohort assignment done: the new pairs are listed as proposed.",
    "approved": "Approved.",
    "rejected": "Rejected: this pair will not be proposed again.",
}


@router.get("/matching")
async def matching_page(request: Request, staff: PageStaff, runtime: RuntimeDep) -> Response:
    service = runtime.matching
    pool = await run_in_threadpool(service.pool)
    names = {p.id: f"{p.name} ({p.country or '?'})" for p in pool.profiles}
    rows = await run_in_threadpool(runtime.store.pairings)
    rows.sort(key=lambda r: (STATUS_ORDER.get(r["status"], 9), -r["score"]))
    found = None
    if request.query_params.get("report") == "1":
        found, _ = await run_in_threadpool(service.report)
    return render(
        request,
        "matching.html",
        staff,
        active="matching",
        rows=rows,
        names=names,
        pool_size=len(pool.profiles),
        report=found,
        notice=NOTICES.get(request.query_params.get("done", "")),
    )


@router.post("/matching/run")
async def matching_run(
    request: Request, runtime: RuntimeDep, directions: Annotated[list[str] | None, Form()] = None
) -> Response:
    # Guarded here, not as a dependency: FastAPI checks the form field first, as it always has.
    staff = await post_staff(request)
    try:
        await run_in_threadpool(runtime.matching.cohort, None, directions or None, True)
    except AssistantError as exc:
        return refuse(request, staff, error_status(exc), exc.code, str(exc))
    return RedirectResponse("/staff/matching?done=run", status_code=303)


@router.post("/matching/{match_id}/{decision}")
async def matching_decide(
    request: Request, match_id: str, decision: str, staff: EditorPost, runtime: RuntimeDep, channels: ChannelsDep
) -> Response:
    if decision not in ("approve", "reject"):
        return refuse(request, staff, 404, "not_found", "unknown decision")
    try:
        pairing = await run_in_threadpool(
            runtime.matching.decide, match_id, "approved" if decision == "approve" else "rejected", staff.name
        )
    except AssistantError as exc:
        return refuse(request, staff, error_status(exc), exc.code, str(exc))
    await tell_both_if_active(runtime, channels, pairing)
    return RedirectResponse(f"/staff/matching?done={decision}d", status_code=303)
