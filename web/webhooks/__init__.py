"""The messaging platforms' webhooks. Each checks its signature or secret first (401, nothing read further),
answers 200 at once and lets the engine work in background tasks on the app's `Channels`."""

from __future__ import annotations

from fastapi import APIRouter

from web.webhooks import telegram, whatsapp

router = APIRouter(include_in_schema=False)
router.include_router(whatsapp.router)
router.include_router(telegram.router)
