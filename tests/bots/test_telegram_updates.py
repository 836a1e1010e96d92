"""Telegram updates the bot cannot answer, through the webhook in the real server and a local Bot API: a
button under an inline-mode message (no chat) is acknowledged without an ERROR, and an update with a field
missing is logged with its update_id and that field, never with what she wrote."""

from __future__ import annotations

import json
import logging
import time

import pytest
from fastapi.testclient import TestClient

from bots.telegram import unreadable
from tests.bots.helpers import post_update, webhook_settings
from web.app import create_app

CHAT = 6262
PRIVATE = "Me llamo Rosa Quispe y vendo tejidos en El Alto"


@pytest.fixture
def webhook(fake, runtime):
    with TestClient(create_app(webhook_settings(runtime, fake), runtime)) as client:
        yield client


def inline_callback(update_id: int) -> dict:
    """A press on a button under a message sent in inline mode: `inline_message_id`, no `message`."""
    user = {"id": CHAT, "is_bot": False, "first_name": "Rosa", "language_code": "es"}
    query = {"id": "cbq-inline-1", "from": user, "chat_instance": "-7", "inline_message_id": "AAAA", "data": "lang:es"}
    return {"update_id": update_id, "callback_query": query}


def test_a_callback_without_a_message_is_acknowledged_and_logs_no_error(webhook, fake, caplog):
    caplog.set_level(logging.INFO)
    response = post_update(webhook, inline_callback(9001))
    assert response.status_code == 200
    deadline = time.monotonic() + 10
    while "cbq-inline-1" not in fake.answered:  # her spinner stops
        assert time.monotonic() < deadline
        time.sleep(0.02)
    time.sleep(0.2)
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR], caplog.text
    assert any("9001" in r.getMessage() and "without a message" in r.getMessage() for r in caplog.records)
    assert fake.wait_sent(0) == []


def _message(**fields) -> dict:
    base = {"message_id": 1, "date": 1700000000, "chat": {"id": CHAT, "type": "private", "first_name": "Rosa"},
            "from": {"id": CHAT, "is_bot": False, "first_name": "Rosa"}, "text": PRIVATE}  # fmt: skip
    return {k: v for k, v in {**base, **fields}.items() if v is not None}


@pytest.mark.parametrize(
    ("message", "missing"),
    [
        (_message(date=None), "'date'"),
        (_message(chat={"id": CHAT, "first_name": "Rosa"}), "'type'"),
        (_message(chat=None), "'chat'"),
        (PRIVATE, "message is not an object"),
    ],
    ids=["no-date", "chat-without-type", "no-chat", "not-an-object"],
)
def test_an_update_not_understood_is_logged_with_its_id_and_the_missing_field_only(
    webhook, fake, caplog, message, missing
):
    caplog.set_level(logging.INFO)
    response = post_update(webhook, None, content=json.dumps({"update_id": 7007, "message": message}).encode())
    assert response.status_code == 200 and response.json() == {"status": "ignored"}
    [warning] = [r for r in caplog.records if "not understood" in r.getMessage()]
    assert "7007" in warning.getMessage() and missing in warning.getMessage()
    assert "Rosa" not in caplog.text and "tejidos" not in caplog.text
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]


def test_unreadable_names_the_kind_and_field():
    assert unreadable({"update_id": 1, "message": {}}, KeyError("date")) == "message: missing field 'date'"
    error = TypeError("_ChatBase.__init__() missing 1 required positional argument: 'type'")
    assert unreadable({"update_id": 1, "message": {}}, error) == "message: missing field 'type'"
    assert unreadable({"update_id": 1}) == "no content besides update_id"
    assert unreadable({"update_id": 1, "poll": {}}, ValueError("Rosa")) == "poll: ValueError"
