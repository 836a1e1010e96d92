"""Matching over HTTP: suggestions (`GET /v1/matches/{id}`), stored pairings and staff decisions, the
whole-pool assignment and the fairness report; and the console's *Matching* page.

A staff approval that makes a pairing active tells both women on their own channels.
"""

from __future__ import annotations

import logging
from typing import Annotated

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import BaseModel, Field
from starlette.concurrency import run_in_threadpool

from assistant.config import SUPPORTED_LANGUAGES
from assistant.conversation import Reply
from assistant.errors import AssistantError
from assistant.phrases import phrase
from assistant.storage import StaffIdentity
from web.auth import EDITORS, READERS, require

log = logging.getLogger(__name__)
router = APIRouter()


class CohortIn(BaseModel):
    directions: list[str] | None = Field(
        None, description="north-south, south-south, national; default: the settings'."
    )
    save: bool = Field(True, description="Store the pairs as proposals for staff to approve or reject.")


def _service(request: Request):
    return request.app.state.runtime.matching


async def _tell_both_if_active(request: Request, pairing: dict) -> None:
    """Once a pairing is active, each woman who chats with the assistant hears it in her language."""
    if pairing["status"] != "active":
        return
    store = request.app.state.runtime.store
    channels = request.app.state.channels
    people = {pid: await run_in_threadpool(store.participant_by_id, pid) for pid in (pairing["a"], pairing["b"])}
    for pid, person in people.items():
        other = people[pairing["b"] if pid == pairing["a"] else pairing["a"]]
        if person is None:
            continue
        lang = person.preferred_language if person.preferred_language in SUPPORTED_LANGUAGES else "en"
        name = ((other.name if other else None) or "?").split(" ")[0]
        await channels.notify(
            person.channel, person.external_id, Reply(phrase("match_active", lang, name=name), language=lang)
        )


# -- JSON API ---------------------------------------------------------------------------------------------------


@router.get("/v1/matches/{participant_id}", tags=["staff"])
async def suggestions(
    request: Request,
    participant_id: str,
    k: Annotated[int, Query(ge=1, le=50)] = 3,
    lang: Annotated[str | None, Query(pattern="^(fr|es|en)$")] = None,
    staff: StaffIdentity = require(*READERS),
) -> dict:
    """Her best reciprocal partners with the fit each way and an explanation (evidence only)."""
    found = await run_in_threadpool(_service(request).suggest, participant_id, k, lang)
    return {"participant_id": participant_id, "suggestions": [s.as_json() for s in found]}


@router.get("/v1/pairings", tags=["staff"])
async def pairings(
    request: Request,
    status: Annotated[str | None, Query(pattern="^(proposed|active|rejected|declined)$")] = None,
    staff: StaffIdentity = require(*READERS),
) -> list[dict]:
    """Stored pairings: proposals from the chat and from cohort runs, with their decisions."""
    return await run_in_threadpool(request.app.state.runtime.store.pairings, None, status)


@router.post("/v1/pairings/cohort", tags=["staff"])
async def run_cohort(request: Request, body: CohortIn, staff: StaffIdentity = require(*EDITORS)) -> dict:
    """The optimal assignment of the whole pool; approved pairs kept, rejected ones never proposed."""
    result, problems = await run_in_threadpool(_service(request).cohort, None, body.directions, body.save)
    log.info("cohort run by %s: %d pairs", staff.name, len(result.pairs))
    return {**result.as_json(), "summary": result.summary(), "problems": [str(p) for p in problems]}


@router.post("/v1/pairings/{match_id}/approve", tags=["staff"])
async def approve(request: Request, match_id: str, staff: StaffIdentity = require(*EDITORS)) -> dict:
    pairing = await run_in_threadpool(_service(request).decide, match_id, "approved", staff.name)
    await _tell_both_if_active(request, pairing)
    return pairing


@router.post("/v1/pairings/{match_id}/reject", tags=["staff"])
async def reject(request: Request, match_id: str, staff: StaffIdentity = require(*EDITORS)) -> dict:
    return await run_in_threadpool(_service(request).decide, match_id, "rejected", staff.name)


@router.get("/v1/matching/report", tags=["staff"])
async def report(request: Request, staff: StaffIdentity = require(*READERS)) -> dict:
    """Ours against a random feasible pairing and a one-directional one, on the configured pool."""
    found, _ = await run_in_threadpool(_service(request).report)
    return found


# -- console ---------------------------------------------------------------------------------------------------------


@router.get("/staff/matching", include_in_schema=False)
async def matching_page(request: Request) -> Response:
    from web.console import _guard_page, _render

    staff = await _guard_page(request)
    if isinstance(staff, Response):
        return staff
    service = _service(request)
    pool = await run_in_threadpool(service.pool)
    names = {p.id: f"{p.name} ({p.country or '?'})" for p in pool.profiles}
    rows = await run_in_threadpool(request.app.state.runtime.store.pairings)
    order = {"proposed": 0, "active": 1, "declined": 2, "rejected": 3}
    rows.sort(key=lambda r: (order.get(r["status"], 9), -r["score"]))
    found = None
    if request.query_params.get("report") == "1":
        found, _ = await run_in_threadpool(service.report)
    notice = {"run": "Cohort assignment done: the new pairs are listed as proposed.", "approved": "Approved.",
              "rejected": "Rejected: this pair will not be proposed again."}  # fmt: skip
    return _render(
        request,
        "matching.html",
        staff,
        active="matching",
        rows=rows,
        names=names,
        pool_size=len(pool.profiles),
        report=found,
        notice=notice.get(request.query_params.get("done", "")),
    )


@router.post("/staff/matching/run", include_in_schema=False)
async def matching_run(request: Request, directions: Annotated[list[str] | None, Form()] = None) -> Response:
    from web.console import _error_status, _guard_post, _refuse

    staff = await _guard_post(request, EDITORS)
    if isinstance(staff, Response):
        return staff
    try:
        await run_in_threadpool(_service(request).cohort, None, directions or None, True)
    except AssistantError as exc:
        return _refuse(request, staff, _error_status(exc), exc.code, str(exc))
    return RedirectResponse("/staff/matching?done=run", status_code=303)


@router.post("/staff/matching/{match_id}/{decision}", include_in_schema=False)
async def matching_decide(request: Request, match_id: str, decision: str) -> Response:
    from web.console import _error_status, _guard_post, _refuse

    staff = await _guard_post(request, EDITORS)
    if isinstance(staff, Response):
        return staff
    if decision not in ("approve", "reject"):
        return _refuse(request, staff, 404, "not_found", "unknown decision")
    try:
        pairing = await run_in_threadpool(
            _service(request).decide, match_id, "approved" if decision == "approve" else "rejected", staff.name
        )
    except AssistantError as exc:
        return _refuse(request, staff, _error_status(exc), exc.code, str(exc))
    await _tell_both_if_active(request, pairing)
    return RedirectResponse(f"/staff/matching?done={decision}d", status_code=303)
