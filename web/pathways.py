"""Pathways and nudges over HTTP: `GET /v1/pathways/{id}`, `GET /v1/nudges/stats`, `POST /v1/nudges/run`
(staff), the console's *Nudges* page, and the scheduler that runs the nudges from inside the server when
`MENTOR_NUDGES_IN_SERVER` is on."""

from __future__ import annotations

import asyncio
import logging
from datetime import timedelta
from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from assistant.errors import AssistantError
from assistant.pathways.nudges import Nudger
from assistant.storage import StaffIdentity
from web.auth import EDITORS, READERS, require

log = logging.getLogger(__name__)
router = APIRouter()


def nudger(request_or_app) -> Nudger:
    app = getattr(request_or_app, "app", request_or_app)
    runtime = app.state.runtime
    return Nudger(runtime.settings, runtime.store, runtime.pathways)


async def run_nudges(app, dry_run: bool = False) -> dict:
    result = await nudger(app).run(None if dry_run else app.state.channels.notify, dry_run=dry_run)
    return result.as_json()


async def nudge_scheduler(app, every_s: float) -> None:
    """Runs the nudges every `every_s` seconds for as long as the server runs (errors logged, not fatal)."""
    while True:
        try:
            await run_nudges(app)
        except Exception as exc:  # the database may be briefly away; next time
            log.warning("nudge run failed: %s", exc)
        await asyncio.sleep(every_s)


# -- JSON API ---------------------------------------------------------------------------------------------------


@router.get("/v1/pathways/{participant_id}", tags=["staff"])
async def pathway(
    request: Request,
    participant_id: str,
    lang: Annotated[str | None, Query(pattern="^(fr|es|en)$")] = None,
    staff: StaffIdentity = require(*READERS),
) -> dict:
    """Her pathway: `{"participant_id", "language", "steps": [{"module_id", "title", "why", "minutes",
    "resources"}]}`, with her diagnostic, completed modules and the agenda for her next pairing meeting."""
    return await run_in_threadpool(request.app.state.runtime.pathways.pathway, participant_id, lang)


@router.get("/v1/nudges/stats", tags=["staff"])
async def nudge_stats(
    request: Request,
    days: Annotated[int, Query(ge=1, le=3650)] = 90,
    staff: StaffIdentity = require(*READERS),
) -> dict:
    """Per cohort (country): nudges sent, answered, ignored (no answer in 3 days), waiting, failed."""
    return await run_in_threadpool(
        request.app.state.runtime.store.nudge_stats, timedelta(days=3), timedelta(days=days)
    )


@router.post("/v1/nudges/run", tags=["staff"])
async def nudge_run(
    request: Request,
    dry_run: Annotated[bool, Query()] = False,
    staff: StaffIdentity = require(*EDITORS),
) -> dict:
    """Send the nudges due now (or list them with `dry_run=true`)."""
    result = await run_nudges(request.app, dry_run)
    log.info("nudge run by %s: %d sent", staff.name, result["sent"])
    return result


# -- console ---------------------------------------------------------------------------------------------------------


@router.get("/staff/nudges", include_in_schema=False)
async def nudges_page(request: Request) -> Response:
    from web.console import _guard_page, _render

    staff = await _guard_page(request)
    if isinstance(staff, Response):
        return staff
    stats = await run_in_threadpool(
        request.app.state.runtime.store.nudge_stats, timedelta(days=3), timedelta(days=90)
    )
    totals = {
        key: sum(row[key] for row in stats.values()) for key in ("sent", "answered", "ignored", "waiting", "failed")
    }
    plan = None
    if request.query_params.get("plan") == "1":
        plan = (await run_nudges(request.app, dry_run=True))["planned"]
    notice = None
    if request.query_params.get("done") == "run":
        notice = "Nudges sent: " + request.query_params.get("sent", "0")
    return _render(request, "nudges.html", staff, active="nudges", stats=stats, totals=totals, plan=plan, notice=notice)


@router.post("/staff/nudges/run", include_in_schema=False)
async def nudges_run_page(request: Request) -> Response:
    from web.console import _error_status, _guard_post, _refuse

    staff = await _guard_post(request, EDITORS)
    if isinstance(staff, Response):
        return staff
    try:
        result = await run_nudges(request.app)
    except AssistantError as exc:
        return _refuse(request, staff, _error_status(exc), exc.code, str(exc))
    return RedirectResponse(f"/staff/nudges?done=run&sent={result['sent']}", status_code=303)
