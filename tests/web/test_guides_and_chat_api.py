"""The guides as pages and the web chat's API for the phone page: anchors that match the chunk ids, raw HTML
escaped, sources as links to her language's section, the page's words in her language, the language she
chose told back to the page, and the forget that tells the page to drop its copy."""

from __future__ import annotations

import json
import re

import pytest
from fastapi.testclient import TestClient

from assistant.phrases import phrase
from tests.conftest import guide, write
from web.app import create_app

QUESTION = "How do I prepare a loan file to obtain credit?"


def chat(api, text: str = "", button: str | None = None, **headers) -> dict:
    body = {"text": text, **({"button_id": button} if button else {})}
    response = api.post("/chat/api/messages", json=body, headers=headers)
    assert response.status_code == 200, response.text
    return response.json()


def anchors(html: str) -> list[str]:
    return re.findall(r'<section id="([^"]+)">', html)


def test_every_chunk_of_a_guide_has_its_section_on_the_page(api, api_runtime):
    chunks = [c for c in api_runtime.index_store.load().chunks if c.doc_id in ("credit", "meetings")]
    assert {c.lang for c in chunks} == {"fr", "en"}
    page = api.get("/guides/credit?lang=fr")
    assert page.status_code == 200 and '<html lang="fr">' in page.text
    assert anchors(page.text) == ["preparer-un-dossier-de-pret", "groupes-d-epargne"]
    assert "script-src 'self'" in page.headers["content-security-policy"] and "<script" not in page.text
    assert 'href="/guides/credit?lang=en"' in page.text  # the other language, offered
    for chunk in chunks:  # every place a citation can point to is on its page
        shown = anchors(api.get(f"/guides/{chunk.doc_id}?lang={chunk.lang}").text)
        assert chunk.chunk_id.split("#")[1].rsplit("-", 1)[0] in shown


def test_raw_html_in_a_guide_is_shown_as_text(api_runtime, tmp_path):
    folder = tmp_path / "extra"
    body = "Text <script>alert(1)</script> and [link](javascript:alert(1))."
    write(folder / "en" / "x.md", guide("unsafe", "en", "Unsafe <b>title</b>", {"Part <i>one</i>": body}))
    api_runtime.ingestor().ingest([folder])
    with TestClient(create_app(api_runtime.settings, api_runtime)) as client:
        page = client.get("/guides/unsafe?lang=en").text
    assert "<script>alert(1)</script>" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "<b>title</b>" not in page and 'href="javascript' not in page


@pytest.mark.parametrize("path", ["/guides/no-such-guide?lang=es", "/guides/..%2F..%2Fetc%2Fpasswd"])
def test_an_unknown_guide_is_a_404_page_in_her_language(api, path):
    page = api.get(path)
    assert page.status_code == 404
    if "lang=es" in path:
        assert phrase("guide_missing", "es") in page.text


def test_sources_link_to_the_section_in_her_language(api):
    chat(api, "", "lang:fr")
    reply = chat(api, QUESTION)["replies"][0]  # asked in English, she chose French: the French guide
    assert reply["sources"] and all(s["url"].startswith("/guides/") for s in reply["sources"])
    credit = [s for s in reply["sources"] if s["url"].startswith("/guides/credit")]
    assert credit[0]["url"] == "/guides/credit?lang=fr#preparer-un-dossier-de-pret"
    assert phrase("sources", "en") + ":" not in reply["text"] and phrase("sources", "fr") + " :" not in reply["text"]


def test_a_guide_only_in_another_language_is_linked_in_that_language(api):
    chat(api, "", "lang:en")
    reply = chat(api, "How do I sell textiles at trade fairs (ferias comerciales)?")["replies"][0]
    ferias = [s for s in reply["sources"] if s["url"].startswith("/guides/ferias")]
    assert ferias and ferias[0]["url"] == "/guides/ferias?lang=es#vender-en-ferias"


def test_the_page_speaks_the_browser_language_then_the_one_she_chose(api):
    first = api.get("/chat", headers={"Accept-Language": "es-BO,es;q=0.9"})
    assert '<html lang="es">' in first.text and phrase("chat_send", "es") in first.text
    assert phrase("consent_question", "es")[:30] not in first.text  # no consent text before her language
    strings = json.loads(
        re.search(r'<script id="chat-strings" type="application/json">(.*?)</script>', first.text).group(1)
    )
    assert strings["fr"]["chat_welcome"] == phrase("chat_welcome", "fr") and set(strings) == {"fr", "es", "en"}
    assert chat(api, "", "lang:fr")["page_language"] == "fr"
    again = api.get("/chat", headers={"Accept-Language": "es-BO,es;q=0.9"})  # a return visit
    assert '<html lang="fr">' in again.text and 'data-chosen="fr"' in again.text
    assert phrase("chat_placeholder", "fr") in again.text


def test_a_newcomer_has_no_chosen_language(api):
    assert chat(api, "/help")["page_language"] is None


def test_forgetting_tells_the_page_to_drop_its_copy(api):
    chat(api, "", "lang:es")
    chat(api, "", "consent:yes")
    assert chat(api, "/forget")["forgotten"] is False
    done = chat(api, "", "forget:confirm")
    assert done["forgotten"] is True and done["replies"][0]["text"] == phrase("forget_done", "es")


def test_after_forgetting_the_next_reply_is_still_in_her_language(api):
    chat(api, "", "lang:es")
    chat(api, "", "consent:yes")
    chat(api, "/forget")
    done = chat(api, "", "forget:confirm", **{"Accept-Language": "en-US"})
    assert done["page_language"] == "es"  # the page keeps speaking Spanish
    after = chat(api, "/help", **{"Accept-Language": "en-US"})  # her new id: only the language came along
    assert after["replies"][0]["text"] == phrase("help", "es")
    assert chat(api, "/profile")["replies"][0]["text"] == phrase("profile_none", "es")  # nothing else came along
