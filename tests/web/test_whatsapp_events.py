"""WhatsApp beyond text, through the real server on loopback (signed webhooks, a local Graph API): a 👍/👎
reaction to an answer is her vote, a `failed` status is a failed delivery staff see, a batch the size Meta
sends is accepted and every text in it answered. Payload shapes follow pywa's webhook fixtures."""

from __future__ import annotations

import json
import time

import httpx
import pytest

from assistant.phrases import phrase
from assistant.storage.models import FailedDelivery, Feedback
from testkit.graph_api import FakeGraph
from testkit.loopback import serve
from tests.bots.helpers import text, webhook
from tests.web.helpers import main_of, sign_in
from tests.web.whatsapp import QUESTION, Server, whatsapp_settings
from web.app import create_app


@pytest.fixture
def server(api_runtime):
    graph = FakeGraph(validate=True)
    with serve(graph.app, name="graph") as graph_url:
        settings = whatsapp_settings(api_runtime.settings, f"{graph_url}/v21.0")
        with serve(create_app(settings, api_runtime), name="mentor") as url:
            yield Server(url, graph, api_runtime)


def reaction(sender: str, message_id: str, target: str, emoji: str | None) -> dict:
    body = {"message_id": target} if emoji is None else {"message_id": target, "emoji": emoji}
    now = str(int(time.time()))  # Meta's shape (pywa's fixture), sent now: an old one is past the dedup window
    return {"from": sender, "id": message_id, "timestamp": now, "type": "reaction", "reaction": body}


def failed_status(message_id: str, recipient: str) -> dict:
    error = {
        "code": 131047,
        "title": "Re-engagement message",
        "message": "Re-engagement message",
        "error_data": {"details": "Message failed to send because more than 24 hours have passed"},
        "href": "https://developers.facebook.com/docs/whatsapp/cloud-api/support/error-codes/",
    }
    return {"id": message_id, "status": "failed", "timestamp": "1689380458", "recipient_id": recipient,
            "errors": [error]}  # fmt: skip


