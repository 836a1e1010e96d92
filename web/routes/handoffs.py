"""Conversations handed to staff (`/v1/handoffs`): the waiting list, a staff reply delivered on her own
channel, the hand-back to the assistant; and the replies a channel refused (`/v1/deliveries/failed`)."""

from __future__ import annotations

from fastapi import APIRouter
from pydantic import BaseModel, Field
from starlette.concurrency import run_in_threadpool

from assistant import InputError
from web.deps import ChannelsDep, EditorDep, ReaderDep
from web.handoffs import deliver_staff_reply, release_to_assistant
from web.schemas import FailedDeliveryOut, HandoffOut, ReleasedOut, StaffReplyOut

router = APIRouter(tags=["staff"])


class HandoffReplyIn(BaseModel):
    text: str = Field(min_length=1, max_length=4000)


@router.get("/v1/handoffs", response_model=list[HandoffOut])
async def handoffs(channels: ChannelsDep, staff: ReaderDep):
    """Conversations handed to staff with `/human`, longest waiting first, with their recent messages."""
    return await run_in_threadpool(channels.store.handoffs)


@router.post("/v1/handoffs/{participant_id}/reply", response_model=StaffReplyOut)
async def handoff_reply(participant_id: str, body: HandoffReplyIn, channels: ChannelsDep, staff: EditorDep):
    """Answer her on her own channel (`delivery`: sent, queued for the web chat, failed and recorded)."""
    if not body.text.strip():
        raise InputError("the reply is empty")
    return await deliver_staff_reply(channels, participant_id, body.text, staff)


@router.post("/v1/handoffs/{participant_id}/release", response_model=ReleasedOut)
async def handoff_release(participant_id: str, channels: ChannelsDep, staff: EditorDep):
    """Give the conversation back to the assistant and tell her so."""
    return await release_to_assistant(channels, participant_id)


@router.get("/v1/deliveries/failed", response_model=list[FailedDeliveryOut])
async def failed_deliveries(channels: ChannelsDep, staff: ReaderDep):
    """Replies a channel still refused after the retries, newest first."""
    return await run_in_threadpool(channels.store.failed_deliveries)
