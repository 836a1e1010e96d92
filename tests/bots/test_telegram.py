"""The Telegram bot with python-telegram-bot's real client, against a local fake of the Bot API.

Long polling (`build_application(..., polling=True)`) and the webhook inside the HTTP server
(`/webhooks/telegram`) are both driven end to end: updates go in through the fake's `getUpdates` or a POST,
replies come out as the fake's `sendMessage` calls. Nothing leaves 127.0.0.1.
"""

from __future__ import annotations

import asyncio
import datetime as dtm
import json
import time

import httpx
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from telegram import Bot
from telegram.error import EndPointNotFound, InvalidToken

from assistant.conversation import Engine, Reply
from assistant.conversation.onboarding import STEPS
from assistant.conversation.types import Button
from assistant.core import Assistant
from assistant.phrases import phrase
from assistant.storage.models import Feedback, InboundMessage
from bots.common import Relay, utf16_length
from bots.telegram import TelegramChannel, build_application
from testkit.telegram_api import FakeTelegram, button_data
from tests.bots.helpers import SECRET, post_update, webhook_settings
from web.app import create_app

CHAT = 4242
QUESTION_FR = "Comment préparer un dossier de prêt pour obtenir un crédit ?"
# One whole onboarding in French: (typed text, None) or (None, button pressed) per step.
ONBOARDING = [
    ("Aminata Diallo", None),
    ("Sénégal", None),
    ("Transformation de céréales locales", None),
    (None, "stage:early"),
    ("La comptabilité et la vente sur les marchés", None),
    ("Accéder au crédit", None),
    ("français et wolof", None),
    (None, "tz:country"),
    ("le mardi et le jeudi soir", None),
    (None, "modality:both"),
]


def count(runtime, model) -> int:
    with runtime.database.session() as s:
        return s.scalar(select(func.count()).select_from(model))


@pytest.fixture
def engine(runtime) -> Engine:
    return Engine(Assistant(runtime))


@pytest.fixture
async def polling(fake, engine, runtime):
    """The bot as `mentor telegram` runs it: long polling against the fake."""
    application = build_application(engine, runtime.store, token=fake.token, api_base=fake.url)
    await application.initialize()
    await application.start()
    await application.updater.start_polling(poll_interval=0, timeout=dtm.timedelta(seconds=1))
    try:
        yield application
    finally:
        await asyncio.wait_for(application.updater.stop(), 10)
        await asyncio.wait_for(application.stop(), 10)
        await asyncio.wait_for(application.shutdown(), 10)


class Chat:
    """One person writing to the bot through the fake server."""

    def __init__(self, fake: FakeTelegram, chat_id: int = CHAT, language_code: str = "fr") -> None:
        self.fake, self.chat_id, self.language_code = fake, chat_id, language_code
        self.presses = 0

    def _mine(self) -> list[dict]:
        return [m for m in self.fake.wait_sent(0) if m["chat"]["id"] == self.chat_id]

    async def _replies(self, before: int, expected: int) -> list[dict]:
        deadline = time.monotonic() + 15
        while len(self._mine()) < before + expected:
            assert time.monotonic() < deadline, f"waited for {expected} replies, got {self._mine()[before:]}"
            await asyncio.sleep(0.01)
        return self._mine()[before:]

    async def send(self, text: str, expected: int = 1) -> list[dict]:
        before = len(self._mine())
        self.fake.text(self.chat_id, text, self.language_code)
        return await self._replies(before, expected)

    async def press(self, data: str, expected: int = 1) -> list[dict]:
        before = len(self._mine())
        pressed = self.fake.press(self.chat_id, data, language_code=self.language_code)
        self.presses += 1
        replies = await self._replies(before, expected)
        # The spinner was stopped and the keyboard taken off the message whose button she pressed.
        assert pressed["callback_query"]["id"] in self.fake.answered
        message_id = pressed["callback_query"]["message"]["message_id"]
        assert {"chat_id": self.chat_id, "message_id": message_id}.items() <= self.fake.edits[-1].items()
        assert "reply_markup" not in self.fake.message(self.chat_id, message_id)
        return replies


def texts(messages: list[dict]) -> str:
    return "\n".join(m["text"] for m in messages)