def wait_until(condition, timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "condition not met in time"
        time.sleep(0.05)


def answered(server: Server, number: str, question: str = QUESTION) -> str:
    """Ask; the Graph API id of the message that carried the answer."""
    before = len(server.graph.to(number))
    server.post(webhook(text(number, question, f"wamid.in.{number}.{before}")))
    answer = server.graph.wait_for(number, before + 1)[-1]
    assert answer.button_ids[0].startswith("vote:up:")
    wait_until(lambda: server.runtime.store.answer_for_message("whatsapp", answer_id(server, answer)) is not None)
    return answer_id(server, answer)


def answer_id(server: Server, sent) -> str:
    """The wamid the local Graph API gave `sent`."""
    return sent.message_id


def test_a_thumbs_up_reaction_to_an_answer_is_a_vote(server):
    number = "15145550101"
    wamid = answered(server, number)
    server.post(webhook(reaction(number, "wamid.r1", wamid, "👍🏽")))  # a skin tone is still 👍
    assert server.graph.wait_for(number, 2)[-1].text == phrase("vote_thanks", "en")
    assert server.runtime.store.stats()["feedback"] == {"up": 1, "down": 0}
    server.post(webhook(reaction(number, "wamid.r1", wamid, "👍🏽")))  # redelivered: counted once
    server.settle()
    assert server.count(Feedback) == 1


def test_a_thumbs_down_reaction_asks_why(server):
    number = "22177000101"  # Senegal: French
    wamid = answered(server, number, "Comment préparer un dossier de prêt ?")
    server.post(webhook(reaction(number, "wamid.r2", wamid, "👎")))
    why = server.graph.wait_for(number, 2)[-1]
    assert why.text == phrase("feedback_why", "fr") and why.payload["interactive"]["type"] == "list"
    assert server.runtime.store.stats()["feedback"]["down"] == 1


@pytest.mark.parametrize(
    "emoji", ["❤️", "", None, "😮"], ids=["heart", "removed-empty", "removed-absent", "other-emoji"]
)
def test_other_reactions_and_removed_ones_change_nothing(server, emoji):
    number = "15145550102"
    wamid = answered(server, number)
    response = server.post(webhook(reaction(number, "wamid.r3", wamid, emoji)))
    assert response.status_code == 200 and response.json()["messages"] == 0
    server.settle()
    assert len(server.graph.to(number)) == 1 and server.count(Feedback) == 0


def test_a_reaction_to_a_message_that_carried_no_answer_is_ignored(server):
    number = "15145550103"
    server.post(webhook(text(number, "/help", "wamid.h")))
    [help_message] = server.graph.wait_for(number, 1)
    server.post(webhook(reaction(number, "wamid.r4", answer_id(server, help_message), "👍")))
    server.post(webhook(reaction(number, "wamid.r5", "wamid.never-sent", "👎")))
    server.settle()
    assert len(server.graph.to(number)) == 1 and server.count(Feedback) == 0


def test_a_failed_status_is_recorded_once_with_metas_reason_and_shown_to_staff(server, api_runtime):
    number = "15145550104"
    server.post(webhook(text(number, "/help", "wamid.h2")))
    [help_message] = server.graph.wait_for(number, 1)
    wamid = answer_id(server, help_message)
    for _ in range(2):  # Meta redelivers: one record
        assert server.post(webhook(statuses=[failed_status(wamid, number)])).status_code == 200
    wait_until(lambda: server.count(FailedDelivery) >= 1)
    server.settle()
    [failed] = api_runtime.store.failed_deliveries()
    assert "131047" in failed["error"] and "24 hours" in failed["error"]
    assert failed["text"] == phrase("help", "en") and number not in json.dumps(failed)
    token = api_runtime.store.create_token("staff-user", "staff")
    with httpx.Client(base_url=server.url) as http:
        assert http.get("/v1/deliveries/failed", headers={"Authorization": f"Bearer {token}"}).json()[0]["error"]
        sign_in(http, token)
        page = main_of(http.get("/staff/handoffs").text)
    assert "Replies not delivered" in page and "131047 Re-engagement message" in page


def test_sent_delivered_and_read_statuses_record_nothing(server):
    statuses = [{"id": "wamid.x", "status": s, "timestamp": "1", "recipient_id": "15145550105"}
                for s in ("sent", "delivered", "read")]  # fmt: skip
    assert server.post(webhook(statuses=statuses)).status_code == 200
    server.settle()
    assert server.count(FailedDelivery) == 0


def test_a_75_kb_batch_is_accepted_and_every_text_in_it_answered(server, api_runtime):
    padding = " Merci de votre aide, je vous explique ma situation en détail." * 14
    messages = [text(f"2217700{i:04d}", f"Comment obtenir un crédit ?{padding}", f"wamid.batch.{i}") for i in range(80)]
    body = json.dumps(webhook(*messages)).encode()
    assert len(body) > 75 * 1024 > api_runtime.settings.max_body_kb * 1024
    response = server.post(None, raw=body)
    assert response.status_code == 200 and response.json()["messages"] == 80
    for i in range(80):
        server.graph.wait_for(f"2217700{i:04d}", 1, timeout=60)
    assert server.graph.invalid == []


def test_a_body_over_the_webhook_limit_is_413_and_other_paths_keep_theirs(server, api_runtime):
    limit = api_runtime.settings.whatsapp_max_body_kb * 1024
    too_big = json.dumps(webhook(text("15145550106", "x" * (limit + 10), "wamid.big"))).encode()
    assert server.post(None, raw=too_big).status_code == 413
    big_question = {"question": "x" * (api_runtime.settings.max_body_kb * 1024 + 10)}
    assert httpx.post(f"{server.url}/v1/ask", json=big_question).status_code == 413
