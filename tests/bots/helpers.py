"""Helpers the channel tests share: the webhook bodies Meta POSTs for inbound WhatsApp messages, and the
Telegram webhook's settings and POST."""

from __future__ import annotations

import time

from fastapi.testclient import TestClient
from pydantic import SecretStr

SECRET = "webhook-secret-0123456789"


def webhook(*messages: dict, statuses: list | None = None) -> dict:
    value: dict = {"messaging_product": "whatsapp", "metadata": {"phone_number_id": "PNID"}}
    if messages:
        value["messages"] = list(messages)
    if statuses:
        value["statuses"] = statuses
    change = {"field": "messages", "value": value}
    return {"object": "whatsapp_business_account", "entry": [{"id": "WABA", "changes": [change]}]}


def text(sender: str, body: str, message_id: str = "wamid.1") -> dict:
    return {
        "from": sender,
        "id": message_id,
        "timestamp": str(int(time.time())),
        "type": "text",
        "text": {"body": body},
    }


def webhook_settings(runtime, fake):
    return runtime.settings.model_copy(
        update={
            "telegram_token": SecretStr(fake.token),
            "telegram_secret_token": SecretStr(SECRET),
            "telegram_api_base": fake.url,
        }
    )


def post_update(client: TestClient, update, secret: str | None = SECRET, **kwargs):
    headers = {"X-Telegram-Bot-Api-Secret-Token": secret} if secret is not None else {}
    if "content" in kwargs:
        return client.post("/webhooks/telegram", headers={**headers, "Content-Type": "application/json"}, **kwargs)
    return client.post("/webhooks/telegram", headers=headers, json=update)
