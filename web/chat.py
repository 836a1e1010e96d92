"""The web chat (`/chat`): the page, and its JSON API (`/chat/api/messages`, `/chat/api/voice`,
`/chat/api/updates`).

She is known by an anonymous id in an HttpOnly cookie scoped to `/chat`; her messages go through the same
relay as the messaging platforms', and staff replies and notices reach her when the page polls. A voice note
is an audio file she picks or records on her phone (the page's file input), posted as the raw body: read up
to MENTOR_ASR_MAX_BYTES, never stored, then transcribed and answered like a WhatsApp or Telegram note.

The page's own words (title, input, button, typing indicator, errors) come from the phrase catalogue in all
three languages; it starts in the language she chose (or her browser's), and each answer of the API says
which language she has chosen (`page_language`) so the page follows it. An answer's sources come apart from
its text, each a link to the guide's section (`web.guides`) in her language. When she has had everything
deleted (`forgotten`), the page forgets the conversation it kept on her device too.
"""

from __future__ import annotations

import secrets
from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel, Field
from starlette.concurrency import run_in_threadpool

from assistant import SUPPORTED_LANGUAGES, AudioError, Message, Reply, VoiceRef, phrase
from web.auth import ApiError, cross_origin
from web.channels import CHAT_CHANNEL, Channels
from web.console.pages import PAGE_HEADERS, templates
from web.deps import ChannelsDep
from web.guides import guide_url
from web.handoffs import staff_text
from web.ratelimit import AnonymousLimit

router = APIRouter(include_in_schema=False)

CHAT_COOKIE = "mentor_chat"
PAGE_STRINGS = (
    "chat_title", "chat_welcome", "chat_input_label", "chat_placeholder", "chat_send", "chat_voice", "chat_typing",
    "chat_connection_failed", "chat_failed", "chat_conversation", "chat_noscript", "greeting", "sources",
)  # fmt: skip


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


def _browser_language(request: Request) -> str:
    hint = (_hint(request) or "").split("-")[0].lower()
    return hint if hint in SUPPORTED_LANGUAGES else "en"


@router.get("/chat")
async def chat_page(request: Request, channels: ChannelsDep) -> Response:
    user, new = _chat_user(request)
    chosen = None if new else await run_in_threadpool(channels.engine.known_language, CHAT_CHANNEL, user)
    lang = chosen or _browser_language(request)
    strings = {code: {key: phrase(key, code) for key in PAGE_STRINGS} for code in SUPPORTED_LANGUAGES}
    context = {"lang": lang, "chosen": chosen or "", "strings": strings, "s": strings[lang]}
    return templates.TemplateResponse(request, "chat.html", context, headers=PAGE_HEADERS)


def _render(channels: Channels, reply: Reply, wanted: str | None) -> dict:
    """A reply for the page: its text, buttons, and its sources as links apart from the text."""
    text, sources = reply.text, []
    answer_id = reply.answer_id
    citations = channels.store.answer_citations(answer_id) if answer_id else []
    marker = f"\n\n{phrase('sources_heading', reply.language or 'en')}\n"
    if citations and marker in text:
        text = text[: text.rindex(marker)]
        runtime = channels.engine.assistant.runtime
        for c in citations:
            url = guide_url(runtime, c["doc_id"], c.get("chunk_id", ""), c.get("language", ""), wanted)
            sources.append({"n": c.get("n"), "title": c.get("title", ""), "url": url})
    return {
        "text": text, "language": reply.language, "sources": sources,
        "buttons": [{"id": b.id, "title": b.title} for b in reply.buttons],
    }  # fmt: skip


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
    payload = await _replies_payload(channels, user, handled, replies)
    if payload["forgotten"]:  # her old id named what was deleted: a new one from now on
        user, new = await _renewed(channels, user), True
    return _chat_response(request, payload, user, new)


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
    payload = await _replies_payload(channels, user, handled, replies)
    if payload["forgotten"]:  # her old id named what was deleted: a new one from now on
        user, new = await _renewed(channels, user), True
    return _chat_response(request, payload, user, new)


async def _renewed(channels: Channels, old: str) -> str:
    """A new chat id after /forget, which keeps only the language she was spoken to in (process memory)."""
    user = _new_chat_user()
    await run_in_threadpool(channels.engine.carry_language, CHAT_CHANNEL, old, user)
    return user


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


async def _replies_payload(channels: Channels, user: str, handled: bool, replies: list[Reply]) -> dict:
    """The replies as the page shows them, in the language she chose, and what the page must follow."""
    chosen = await run_in_threadpool(channels.engine.known_language, CHAT_CHANNEL, user)
    rendered = await run_in_threadpool(lambda: [_render(channels, r, chosen or r.language) for r in replies])
    done = {phrase("forget_done", code) for code in SUPPORTED_LANGUAGES}
    return {
        "duplicate": not handled,
        "page_language": chosen,
        "forgotten": any(r.forgotten or r.text in done for r in replies),
        "replies": rendered,
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