def keyboard_rows(message: dict) -> list[list[str]]:
    return [[b["callback_data"] for b in row] for row in message["reply_markup"]["inline_keyboard"]]


# -- the fake itself ----------------------------------------------------------------------------------------------


async def test_the_fake_answers_like_the_bot_api(bot, fake):
    with pytest.raises(EndPointNotFound):
        await bot.do_api_request("noSuchMethod")
    assert fake.calls_to("noSuchMethod")[0].status == 404
    wrong = Bot("987:not-the-token", base_url=f"{fake.url}/bot")
    with pytest.raises(InvalidToken):
        await wrong.initialize()
    async with httpx.AsyncClient(base_url=f"{fake.url}/bot{fake.token}") as client:  # JSON bodies work too
        sent = (await client.post("/sendMessage", json={"chat_id": CHAT, "text": "hi"})).json()
        too_long = await client.post("/sendMessage", json={"chat_id": CHAT, "text": "🌱" * 2049})
    assert sent["ok"] and sent["result"]["text"] == "hi" and sent["result"]["chat"]["id"] == CHAT
    assert too_long.status_code == 400 and too_long.json()["description"] == "Bad Request: message is too long"


# -- long polling ----------------------------------------------------------------------------------------------


async def test_polling_onboarding_question_vote_and_forget(polling, fake, runtime):
    chat = Chat(fake)
    assert fake.calls_to("getMe") and fake.calls_to("deleteWebhook")  # what start-up asks Telegram

    greeting, consent = await chat.send("/start", expected=2)
    assert phrase("start_greeting", "fr") in greeting["text"]  # her client's language, from language_code
    assert keyboard_rows(greeting) == [["lang:fr", "lang:es"], ["lang:en"]]
    assert consent["text"] == phrase("consent_question", "fr")
    assert button_data(consent) == ["consent:yes", "consent:no"]
    assert runtime.store.participant("telegram", str(CHAT)) is None  # nothing stored before consent

    replies = await chat.press("consent:yes", expected=2)
    assert texts(replies).startswith(phrase("consent_given", "fr"))
    assert phrase("ask_name", "fr") in replies[-1]["text"]
    assert runtime.store.participant("telegram", str(CHAT)).consent

    for index, (text, button) in enumerate(ONBOARDING):
        if button is not None:
            assert button in button_data(fake.wait_sent(0)[-1]), (STEPS[index], fake.wait_sent(0)[-1])
        (reply,) = await (chat.send(text) if button is None else chat.press(button))
        if index + 1 < len(STEPS):
            assert phrase(f"ask_{STEPS[index + 1]}", "fr") in reply["text"], (STEPS[index], reply["text"])
    assert phrase("onboarding_done", "fr") in reply["text"] and "Aminata Diallo" in reply["text"]
    assert "reply_markup" not in reply
    stored = runtime.store.participant("telegram", str(CHAT))
    assert (stored.name, stored.country, stored.languages) == ("Aminata Diallo", "Sénégal", ["fr", "wo"])
    assert {"stage": "early", "timezone": "Africa/Dakar", "modality": "both"}.items() <= stored.profile.items()
    assert stored.profile["sector"] == "Transformation de céréales locales"

    (answer,) = await chat.send(QUESTION_FR)
    assert "dossier de prêt" in answer["text"] and phrase("sources", "fr") in answer["text"]
    up, down = button_data(answer)
    answer_id = up.removeprefix("vote:up:")
    assert up.startswith("vote:up:") and down == f"vote:down:{answer_id}"
    (thanks,) = await chat.press(up)
    assert thanks["text"] == phrase("vote_thanks", "fr")
    assert runtime.store.stats()["feedback"] == {"up": 1, "down": 0}
    with runtime.database.session() as s:
        vote = s.scalars(select(Feedback)).one()
        assert (vote.answer_id, vote.vote, vote.participant_id) == (answer_id, 1, stored.id)

    (confirm,) = await chat.send("/forget")
    assert confirm["text"] == phrase("forget_confirm", "fr")
    assert button_data(confirm) == ["forget:confirm", "forget:cancel"]
    (done,) = await chat.press("forget:confirm")
    assert done["text"] == phrase("forget_done", "fr")
    assert runtime.store.participant("telegram", str(CHAT)) is None
    assert count(runtime, Feedback) == 0
    assert chat.presses == 6 and len(fake.answered) == len(fake.edits) == chat.presses  # every press, once


