"""The channels inside the HTTP server: the WhatsApp and Telegram webhooks, the web chat (`/chat`) and the
staff hand-off routes (`/v1/handoffs`), all on one `Channels` object built in the app's lifespan.

Webhooks check their signature or secret first (401, nothing read further), answer 200 at once and let the
engine work in background tasks; the tasks are drained on shutdown so no accepted message is dropped.
"""

from __future__ import annotations

import asyncio
import hmac
import json
import logging
import secrets
from typing import Annotated

import httpx
from fastapi import APIRouter, Query, Request
from fastapi.responses import JSONResponse, PlainTextResponse, Response
from pydantic import BaseModel, Field
from starlette.concurrency import run_in_threadpool

from assistant.config import SUPPORTED_LANGUAGES, Settings
from assistant.conversation import Engine, Message, Reply
from assistant.core import Assistant
from assistant.errors import InputError
from assistant.phrases import phrase
from assistant.storage import StaffIdentity, Store, pseudonym
from bots.common import Relay
from web.auth import EDITORS, READERS, ApiError, cross_origin, require

log = logging.getLogger(__name__)

CHAT_COOKIE = "mentor_chat"
CHAT_CHANNEL = "web"
TELEGRAM_SECRET_HEADER = "x-telegram-bot-api-secret-token"
PRUNE_EVERY_S = 6 * 3600


def staff_text(text: str, language: str | None) -> str:
    lang = language if language in SUPPORTED_LANGUAGES else "en"
    return f"{phrase('staff_says', lang)}\n{text}"


class Channels:
    """The engine, the relay and whichever channels the settings enable."""

    def __init__(self, settings: Settings, assistant: Assistant, http: httpx.AsyncClient | None = None) -> None:
        self.settings = settings
        self.store: Store = assistant.store
        self.engine = Engine(assistant)
        self.relay = Relay(self.engine, self.store, notify=self.notify)
        self._own_http = http is None
        self.http = http or httpx.AsyncClient(timeout=httpx.Timeout(15.0, connect=5.0))
        self._tasks: set[asyncio.Task] = set()
        self.whatsapp = None
        self.telegram = None
        self._telegram_started = False
        self._pruner: asyncio.Task | None = None
        if settings.whatsapp_webhook_enabled:
            from bots.whatsapp import WhatsAppChannel, WhatsAppClient

            if not (settings.whatsapp_token and settings.whatsapp_phone_number_id):
                log.warning("WhatsApp webhook on, but without MENTOR_WHATSAPP_TOKEN and _PHONE_NUMBER_ID replies fail")
            client = WhatsAppClient(
                self.http,
                token=settings.whatsapp_token.get_secret_value() if settings.whatsapp_token else "",
                phone_number_id=settings.whatsapp_phone_number_id or "",
                api_base=settings.whatsapp_api_base,
                attempts=settings.channel_send_attempts,
                backoff_s=settings.channel_backoff_s,
            )
            self.whatsapp = WhatsAppChannel(self.relay, client, self.store)
        if settings.telegram_token and settings.telegram_secret_token:
            from bots.telegram import TelegramChannel, build_application

            self.telegram = build_application(
                self.engine,
                self.store,
                token=settings.telegram_token.get_secret_value(),
                api_base=settings.telegram_api_base,
                polling=False,
                attempts=settings.channel_send_attempts,
                backoff_s=settings.channel_backoff_s,
            )
            channel: TelegramChannel = self.telegram.bot_data["channel"]
            channel.relay = self.relay  # one relay, one set of per-user locks

    # -- lifecycle ----------------------------------------------------------------------------------------------

    async def start(self) -> None:
        await self._start_telegram()
        self._pruner = asyncio.get_running_loop().create_task(self._prune_inbound_ids())

    async def _prune_inbound_ids(self) -> None:
        """Message ids are kept a week (Meta and Telegram redeliver for at most a few days), then dropped."""
        while True:
            try:
                removed = await run_in_threadpool(self.store.prune_inbound)
                if removed:
                    log.info("%d old inbound message ids pruned", removed)
            except Exception as exc:  # the database may be briefly away; try again next time
                log.warning("pruning inbound message ids failed: %s", exc)
            await asyncio.sleep(PRUNE_EVERY_S)

    async def _start_telegram(self) -> bool:
        """Initialise the bot (it asks Telegram who it is); retried on the next update if Telegram is down."""
        if self.telegram is None:
            return False
        if not self._telegram_started:
            try:
                await self.telegram.initialize()
                await self.telegram.start()
            except Exception as exc:
                log.warning("Telegram bot not started yet (%s); will retry on the next update", exc)
                return False
            self._telegram_started = True
        return True

    def spawn(self, coroutine) -> asyncio.Task:
        task = asyncio.get_running_loop().create_task(coroutine)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        return task

    async def drain(self, timeout: float = 30.0) -> None:
        """Wait for the replies in flight (background tasks and Telegram's update queue)."""
        if self._tasks:
            await asyncio.wait(list(self._tasks), timeout=timeout)

    async def stop(self) -> None:
        if self._pruner is not None:
            self._pruner.cancel()
        await self.drain()
        if self._telegram_started:
            await self.telegram.stop()
            await self.telegram.shutdown()
            self._telegram_started = False
        if self._own_http:
            await self.http.aclose()

    # -- sending outside a conversation turn (staff replies, notifications) ----------------------------------------

    async def notify(self, channel: str, external_id: str, reply: Reply) -> str:
        """A message for someone other than the sender (a pairing proposed to her). The web chat keeps it
        as a notice its page fetches."""
        if channel == CHAT_CHANNEL:
            await run_in_threadpool(self.store.add_message, channel, external_id, "notice", reply.text, reply.language)
            return "queued"
        return await self.send(channel, external_id, reply)

    async def send(self, channel: str, external_id: str, reply: Reply) -> str:
        """'sent', 'queued' (the web chat fetches it), 'failed' (recorded) or 'unreachable'."""
        if channel == "whatsapp" and self.whatsapp is not None:
            return "sent" if await self.whatsapp.deliver(external_id, reply) else "failed"
        if channel == "telegram" and self.telegram is not None and await self._start_telegram():
            sent = await self.telegram.bot_data["channel"].deliver(self.telegram.bot, external_id, reply)
            return "sent" if sent else "failed"
        if channel == CHAT_CHANNEL:
            return "queued"
        return "unreachable"


