"""Helpers the WhatsApp webhook tests share: the server's WhatsApp settings, a client that signs what it
POSTs the way Meta does, and the payload of an inbound voice note."""

from __future__ import annotations

import json
import time

import httpx
from pydantic import SecretStr
from sqlalchemy import func, select

from bots.whatsapp import sign
from testkit.graph_api import TOKEN, FakeGraph

SECRET = "meta-app-secret"
VERIFY = "verify-me"
QUESTION = "How do I prepare a loan file to obtain credit?"


def whatsapp_settings(settings, graph_url: str):
    return settings.model_copy(
        update={
            "whatsapp_token": SecretStr(TOKEN),
            "whatsapp_phone_number_id": "PNID",
            "whatsapp_app_secret": SecretStr(SECRET),
            "whatsapp_verify_token": SecretStr(VERIFY),
            "whatsapp_api_base": graph_url,
            "channel_backoff_s": 0.01,
        }
    )


def audio(sender: str, message_id: str, media_id: str) -> dict:
    note = {"mime_type": "audio/ogg; codecs=opus", "sha256": "x", "id": media_id, "voice": True}
    return {"from": sender, "id": message_id, "timestamp": str(int(time.time())), "type": "audio", "audio": note}


class Server:
    def __init__(self, url: str, graph: FakeGraph, runtime) -> None:
        self.url, self.graph, self.runtime = url, graph, runtime

    def post(self, payload, signature: str | None = "auto", raw: bytes | None = None) -> httpx.Response:
        body = raw if raw is not None else json.dumps(payload).encode()
        headers = {"Content-Type": "application/json"}
        if signature == "auto":
            headers["X-Hub-Signature-256"] = sign(SECRET, body)
        elif signature is not None:
            headers["X-Hub-Signature-256"] = signature
        return httpx.post(f"{self.url}/webhooks/whatsapp", content=body, headers=headers, timeout=30)

    def count(self, model) -> int:
        with self.runtime.database.session() as s:
            return s.scalar(select(func.count()).select_from(model))

    def settle(self, seconds: float = 0.5) -> None:
        """Give background work a moment (used only where the test expects that nothing happens)."""
        time.sleep(seconds)