@pytest.mark.parametrize("lang", ["fr", "es", "en"])
async def test_a_voice_message_without_a_transcriber_gets_the_type_it_reply_in_her_language(polling, fake, lang):
    fake.voice(CHAT, language_code=lang)
    (reply,) = await fake.wait_sent_async(1)
    assert reply["text"] == phrase("voice_unavailable", lang)
    assert reply["chat"]["id"] == CHAT and "reply_markup" not in reply
    assert fake.calls_to("getFile") == []  # nothing to transcribe it with: not even fetched


async def test_the_same_update_twice_is_answered_once(polling, fake, runtime):
    update = fake.text_update(CHAT, "/lang")
    fake.enqueue(update, update)  # one poll returns it twice, as a redelivery would
    (first,) = await fake.wait_sent_async(1)
    assert first["text"] == phrase("choose_language", "fr")
    await Chat(fake).send("/help")  # handled after the duplicate was seen: its reply would be here by now
    await asyncio.sleep(0.2)
    assert fake.delivered.count(update["update_id"]) == 2  # the bot really was handed it twice
    assert [m["text"] for m in fake.wait_sent(0)] == [phrase("choose_language", "fr"), phrase("help", "fr")]
    with runtime.database.session() as s:
        assert s.scalars(select(InboundMessage.message_id)).all().count(str(update["update_id"])) == 1


async def test_a_command_and_text_from_two_people_do_not_mix(polling, fake):
    ana, ben = Chat(fake, 1001, "es"), Chat(fake, 1002, "en")
    (help_es,) = await ana.send("/help")
    (help_en,) = await ben.send("/help")
    assert (help_es["text"], help_en["text"]) == (phrase("help", "es"), phrase("help", "en"))
    assert (help_es["chat"]["id"], help_en["chat"]["id"]) == (1001, 1002)


# -- sending: splitting, retries, failures --------------------------------------------------------------------------


@pytest.fixture
async def bot(fake, engine, runtime):
    """The application's real Bot, initialised against the fake (no polling, no handlers running)."""
    application = build_application(engine, runtime.store, token=fake.token, api_base=fake.url, polling=False)
    async with application.bot as initialised:
        yield initialised


@pytest.fixture
def channel(engine, runtime) -> TelegramChannel:
    return TelegramChannel(Relay(engine, runtime.store), runtime.store, attempts=3, backoff_s=0.01)


VOTES = [Button("vote:up:a1", "👍"), Button("vote:down:a1", "👎")]


async def test_a_long_answer_is_split_with_the_keyboard_on_the_last_part(bot, channel, fake, runtime):
    # Emoji count twice in Telegram's UTF-16 limit: parts that fit 4,096 Python characters would not fit.
    paragraph = " ".join(f"Crédit {i} 🌱🌍🌾🌻🌽🌿." for i in range(20))
    text = "\n\n".join(f"{n}. {paragraph}" for n in range(40))
    assert utf16_length(text) > 3 * 4096 and utf16_length(text) > 1.25 * len(text)
    assert await channel.deliver(bot, CHAT, Reply(text, VOTES))
    parts = fake.wait_sent(0)
    assert len(parts) >= 4
    assert all(utf16_length(p["text"]) <= 4096 for p in parts)
    assert [m["text"] for m in parts] == [m["text"].strip() for m in parts]
    assert " ".join(p["text"] for p in parts).split() == text.split()  # nothing lost, no word cut
    assert all("reply_markup" not in p for p in parts[:-1])
    assert keyboard_rows(parts[-1]) == [["vote:up:a1", "vote:down:a1"]]
    assert [c.status for c in fake.calls_to("sendMessage")] == [200] * len(parts)
    assert runtime.store.failed_deliveries() == []


async def test_a_send_that_fails_twice_is_retried_and_delivered_once(bot, channel, fake, runtime):
    fake.fail_next("sendMessage", 500, times=2)
    assert await channel.deliver(bot, CHAT, Reply("Bonjour", VOTES))
    assert [c.status for c in fake.calls_to("sendMessage")] == [500, 500, 200]
    (sent,) = fake.wait_sent(0)
    assert sent["text"] == "Bonjour" and button_data(sent) == ["vote:up:a1", "vote:down:a1"]
    assert runtime.store.failed_deliveries() == []