def _channels(request: Request) -> Channels:
    return request.app.state.channels


def _not_configured(what: str) -> ApiError:
    return ApiError(404, "not_configured", f"the {what} is not configured on this server")


def _parse_json(body: bytes):
    try:
        return json.loads(body)
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise ApiError(400, "invalid_json", "the body is not valid JSON") from None


router = APIRouter()

# -- WhatsApp -----------------------------------------------------------------------------------------------------


@router.get("/webhooks/whatsapp", include_in_schema=False)
async def whatsapp_handshake(
    request: Request,
    mode: Annotated[str | None, Query(alias="hub.mode")] = None,
    token: Annotated[str | None, Query(alias="hub.verify_token")] = None,
    challenge: Annotated[str | None, Query(alias="hub.challenge", max_length=256)] = None,
):
    """Meta's verification handshake: echo `hub.challenge` when the verify token matches."""
    settings = _channels(request).settings
    if not settings.whatsapp_webhook_enabled:
        raise _not_configured("WhatsApp webhook")
    expected = settings.whatsapp_verify_token.get_secret_value()
    if mode != "subscribe" or not token or not hmac.compare_digest(token.encode(), expected.encode()):
        raise ApiError(403, "verification_failed", "hub.mode or hub.verify_token is wrong")
    return PlainTextResponse(challenge or "")


@router.post("/webhooks/whatsapp", include_in_schema=False)
async def whatsapp_webhook(request: Request):
    """Check the signature, acknowledge at once, answer in the background."""
    from bots.whatsapp import parse_webhook, verify_signature

    channels = _channels(request)
    if channels.whatsapp is None:
        raise _not_configured("WhatsApp webhook")
    body = await request.body()
    secret = channels.settings.whatsapp_app_secret.get_secret_value()
    if not verify_signature(secret, body, request.headers.get("x-hub-signature-256")):
        log.warning("WhatsApp webhook with a missing or wrong signature refused")
        raise ApiError(401, "bad_signature", "X-Hub-Signature-256 is missing or does not match the body")
    messages = parse_webhook(_parse_json(body))
    if messages:
        channels.spawn(channels.whatsapp.process(messages))
    return {"status": "ok", "messages": len(messages)}


# -- Telegram -------------------------------------------------------------------------------------------------------


