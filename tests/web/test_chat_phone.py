"""The web chat on a phone (Chromium at 390x844 through Playwright, the real server on loopback): the
language first, the page's own words in it, a typing indicator, the newest message and its buttons never
under the input, the conversation kept across a reload and a return visit (and dropped on /forget), sources
that open the guide's section, emoji drawn or replaced by text."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from assistant.phrases import phrase
from testkit.loopback import serve
from web.app import create_app

CHROMIUM = Path("/usr/bin/chromium")
sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed")
pytestmark = [
    pytest.mark.integration,
    pytest.mark.skipif(not CHROMIUM.exists(), reason=f"no Chromium at {CHROMIUM}"),
]
PHONE = {"width": 390, "height": 844}
QUESTION_ES = "¿Cómo vender textiles en las ferias comerciales?"

# Records every message item the page adds, with its class, so a typing indicator that came and went is seen.
WATCH_LOG = """() => {
  window.added = [];
  new MutationObserver((changes) => changes.forEach((c) => c.addedNodes.forEach((n) => window.added.push(n.className))))
    .observe(document.getElementById("log"), {childList: true});
}"""


@pytest.fixture
def server_url(api_runtime) -> Iterator[str]:
    with serve(create_app(api_runtime.settings, api_runtime), name="chat-server") as url:
        yield url


@pytest.fixture
def browser_context(server_url):
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"]
        )
        try:
            yield browser.new_context(
                base_url=server_url, viewport=PHONE, locale="es-BO", extra_http_headers={"Accept-Language": "es-BO"}
            )
        finally:
            sync_api.expect.set_options(timeout=5_000)  # Playwright's default, for the other tests
            browser.close()


@pytest.fixture
def page(browser_context):
    # An answer takes seconds on a loaded 2-core machine: wait up to 30 s for what the page should show.
    sync_api.expect.set_options(timeout=30_000)
    browser_context.set_default_timeout(30_000)
    page = browser_context.new_page()
    page.errors = []
    page.on("pageerror", lambda exc: page.errors.append(str(exc)))
    page.on("console", lambda msg: page.errors.append(msg.text) if msg.type == "error" else None)
    return page


def texts(page) -> list[str]:
    return page.locator("#log li.msg").all_inner_texts()


def wait_until(page, condition, why: str = "", seconds: float = 30) -> None:
    for _ in range(int(seconds * 20)):
        if condition():
            return
        page.wait_for_timeout(50)
    raise AssertionError(why or "timed out")


def choose_spanish(page) -> None:
    """Press Español and wait for its answer: a message typed while the page still waits is not sent."""
    page.get_by_role("button", name="Español").click()
    sync_api.expect(page.locator("li.msg.me").last).to_have_text("Español")
    sync_api.expect(page.locator("li.msg.typing")).to_have_count(0, timeout=60_000)


def visible_above_the_input(page, locator) -> None:
    """The element is inside the conversation's visible part, above the input, and nothing covers it."""
    box, composer, log = (
        locator.bounding_box(),
        page.locator("#composer").bounding_box(),
        page.locator("#log").bounding_box(),
    )
    assert box["y"] >= log["y"] - 1 and box["y"] + box["height"] <= composer["y"] + 1, (box, composer)
    assert box["y"] + box["height"] <= PHONE["height"]
    hit = page.evaluate(
        "([x, y]) => { const el = document.elementFromPoint(x, y); return el ? el.outerHTML.slice(0, 80) : '' }",
        [box["x"] + box["width"] / 2, box["y"] + box["height"] / 2],
    )
    assert hit.startswith(locator.evaluate("el => el.outerHTML.slice(0, 80)")), hit


def test_language_first_then_the_page_in_her_language_and_a_typing_indicator(page, tmp_path):
    expect = sync_api.expect
    page.goto("/chat")
    first = page.locator("#log li.msg").all_inner_texts()
    assert len(first) == 1 and phrase("chat_welcome", "es") in first[0]  # her browser's language
    assert "consent" not in page.content().lower() and phrase("consent_question", "es")[:25] not in first[0]
    page.get_by_role("button", name="English").click()  # she prefers English on this Bolivian phone
    expect(page.locator("#send")).to_have_text(phrase("chat_send", "en"))
    expect(page.get_by_label(phrase("chat_input_label", "en"))).to_have_attribute(
        "placeholder", phrase("chat_placeholder", "en")
    )
    assert page.evaluate("document.documentElement.lang") == "en" and page.title() == phrase("chat_title", "en")
    expect(page.locator("li.msg.bot").last).to_have_text(phrase("greeting", "en"))
    page.evaluate(WATCH_LOG)
    page.get_by_label(phrase("chat_input_label", "en")).fill("How do I prepare a loan file?")
    page.get_by_role("button", name=phrase("chat_send", "en"), exact=True).click()
    expect(page.locator("li.msg.bot .sources").last).to_be_visible()
    added = page.evaluate("window.added")
    assert "msg bot typing" in added and added.index("msg bot typing") < len(added) - 1  # shown, then the answer
    assert page.locator(".typing").count() == 0
    page.screenshot(path=str(tmp_path / "answer.png"))
    assert page.errors == []