async def test_too_many_requests_waits_as_telegram_says(bot, channel, fake):
    fake.fail_next("sendMessage", 429, retry_after=1)
    started = time.monotonic()
    assert await channel.deliver(bot, CHAT, Reply("Bonjour"))
    assert time.monotonic() - started >= 0.9  # retry_after, not the 10 ms backoff
    assert [c.status for c in fake.calls_to("sendMessage")] == [429, 200]
    assert len(fake.wait_sent(0)) == 1


async def test_a_send_that_always_fails_is_recorded(bot, channel, fake, runtime):
    fake.fail_next("sendMessage", 500, times=100)
    assert not await channel.deliver(bot, CHAT, Reply("Votre réponse"))
    assert [c.status for c in fake.calls_to("sendMessage")] == [500] * channel.attempts
    assert fake.wait_sent(0) == []
    (failed,) = runtime.store.failed_deliveries()
    assert (failed["channel"], failed["text"]) == ("telegram", "Votre réponse")
    assert "Internal Server Error" in failed["error"]
    assert not failed["can_resend"]  # she never consented: her chat id is not kept


async def test_a_bad_request_is_not_retried_but_recorded(bot, channel, fake, runtime):
    fake.fail_next("sendMessage", 400, description="Bad Request: chat not found")
    assert not await channel.deliver(bot, CHAT, Reply("Bonjour"))
    assert [c.status for c in fake.calls_to("sendMessage")] == [400]  # sending it again cannot help
    (failed,) = runtime.store.failed_deliveries()
    assert "chat not found" in failed["error"].lower()


async def test_a_failed_part_stops_the_rest(bot, channel, fake, runtime):
    text = "\n\n".join("mot " * 900 for _ in range(3))  # three parts
    fake.fail_next("sendMessage", 500, times=2)  # the first part gets through on the third try
    fake.fail_next("sendMessage", 500, times=3, after=1)  # the second never does
    assert not await channel.deliver(bot, CHAT, Reply(text, VOTES))
    assert [c.status for c in fake.calls_to("sendMessage")] == [500, 500, 200, 500, 500, 500]
    (first,) = fake.wait_sent(0)
    assert "reply_markup" not in first
    assert len(runtime.store.failed_deliveries()) == 1


# -- the webhook inside the HTTP server --------------------------------------------------------------------------


@pytest.fixture
def webhook(fake, runtime):
    """The HTTP server with the Telegram webhook on, the bot talking to the fake."""
    with TestClient(create_app(webhook_settings(runtime, fake), runtime)) as client:
        yield client


def test_webhook_update_is_answered_through_the_bot_api(webhook, fake, runtime):
    assert fake.calls_to("getMe")  # the bot was initialised in the server's lifespan
    update = fake.text_update(CHAT, "/start", language_code="es")
    response = post_update(webhook, update)
    assert response.status_code == 200 and response.json() == {"status": "ok"}
    greeting, consent = fake.wait_sent(2)
    assert phrase("start_greeting", "es") in greeting["text"]
    assert consent["text"] == phrase("consent_question", "es")
    assert button_data(consent) == ["consent:yes", "consent:no"]
    assert greeting["chat"]["id"] == consent["chat"]["id"] == CHAT

    # Telegram redelivers when it thinks the first try failed: answered once.
    assert post_update(webhook, update).status_code == 200
    assert post_update(webhook, fake.text_update(CHAT, "/help", language_code="es")).status_code == 200
    *_, last = fake.wait_sent(3)
    time.sleep(0.2)
    assert last["text"] == phrase("help", "es") and len(fake.wait_sent(0)) == 3
    assert count(runtime, InboundMessage) == 2


def test_webhook_answers_200_once_the_update_is_answered(webhook, fake, runtime):
    """Telegram resends an update until it gets a 200: the 200 comes after the reply, so a worker killed
    mid-answer never acknowledged it and another answers the resent update."""
    response = post_update(webhook, fake.text_update(CHAT, "/start", language_code="en"))
    assert response.status_code == 200
    assert len(fake.wait_sent(0)) == 2  # greeting and consent question already sent, no waiting


