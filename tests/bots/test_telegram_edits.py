"""A Telegram `edited_message` through the real webhook: it corrects the onboarding answer it was, and is
never read as the answer to the next question."""

from __future__ import annotations

import time

from fastapi.testclient import TestClient

from assistant.conversation import Engine
from assistant.core import Assistant
from assistant.phrases import phrase
from testkit.telegram_api import FakeTelegram
from tests.bots.helpers import post_update, webhook_settings
from web.app import create_app

CHAT = 5151


def edited(update: dict, text: str, update_id: int) -> dict:
    """Telegram's shape for an edit: a new update whose `edited_message` keeps the message's id."""
    return {
        "update_id": update_id,
        "edited_message": {**update["message"], "text": text, "edit_date": int(time.time())},
    }


def test_an_edited_country_corrects_the_country_and_the_next_step_waits(fake: FakeTelegram, runtime):
    with TestClient(create_app(webhook_settings(runtime, fake), runtime)) as client:
        post_update(client, fake.text_update(CHAT, "/start", language_code="es"))
        fake.wait_sent(2)
        post_update(client, fake.press_update(CHAT, "consent:yes", language_code="es"))
        fake.wait_sent(4)
        post_update(client, fake.text_update(CHAT, "Rosa Mamani", language_code="es"))
        country = fake.text_update(CHAT, "Peru", language_code="es")
        post_update(client, country)
        sent = fake.wait_sent(6)
        assert phrase("ask_sector", "es") in sent[-1]["text"]
        post_update(client, edited(country, "Bolivia", 900001))
        sent = fake.wait_sent(8)
        assert "Bolivia" in sent[-2]["text"] and phrase("ask_sector", "es") in sent[-1]["text"]
    state = Engine(Assistant(runtime)).load_state("telegram", str(CHAT))[0]  # kept in her conversation row
    assert state["answers"]["country"] == "Bolivia" and state["step"] == "sector"
    assert "sector" not in state["answers"]