def test_the_empty_input_shows_its_whole_placeholder_on_a_phone(page):
    """On a 390 px phone the placeholder wraps: the box is as tall as it, on arrival and after she picks a
    language, never cut in the middle of a line."""
    fits = "(() => { const b = document.getElementById('text'); return b.scrollHeight <= b.clientHeight + 1; })()"
    page.goto("/chat")
    assert page.evaluate(fits), page.evaluate("document.getElementById('text').placeholder")
    page.get_by_role("button", name="Français").click()
    sync_api.expect(page.get_by_label(phrase("chat_input_label", "fr"))).to_have_attribute(
        "placeholder", phrase("chat_placeholder", "fr")
    )
    assert page.evaluate(fits)
    send, voice = page.locator("#send").bounding_box(), page.locator("label.voice").bounding_box()
    assert voice["height"] >= send["height"] - 1, (voice, send)  # the voice note is as easy to touch as Send
    assert page.errors == []


def test_the_newest_message_and_its_buttons_are_never_under_the_input(page):
    expect = sync_api.expect
    page.goto("/chat")
    choose_spanish(page)
    box = page.get_by_label(phrase("chat_input_label", "es"))
    for question in ["¿Qué es un grupo de ahorro?", "¿Cómo preparo un expediente de préstamo?", QUESTION_ES]:
        box.fill(question)
        box.press("Enter")
        expect(page.locator("li.msg.me").last).to_have_text(question)
        expect(page.locator("li.msg").last).not_to_have_class(re.compile("typing"))
    last = page.locator("li.msg.bot").last
    assert last.locator(".buttons button").count() == 2  # the vote buttons of the newest answer
    assert page.evaluate("document.getElementById('log').scrollHeight > document.getElementById('log').clientHeight")
    for button in last.locator(".buttons button").all():
        visible_above_the_input(page, button)
    box.fill("una línea\notra línea\ny otra más\ny otra")  # the box grows: still nothing covered
    box.dispatch_event("input")
    visible_above_the_input(page, last.locator(".buttons button").last)
    assert page.errors == []


def test_the_conversation_survives_a_reload_and_a_return_visit_and_goes_with_forget(page, browser_context):
    expect = sync_api.expect
    page.goto("/chat")
    choose_spanish(page)
    box = page.get_by_label(phrase("chat_input_label", "es"))
    box.fill(QUESTION_ES)
    box.press("Enter")
    expect(page.locator("li.msg.bot .sources").last).to_be_visible()
    before = texts(page)
    page.reload()
    expect(page.locator("li.msg.bot .sources").last).to_be_visible()
    assert texts(page) == before
    assert page.locator("#send").inner_text() == phrase("chat_send", "es")  # her language, still
    page.close()
    later = browser_context.new_page()  # she comes back another day
    later.goto("/chat")
    expect(later.locator("li.msg.bot .sources").last).to_be_visible()
    assert texts(later) == before
    later.get_by_label(phrase("chat_input_label", "es")).fill("/forget")
    later.get_by_label(phrase("chat_input_label", "es")).press("Enter")
    later.get_by_role("button", name=phrase("button_forget_confirm", "es")).click()
    expect(later.locator("li.msg.bot").last).to_have_text(phrase("forget_done", "es"))
    later.reload()
    expect(later.locator("li.msg")).to_have_count(1)  # only what she was told last; her questions are gone
    assert QUESTION_ES not in " ".join(texts(later))


def test_sources_open_the_guides_section_and_emoji_are_drawn_or_spelled_out(page, browser_context):
    expect = sync_api.expect
    page.goto("/chat")
    choose_spanish(page)
    page.get_by_label(phrase("chat_input_label", "es")).fill(QUESTION_ES)
    page.get_by_label(phrase("chat_input_label", "es")).press("Enter")
    answer = page.locator("li.msg.bot").last
    link = answer.locator(".sources a").first
    expect(link).to_have_attribute("href", re.compile(r"^/guides/ferias\?lang=es#vender-en-ferias$"))
    up = answer.get_by_role("button", name=phrase("button_vote_up", "es"))  # its name keeps the emoji
    shown = up.inner_text()
    assert shown == phrase("button_vote_up", "es") or shown == phrase("button_vote_up", "es").replace("👍", "(+)")
    no_emoji_font = page.evaluate("document.documentElement.classList.contains('no-emoji')")
    assert ("(+)" in shown) == no_emoji_font
    with browser_context.expect_page() as opened:
        link.click()
    guide = opened.value
    guide.wait_for_load_state()
    assert guide.evaluate("location.hash") == "#vender-en-ferias"
    expect(guide.locator("section#vender-en-ferias h2")).to_have_text("Vender en ferias")
    assert guide.evaluate("document.documentElement.lang") == "es"
    assert page.errors == []


