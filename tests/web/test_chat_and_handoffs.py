"""The web chat (`/chat`) and the staff hand-off: /human in a chat, the conversation in the console and the API,
and a staff reply reaching her."""

from __future__ import annotations

import pytest

from assistant.phrases import phrase
from assistant.storage.models import AnswerRecord, Participant
from tests.web.conftest import bearer
from tests.web.helpers import main_of, sign_in
from web.chat import CHAT_COOKIE

QUESTION = "How do I prepare a loan file to obtain credit?"


def say(api, text: str = "", button: str | None = None, message_id: str | None = None, **headers):
    body = {"text": text}
    if button:
        body["button_id"] = button
    if message_id:
        body["message_id"] = message_id
    return api.post("/chat/api/messages", json=body, headers=headers)


def texts(response) -> str:
    return "\n".join(r["text"] for r in response.json()["replies"])


def test_the_chat_page_loads_its_script_under_a_strict_policy(api):
    page = api.get("/chat")
    assert page.status_code == 200 and "text/html" in page.headers["content-type"]
    assert "script-src 'self'" in page.headers["content-security-policy"]
    assert '<script src="/staff/static/chat.js?v=' in page.text
    assert api.get("/staff/static/chat.js").status_code == 200


def test_a_question_in_the_chat_is_answered_with_vote_buttons(api):
    response = say(api, QUESTION)
    assert response.status_code == 200
    [reply] = response.json()["replies"]
    assert "loan file" in reply["text"] and reply["language"] == "en"
    assert "Sources:" not in reply["text"]  # the sources come apart, as links to the guide
    assert reply["sources"][0]["url"].startswith("/guides/credit?lang=en#")
    assert [b["id"].split(":")[:2] for b in reply["buttons"]] == [["vote", "up"], ["vote", "down"]]
    cookie = response.headers["set-cookie"]
    assert CHAT_COOKIE in cookie and "HttpOnly" in cookie and "Path=/chat" in cookie and "SameSite=strict" in cookie
    thanks = say(api, "", button=reply["buttons"][0]["id"])
    assert texts(thanks) == phrase("vote_thanks", "en")
    assert "set-cookie" not in thanks.headers  # the same person, remembered


def test_the_chat_speaks_the_browser_language_before_she_chooses(api):
    response = say(api, "/start", **{"Accept-Language": "es-BO,es;q=0.9"})
    greeting, consent = response.json()["replies"]
    assert "Hola" in greeting["text"] and greeting["language"] == "es"
    assert [b["id"] for b in consent["buttons"]] == ["consent:yes", "consent:no"]


def test_a_retried_message_is_answered_once(api, api_runtime):
    first = say(api, QUESTION, message_id="retry-1")
    again = say(api, QUESTION, message_id="retry-1")
    assert first.json()["duplicate"] is False
    assert again.json()["duplicate"] is True and again.json()["replies"] == []
    with api_runtime.database.session() as s:
        assert s.query(AnswerRecord).count() == 1


@pytest.mark.parametrize(
    ("body", "status"),
    [
        ({"text": "   "}, 422),
        ({"text": "x" * 4001}, 422),
        ({"text": 5}, 422),
        ({}, 422),
        ({"button_id": "y" * 300}, 422),
    ],
)
def test_bad_chat_messages_are_clear_errors(api, api_runtime, body, status):
    response = api.post("/chat/api/messages", json=body)
    assert response.status_code == status and response.json()["code"] in {"empty_message", "invalid_request"}
    with api_runtime.database.session() as s:
        assert s.query(AnswerRecord).count() == 0


def test_malformed_json_and_cross_site_posts_are_refused(api):
    response = api.post("/chat/api/messages", content=b"{oops", headers={"Content-Type": "application/json"})
    assert response.status_code == 422 and response.json()["code"] == "invalid_json"
    forged = say(api, "hello", Origin="https://evil.example")
    assert forged.status_code == 403 and forged.json()["code"] == "cross_origin"


