"""WhatsApp pieces on their own: signatures, webhook parsing, rendering replies as Graph API messages,
and sending them to a local Graph API server with retries."""

from __future__ import annotations

import asyncio
import json

import httpx
import pytest

from assistant import DEDUP_WINDOW
from assistant.conversation import Button, Reply
from bots.whatsapp import (
    DeliveryError,
    WhatsAppClient,
    language_from_number,
    parse_webhook,
    sign,
    verify_signature,
)
from testkit.graph_api import TOKEN, FakeGraph
from testkit.loopback import serve
from tests.bots.helpers import text, webhook

SECRET = "app-secret"


# -- signatures -----------------------------------------------------------------------------------------------


def test_signature_round_trip_and_forgeries():
    body = json.dumps(webhook(text("22177", "hi"))).encode()
    header = sign(SECRET, body)
    assert verify_signature(SECRET, body, header)
    assert verify_signature(SECRET, body, header.upper().replace("SHA256=", "sha256="))  # hex case does not matter
    assert not verify_signature(SECRET, body + b" ", header)  # the body changed
    assert not verify_signature("other-secret", body, header)
    assert not verify_signature(SECRET, body, header.removeprefix("sha256="))  # no scheme
    assert not verify_signature(SECRET, body, "sha1=" + header[7:])
    assert not verify_signature(SECRET, body, None)
    assert not verify_signature(SECRET, body, "")
    assert not verify_signature("", body, sign("", body))  # no secret configured: nothing is valid


# -- parsing ----------------------------------------------------------------------------------------------------


def test_text_button_list_and_template_replies():
    payload = webhook(
        text("59171234567", "¿Cómo consigo un crédito?", "wamid.a"),
        {"from": "59171234567", "id": "wamid.b", "type": "interactive",
         "interactive": {"type": "button_reply", "button_reply": {"id": "consent:yes", "title": "Sí, acepto"}}},
        {"from": "59171234567", "id": "wamid.c", "type": "interactive",
         "interactive": {"type": "list_reply", "list_reply": {"id": "stage:early", "title": "En sus inicios"}}},
        {"from": "59171234567", "id": "wamid.d", "type": "button", "button": {"payload": "vote:up:x", "text": "👍"}},
    )  # fmt: skip
    a, b, c, d = parse_webhook(payload)
    assert (a.channel, a.user_id, a.message_id, a.text, a.button_id) == (
        "whatsapp",
        "59171234567",
        "wamid.a",
        "¿Cómo consigo un crédito?",
        None,
    )
    assert a.language_hint == "es"  # Bolivia's calling code
    assert (b.button_id, c.button_id, d.button_id) == ("consent:yes", "stage:early", "vote:up:x")


@pytest.mark.parametrize("kind", ["audio", "image", "sticker", "location", "document", "video", "contacts"])
def test_media_becomes_a_media_message(kind):
    [message] = parse_webhook(webhook({"from": "22177", "id": "wamid.m", "type": kind, kind: {"id": "MEDIA"}}))
    assert message.media == kind and message.text == ""


@pytest.mark.parametrize(
    "payload",
    [
        webhook(statuses=[{"id": "wamid.out", "status": "delivered", "recipient_id": "22177"}]),
        webhook(text("22177", "   ")),  # no text
        webhook({"from": "22177", "id": "wamid.r", "type": "reaction", "reaction": {"emoji": "👍"}}),
        webhook({"from": "22177", "type": "text", "text": {"body": "no id"}}),
        webhook({"id": "wamid.x", "type": "text", "text": {"body": "no sender"}}),
        webhook({"from": "22177", "id": "wamid.y", "type": "text", "text": "not an object"}),
        webhook({"from": "22177", "id": "wamid.z", "type": "interactive", "interactive": {"type": "nfm_reply"}}),
        {"object": "page", "entry": []},
        {"object": "whatsapp_business_account", "entry": "nope"},
        {"object": "whatsapp_business_account", "entry": [{"changes": [{"field": "messages", "value": []}]}]},
        {"object": "whatsapp_business_account", "entry": [{"changes": [{"field": "account_update", "value": {}}]}]},
        [], "text", 42, None,
    ],
)  # fmt: skip
def test_nothing_to_answer_gives_no_message(payload):
    assert parse_webhook(payload) == []


def test_calling_codes():
    assert language_from_number("22177000000") == "fr"  # Senegal
    assert language_from_number("+50255550000") == "es"  # Guatemala
    assert language_from_number("639171234567") == "en"  # the Philippines
    assert language_from_number("15145550000") is None  # Canada: French or English, she chooses


# -- rendering ----------------------------------------------------------------------------------------------------


def client(http=None, **kw) -> WhatsAppClient:
    return WhatsAppClient(http or httpx.AsyncClient(), token=TOKEN, phone_number_id="PNID", **kw)


def test_plain_text_and_long_text_are_split_under_4096():
    c = client()
    [one] = c.payloads("22177", Reply("Bonjour"))
    assert one == {"messaging_product": "whatsapp", "recipient_type": "individual", "to": "22177", "type": "text",
                   "text": {"body": "Bonjour", "preview_url": False}}  # fmt: skip
    long = "\n\n".join(f"Paragraph {i}: " + "word " * 150 for i in range(12))  # ~9,000 characters
    parts = c.payloads("22177", Reply(long))
    assert len(parts) == 3 and all(len(p["text"]["body"]) <= 4096 for p in parts)