def test_a_message_sent_while_an_answer_is_pending_waits_its_turn_and_is_sent(page):
    """Typed and sent while the page waits: taken at once (the box empties, the message shows), sent as soon
    as the pending answer has come; nothing is lost."""
    expect = sync_api.expect
    page.goto("/chat")
    choose_spanish(page)
    answers = page.locator("li.msg.bot:not(.typing)")
    before = answers.count()
    held = []  # the requests the server has not been given yet
    page.route("**/chat/api/messages", lambda route: held.append(route))
    box = page.get_by_label(phrase("chat_input_label", "es"))
    box.fill("¿Qué es un grupo de ahorro?")
    box.press("Enter")
    page.wait_for_function("document.querySelector('li.msg.typing') !== null")
    while not held:
        page.wait_for_timeout(50)
    box.fill(QUESTION_ES)
    box.press("Enter")
    expect(box).to_have_value("")
    expect(page.locator("li.msg.me").last).to_have_text(QUESTION_ES)
    expect(page.locator("li.msg.me.queued")).to_have_count(1)
    page.wait_for_timeout(300)
    assert len(held) == 1  # not sent while the first answer is pending
    held[0].continue_()
    while len(held) < 2:
        page.wait_for_timeout(50)
    assert QUESTION_ES in (held[1].request.post_data or "")
    expect(page.locator("li.msg.me.queued")).to_have_count(0)
    held[1].continue_()
    page.unroute("**/chat/api/messages")
    expect(answers).to_have_count(before + 2, timeout=60_000)  # both answered
    expect(page.locator("li.msg.typing")).to_have_count(0)
    assert page.locator("li.msg").last.get_attribute("class") == "msg bot"  # the second answer comes last
    assert page.errors == []


def test_a_message_waiting_its_turn_is_sent_after_a_reload(page):
    """Typed while an answer is pending and the page reloaded before it went: it is shown again, still waiting,
    and sent once the page is back; answered, it is not sent again by the next reload."""
    expect = sync_api.expect
    page.goto("/chat")
    choose_spanish(page)
    held = []  # the requests the server has not been given yet
    page.route("**/chat/api/messages", lambda route: held.append(route))
    box = page.get_by_label(phrase("chat_input_label", "es"))
    box.fill("¿Qué es un grupo de ahorro?")
    box.press("Enter")
    wait_until(page, lambda: held)
    box.fill(QUESTION_ES)
    box.press("Enter")
    expect(page.locator("li.msg.me.queued")).to_have_text(QUESTION_ES)
    page.reload()
    expect(page.locator("li.msg.me").last).to_have_text(QUESTION_ES)
    wait_until(page, lambda: len(held) >= 2, "the queued message was lost with the page")  # sent from her device
    sent = json.loads(held[1].request.post_data or "{}")
    assert sent["text"] == QUESTION_ES and sent["message_id"]
    reply = {"text": "Respuesta", "language": "es", "sources": [], "buttons": []}
    held[1].fulfill(json={"duplicate": False, "page_language": "es", "forgotten": False, "replies": [reply]})
    expect(page.locator("li.msg.bot").last).to_have_text("Respuesta")
    expect(page.locator("li.msg.me.queued")).to_have_count(0)
    page.reload()
    expect(page.locator("li.msg.bot").last).to_have_text("Respuesta")
    page.wait_for_timeout(500)
    assert len(held) == 2 and page.locator("li.msg.me.queued").count() == 0  # answered: not sent again
    assert page.errors == []


def test_links_in_an_answer_are_links_and_its_text_is_never_html(page):
    """An address in the answer's text opens as a link; markup in it is shown as text, never run."""
    expect = sync_api.expect
    page.goto("/chat")
    choose_spanish(page)
    text = (
        "Abre https://example.org/guia?x=1&y=2. O la guía: /guides/ferias?lang=es#vender-en-ferias\n"
        "La ficha (/resources/cash-flow-tracker?lang=es), no a/guides/x.\n"
        '<img src=x onerror="window.hacked=1"> <a href="javascript:alert(1)">clic</a>'
    )
    reply = {"text": text, "language": "es", "sources": [], "buttons": []}
    body = {"duplicate": False, "page_language": "es", "forgotten": False, "replies": [reply]}
    page.route("**/chat/api/messages", lambda route: route.fulfill(json=body))
    box = page.get_by_label(phrase("chat_input_label", "es"))
    box.fill("enlaces")
    box.press("Enter")
    answer = page.locator("li.msg.bot").last
    expect(answer.locator(".text a")).to_have_count(3)
    links = answer.locator(".text a")
    expect(links.nth(0)).to_have_attribute("href", "https://example.org/guia?x=1&y=2")  # the full stop left out
    expect(links.nth(1)).to_have_attribute("href", "/guides/ferias?lang=es#vender-en-ferias")
    expect(links.nth(2)).to_have_text("/resources/cash-flow-tracker?lang=es")  # its brackets left out
    assert (
        links.nth(0).get_attribute("rel") == "noopener noreferrer" and links.nth(0).get_attribute("target") == "_blank"
    )
    assert answer.locator("img").count() == 0 and page.evaluate("window.hacked") is None
    assert '<a href="javascript:alert(1)">clic</a>' in answer.locator(".text").inner_text()
    assert page.errors == []
