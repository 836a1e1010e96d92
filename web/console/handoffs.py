"""The console's conversations page (`/staff/handoffs`): conversations handed to staff with /human, a reply
box that answers her on her own channel, the hand-back to the assistant, and the replies a channel could not
deliver (refused after the retries, or reported failed later by the platform)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from assistant import AssistantError
from web.console.pages import refuse, render, wants_json
from web.console.session import EditorPost, PageStaff, post_staff
from web.deps import ChannelsDep, RuntimeDep
from web.errors import error_status
from web.handoffs import deliver_staff_reply, release_to_assistant

router = APIRouter(prefix="/staff")

FAILED_SHOWN = 50
NOTICES = {"sent": "Reply sent.", "queued": "Reply saved: the web chat shows it.", "released": "Handed back."}


@router.get("/handoffs")
async def handoffs(request: Request, staff: PageStaff, runtime: RuntimeDep) -> Response:
    """Conversations handed to staff with /human, longest waiting first, with the recent turns and a reply box."""
    return await _page(request, staff, runtime, notice=NOTICES.get(request.query_params.get("done", "")))


async def _page(request: Request, staff, runtime, status: int = 200, **context) -> Response:
    """The page itself; after a reply that did not reach her, with why on top (her text is kept)."""
    items = await run_in_threadpool(runtime.store.handoffs)
    failed = await run_in_threadpool(runtime.store.failed_deliveries, FAILED_SHOWN)
    return render(request, "handoffs.html", staff, status, active="handoffs", items=items, failed=failed, **context)


@router.post("/handoffs/{participant_id}/reply")
async def handoff_reply(
    request: Request,
    participant_id: str,
    channels: ChannelsDep,
    runtime: RuntimeDep,
    text: Annotated[str, Form(max_length=4000)] = "",
) -> Response:
    """Send a staff reply to her on her own channel."""
    # Guarded here, not as a dependency: FastAPI checks the form field first, as it always has.
    staff = await post_staff(request)
    try:
        result = await deliver_staff_reply(channels, participant_id, text, staff)
    except AssistantError as exc:
        return refuse(request, staff, error_status(exc), exc.code, str(exc))
    if result["delivery"] in ("failed", "unreachable"):
        message = (
            f"Your reply is saved in her conversation but did not reach her on {result['channel']}: {result['reason']}"
        )
        if wants_json(request):
            return refuse(request, staff, 502, "not_delivered", message)
        return await _page(request, staff, runtime, status=502, error=message)
    return RedirectResponse(f"/staff/handoffs?done={result['delivery']}", status_code=303)


@router.post("/handoffs/{participant_id}/release")
async def handoff_release(request: Request, participant_id: str, staff: EditorPost, channels: ChannelsDep) -> Response:
    """Give the conversation back to the assistant."""
    try:
        await release_to_assistant(channels, participant_id)
    except AssistantError as exc:
        return refuse(request, staff, error_status(exc), exc.code, str(exc))
    return RedirectResponse("/staff/handoffs?done=released", status_code=303)
