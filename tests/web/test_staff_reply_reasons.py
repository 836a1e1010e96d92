"""A staff reply that cannot reach her says why on the console's Conversations page (and in the API), for
each way it can fail: a channel this server does not run, the terminal chat, Telegram or WhatsApp refusing.
Real server, local Bot API and Graph API on loopback."""

from __future__ import annotations

import httpx
import pytest
from fastapi.testclient import TestClient

from testkit.graph_api import FakeGraph
from testkit.loopback import serve
from testkit.telegram_api import FakeTelegram
from tests.bots.helpers import webhook_settings
from tests.web.conftest import bearer
from tests.web.helpers import main_of, sign_in
from tests.web.whatsapp import whatsapp_settings
from web.app import create_app


def waiting(store, channel: str, external_id: str):
    person = store.give_consent(channel, external_id, language="es")
    store.set_handed_to_staff(channel, external_id)
    return person


def reply_from_console(client, person_id: str, text: str = "Hola, soy Lucía del equipo."):
    return client.post(f"/staff/handoffs/{person_id}/reply", data={"text": text}, follow_redirects=False)


@pytest.mark.parametrize(
    ("channel", "why"),
    [
        ("whatsapp", "WhatsApp is not set up on this server"),
        ("telegram", "Telegram is not set up on this server"),
        ("terminal", "terminal chat (mentor chat), which cannot receive"),
    ],
)
def test_a_channel_that_cannot_receive_is_explained_on_the_page_not_a_bare_error(
    api, api_runtime, tokens, channel, why
):
    person = waiting(api_runtime.store, channel, f"{channel}-person-1")
    sign_in(api, tokens["staff"])
    response = reply_from_console(api, person.id)
    assert response.status_code == 502
    page = main_of(response.text)
    assert "<h1>Conversations handed to staff</h1>" in page and "<h1>Error</h1>" not in page
    assert why in page and f"did not reach her on {channel}" in page
    assert "<title>Error" not in response.text
    api.cookies.clear()
    result = api.post(f"/v1/handoffs/{person.id}/reply", json={"text": "hola"}, headers=bearer(tokens["staff"]))
    assert result.json()["delivery"] == "unreachable" and why in result.json()["reason"]


def test_telegram_refusing_says_telegrams_reason(api_runtime):
    fake = FakeTelegram()
    with serve(fake, name="fake-telegram") as url:
        fake.url = url
        with TestClient(create_app(webhook_settings(api_runtime, fake), api_runtime)) as client:
            person = waiting(api_runtime.store, "telegram", "4343")
            fake.fail_next("sendMessage", 403, description="Forbidden: bot was blocked by the user")
            sign_in(client, api_runtime.store.create_token("lucia", "staff"))
            response = reply_from_console(client, person.id)
    assert response.status_code == 502
    assert "Telegram refused it: Forbidden: bot was blocked by the user" in main_of(response.text)


def test_whatsapp_refusing_says_the_graph_apis_reason(api_runtime):
    graph = FakeGraph()
    with serve(graph.app, name="graph") as graph_url:
        settings = whatsapp_settings(api_runtime.settings, f"{graph_url}/v21.0")
        with serve(create_app(settings, api_runtime), name="mentor") as url:
            person = waiting(api_runtime.store, "whatsapp", "59171239999")
            graph.fail_next(400)
            with httpx.Client(base_url=url) as http:
                sign_in(http, api_runtime.store.create_token("lucia", "staff"))
                response = reply_from_console(http, person.id)
    assert response.status_code == 502
    page = main_of(response.text)
    assert "WhatsApp refused it: HTTP 400: (2) try later" in page
    assert "Replies not delivered" in page  # and it is listed with the others
