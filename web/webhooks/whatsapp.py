"""The WhatsApp Cloud API webhook: Meta's verification handshake, then signed message deliveries, processed
in a background task that the 200 waits for, up to `MENTOR_WEBHOOK_ACK_WAIT_S`: a worker killed before it
answered never sent its 200, so Meta redelivers, and another worker answers (the relay knows the message
was begun but not finished). Past the wait the 200 goes and the task goes on."""

from __future__ import annotations

import asyncio
import hmac
import logging
from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import PlainTextResponse

from assistant import Message
from bots.whatsapp import parse_events, verify_signature
from web.auth import ApiError
from web.deps import ChannelsDep
from web.schemas import WebhookAck
from web.webhooks.common import not_configured, parse_json

log = logging.getLogger(__name__)
router = APIRouter(include_in_schema=False)


@router.get("/webhooks/whatsapp")
async def whatsapp_handshake(
    channels: ChannelsDep,
    mode: Annotated[str | None, Query(alias="hub.mode")] = None,
    token: Annotated[str | None, Query(alias="hub.verify_token")] = None,
    challenge: Annotated[str | None, Query(alias="hub.challenge", max_length=256)] = None,
):
    """Meta's verification handshake: echo `hub.challenge` when the verify token matches."""
    settings = channels.settings
    if not settings.whatsapp_webhook_enabled:
        raise not_configured("WhatsApp webhook")
    expected = settings.whatsapp_verify_token.get_secret_value()
    if mode != "subscribe" or not token or not hmac.compare_digest(token.encode(), expected.encode()):
        raise ApiError(403, "verification_failed", "hub.mode or hub.verify_token is wrong")
    return PlainTextResponse(challenge or "")


@router.post("/webhooks/whatsapp", response_model=WebhookAck, response_model_exclude_unset=True)
async def whatsapp_webhook(request: Request, channels: ChannelsDep):
    """Check the signature, answer in the background, acknowledge once answered (or after the wait)."""
    if channels.whatsapp is None:
        raise not_configured("WhatsApp webhook")
    body = await request.body()
    secret = channels.settings.whatsapp_app_secret.get_secret_value()
    if not verify_signature(secret, body, request.headers.get("x-hub-signature-256")):
        log.warning("WhatsApp webhook with a missing or wrong signature refused")
        raise ApiError(401, "bad_signature", "X-Hub-Signature-256 is missing or does not match the body")
    events = parse_events(parse_json(body))
    if events:
        task = channels.spawn(channels.whatsapp.process(events))
        wait = channels.settings.webhook_ack_wait_s
        # A voice note takes seconds to fetch and transcribe: Meta gets its 200 at once (README "Voice notes").
        heard = any(isinstance(e, Message) and e.voice is not None for e in events)
        if wait > 0 and not heard:
            await asyncio.wait({task}, timeout=wait)  # never cancels it: past the wait it goes on alone
    return {"status": "ok", "messages": sum(isinstance(e, Message) for e in events)}
