"""The console's nudges page (`/staff/nudges`): the nudges' effect per cohort, the plan of what is due,
and the button that sends them (editors)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from assistant import AssistantError
from web.console.pages import refuse, render
from web.console.session import EditorPost, PageStaff
from web.deps import ChannelsDep, RuntimeDep
from web.errors import error_status
from web.nudges import nudge_counts, run_nudges

router = APIRouter(prefix="/staff")

COUNTS = ("sent", "answered", "ignored", "waiting", "failed")


@router.get("/nudges")
async def nudges_page(request: Request, staff: PageStaff, runtime: RuntimeDep, channels: ChannelsDep) -> Response:
    stats = await nudge_counts(runtime, 90)
    totals = {key: sum(row[key] for row in stats.values()) for key in COUNTS}
    plan = None
    if request.query_params.get("plan") == "1":
        plan = (await run_nudges(runtime, channels, dry_run=True))["planned"]
    notice = None
    if request.query_params.get("done") == "run":
        notice = "Nudges sent: " + request.query_params.get("sent", "0")
    return render(request, "nudges.html", staff, active="nudges", stats=stats, totals=totals, plan=plan, notice=notice)


@router.post("/nudges/run")
async def nudges_run_page(request: Request, staff: EditorPost, runtime: RuntimeDep, channels: ChannelsDep) -> Response:
    try:
        result = await run_nudges(runtime, channels)
    except AssistantError as exc:
        return refuse(request, staff, error_status(exc), exc.code, str(exc))
    return RedirectResponse(f"/staff/nudges?done=run&sent={result['sent']}", status_code=303)
