"""👎 asks why on each channel, through the real server on loopback: the web chat, the WhatsApp webhook
(signed, a local Graph API that checks Meta's limits) and the Telegram webhook (a local Bot API); the reason
and the comment reach the staff console."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from assistant.phrases import phrase
from assistant.storage.answers import FEEDBACK_REASONS
from testkit.graph_api import FakeGraph
from testkit.loopback import serve
from testkit.telegram_api import FakeTelegram, button_data
from tests.bots.helpers import post_update, text, webhook, webhook_settings
from tests.web.helpers import main_of, sign_in
from tests.web.whatsapp import QUESTION, Server, whatsapp_settings
from web.app import create_app


def chat(api, text: str = "", button: str | None = None) -> list[dict]:
    body = {"text": text, **({"button_id": button} if button else {})}
    response = api.post("/chat/api/messages", json=body)
    assert response.status_code == 200, response.text
    return response.json()["replies"]


def test_web_chat_thumbs_down_reason_and_comment_reach_the_console(api, tokens):
    [answer] = chat(api, QUESTION, None)
    down = answer["buttons"][1]["id"]
    [why] = chat(api, "", down)
    assert why["text"] == phrase("feedback_why", "en")
    assert [b["title"] for b in why["buttons"]] == [phrase(f"feedback_reason_{r}", "en") for r in FEEDBACK_REASONS]
    [asked] = chat(api, "", next(b["id"] for b in why["buttons"] if b["id"].endswith(":not_asked")))
    assert asked["text"] == phrase("feedback_ask_comment", "en")
    [saved] = chat(api, "I asked about <b>savings</b> groups")
    assert saved["text"] == phrase("feedback_comment_saved", "en")
    sign_in(api, tokens["staff"])
    page = main_of(api.get("/staff/feedback").text)
    assert "Not what I asked" in page and "I asked about &lt;b&gt;savings&lt;/b&gt; groups" in page
    assert "Reasons given:" in page
    listed = api.get("/v1/feedback", headers={"Authorization": f"Bearer {tokens['staff']}"}).json()
    assert listed[0]["reason"] == "not_asked"


def test_the_api_takes_a_reason_and_refuses_an_unknown_one(api):
    answer = api.post("/v1/ask", json={"question": QUESTION}).json()
    ok = api.post("/v1/feedback", json={"answer_id": answer["answer_id"], "vote": "down", "reason": "too_long"})
    assert ok.status_code == 201
    bad = api.post("/v1/feedback", json={"answer_id": answer["answer_id"], "vote": "down", "reason": "boring"})
    assert bad.status_code == 422


@pytest.fixture
def whatsapp(api_runtime):
    graph = FakeGraph(validate=True)  # refuses what Meta would: 5 reasons must come as a valid list
    with serve(graph.app, name="graph") as graph_url:
        settings = whatsapp_settings(api_runtime.settings, f"{graph_url}/v21.0")
        with serve(create_app(settings, api_runtime), name="mentor") as url:
            yield Server(url, graph, api_runtime)


def list_reply(sender: str, message_id: str, row_id: str) -> dict:
    reply = {"type": "list_reply", "list_reply": {"id": row_id, "title": "…", "description": "…"}}
    return {"from": sender, "id": message_id, "type": "interactive", "interactive": reply}


def button_reply(sender: str, message_id: str, button_id: str) -> dict:
    reply = {"type": "button_reply", "button_reply": {"id": button_id, "title": "…"}}
    return {"from": sender, "id": message_id, "type": "interactive", "interactive": reply}


def test_whatsapp_thumbs_down_offers_the_reasons_as_a_list_and_stores_the_choice(whatsapp):
    number = "59171230001"  # Bolivia: Spanish
    whatsapp.post(webhook(text(number, "¿Cómo participo en una feria comercial?", "wamid.f1")))
    [answer] = whatsapp.graph.wait_for(number, 1)
    down = next(i for i in answer.button_ids if i.startswith("vote:down:"))
    whatsapp.post(webhook(button_reply(number, "wamid.f2", down)))
    why = whatsapp.graph.wait_for(number, 2)[-1]
    assert why.payload["interactive"]["type"] == "list" and why.text == phrase("feedback_why", "es")
    rows = why.payload["interactive"]["action"]["sections"][0]["rows"]
    assert [r["title"] for r in rows] == [phrase(f"feedback_reason_{r}", "es") for r in FEEDBACK_REASONS]
    whatsapp.post(webhook(list_reply(number, "wamid.f3", rows[3]["id"])))  # in another language
    assert whatsapp.graph.wait_for(number, 3)[-1].text == phrase("feedback_ask_comment", "es")
    whatsapp.post(webhook(text(number, "Me respondió en inglés", "wamid.f4")))
    assert whatsapp.graph.wait_for(number, 4)[-1].text == phrase("feedback_comment_saved", "es")
    [item] = whatsapp.runtime.store.negative_feedback()
    assert (item["reason"], item["comment"]) == ("language", "Me respondió en inglés")
    assert whatsapp.graph.invalid == []


@pytest.fixture
def telegram(api_runtime):
    fake = FakeTelegram()
    with serve(fake, name="fake-telegram") as url:
        fake.url = url
        with TestClient(create_app(webhook_settings(api_runtime, fake), api_runtime)) as client:
            yield client, fake


def test_telegram_thumbs_down_then_a_typed_reason(telegram, api_runtime):
    client, fake = telegram
    chat_id = 5151
    post_update(client, fake.text_update(chat_id, "Comment préparer un dossier de prêt ?", language_code="fr"))
    [answer] = fake.wait_sent(1)
    down = next(d for d in button_data(answer) if d.startswith("vote:down:"))
    post_update(client, fake.press_update(chat_id, down, language_code="fr"))
    why = fake.wait_sent(2)[-1]
    assert why["text"] == phrase("feedback_why", "fr")
    assert [d.rsplit(":", 1)[1] for d in button_data(why)] == list(FEEDBACK_REASONS)
    post_update(client, fake.text_update(chat_id, "trop long", language_code="fr"))  # typed, not pressed
    assert fake.wait_sent(3)[-1]["text"] == phrase("feedback_ask_comment", "fr")
    post_update(client, fake.press_update(chat_id, button_data(fake.wait_sent(3)[-1])[0], language_code="fr"))
    assert fake.wait_sent(4)[-1]["text"] == phrase("vote_thanks", "fr")
    [item] = api_runtime.store.negative_feedback()
    assert (item["reason"], item["comment"]) == ("too_long", None)
