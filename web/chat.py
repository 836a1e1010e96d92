"""The web chat (`/chat`): the page, and its JSON API (`/chat/api/messages`, `/chat/api/updates`).

She is known by an anonymous id in an HttpOnly cookie scoped to `/chat`; her messages go through the same
relay as the messaging platforms', and staff replies and notices reach her when the page polls.
"""

from __future__ import annotations

import secrets
from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel, Field
from starlette.concurrency import run_in_threadpool

from assistant import Message, Reply
from web.auth import ApiError, cross_origin
from web.channels import CHAT_CHANNEL
from web.console.pages import PAGE_HEADERS, templates
from web.deps import ChannelsDep
from web.handoffs import staff_text
from web.ratelimit import AnonymousLimit

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
    return _new_chat_user(), True


def _new_chat_user() -> str:
    return secrets.token_urlsafe(18)


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


@router.post("/chat/api/messages", dependencies=[AnonymousLimit])
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
    if any(r.forgotten for r in replies):  # her old id named what was deleted: a new one from now on
        user, new = _new_chat_user(), True
    payload = {
        "duplicate": not handled,
        "replies": [
            {"text": r.text, "language": r.language, "buttons": [{"id": b.id, "title": b.title} for b in r.buttons]}
            for r in replies
        ],
    }
    return _chat_response(request, payload, user, new)


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
