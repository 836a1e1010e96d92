"""The WhatsApp webhook in the real HTTP server on loopback, replying through a local Graph API server:
the handshake, signatures, bad payloads, redeliveries, retries and a whole conversation."""

from __future__ import annotations

import asyncio
import json
import logging
import time

import httpx
import pytest

from assistant.phrases import phrase
from assistant.storage.models import AnswerRecord, FailedDelivery, InboundMessage, Participant
from bots.whatsapp import sign
from testkit.graph_api import TOKEN, FakeGraph
from testkit.loopback import serve
from tests.bots.helpers import text, webhook
from tests.web.whatsapp import QUESTION, SECRET, VERIFY, Server, whatsapp_settings
from web.app import create_app


def button(sender: str, message_id: str, button_id: str) -> dict:
    reply = {"type": "button_reply", "button_reply": {"id": button_id, "title": "…"}}
    return {"from": sender, "id": message_id, "type": "interactive", "interactive": reply}


@pytest.fixture
def server(api_runtime):
    graph = FakeGraph()
    with serve(graph.app, name="graph") as graph_url:
        settings = whatsapp_settings(api_runtime.settings, f"{graph_url}/v21.0")
        with serve(create_app(settings, api_runtime), name="mentor") as url:
            yield Server(url, graph, api_runtime)


# -- the verification handshake --------------------------------------------------------------------------------


def test_handshake_echoes_the_challenge(server):
    params = {"hub.mode": "subscribe", "hub.verify_token": VERIFY, "hub.challenge": "1158201444"}
    response = httpx.get(f"{server.url}/webhooks/whatsapp", params=params)
    assert response.status_code == 200 and response.text == "1158201444"


@pytest.mark.parametrize(
    "params",
    [
        {"hub.mode": "subscribe", "hub.verify_token": "wrong", "hub.challenge": "1"},
        {"hub.mode": "unsubscribe", "hub.verify_token": VERIFY, "hub.challenge": "1"},
        {"hub.challenge": "1"},
    ],
)
def test_handshake_with_a_wrong_token_is_refused(server, params):
    response = httpx.get(f"{server.url}/webhooks/whatsapp", params=params)
    assert response.status_code == 403 and response.json()["code"] == "verification_failed"


def test_webhook_is_off_without_its_settings(api):
    assert api.get("/webhooks/whatsapp", params={"hub.mode": "subscribe"}).status_code == 404
    assert api.post("/webhooks/whatsapp", json=webhook(text("1", "hi"))).status_code == 404


# -- signatures: 401 and nothing processed ------------------------------------------------------------------------


@pytest.mark.parametrize("signature", [None, "", "sha256=" + "0" * 64, "sha256=nothex", sign("wrong-secret", b"{}")])
def test_forged_or_missing_signatures_are_401_and_nothing_happens(server, signature):
    response = server.post(webhook(text("22177000001", QUESTION, "wamid.forged")), signature=signature)
    assert response.status_code == 401 and response.json()["code"] == "bad_signature"
    server.settle()
    assert server.graph.attempts == 0
    assert server.count(InboundMessage) == 0 and server.count(AnswerRecord) == 0 and server.count(Participant) == 0


def test_a_signature_over_another_body_is_refused(server):
    genuine = json.dumps(webhook(text("22177000001", "hello", "wamid.g"))).encode()
    tampered = genuine.replace(b"hello", b"HELLO")
    assert server.post(None, signature=sign(SECRET, genuine), raw=tampered).status_code == 401


# -- bad payloads: never 500, nothing stored ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "raw",
    [b"{not json", b'{"object": "whatsapp_business_account", "entry": [', b"", "é".encode("latin-1")],
    ids=["malformed", "truncated", "empty", "not-utf8"],
)
def test_malformed_json_is_400(server, raw):
    response = server.post(None, raw=raw)
    assert response.status_code == 400 and response.json()["code"] == "invalid_json"
    server.settle(0.2)
    assert server.count(InboundMessage) == 0 and server.graph.attempts == 0


