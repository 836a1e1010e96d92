"""The web chat (`/chat`): the page, and its JSON API (`/chat/api/messages`, `/chat/api/voice`,
`/chat/api/updates`).

She is known by an anonymous id in an HttpOnly cookie scoped to `/chat`; her messages go through the same
relay as the messaging platforms', and staff replies and notices reach her when the page polls. A voice note
is an audio file she picks or records on her phone (the page's file input), posted as the raw body: read up
to MENTOR_ASR_MAX_BYTES, never stored, then transcribed and answered like a WhatsApp or Telegram note.
"""

from __future__ import annotations

import secrets
from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel, Field
from starlette.concurrency import run_in_threadpool

from assistant import AudioError, Message, Reply, VoiceRef
from web.auth import ApiError, cross_origin
from web.channels import CHAT_CHANNEL
from web.console.pages import PAGE_HEADERS, templates
from web.deps import ChannelsDep
from web.handoffs import staff_text

router = APIRouter(include_in_schema=False)

CHAT_COOKIE = "mentor_chat"


class ChatIn(BaseModel):
    text: str = Field("", max_length=4000)
    button_id: str | None = Field(None, max_length=200)
    message_id: str | None = Field(None, max_length=64, description="Sent again on a retry, so it is handled once.")


def _chat_user(request: Request) -> tuple[str, bool]:
    """Her anonymous chat id from the cookie, or a new one (True when new)."""
    current = request.cookies.get(CHAT_COOKIE, "")
    if 16 <= len(current) <= 64 and current.replace("-", "").replace("_", "").isalnum():
        return current, False
    return secrets.token_urlsafe(18), True


def _chat_response(request: Request, payload: dict, user: str, new: bool) -> JSONResponse:
    response = JSONResponse(payload, headers={"Cache-Control": "no-store"})
    if new:
        response.set_cookie(
            CHAT_COOKIE, user, max_age=60 * 60 * 24 * 180, httponly=True, samesite="strict",
            secure=request.url.scheme == "https", path="/chat",
        )  # fmt: skip
    return response


def _hint(request: Request) -> str | None:
    first = request.headers.get("accept-language", "").split(",")[0].split(";")[0].strip()
    return first or None


@router.get("/chat")
async def chat_page(request: Request) -> Response:
    return templates.TemplateResponse(request, "chat.html", {}, headers=PAGE_HEADERS)


@router.post("/chat/api/messages")
async def chat_message(body: ChatIn, request: Request, channels: ChannelsDep):
    """One message from the web chat; the replies come back in the response."""
    if cross_origin(request):
        raise ApiError(403, "cross_origin", "the chat only takes messages from its own page")
    if not body.text.strip() and not body.button_id:
        raise ApiError(422, "empty_message", "send text or a button_id")
    user, new = _chat_user(request)
    message = Message(
        channel=CHAT_CHANNEL, user_id=user, text=body.text,
        message_id=f"{user}:{body.message_id or secrets.token_hex(8)}",
        language_hint=_hint(request), button_id=body.button_id,
    )  # fmt: skip
    replies: list[Reply] = []

    async def collect(reply: Reply) -> None:
        replies.append(reply)

    handled = await channels.relay.handle(message, collect)
    return _chat_response(request, _replies_payload(handled, replies), user, new)


@router.post("/chat/api/voice")
async def chat_voice(
    request: Request,
    channels: ChannelsDep,
    message_id: Annotated[str | None, Query(max_length=64, pattern=r"^[A-Za-z0-9_-]+$")] = None,
):
    """A voice note from the web chat, the audio file as the body; what was heard, then the replies."""
    if cross_origin(request):
        raise ApiError(403, "cross_origin", "the chat only takes messages from its own page")
    limit = channels.settings.asr_max_bytes
    audio, too_large = await _read_bounded(request, limit)
    if not audio and not too_large:
        raise ApiError(422, "empty_message", "the body holds no audio")
    user, new = _chat_user(request)
    mime = request.headers.get("content-type", "").split(";")[0].strip() or None
    message = Message(
        channel=CHAT_CHANNEL, user_id=user, text="", message_id=f"{user}:{message_id or secrets.token_hex(8)}",
        language_hint=_hint(request), media="audio", voice=VoiceRef("upload", mime, None, len(audio), voice=False),
    )  # fmt: skip
    replies: list[Reply] = []

    async def collect(reply: Reply) -> None:
        replies.append(reply)

    async def fetch(_ref: VoiceRef) -> bytes:
        if too_large:
            raise AudioError(f"an upload over {limit} bytes", "too_large")
        return audio

    handled = await channels.relay.handle(message, collect, fetch)
    return _chat_response(request, _replies_payload(handled, replies), user, new)


async def _read_bounded(request: Request, limit: int) -> tuple[bytes, bool]:
    """The body, read up to `limit` bytes: (bytes, False), or (b"", True) once it passes the limit."""
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        return b"", True
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            return b"", True
        chunks.append(chunk)
    return b"".join(chunks), False


def _replies_payload(handled: bool, replies: list[Reply]) -> dict:
    return {
        "duplicate": not handled,
        "replies": [
            {"text": r.text, "language": r.language, "buttons": [{"id": b.id, "title": b.title} for b in r.buttons]}
            for r in replies
        ],
    }


@router.get("/chat/api/updates")
async def chat_updates(request: Request, channels: ChannelsDep, after: Annotated[int, Query(ge=0)] = 0):
    """Staff replies to this chat since message `after` (the page polls)."""
    user, new = _chat_user(request)
    found = [] if new else await run_in_threadpool(channels.store.staff_messages, CHAT_CHANNEL, user, after)
    participant = None if new else await run_in_threadpool(channels.store.participant, CHAT_CHANNEL, user)
    language = participant.preferred_language if participant else None
    payload = {
        "messages": [
            {"id": m["id"], "text": staff_text(m["text"], language) if m["role"] == "staff" else m["text"]}
            for m in found
        ]
    }
    return _chat_response(request, payload, user, new)