def test_human_in_the_chat_reaches_staff_and_the_staff_reply_comes_back(api, api_runtime, tokens):
    say(api, "/start")
    say(api, "", button="consent:yes")
    say(api, "/cancel")  # skip onboarding for now
    say(api, QUESTION)
    assert texts(say(api, "/human")) == phrase("human_handed", "en")
    assert texts(say(api, "Could someone call me?")) == phrase("human_relayed", "en")

    [waiting] = api.get("/v1/handoffs", headers=bearer(tokens["staff"])).json()
    assert waiting["channel"] == "web"
    assert [m["role"] for m in waiting["messages"]] == ["user", "assistant", "user"]
    assert waiting["messages"][-1]["text"] == "Could someone call me?"

    sent = api.post(
        f"/v1/handoffs/{waiting['participant_id']}/reply",
        json={"text": "Hello, this is Claire from the team."},
        headers=bearer(tokens["staff"]),
    )
    assert sent.status_code == 200 and sent.json()["delivery"] == "queued"
    [update] = api.get("/chat/api/updates").json()["messages"]
    assert update["text"] == phrase("staff_says", "en") + "\nHello, this is Claire from the team."
    assert api.get(f"/chat/api/updates?after={update['id']}").json() == {"messages": []}

    released = api.post(f"/v1/handoffs/{waiting['participant_id']}/release", headers=bearer(tokens["staff"]))
    assert released.status_code == 200
    assert api.get("/v1/handoffs", headers=bearer(tokens["staff"])).json() == []
    assert [b["id"][:8] for b in say(api, QUESTION).json()["replies"][0]["buttons"]] == ["vote:up:", "vote:dow"]


def test_updates_for_a_newcomer_are_empty(api):
    response = api.get("/chat/api/updates")
    assert response.status_code == 200 and response.json() == {"messages": []}
    assert CHAT_COOKIE in response.headers["set-cookie"]


def test_handoff_errors(api, api_runtime, tokens):
    unknown = api.post("/v1/handoffs/nobody/reply", json={"text": "hi"}, headers=bearer(tokens["staff"]))
    assert unknown.status_code == 404 and unknown.json()["code"] == "not_found"
    person = api_runtime.store.give_consent("web", "someone-waiting-long")
    blank = api.post(f"/v1/handoffs/{person.id}/reply", json={"text": "   "}, headers=bearer(tokens["staff"]))
    assert blank.status_code == 422
    evaluator = api.post(f"/v1/handoffs/{person.id}/reply", json={"text": "hi"}, headers=bearer(tokens["evaluator"]))
    assert evaluator.status_code == 403


def test_the_console_lists_waiting_conversations_and_replies_from_a_form(api, api_runtime, tokens):
    store = api_runtime.store
    person = store.give_consent("web", "console-user-0001", language="fr")
    store.update_participant(person.id, name="Awa <b>Ndiaye</b>", country="Sénégal")
    store.set_handed_to_staff("web", "console-user-0001")
    store.add_message("web", "console-user-0001", "user", "Pouvez-vous m'aider <script>?", "fr")
    sign_in(api, tokens["staff"])
    page = main_of(api.get("/staff/handoffs").text)
    assert "Awa &lt;b&gt;Ndiaye&lt;/b&gt;" in page and "Pouvez-vous m&#39;aider &lt;script&gt;?" in page
    assert f'action="/staff/handoffs/{person.id}/reply"' in page
    response = api.post(f"/staff/handoffs/{person.id}/reply", data={"text": "Bonjour Awa !"}, follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"] == "/staff/handoffs?done=queued"
    assert "Reply saved" in api.get("/staff/handoffs?done=queued").text
    assert [m["text"] for m in store.staff_messages("web", "console-user-0001")] == ["Bonjour Awa !"]
    forged = api.post(
        f"/staff/handoffs/{person.id}/reply", data={"text": "x"}, headers={"Origin": "https://evil.example"}
    )
    assert forged.status_code == 403
    api.post(f"/staff/handoffs/{person.id}/release", follow_redirects=False)
    assert "Nobody is waiting" in api.get("/staff/handoffs").text
    with api_runtime.database.session() as s:
        assert s.query(Participant).count() == 1