@pytest.mark.parametrize(
    "payload",
    [
        {"unexpected": True},
        [1, 2, 3],
        webhook(statuses=[{"id": "wamid.out.1", "status": "read", "recipient_id": "22177000001"}]),
        webhook(text("22177000001", "")),
        webhook({"from": "22177000001", "id": "wamid.react", "type": "reaction", "reaction": {"emoji": "❤"}}),
    ],
    ids=["unknown-shape", "a-list", "status-callback", "no-text", "reaction"],
)
def test_payloads_with_nothing_to_answer_are_200_and_store_nothing(server, payload):
    response = server.post(payload)
    assert response.status_code == 200 and response.json() == {"status": "ok", "messages": 0}
    server.settle()
    assert server.count(InboundMessage) == 0 and server.graph.attempts == 0


# -- conversations ---------------------------------------------------------------------------------------------------


def test_a_question_is_answered_with_vote_buttons(server):
    started = time.monotonic()
    response = server.post(webhook(text("15145550001", QUESTION, "wamid.q1")))
    assert response.status_code == 200 and response.json()["messages"] == 1
    assert time.monotonic() - started < 5  # acknowledged without waiting for the answer (generous: shared CI)
    [answer] = server.graph.wait_for("15145550001", 1)
    assert "Sources:" in answer.text and answer.button_ids[0].startswith("vote:up:")
    server.post(webhook(button("15145550001", "wamid.q2", answer.button_ids[0])))
    thanks = server.graph.wait_for("15145550001", 2)[-1]
    assert thanks.text == phrase("vote_thanks", "en")


def test_start_consent_and_onboarding_over_whatsapp_in_spanish(server):
    number = "59171234567"  # Bolivia: Spanish before she says anything
    server.post(webhook(text(number, "/start", "wamid.s1")))
    greeting, consent = server.graph.wait_for(number, 2)
    assert greeting.button_ids == ["lang:fr", "lang:es", "lang:en"] and "Hola" in greeting.text
    assert consent.button_ids == ["consent:yes", "consent:no"]
    server.post(webhook(button(number, "wamid.s2", "consent:yes")))
    asked = server.graph.wait_for(number, 4)
    assert phrase("ask_name", "es") in asked[-1].text
    server.post(webhook(text(number, "12345", "wamid.s3")))  # a number where her name is expected
    again = server.graph.wait_for(number, 5)[-1]
    assert phrase("invalid_name", "es") in again.text
    server.post(webhook(text(number, "Rosa Quispe", "wamid.s4")))
    assert phrase("ask_country", "es") in server.graph.wait_for(number, 6)[-1].text
    assert server.runtime.store.participant("whatsapp", number).consent


@pytest.mark.parametrize("kind", ["image", "sticker", "location", "document"])  # audio: test_whatsapp_voice.py
def test_media_gets_a_polite_reply_in_her_language(server, kind):
    number = "22177000009"  # Senegal: French
    server.post(webhook({"from": number, "id": f"wamid.{kind}", "type": kind, kind: {"id": "M"}}))
    [reply] = server.graph.wait_for(number, 1)
    assert reply.text == phrase("only_text", "fr")


def test_the_same_message_delivered_five_times_at_once_is_answered_once(server):
    body = json.dumps(webhook(text("22177000002", QUESTION, "wamid.dup"))).encode()
    headers = {"Content-Type": "application/json", "X-Hub-Signature-256": sign(SECRET, body)}

    async def redeliver() -> list[int]:
        async with httpx.AsyncClient(timeout=30) as http:
            responses = await asyncio.gather(
                *(http.post(f"{server.url}/webhooks/whatsapp", content=body, headers=headers) for _ in range(5))
            )
        return [r.status_code for r in responses]

    assert asyncio.run(redeliver()) == [200] * 5  # Meta gets its 200 each time
    server.graph.wait_for("22177000002", 1)
    server.settle(1.0)
    assert len(server.graph.to("22177000002")) == 1
    assert server.count(AnswerRecord) == 1


