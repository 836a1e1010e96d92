"""NUL and other control characters (issue 19, point 9), on the real server on loopback over SQLite and
over PostgreSQL (which cannot store NUL in text, and answered 500, some before authentication): every
named entry point answers 400 `invalid_characters` on both; a channel message has them stripped and is
answered; and no SQL parameter (what she wrote) ever reaches an error or the log."""

from __future__ import annotations

import json
import os
import uuid

import httpx
import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.exc import DBAPIError

from assistant.runtime import Runtime
from testkit.graph_api import FakeGraph
from testkit.loopback import serve
from tests.assistant.storage.conftest import _with_search_path
from tests.bots.helpers import text as wa_text
from tests.bots.helpers import webhook
from tests.web.conftest import bearer
from tests.web.whatsapp import Server, whatsapp_settings
from web.app import create_app

PG_URL = os.environ.get("MENTOR_TEST_DATABASE_URL", "")


@pytest.fixture(params=["sqlite", "postgresql"])
def runtime(request, api_runtime):
    """The small corpus's runtime, its database SQLite (the default) or a fresh PostgreSQL schema."""
    if request.param == "sqlite":
        yield api_runtime
        return
    if not PG_URL:
        pytest.skip("PostgreSQL not configured: set MENTOR_TEST_DATABASE_URL")
    schema = f"t_{uuid.uuid4().hex[:12]}"
    admin = create_engine(PG_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    settings = api_runtime.settings.model_copy(update={"database_url": _with_search_path(PG_URL, schema)})
    pg_runtime = Runtime(settings, embedder=api_runtime.embedder)
    try:
        yield pg_runtime
    finally:
        pg_runtime.database.dispose()
        with admin.connect() as connection:
            connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


@pytest.fixture
def server(runtime):
    graph = FakeGraph()
    with serve(graph.app, name="graph") as graph_url:
        settings = whatsapp_settings(runtime.settings, f"{graph_url}/v21.0")
        runtime.settings = settings
        with serve(create_app(settings, runtime), name="mentor") as url:
            yield Server(url, graph, runtime)


def refused(response: httpx.Response) -> bool:
    return response.status_code == 400 and response.json()["code"] == "invalid_characters"


def test_public_json_entry_points_refuse_nul(server):
    url = server.url
    assert refused(httpx.post(f"{url}/v1/ask", json={"question": "How do I get a loan?\x00"}))
    assert refused(httpx.post(f"{url}/v1/ask", json={"question": "How do I get a loan?", "user_id": "u\x00"}))
    assert refused(httpx.post(f"{url}/v1/ask", json={"question": "loan", "language": "en\x01"}))
    assert refused(httpx.post(f"{url}/v1/feedback", json={"answer_id": "a\x00", "vote": "up"}))
    assert refused(httpx.post(f"{url}/v1/feedback", json={"answer_id": "a", "vote": "up", "comment": "\x00"}))
    assert refused(httpx.post(f"{url}/chat/api/messages", json={"text": "hello\x00"}))
    assert refused(httpx.post(f"{url}/chat/api/messages", json={"text": "hi", "message_id": "m\x00"}))


def test_query_strings_and_path_parameters_refuse_nul(server, tokens):
    url = server.url
    assert refused(httpx.get(f"{url}/v1/search?q=loan%00"))
    assert refused(httpx.get(f"{url}/v1/search?q=loan%1b%5b31m"))
    staff = bearer(tokens["staff"])
    assert refused(httpx.get(f"{url}/v1/jobs/abc%00", headers=staff))
    assert refused(httpx.get(f"{url}/v1/jobs/abc%00"))  # before authentication too
    assert refused(httpx.delete(f"{url}/v1/documents/credit%00", headers=staff))
    assert refused(httpx.post(f"{url}/v1/handoffs/p%00/reply", json={"text": "hi"}, headers=staff))
    assert refused(httpx.get(f"{url}/v1/pathways/p%00", headers=staff))
    assert refused(httpx.get(f"{url}/webhooks/whatsapp?hub.mode=subscribe&hub.verify_token=%00"))


def test_the_console_sign_in_refuses_nul(server):
    assert refused(httpx.post(f"{server.url}/staff/login", data={"token": "mnt_\x00_x"}))


def test_text_with_lines_and_tabs_is_still_accepted(server):
    response = httpx.post(f"{server.url}/v1/ask", json={"question": "How do I\tget a loan?\r\nThanks"}, timeout=60)
    assert response.status_code == 200


def test_a_whatsapp_message_with_nul_is_answered_with_the_characters_stripped(server):
    number = "22177000031"
    message = wa_text(number, "How do I prepare a loan file\x00 to obtain credit?", "wamid.nul\x00")
    assert server.post(webhook(message)).status_code == 200
    [reply] = server.graph.wait_for(number, 1)
    assert reply.text
    with server.runtime.database.session() as s:
        ids = s.execute(text("SELECT message_id FROM inbound_messages")).scalars().all()
    assert ids == ["wamid.nul"]


def test_no_500_and_no_question_in_the_log_for_any_of_them(server, tokens, caplog):
    caplog.set_level("DEBUG")
    secret = "Aminata Diallo asks\x00"
    responses = [
        httpx.post(f"{server.url}/v1/ask", json={"question": secret}),
        httpx.get(f"{server.url}/v1/search", params={"q": secret}),
        httpx.post(f"{server.url}/staff/login", data={"token": secret}),
    ]
    assert all(r.status_code == 400 for r in responses)
    server_lines = [r.getMessage() for r in caplog.records if not r.name.startswith(("httpx", "httpcore"))]
    assert not any("Aminata" in line for line in server_lines)  # (the test's own client logs its URL)


def test_the_database_never_shows_sql_parameters_in_its_errors(runtime):
    """What she wrote must not reach a traceback through the statement's parameters (PostgreSQL refuses NUL:
    the error is real there; on SQLite a bad type stands in)."""
    bad = "Aminata Diallo\x00" if runtime.database.dialect == "postgresql" else object()
    with pytest.raises(DBAPIError) as caught, runtime.database.session() as s:
        s.execute(text("INSERT INTO content_gaps (question, language, scores, created_at) "
                       "VALUES (:q, 'en', '{}', CURRENT_TIMESTAMP)"), {"q": bad})  # fmt: skip
    assert "Aminata" not in str(caught.value) and "hidden due to hide_parameters" in str(caught.value)
    assert json.dumps(str(caught.value))  # a plain message, nothing else attached
