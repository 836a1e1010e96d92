"""What the channel work stores, through the real server on SQLite and on PostgreSQL: a consented person's
thumbs-down reason and comment (her pending choice kept in her conversation row), a WhatsApp reaction that
votes, a failed-delivery status, the web chat's chosen language."""

from __future__ import annotations

import time

import pytest
from fastapi.testclient import TestClient

from assistant.config import Settings
from assistant.embeddings import HashEmbedder
from assistant.knowledge.ingest import Ingestor
from assistant.phrases import phrase
from assistant.runtime import Runtime
from testkit.graph_api import FakeGraph
from testkit.loopback import serve
from tests.assistant.storage.conftest import database_url  # noqa: F401  (the sqlite/postgresql fixture)
from tests.bots.helpers import text, webhook
from tests.conftest import write_small_corpus
from tests.web.whatsapp import QUESTION, Server, whatsapp_settings
from web.app import create_app


@pytest.fixture
def runtime(tmp_path, database_url):  # noqa: F811
    settings = Settings(data_dir=tmp_path / "data", embedding_model="hash", database_url=database_url, _env_file=None)
    runtime = Runtime(settings, embedder=HashEmbedder())
    runtime.settings.abstain_threshold = 0.2
    Ingestor(runtime.settings, runtime.embedder).ingest([write_small_corpus(tmp_path / "corpus")])
    yield runtime
    runtime.database.dispose()


def chat(client, text: str = "", button: str | None = None) -> dict:
    response = client.post("/chat/api/messages", json={"text": text, **({"button_id": button} if button else {})})
    assert response.status_code == 200, response.text
    return response.json()


def test_a_consented_persons_thumbs_down_reason_and_comment(runtime):
    with TestClient(create_app(runtime.settings, runtime)) as client:
        chat(client, "", "lang:es")
        chat(client, "", "consent:yes")
        chat(client, "/cancel")  # no profile questions now
        answer = chat(client, "¿Cómo vender textiles en las ferias comerciales?")["replies"][0]
        down = next(b["id"] for b in answer["buttons"] if b["id"].startswith("vote:down:"))
        why = chat(client, "", down)["replies"][0]
        assert why["text"] == phrase("feedback_why", "es")
        assert chat(client, "demasiado largo")["replies"][0]["text"] == phrase("feedback_ask_comment", "es")
        chat(client, "Solo quería las fechas")
        assert chat(client, "/help")["page_language"] == "es"
    [item] = runtime.store.negative_feedback()
    assert (item["reason"], item["comment"]) == ("too_long", "Solo quería las fechas")


def test_whatsapp_reaction_vote_and_failed_status(runtime):
    graph = FakeGraph(validate=True)
    with serve(graph.app, name="graph") as graph_url:
        settings = whatsapp_settings(runtime.settings, f"{graph_url}/v21.0")
        with serve(create_app(settings, runtime), name="mentor") as url:
            server = Server(url, graph, runtime)
            number = "15145550777"
            server.post(webhook(text(number, QUESTION, "wamid.pg.1")))
            [answer] = graph.wait_for(number, 1)
            deadline = time.monotonic() + 20
            while runtime.store.answer_for_message("whatsapp", answer.message_id) is None:
                assert time.monotonic() < deadline
                time.sleep(0.05)
            reaction = {"message_id": answer.message_id, "emoji": "👍"}
            server.post(webhook({"from": number, "id": "wamid.pg.2", "type": "reaction", "reaction": reaction}))
            assert graph.wait_for(number, 2)[-1].text == phrase("vote_thanks", "en")
            failed = {"id": answer.message_id, "status": "failed", "recipient_id": number,
                      "errors": [{"code": 131026, "title": "Message undeliverable"}]}  # fmt: skip
            server.post(webhook(statuses=[failed]))
            while not runtime.store.failed_deliveries():
                assert time.monotonic() < deadline + 20
                time.sleep(0.05)
    assert runtime.store.stats()["feedback"]["up"] == 1
    assert "131026 Message undeliverable" in runtime.store.failed_deliveries()[0]["error"]