def test_webhook_button_press_removes_the_keyboard_and_answers(webhook, fake, runtime):
    post_update(webhook, fake.text_update(CHAT, "/start", language_code="en"))
    fake.wait_sent(2)
    response = post_update(webhook, fake.press_update(CHAT, "consent:yes", language_code="en"))
    assert response.status_code == 200
    replies = fake.wait_sent(4)[2:]
    assert replies[0]["text"] == phrase("consent_given", "en")
    assert runtime.store.participant("telegram", str(CHAT)).consent
    assert len(fake.answered) == 1 and fake.edits and "reply_markup" not in fake.wait_sent(0)[1]


@pytest.mark.parametrize("secret", [None, "", "wrong-secret", SECRET + "x"])
def test_webhook_without_the_right_secret_is_refused_and_nothing_happens(webhook, fake, runtime, secret):
    response = post_update(webhook, fake.text_update(CHAT, "/start"), secret=secret)
    assert response.status_code == 401
    assert response.json()["code"] == "bad_secret_token"
    time.sleep(0.3)
    assert fake.wait_sent(0) == [] and count(runtime, InboundMessage) == 0
    assert runtime.store.participant("telegram", str(CHAT)) is None


@pytest.mark.parametrize("body", [b"{not json", b"", b"\x80\x81\x82", b'{"update_id": 1,'])
def test_webhook_malformed_json_is_a_400_never_a_500(webhook, fake, runtime, body):
    response = post_update(webhook, None, content=body)
    assert response.status_code == 400
    assert response.json()["code"] == "invalid_json"
    assert count(runtime, InboundMessage) == 0


@pytest.mark.parametrize(
    "body",
    [
        {"hello": "world"},
        [1, 2, 3],
        "update",
        42,
        None,
        {"update_id": "7", "message": {}},
        {"update_id": True},
        {"update_id": 7, "message": "not a message"},
        {"update_id": 8, "message": {"message_id": "x"}},
    ],
)
def test_webhook_json_that_is_not_an_update_is_ignored(webhook, fake, runtime, body):
    response = post_update(webhook, None, content=json.dumps(body).encode())
    assert response.status_code == 200, response.text
    # Anything that reached the bot produced nothing: the next real update is the first answered.
    post_update(webhook, fake.text_update(CHAT, "/help", language_code="en"))
    (reply,) = fake.wait_sent(1)
    time.sleep(0.2)
    assert reply["text"] == phrase("help", "en") and len(fake.wait_sent(0)) == 1
    assert count(runtime, InboundMessage) == 1


def test_human_then_a_staff_reply_from_the_console_reaches_her_on_telegram(webhook, fake, runtime):
    store = runtime.store
    person = store.give_consent("telegram", str(CHAT), language="es")
    store.set_handed_to_staff("telegram", str(CHAT))
    token = store.create_token("lucia", "staff")
    webhook.post("/staff/login", data={"token": token}, follow_redirects=False)
    response = webhook.post(
        f"/staff/handoffs/{person.id}/reply", data={"text": "Hola, soy Lucía del equipo."}, follow_redirects=False
    )
    assert response.status_code == 303 and response.headers["location"] == "/staff/handoffs?done=sent"
    (sent,) = fake.wait_sent(1)
    assert sent["chat"]["id"] == CHAT
    assert sent["text"] == phrase("staff_says", "es") + "\nHola, soy Lucía del equipo."


def test_the_server_starts_while_telegram_is_down_and_the_bot_starts_on_a_later_update(fake, runtime):
    fake.fail_next("getMe", 502, times=1)  # Telegram is unreachable when the server starts
    with TestClient(create_app(webhook_settings(runtime, fake), runtime)) as client:
        assert client.get("/healthz").status_code == 200  # the rest of the server works
        response = post_update(client, fake.text_update(CHAT, "/help", language_code="fr"))
        assert response.status_code == 200  # the bot started on this update
        (reply,) = fake.wait_sent(1)
        assert reply["text"] == phrase("help", "fr")
    assert [c.status for c in fake.calls_to("getMe")][:2] == [502, 200]