@router.post("/webhooks/telegram", include_in_schema=False)
async def telegram_webhook(request: Request):
    """Check Telegram's secret-token header, then queue the update for the bot."""
    from telegram import Update

    channels = _channels(request)
    if channels.telegram is None:
        raise _not_configured("Telegram webhook")
    expected = channels.settings.telegram_secret_token.get_secret_value()
    given = request.headers.get(TELEGRAM_SECRET_HEADER, "")
    if not hmac.compare_digest(given.encode(), expected.encode()):
        log.warning("Telegram webhook with a missing or wrong secret token refused")
        raise ApiError(401, "bad_secret_token", "X-Telegram-Bot-Api-Secret-Token is missing or wrong")
    data = _parse_json(await request.body())
    update_id = data.get("update_id") if isinstance(data, dict) else None
    if not isinstance(update_id, int) or isinstance(update_id, bool):
        return {"status": "ignored"}  # not an update: a 4xx would only make Telegram send it again
    if not await channels._start_telegram():
        raise ApiError(503, "telegram_unavailable", "the bot cannot reach Telegram yet", {"Retry-After": "5"})
    try:
        update = Update.de_json(data, channels.telegram.bot)
    except Exception as exc:  # an update shape this library version does not know
        log.warning("Telegram update not understood: %s", type(exc).__name__)
        return {"status": "ignored"}
    await channels.telegram.update_queue.put(update)
    return {"status": "ok"}


# -- web chat -------------------------------------------------------------------------------------------------------


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


@router.get("/chat", include_in_schema=False)
async def chat_page(request: Request) -> Response:
    from web.console import PAGE_HEADERS, templates

    return templates.TemplateResponse(request, "chat.html", {}, headers=PAGE_HEADERS)


@router.post("/chat/api/messages", include_in_schema=False)
async def chat_message(body: ChatIn, request: Request):
    """One message from the web chat; the replies come back in the response."""
    if cross_origin(request):
        raise ApiError(403, "cross_origin", "the chat only takes messages from its own page")
    if not body.text.strip() and not body.button_id:
        raise ApiError(422, "empty_message", "send text or a button_id")
    channels = _channels(request)
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
    payload = {
        "duplicate": not handled,
        "replies": [
            {"text": r.text, "language": r.language, "buttons": [{"id": b.id, "title": b.title} for b in r.buttons]}
            for r in replies
        ],
    }
    return _chat_response(request, payload, user, new)


@router.get("/chat/api/updates", include_in_schema=False)
async def chat_updates(request: Request, after: Annotated[int, Query(ge=0)] = 0):
    """Staff replies to this chat since message `after` (the page polls)."""
    channels = _channels(request)
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


# -- staff hand-off ---------------------------------------------------------------------------------------------------


class HandoffReplyIn(BaseModel):
    text: str = Field(min_length=1, max_length=4000)


async def deliver_staff_reply(channels: Channels, participant_id: str, text: str, staff: StaffIdentity) -> dict:
    person = await run_in_threadpool(channels.store.staff_reply, participant_id, text)
    status = await channels.send(
        person.channel, person.external_id, Reply(staff_text(text.strip(), person.preferred_language))
    )
    log.info("staff reply by %s to %s: %s", staff.name, pseudonym(person.channel, person.external_id), status)
    return {"participant_id": person.id, "channel": person.channel, "delivery": status}


async def release_to_assistant(channels: Channels, participant_id: str) -> dict:
    person = await run_in_threadpool(channels.store.release_handoff, participant_id)
    lang = person.preferred_language if person.preferred_language in SUPPORTED_LANGUAGES else "en"
    status = await channels.send(person.channel, person.external_id, Reply(phrase("human_released", lang)))
    return {"participant_id": person.id, "delivery": status}


@router.get("/v1/handoffs", tags=["staff"])
async def handoffs(request: Request, staff: StaffIdentity = require(*READERS)) -> list[dict]:
    """Conversations handed to staff with `/human`, longest waiting first, with their recent messages."""
    return await run_in_threadpool(_channels(request).store.handoffs)


@router.post("/v1/handoffs/{participant_id}/reply", tags=["staff"])
async def handoff_reply(
    participant_id: str, body: HandoffReplyIn, request: Request, staff: StaffIdentity = require(*EDITORS)
) -> dict:
    """Answer her on her own channel (`delivery`: sent, queued for the web chat, failed and recorded)."""
    if not body.text.strip():
        raise InputError("the reply is empty")
    return await deliver_staff_reply(_channels(request), participant_id, body.text, staff)


@router.post("/v1/handoffs/{participant_id}/release", tags=["staff"])
async def handoff_release(participant_id: str, request: Request, staff: StaffIdentity = require(*EDITORS)) -> dict:
    """Give the conversation back to the assistant and tell her so."""
    return await release_to_assistant(_channels(request), participant_id)


@router.get("/v1/deliveries/failed", tags=["staff"])
async def failed_deliveries(request: Request, staff: StaffIdentity = require(*READERS)) -> list[dict]:
    """Replies a channel still refused after the retries, newest first."""
    return await run_in_threadpool(_channels(request).store.failed_deliveries)