def test_up_to_three_buttons_are_reply_buttons_under_the_last_part():
    reply = Reply(
        "x " * 3000, [Button("lang:fr", "Français"), Button("lang:es", "Español"), Button("lang:en", "English")]
    )
    payloads = client().payloads("22177", reply)
    *texts, last = payloads
    assert texts and all(p["type"] == "text" for p in texts)
    assert last["interactive"]["type"] == "button"
    assert len(last["interactive"]["body"]["text"]) <= 1024  # an interactive body is shorter than a text message
    assert [b["reply"]["id"] for b in last["interactive"]["action"]["buttons"]] == ["lang:fr", "lang:es", "lang:en"]


def test_more_than_three_buttons_or_long_titles_fall_back_to_a_list():
    buttons = [Button(f"stage:{i}", f"Choice {i}") for i in range(4)]
    [payload] = client().payloads("22177", Reply("Pick one", buttons, language="es"))
    interactive = payload["interactive"]
    assert interactive["type"] == "list" and interactive["action"]["button"] == "Elegir"
    assert [r["id"] for r in interactive["action"]["sections"][0]["rows"]] == [b.id for b in buttons]
    [payload] = client().payloads("22177", Reply("Pick", [Button("tz:country", "Use America/Guatemala now")]))
    row = payload["interactive"]["action"]["sections"][0]["rows"][0]
    assert len(row["title"]) <= 24 and row["description"] == "Use America/Guatemala now"
    many = [Button(f"b:{i}", f"B{i}") for i in range(12)]  # a list holds 10 rows: two lists
    lists = client().payloads("22177", Reply("Pick", many))
    assert [len(p["interactive"]["action"]["sections"][0]["rows"]) for p in lists] == [10, 2]


# -- sending, against a local Graph API server ---------------------------------------------------------------------


@pytest.fixture
def graph():
    fake = FakeGraph()
    with serve(fake.app, name="graph") as url:
        fake.url = f"{url}/v21.0"
        yield fake


def send(graph, reply: Reply, **kw) -> None:
    async def go():
        async with httpx.AsyncClient() as http:
            await client(http, api_base=graph.url, backoff_s=0.01, **kw).send("22177", reply)

    asyncio.run(go())


def test_a_reply_reaches_the_graph_api(graph):
    send(graph, Reply("Bonjour", [Button("consent:yes", "Oui")]))
    [sent] = graph.sent
    assert sent.phone_number_id == "PNID" and sent.text == "Bonjour" and sent.button_ids == ["consent:yes"]


@pytest.mark.parametrize("status", [500, 502, 503, 429])
def test_transient_errors_are_retried_and_the_reply_arrives_once(graph, status):
    graph.fail_next(status, times=2)
    send(graph, Reply("Bonjour"))
    assert graph.attempts == 3 and len(graph.sent) == 1


def test_retry_after_is_respected_up_to_the_cap(graph):
    graph.fail_next(429, times=1, headers={"Retry-After": "0"})
    send(graph, Reply("Hola"))
    assert len(graph.sent) == 1


def test_a_client_error_is_not_retried(graph):
    async def go():
        async with httpx.AsyncClient() as http:
            bad = WhatsAppClient(http, token="wrong", phone_number_id="PNID", api_base=graph.url, backoff_s=0.01)
            await bad.send("22177", Reply("x"))

    with pytest.raises(DeliveryError, match="401"):
        asyncio.run(go())
    assert graph.attempts == 1


def test_it_gives_up_after_the_attempts(graph):
    graph.fail_next(500, times=10)
    with pytest.raises(DeliveryError, match="3 attempts"):
        send(graph, Reply("x"), attempts=3)
    assert graph.attempts == 3 and graph.sent == []


def test_network_errors_are_retried_then_reported():
    async def go():
        async with httpx.AsyncClient() as http:  # nothing listens on port 9 of loopback
            await client(http, api_base="http://127.0.0.1:9/v21.0", backoff_s=0.01, attempts=2).send("1", Reply("x"))

    with pytest.raises(DeliveryError, match="2 attempts"):
        asyncio.run(go())


def test_a_message_older_than_the_dedup_window_is_refused_by_its_timestamp():
    now = 1_800_000_000.0
    window = DEDUP_WINDOW.total_seconds()
    fresh = {**text("22177", "hello", "wamid.a"), "timestamp": str(int(now - window + 60))}
    stale = {**text("22177", "hello", "wamid.b"), "timestamp": str(int(now - window - 60))}
    garbage = {**text("22177", "hello", "wamid.c"), "timestamp": "yesterday"}
    assert [m.message_id for m in parse_webhook(webhook(fresh, stale, garbage), now=now)] == ["wamid.a"]


@pytest.mark.parametrize(
    "title",
    [
        "Transformation de céréales locales et vente au marché",
        "Préparer un dossier de prêt pour la microfinance rurale, avec les registres de trésorerie de l'année",
        "Comercialización de artesanías textiles en ferias internacionales",
    ],
)
def test_list_rows_are_cut_at_a_word_within_metas_limits(title):
    buttons = [Button(f"r:{i}", f"{title} {i}") for i in range(4)]
    [payload] = client().payloads("22177", Reply("Pick", buttons))
    for row, button in zip(payload["interactive"]["action"]["sections"][0]["rows"], buttons, strict=True):
        assert len(row["title"]) <= 24 and len(row.get("description", "")) <= 72
        assert row["title"].endswith("…")
        for shown in (row["title"], row["description"]):
            if shown == button.title:
                continue  # the description holds the whole title when it fits
            kept = shown.removesuffix("…")
            assert shown.endswith("…") and button.title.startswith(kept)
            assert button.title[len(kept)] in " ,"  # the cut falls between two words, never inside one
    short = client().payloads("22177", Reply("Pick", [Button(f"s:{i}", f"Short {i}") for i in range(4)]))
    assert all("description" not in row for row in short[0]["interactive"]["action"]["sections"][0]["rows"])