def test_a_message_replayed_after_the_dedup_window_is_refused_by_its_timestamp(server):
    """Its id was pruned after 7 days, so only its own timestamp tells the replay apart (issue 19, point 13)."""
    eight_days_ago = str(int(time.time()) - 8 * 24 * 3600)
    old = {**text("22177000012", QUESTION, "wamid.replayed"), "timestamp": eight_days_ago}
    response = server.post(webhook(old))
    assert response.status_code == 200 and response.json() == {"status": "ok", "messages": 0}  # no retry storm
    server.settle(1.0)
    assert server.graph.attempts == 0 and server.count(InboundMessage) == 0 and server.count(AnswerRecord) == 0
    # The same message sent now is answered: only the age was refused.
    assert server.post(webhook(text("22177000012", QUESTION, "wamid.fresh"))).json()["messages"] == 1
    server.graph.wait_for("22177000012", 1)


def test_graph_failing_twice_then_ok_delivers_the_reply_once(server):
    server.graph.fail_next(500, times=2)
    server.post(webhook(text("22177000003", "/help", "wamid.retry")))
    [reply] = server.graph.wait_for("22177000003", 1)
    assert reply.text == phrase("help", "fr")
    server.settle(0.5)
    assert server.graph.attempts == 3 and len(server.graph.to("22177000003")) == 1
    assert server.count(FailedDelivery) == 0


def test_a_reply_that_keeps_failing_is_recorded_without_her_number(server):
    server.graph.fail_next(503, times=50)
    server.post(webhook(text("22177000004", "/help", "wamid.fail")))
    deadline = time.monotonic() + 20
    while not server.runtime.store.failed_deliveries() and time.monotonic() < deadline:
        time.sleep(0.05)
    [failed] = server.runtime.store.failed_deliveries()
    assert failed["channel"] == "whatsapp" and failed["text"] == phrase("help", "fr")
    assert "503" in failed["error"] and not failed["can_resend"]  # no consent: her number is not kept
    assert "22177000004" not in json.dumps(failed)


def test_human_then_a_staff_reply_from_the_api_reaches_her_on_whatsapp(server):
    number = "22177000005"
    store = server.runtime.store
    server.post(webhook(text(number, "/start", "wamid.h1")))
    server.graph.wait_for(number, 2)
    server.post(webhook(button(number, "wamid.h2", "consent:yes")))
    server.graph.wait_for(number, 4)
    server.post(webhook(text(number, "/human", "wamid.h3")))
    assert server.graph.wait_for(number, 5)[-1].text == phrase("human_handed", "fr")
    token = store.create_token("claire", "staff")
    [waiting] = httpx.get(f"{server.url}/v1/handoffs", headers={"Authorization": f"Bearer {token}"}).json()
    response = httpx.post(
        f"{server.url}/v1/handoffs/{waiting['participant_id']}/reply",
        json={"text": "Bonjour, ici Claire de l'équipe."},
        headers={"Authorization": f"Bearer {token}"},
    )
    assert response.status_code == 200 and response.json()["delivery"] == "sent"
    reply = server.graph.wait_for(number, 6)[-1]
    assert reply.text == phrase("staff_says", "fr") + "\nBonjour, ici Claire de l'équipe."


def test_no_phone_number_name_or_message_in_the_info_logs(server, caplog):
    number = "50255512345"
    with caplog.at_level(logging.INFO):
        server.post(webhook(text(number, "/start", "wamid.l1")))
        server.graph.wait_for(number, 2)
        server.post(webhook(button(number, "wamid.l2", "consent:yes")))
        server.graph.wait_for(number, 4)
        server.post(webhook(text(number, "Xiomara Ajcalón", "wamid.l3")))
        server.graph.wait_for(number, 5)
        server.post(webhook(text(number, QUESTION, "wamid.l4")))
        server.graph.wait_for(number, 6)
        server.graph.fail_next(500, times=50)
        server.post(webhook(text(number, "/help", "wamid.l5")))
        deadline = time.monotonic() + 20
        while not server.runtime.store.failed_deliveries() and time.monotonic() < deadline:
            time.sleep(0.05)
    assert server.runtime.store.failed_deliveries(), "the failure path was not exercised"
    assert caplog.records, "consent and the failed delivery are worth a log line"
    logged = caplog.text
    for secret in (number, "Xiomara", "Ajcalón", "loan file", SECRET, TOKEN):
        assert secret not in logged, secret
