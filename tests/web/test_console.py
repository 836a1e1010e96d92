"""The staff console (`/staff`): signing in, search, documents, uploads, gaps, feedback and the dashboard
(in-process TestClient, hash embedder)."""

from __future__ import annotations

import re
import time
from datetime import date

import pytest
from fastapi.testclient import TestClient
from markupsafe import escape

from tests.conftest import guide
from tests.web.helpers import main_of, sign_in
from web.app import create_app
from web.auth import COOKIE
from web.console import Highlighter, build_chart

QUOKKA_GUIDE = guide(
    "quokka-trade",
    "en",
    "Quokka cooperatives",
    {"Selling together": "A quokka cooperative pools the harvest so members negotiate better prices."},
)


def wait_for_job(api, job_id: str, timeout: float = 20.0) -> str:
    """Poll the console's job page until it stops refreshing itself; returns the final page."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        page = api.get(f"/staff/jobs/{job_id}")
        assert page.status_code == 200
        if 'http-equiv="refresh"' not in page.text:
            return page.text
        time.sleep(0.05)
    raise AssertionError(f"job {job_id} did not finish")


# -- signing in ---------------------------------------------------------------------------------------------------


def test_login_sets_an_httponly_strict_cookie(api, tokens):
    form = api.get("/staff/login")
    assert form.status_code == 200 and 'name="token"' in form.text
    response = sign_in(api, tokens["staff"])
    assert response.headers["location"] == "/staff"
    cookie = response.headers["set-cookie"]
    assert cookie.startswith(f"{COOKIE}=") and tokens["staff"] not in cookie  # a session id, never the token
    attributes = {part.strip().lower() for part in cookie.split(";")[1:]}
    assert {"httponly", "samesite=strict", "path=/"} <= attributes
    assert "secure" not in attributes  # plain http here; https gets Secure
    dashboard = api.get("/staff")
    assert dashboard.status_code == 200 and "staff-user" in dashboard.text


def test_cookie_is_secure_over_https(api_runtime, tokens):
    with TestClient(create_app(api_runtime.settings, api_runtime), base_url="https://testserver") as client:
        response = client.post("/staff/login", data={"token": tokens["admin"]}, follow_redirects=False)
    assert response.status_code == 303
    assert "secure" in {part.strip().lower() for part in response.headers["set-cookie"].split(";")}


@pytest.mark.parametrize("token", ["mnt_0000000000000000_nope", "", "not a token at all", "mnt_" + "x" * 5000])
def test_wrong_token_is_401_without_a_cookie(api, token):
    response = api.post("/staff/login", data={"token": token}, follow_redirects=False)
    assert response.status_code == 401
    assert "set-cookie" not in response.headers
    assert 'role="alert"' in response.text and 'name="token"' in response.text
    assert COOKIE not in api.cookies


@pytest.mark.parametrize(
    "path",
    [
        "/staff",
        "/staff/search?q=credit",
        "/staff/documents",
        "/staff/gaps",
        "/staff/feedback",
        "/staff/jobs/x",
        "/staff/handoffs",
    ],
)
def test_pages_redirect_to_login_without_a_session(api, path):
    response = api.get(path, follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == "/staff/login"


def test_revoked_token_cookie_stops_working(api, api_runtime, tokens):
    sign_in(api, tokens["staff"])
    assert api.get("/staff", follow_redirects=False).status_code == 200
    assert api_runtime.store.revoke_token("staff-user")
    response = api.get("/staff", follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"] == "/staff/login"
    assert f"{COOKIE}=" in response.headers["set-cookie"]  # the stale cookie is cleared


def test_logout_clears_the_cookie(api, tokens):
    sign_in(api, tokens["staff"])
    response = api.post("/staff/logout", follow_redirects=False)
    assert response.status_code == 303
    assert 'mentor_staff=""' in response.headers["set-cookie"] or "max-age=0" in response.headers["set-cookie"].lower()
    assert api.get("/staff", follow_redirects=False).status_code == 303


def test_cross_origin_posts_are_refused(api, api_runtime, tokens):
    sign_in(api, tokens["staff"])
    before = [d["doc_id"] + "." + d["lang"] for d in api.get("/v1/documents").json()]
    forged = api.post(
        "/staff/documents/credit/delete", data={"confirmed": "yes"}, headers={"Origin": "https://evil.example"}
    )
    assert forged.status_code == 403
    login = api.post("/staff/login", data={"token": tokens["admin"]}, headers={"Origin": "https://evil.example"})
    assert login.status_code == 403 and "set-cookie" not in login.headers
    cross_site = {"Sec-Fetch-Site": "cross-site"}
    fetched = api.post("/staff/documents/credit/delete", data={"confirmed": "yes"}, headers=cross_site)
    assert fetched.status_code == 403
    logout = api.post("/staff/logout", headers={"Origin": "null"}, follow_redirects=False)
    assert logout.status_code == 403 and "set-cookie" not in logout.headers
    same = api.post(
        "/staff/documents/meetings/delete", data={"confirmed": "yes"}, headers={"Origin": "http://testserver"}
    )
    assert same.status_code == 200  # followed the redirect back to the documents page
    proxied = api.post(
        "/staff/documents/ferias/delete",
        data={"confirmed": "yes"},
        headers={"Origin": "https://mentor.example.org", "X-Forwarded-Host": "mentor.example.org"},
    )
    assert proxied.status_code == 200
    after = [d["doc_id"] + "." + d["lang"] for d in api.get("/v1/documents").json()]
    assert "credit.en" in after and "meetings.en" not in after and "meetings.en" in before
    assert "ferias.es" in before and "ferias.es" not in after


# -- search -----------------------------------------------------------------------------------------------------


def test_search_highlights_query_words_and_shows_the_language(api, tokens):
    sign_in(api, tokens["evaluator"])
    page = api.get("/staff/search", params={"q": "Savings GROUPS microfinance"})
    assert page.status_code == 200
    first = main_of(page.text).split('<li class="result">')[1]
    assert "Access to credit" in first
    assert '<code class="doc-id">credit</code>' in first
    assert re.search(r'class="badge badge-en"[^>]*>en<', first)
    assert "<mark>Savings</mark> <mark>groups</mark> and <mark>microfinance</mark>" in first
    assert "<mark>help</mark>" not in first  # only the query's words


def test_search_highlighting_ignores_accents_and_case(api, tokens):
    sign_in(api, tokens["staff"])
    page = api.get("/staff/search", params={"q": "CREDIT", "lang": "fr"})
    results = main_of(page.text)
    assert re.search(r'class="badge badge-fr"[^>]*>fr<', results)
    assert "<mark>crédit</mark>" in results


def test_search_escapes_the_query(api, tokens):
    sign_in(api, tokens["staff"])
    page = api.get("/staff/search", params={"q": '<script>alert("x")</script> credit'})
    assert page.status_code == 200
    assert "<script>alert" not in page.text
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;" in page.text


def test_search_without_an_index_says_so(hash_runtime):
    token = hash_runtime.store.create_token("early", "staff")
    with TestClient(create_app(hash_runtime.settings, hash_runtime)) as client:
        sign_in(client, token)
        page = client.get("/staff/search", params={"q": "credit"})
        assert page.status_code == 503 and "mentor ingest" in page.text
        assert "The index is empty" in client.get("/staff/documents").text


def test_search_rejects_an_unknown_language(api, tokens):
    sign_in(api, tokens["staff"])
    page = api.get("/staff/search", params={"q": "credit", "lang": "de"})
    assert page.status_code == 422 and "Unknown language" in page.text


# -- documents ----------------------------------------------------------------------------------------------------


def test_upload_through_the_form_is_indexed_listed_and_searchable(api, tokens):
    sign_in(api, tokens["staff"])
    assert "Quokka cooperatives" not in api.get("/staff/documents").text
    files = [("files", ("quokka.md", QUOKKA_GUIDE.encode(), "text/markdown"))]
    response = api.post("/staff/documents", files=files, follow_redirects=False)
    assert response.status_code == 303
    location = response.headers["location"]
    assert location.startswith("/staff/jobs/")
    final = wait_for_job(api, location.rsplit("/", 1)[-1])
    assert "Upload: done" in final and "1 added" in final
    assert "<code>quokka-trade</code> exists in" in final  # the upload report says in which languages
    listing = api.get("/staff/documents").text
    assert "Quokka cooperatives" in listing and "<code>quokka-trade</code>" in listing
    results = main_of(api.get("/staff/search", params={"q": "quokka cooperative"}).text)
    first = results.split('<li class="result">')[1]
    assert "Quokka cooperatives" in first and "<mark>quokka</mark>" in first


def test_upload_for_the_script_answers_json_and_the_job_is_readable_with_the_cookie(api, tokens):
    sign_in(api, tokens["admin"])
    files = [("files", ("quokka.md", QUOKKA_GUIDE.encode(), "text/markdown"))]
    response = api.post("/staff/documents", files=files, headers={"Accept": "application/json"})
    assert response.status_code == 202
    body = response.json()
    assert body["files"] == ["quokka.md"]
    wait_for_job(api, body["job_id"])
    job = api.get(f"/v1/jobs/{body['job_id']}")  # the script polls the API with the console's cookie
    assert job.status_code == 200 and job.json()["status"] == "done"


def test_rejected_upload_shows_the_reason(api, api_runtime, tokens):
    sign_in(api, tokens["staff"])
    files = [("files", ("tool.exe", b"MZ\x90\x00binary", "application/octet-stream"))]
    page = api.post("/staff/documents", files=files)
    assert page.status_code == 415
    assert "Upload refused" in page.text and "unsupported file type" in page.text
    as_json = api.post("/staff/documents", files=files, headers={"Accept": "application/json"})
    assert as_json.status_code == 415 and as_json.json()["code"] == "upload_rejected"
    empty = api.post("/staff/documents", data={}, files=[("files", ("", b"", "application/octet-stream"))])
    assert empty.status_code == 422 and "no files" in empty.text
    assert not (api_runtime.settings.data_dir / "uploads" / "tool.exe").exists()


def test_job_page_refreshes_until_the_job_ends(api, api_runtime, tokens):
    store = api_runtime.store
    job_id = store.create_job("ingest", {"files": ["later.md"]}, "someone")
    sign_in(api, tokens["evaluator"])
    queued = api.get(f"/staff/jobs/{job_id}").text
    assert '<meta http-equiv="refresh" content="1">' in queued and "later.md" in queued
    store.update_job(job_id, status="running", stage="embedding", done=3, total=8)
    running = api.get(f"/staff/jobs/{job_id}").text
    assert 'http-equiv="refresh"' in running and "embedding 3/8" in running
    store.update_job(job_id, status="failed", error="the disk is full")
    failed = api.get(f"/staff/jobs/{job_id}").text
    assert 'http-equiv="refresh"' not in failed and "Failed: the disk is full" in failed
    assert api.get("/staff/jobs/no-such-job").status_code == 404


def test_evaluator_can_read_but_not_upload_or_remove(api, api_runtime, tokens):
    sign_in(api, tokens["evaluator"])
    page = api.get("/staff/documents")
    assert page.status_code == 200 and "Access to credit" in page.text
    assert 'id="upload-form"' not in page.text and "/delete" not in page.text
    files = [("files", ("quokka.md", QUOKKA_GUIDE.encode(), "text/markdown"))]
    upload = api.post("/staff/documents", files=files, follow_redirects=False)
    assert upload.status_code == 403
    delete = api.post("/staff/documents/credit/delete", data={"confirmed": "yes"}, follow_redirects=False)
    assert delete.status_code == 403
    assert not (api_runtime.settings.data_dir / "uploads").exists()
    assert "Access to credit" in api.get("/staff/documents").text


def test_remove_asks_first_then_removes(api, tokens):
    sign_in(api, tokens["staff"])
    listing = api.get("/staff/documents").text
    assert 'action="/staff/documents/credit.en/delete"' in listing and "data-confirm=" in listing
    confirm = api.post("/staff/documents/credit.en/delete", follow_redirects=False)
    assert confirm.status_code == 200 and 'name="confirmed" value="yes"' in confirm.text
    assert "Access to credit" in api.get("/staff/documents").text  # not removed yet
    removed = api.post("/staff/documents/credit.en/delete", data={"confirmed": "yes"}, follow_redirects=False)
    assert removed.status_code == 303
    page = api.get(removed.headers["location"])
    assert "Removed credit.en" in page.text
    assert "Access to credit" not in page.text and "Accès au crédit" in page.text
    missing = api.post("/staff/documents/nothing-here/delete", data={"confirmed": "yes"})
    assert missing.status_code == 404 and "nothing-here" in missing.text


# -- gaps, feedback, dashboard ------------------------------------------------------------------------------------


def test_gaps_are_grouped_and_can_be_ordered(api, api_runtime, tokens):
    store = api_runtime.store
    store.record_gap("How do I export coffee to Japan?", "en", {})
    store.record_gap("how do I export coffee to japan?", "en", {})
    time.sleep(0.01)
    store.record_gap("¿Cuál es el horario de la oficina de Lima?", "es", {})
    sign_in(api, tokens["evaluator"])
    frequent = main_of(api.get("/staff/gaps").text).lower()
    assert frequent.index("export coffee to japan") < frequent.index("oficina de lima")
    assert "<strong>2</strong> times" in frequent
    newest = main_of(api.get("/staff/gaps", params={"sort": "recent"}).text).lower()
    assert newest.index("oficina de lima") < newest.index("export coffee to japan")
    assert 'href="/staff/gaps?sort=recent" aria-current="true"' in newest
    assert "answered only from another language" not in frequent


def test_gaps_say_when_a_question_was_answered_only_from_another_language(api, api_runtime, tokens):
    api_runtime.store.record_gap("¿Cómo exporto café a Japón?", "es", {"strength": 0.8, "answered_from": ["fr"]})
    sign_in(api, tokens["evaluator"])
    page = main_of(api.get("/staff/gaps").text)
    assert "Answered only from another language" in page and "badge-fr" in page
    assert api.get("/v1/gaps").json()[0]["answered_from"] == {"fr": 1}


def test_documents_list_the_languages_each_one_exists_in(api, api_runtime, tokens):
    sign_in(api, tokens["staff"])
    rows = {d["doc_id"]: d for d in api.get("/v1/documents").json()}
    assert all(d["languages"] for d in rows.values())
    listing = main_of(api.get("/staff/documents").text)
    for doc_id, d in rows.items():
        row = listing.split(f"<code>{doc_id}</code>", 1)[1].split("</tr>", 1)[0]
        for lang in d["languages"]:
            assert f"badge-{lang}" in row
        if len(d["languages"]) < 3:
            assert "answered from" in row


def test_feedback_page_shows_thumbs_down_newest_first(api, tokens):
    first = api.post("/v1/ask", json={"question": "How do savings groups help women?"}).json()
    second = api.post("/v1/ask", json={"question": "What happens at the first meeting?"}).json()
    api.post("/v1/feedback", json={"answer_id": first["answer_id"], "vote": "down", "comment": "Too <b>vague</b>"})
    api.post("/v1/feedback", json={"answer_id": second["answer_id"], "vote": "up"})
    sign_in(api, tokens["staff"])
    page = main_of(api.get("/staff/feedback").text)
    assert "How do savings groups help women?" in page
    assert "Too &lt;b&gt;vague&lt;/b&gt;" in page
    assert str(escape(first["answer"]))[:40] in page
    assert "What happens at the first meeting?" not in page  # a thumbs-up is not listed


def test_dashboard_draws_questions_per_day_and_language(api, tokens):
    for question, language in [("How do savings groups help?", "en"), ("Comment obtenir un crédit ?", "fr")] * 2:
        api.post("/v1/ask", json={"question": question, "language": language})
    sign_in(api, tokens["evaluator"])
    page = api.get("/staff")
    assert page.status_code == 200
    body = main_of(page.text)
    assert "<svg" in body and '<title id="chart-title">' in body
    assert len(re.findall(r'class="bar bar-en"', body)) == 1 and len(re.findall(r'class="bar bar-fr"', body)) == 1
    assert "4 questions from" in body and "en 2" in body and "fr 2" in body
    assert '<span class="figure-value">4</span>' in body
    assert "abstention rate" in body and "Top topics" in body


def test_chart_stacks_languages_per_day():
    per_day = [
        {"date": "2024-05-02", "language": "fr", "channel": "api", "count": 3},
        {"date": "2024-05-02", "language": "en", "channel": "api", "count": 1},
        {"date": "2024-05-02", "language": "en", "channel": "whatsapp", "count": 1},
        {"date": "2024-05-03", "language": "es", "channel": "api", "count": 4},
    ]
    chart = build_chart(per_day, days=3, today=date(2024, 5, 3))
    assert [c.day for c in chart.columns] == ["2024-05-01", "2024-05-02", "2024-05-03"]
    assert [c.total for c in chart.columns] == [0, 5, 4]
    fr, en = chart.columns[1].segments
    assert (fr.language, fr.count, en.language, en.count) == ("fr", 3, "en", 2)
    assert en.y + en.height == pytest.approx(fr.y)  # stacked: en sits on top of fr
    assert fr.height == pytest.approx(en.height * 3 / 2)
    assert chart.columns[2].segments[0].height == pytest.approx(en.height * 2)
    assert chart.columns[0].segments == []
    assert [lang for lang, _, _ in chart.languages] == ["fr", "es", "en"]


def test_static_files_are_an_allow_list(api):
    css = api.get("/staff/static/console.css")
    assert css.status_code == 200 and css.headers["content-type"].startswith("text/css")
    js = api.get("/staff/static/console.js")
    assert js.status_code == 200 and "javascript" in js.headers["content-type"]
    for name in ["../console.py", "..%2Fconsole.py", "missing.css", "console.py"]:
        assert api.get(f"/staff/static/{name}").status_code == 404


def test_pages_have_a_title_language_and_csp(api, tokens):
    sign_in(api, tokens["staff"])
    for path in ["/staff", "/staff/search", "/staff/documents", "/staff/gaps", "/staff/feedback"]:
        page = api.get(path)
        assert page.text.startswith('<!doctype html>\n<html lang="en">')
        assert re.search(r"<title>[^<]+ · Mentor staff console</title>", page.text)
        assert "script-src 'self'" in page.headers["content-security-policy"]
        assert page.headers["cache-control"] == "no-store"


def test_snippet_escapes_the_text_then_marks_matches_around_the_first_one(api_runtime):
    highlighter = Highlighter(api_runtime.retriever, "Crédits <b>")
    text = "filler words here. " * 40 + 'Our <img src=x onerror="alert(1)"> CREDIT desk & the credits team.'
    snippet = str(highlighter.snippet(text, "en"))
    assert snippet.startswith("…") and len(snippet) < 600  # a window around the first match, not the whole text
    assert "&lt;img src=x onerror=&#34;alert(1)&#34;&gt;" in snippet and "<img" not in snippet
    assert "<mark>CREDIT</mark> desk &amp; the <mark>credits</mark> team." in snippet
    assert "<mark>b</mark>" not in snippet and "<mark>filler</mark>" not in snippet
