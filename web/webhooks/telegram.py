"""The Telegram webhook: Telegram's secret-token header checked, then the update handled by the bot, the 200
given once it is answered (or after the wait)."""

from __future__ import annotations

import asyncio
import hmac
import logging

from fastapi import APIRouter, Request

from web.auth import ApiError
from web.deps import ChannelsDep
from web.schemas import WebhookAck
from web.webhooks.common import not_configured, parse_json

log = logging.getLogger(__name__)
router = APIRouter(include_in_schema=False)

TELEGRAM_SECRET_HEADER = "x-telegram-bot-api-secret-token"


@router.post("/webhooks/telegram", response_model=WebhookAck, response_model_exclude_unset=True)
async def telegram_webhook(request: Request, channels: ChannelsDep):
    """Check Telegram's secret-token header, then queue the update for the bot."""
    # python-telegram-bot is heavy and only needed when the Telegram webhook is configured.
    from telegram import Update

    from bots.telegram import unreadable

    if channels.telegram is None:
        raise not_configured("Telegram webhook")
    expected = channels.settings.telegram_secret_token.get_secret_value()
    given = request.headers.get(TELEGRAM_SECRET_HEADER, "")
    if not hmac.compare_digest(given.encode(), expected.encode()):
        log.warning("Telegram webhook with a missing or wrong secret token refused")
        raise ApiError(401, "bad_secret_token", "X-Telegram-Bot-Api-Secret-Token is missing or wrong")
    data = parse_json(await request.body())
    update_id = data.get("update_id") if isinstance(data, dict) else None
    if not isinstance(update_id, int) or isinstance(update_id, bool):
        return {"status": "ignored"}  # not an update: a 4xx would only make Telegram send it again
    if not await channels.start_telegram():
        raise ApiError(503, "telegram_unavailable", "the bot cannot reach Telegram yet", {"Retry-After": "5"})
    try:
        update = Update.de_json(data, channels.telegram.bot)
    except Exception as exc:  # a field missing, or a shape this library version does not know
        log.warning("Telegram update %d not understood: %s", update_id, unreadable(data, exc))
        return {"status": "ignored"}
    if update.effective_message is not None and update.effective_chat is None:
        log.warning("Telegram update %d not understood: %s", update_id, unreadable(data))
        return {"status": "ignored"}
    # Processed now rather than queued, and acknowledged once answered (at most MENTOR_WEBHOOK_ACK_WAIT_S):
    # Telegram sends an update again until it gets a 200, so a worker killed mid-answer leaves it to another
    # (the relay knows it was begun, not finished).
    task = channels.spawn(channels.telegram.process_update(update))
    wait = channels.settings.webhook_ack_wait_s
    message = update.effective_message
    heard = message is not None and (message.voice is not None or message.audio is not None)  # seconds of work
    if wait > 0 and not heard:
        await asyncio.wait({task}, timeout=wait)  # never cancels it: past the wait it goes on alone
    return {"status": "ok"}
