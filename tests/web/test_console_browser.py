"""The staff console in a real browser (Chromium through Playwright) against a real server on loopback:
sign in, search, upload a guide with the progress indicator, then find it; and the web chat (/chat)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from testkit.loopback import serve
from tests.conftest import guide
from web.app import create_app

CHROMIUM = Path("/usr/bin/chromium")
sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed")
pytestmark = [
    pytest.mark.integration,
    pytest.mark.skipif(not CHROMIUM.exists(), reason=f"no Chromium at {CHROMIUM}"),
]


# Records every state the upload indicator goes through (uploading, indexing, done).
WATCH_STATES = """() => {
  const status = document.getElementById("upload-status");
  window.uploadStates = [];
  new MutationObserver(() => window.uploadStates.push(status.dataset.state))
    .observe(status, {attributes: true, attributeFilter: ["data-state"]});
}"""


@pytest.fixture
def server_url(api_runtime) -> Iterator[str]:
    """A uvicorn server over the console's app, in a background thread on a free loopback port."""
    with serve(create_app(api_runtime.settings, api_runtime), name="console-server") as url:
        yield url


@pytest.fixture
def page(server_url):
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"]
        )
        try:
            context = browser.new_context(base_url=server_url, viewport={"width": 390, "height": 844})  # a phone
            yield context.new_page()
        finally:
            browser.close()


def page_errors(page) -> list[str]:
    """Script errors and console errors the page reports from now on."""
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    return errors


def test_sign_in_search_upload_and_find_the_new_guide(page, tokens, tmp_path):
    expect = sync_api.expect
    errors = page_errors(page)

    # Signing in: the console sends a visitor without a session to the form.
    page.goto("/staff/search")
    expect(page).to_have_url(re.compile(r"/staff/login$"))
    page.get_by_label("Staff token").fill(tokens["staff"])
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="Dashboard")).to_be_visible()
    assert page.locator("svg.chart").count() == 1

    # Search, with the matching words highlighted.
    page.get_by_role("link", name="Search").click()
    page.get_by_label("Search terms").fill("savings groups")
    page.get_by_role("button", name="Search").click()
    first = page.locator("li.result").first
    expect(first.locator("h3")).to_contain_text("Access to credit")
    expect(first.locator("mark").first).to_have_text("Savings")
    expect(first.locator(".badge")).to_have_text("en")

    # Upload through the form: the script shows the transfer, then the job, then refreshes the list.
    upload = tmp_path / "wombat-markets.md"
    upload.write_text(
        guide(
            "wombat-markets",
            "en",
            "Wombat markets",
            {"Selling at the market": "Zanzibarine weavers sell baskets at the wombat market every Saturday."},
        ),
        encoding="utf-8",
    )
    page.get_by_role("link", name="Documents").click()
    new_row = page.get_by_role("cell", name="Wombat markets", exact=True)
    expect(new_row).to_have_count(0)
    page.evaluate(WATCH_STATES)
    page.get_by_label("Files").set_input_files(str(upload))
    page.get_by_role("button", name="Upload").click()
    status = page.locator("#upload-status")
    expect(status).to_be_visible()
    expect(page.locator("#upload-message")).to_contain_text("Done: 1 added", timeout=30_000)
    assert status.get_attribute("data-state") == "done"
    assert page.locator("#upload-progress").evaluate("bar => bar.value") == 1
    states = page.evaluate("window.uploadStates")  # still there: the page was not reloaded
    assert {"uploading", "indexing", "done"} <= set(states), states
    expect(new_row).to_be_visible()  # the list was refreshed in place

    # The new guide is searchable at once.
    page.get_by_role("link", name="Search").click()
    page.get_by_label("Search terms").fill("zanzibarine weavers")
    page.get_by_role("button", name="Search").click()
    first = page.locator("li.result").first
    expect(first.locator("h3")).to_contain_text("Wombat markets")
    expect(first.locator("mark").first).to_have_text("Zanzibarine")
    assert errors == []


def test_web_chat_start_choose_a_language_ask_and_vote(page, api_runtime):
    expect = sync_api.expect
    errors = page_errors(page)
    page.goto("/chat")
    page.get_by_role("button", name="Español").click()  # the first screen asks her language, nothing else
    box = page.get_by_label("Tu mensaje")  # the page's own words follow her choice
    box.fill("/start")
    box.press("Enter")
    expect(page.locator("li.msg.bot").last).to_contain_text("¿acepta")  # the consent question, in Spanish
    page.get_by_role("button", name="No, gracias").last.click()
    box.fill("¿Cómo vender textiles en las ferias comerciales?")
    page.get_by_role("button", name="Enviar", exact=True).click()
    answer = page.locator("li.msg.bot").last
    expect(answer.locator(".sources a").first).to_have_attribute("href", re.compile(r"^/guides/.+\?lang=es"))
    answer.get_by_role("button", name="👍 Útil").click()
    expect(page.locator("li.msg.bot").last).to_have_text("¡Gracias por tu opinión!")
    expect(page.get_by_role("button", name="👍 Útil")).to_be_disabled()  # a keyboard is used once
    assert errors == []
