"""Helpers the channel tests share: the webhook bodies Meta POSTs for inbound WhatsApp messages."""

from __future__ import annotations


def webhook(*messages: dict, statuses: list | None = None) -> dict:
    value: dict = {"messaging_product": "whatsapp", "metadata": {"phone_number_id": "PNID"}}
    if messages:
        value["messages"] = list(messages)
    if statuses:
        value["statuses"] = statuses
    change = {"field": "messages", "value": value}
    return {"object": "whatsapp_business_account", "entry": [{"id": "WABA", "changes": [change]}]}


def text(sender: str, body: str, message_id: str = "wamid.1") -> dict:
    return {"from": sender, "id": message_id, "timestamp": "1700000000", "type": "text", "text": {"body": body}}
