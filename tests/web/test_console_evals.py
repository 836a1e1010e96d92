"""The console's *Eval cases* page (`/staff/evals`): thumbs-down answers and content gaps listed as candidate
evaluation cases, and promoting a reviewed case to the dataset (in-process TestClient, hash embedder, the
datasets folder in tmp_path)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from markupsafe import escape

from assistant.answering.types import Answer, Citation
from tests.web.helpers import main_of, sign_in

SAME_ORIGIN = {"Origin": "http://testserver"}


@pytest.fixture
def datasets(tmp_path: Path) -> Path:
    return tmp_path / "datasets"


@pytest.fixture
def api_runtime(corpus_runtime, datasets):
    """The small corpus (tests/conftest.py), with the evaluation datasets in a temporary folder."""
    corpus_runtime.settings.eval_datasets_dir = datasets
    return corpus_runtime


def thumbs_down(runtime, question: str, language: str = "en", doc_id: str = "credit", comment: str | None = None):
    citation = Citation(1, doc_id, f"{doc_id}.{language}#a-1", "Access to credit", language, "...")
    answer = Answer(question, language, f"The answer shown for {question} [1].", False, [citation])
    answer_id = runtime.store.record_answer(answer, "api")
    runtime.store.add_feedback(answer_id, -1, comment)


def good_form(**changes) -> dict:
    form = {
        "candidate": "",
        "id": "en-credit-review-01",
        "question": "What should I prepare for a loan?",
        "language": "en",
        "answerable": "yes",
        "relevant_doc_ids": ["credit"],
        "key_facts": "Cash-flow records\nmonthly sales\n",
    }
    return {**form, **changes}


def rows(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def test_the_page_lists_thumbs_down_and_gaps_with_a_prefilled_form(api, api_runtime, tokens):
    thumbs_down(api_runtime, "What do I need for a loan?", comment="Too <b>vague</b>")
    api_runtime.store.record_gap("Quel est le numéro du bureau de Dakar ?", "fr", {})
    api_runtime.store.record_gap("quel est le numero du bureau de dakar", "fr", {})
    sign_in(api, tokens["staff"])
    page = api.get("/staff/evals")
    assert page.status_code == 200
    assert "<title>Evaluation cases · Mentor staff console</title>" in page.text
    assert "script-src 'self'" in page.headers["content-security-policy"]
    assert page.headers["cache-control"] == "no-store"
    assert '<a href="/staff/evals" aria-current="page">Eval cases</a>' in page.text
    body = main_of(page.text)
    gap_at, down_at = body.index("bureau de dakar"), body.index("What do I need for a loan?")
    assert gap_at < down_at  # asked twice: first
    assert "<strong>2</strong> times" in body and "Content gap" in body and "Thumbs-down" in body
    assert "The answer shown for What do I need for a loan? [1]." in body
    assert "Too &lt;b&gt;vague&lt;/b&gt;" in body and "<b>vague" not in body
    down = body[down_at:]
    assert 'action="/staff/evals/promote"' in down
    assert 'name="id" type="text" value="en-candidate-' in down
    assert '<option value="credit" selected>' in down and '<option value="meetings">' in down
    assert '<option value="en" selected>' in down
    assert 'name="answerable" value="yes" checked' in down
    gap = body[gap_at:down_at]
    assert 'name="id" type="text" value="fr-candidate-' in gap
    assert 'name="answerable" value="yes">' in gap  # unchecked: a gap is suggested as unanswerable
    assert '<option value="fr" selected>' in gap


def test_a_valid_case_is_appended_and_the_page_says_where(api, api_runtime, tokens, datasets):
    thumbs_down(api_runtime, "What should I prepare for a loan?")
    sign_in(api, tokens["staff"])
    response = api.post("/staff/evals/promote", data=good_form(), headers=SAME_ORIGIN, follow_redirects=False)
    assert response.status_code == 303, response.text
    assert response.headers["location"] == "/staff/evals?promoted=en-credit-review-01"
    case = {
        "id": "en-credit-review-01",
        "question": "What should I prepare for a loan?",
        "language": "en",
        "relevant_doc_ids": ["credit"],
        "answerable": True,
        "key_facts": ["Cash-flow records", "monthly sales"],
    }
    assert rows(datasets / "parts" / "reviewed.jsonl") == [case]
    assert rows(datasets / "questions.jsonl") == [case]
    page = api.get(response.headers["location"])
    notice = page.text[page.text.index('class="alert alert-ok"') :]
    assert "en-credit-review-01" in notice and str(escape(datasets / "parts" / "reviewed.jsonl")) in notice
    assert "What should I prepare for a loan?" not in main_of(page.text)  # in the dataset now: no longer listed
    # The same question again is refused, and the files are unchanged.
    again = api.post("/staff/evals/promote", data=good_form(id="en-credit-review-02"), headers=SAME_ORIGIN)
    assert again.status_code == 422 and "already in" in again.text
    assert rows(datasets / "questions.jsonl") == [case]


def test_an_unanswerable_gap_can_be_promoted(api, api_runtime, tokens, datasets):
    api_runtime.store.record_gap("¿Cuál es el teléfono de la oficina?", "es", {})
    sign_in(api, tokens["admin"])
    form = good_form(id="es-office-phone", question="¿Cuál es el teléfono de la oficina?", language="es",
                     relevant_doc_ids=[], key_facts="")  # fmt: skip
    del form["answerable"]  # an unchecked checkbox is not sent
    response = api.post("/staff/evals/promote", data=form, headers=SAME_ORIGIN, follow_redirects=False)
    assert response.status_code == 303, response.text
    [row] = rows(datasets / "parts" / "reviewed.jsonl")
    assert row["answerable"] is False and row["question"] == "¿Cuál es el teléfono de la oficina?"
    assert "¿Cuál" in (datasets / "questions.jsonl").read_text(encoding="utf-8")  # not ASCII-escaped


def test_an_invalid_case_is_422_with_the_message_and_what_was_typed(api, api_runtime, tokens, datasets):
    thumbs_down(api_runtime, "How do I get credit?")
    sign_in(api, tokens["staff"])
    page = api.get("/staff/evals").text
    candidate = page[page.index('name="candidate" value="') :].split('"')[3]
    typed = good_form(
        candidate=candidate,
        id="en-my-typed-id",
        question="How do I get credit <quickly>?",
        key_facts="monthly sales\nten golden rules",
        relevant_doc_ids=["credit", "meetings"],
    )
    response = api.post("/staff/evals/promote", data=typed, headers=SAME_ORIGIN)
    assert response.status_code == 422
    body = main_of(response.text)
    assert "key_facts: &#39;ten golden rules&#39; does not occur in the relevant en guide(s)" in body
    assert body.count('action="/staff/evals/promote"') == 1  # the candidate's own form, not a second one
    form = body[body.index('class="alert alert-error"') :]
    assert 'value="en-my-typed-id"' in form
    assert "How do I get credit &lt;quickly&gt;?</textarea>" in form
    assert "monthly sales\nten golden rules</textarea>" in form
    assert '<option value="credit" selected>' in form and '<option value="meetings" selected>' in form
    assert not datasets.exists() or not list(datasets.rglob("*.jsonl"))


def test_an_unknown_document_is_kept_in_the_form_when_refused(api, tokens, datasets):
    sign_in(api, tokens["staff"])
    response = api.post("/staff/evals/promote", data=good_form(relevant_doc_ids=["gone-guide"]), headers=SAME_ORIGIN)
    assert response.status_code == 422
    body = main_of(response.text)
    assert "relevant_doc_ids: unknown document &#39;gone-guide&#39;" in body
    assert '<option value="gone-guide" selected>gone-guide (not in the index)</option>' in body
    assert "Your case" in body and not datasets.exists()


def test_a_cross_site_post_is_refused(api, tokens, datasets):
    sign_in(api, tokens["staff"])
    forged = api.post("/staff/evals/promote", data=good_form(), headers={"Origin": "https://evil.example"})
    assert forged.status_code == 403
    fetched = api.post("/staff/evals/promote", data=good_form(), headers={"Sec-Fetch-Site": "cross-site"})
    assert fetched.status_code == 403
    assert not datasets.exists()


def test_signing_in_is_required_and_an_evaluator_may_read_but_not_promote(api, api_runtime, tokens, datasets):
    page = api.get("/staff/evals", follow_redirects=False)
    assert page.status_code == 303 and page.headers["location"] == "/staff/login"
    post = api.post("/staff/evals/promote", data=good_form(), headers=SAME_ORIGIN, follow_redirects=False)
    assert post.status_code == 303 and post.headers["location"] == "/staff/login"
    thumbs_down(api_runtime, "How do I get credit?")
    sign_in(api, tokens["evaluator"])
    listing = api.get("/staff/evals")
    assert listing.status_code == 200 and "How do I get credit?" in listing.text
    assert 'action="/staff/evals/promote"' not in listing.text
    refused = api.post("/staff/evals/promote", data=good_form(), headers=SAME_ORIGIN)
    assert refused.status_code == 403 and "evaluator" in refused.text
    assert not datasets.exists()


def test_a_forged_notice_is_not_shown(api, tokens):
    sign_in(api, tokens["staff"])
    page = api.get("/staff/evals", params={"promoted": "<script>alert(1)</script>"})
    assert page.status_code == 200 and "alert-ok" not in page.text and "<script>alert" not in page.text
