"""POST /v1/ask and POST /v1/feedback, and the staff read routes that show what they stored."""

from __future__ import annotations

from tests.web.conftest import bearer


def test_ask_returns_the_cli_shape_with_an_answer_id(api):
    response = api.post("/v1/ask", json={"question": "How do savings groups help women without collateral?"})
    assert response.status_code == 200, response.text
    data = response.json()
    assert list(data)[:6] == ["question", "language", "answer", "abstained", "citations", "latency_ms"]
    assert data["language"] == "en" and data["abstained"] is False
    assert data["citations"][0]["doc_id"] == "credit"
    assert "[1]" in data["answer"]
    assert len(data["answer_id"]) == 32


def test_ask_honours_an_explicit_language(api):
    data = api.post("/v1/ask", json={"question": "savings groups microfinance", "language": "fr"}).json()
    assert data["language"] == "fr"
    assert data["citations"][0]["language"] == "fr"


def test_unanswerable_question_abstains_and_becomes_a_gap(api, tokens):
    data = api.post("/v1/ask", json={"question": "What is the airspeed of an unladen swallow?"}).json()
    assert data["abstained"] is True and data["citations"] == []
    gaps = api.get("/v1/gaps", headers=bearer(tokens["staff"])).json()
    assert gaps[0]["question"] == "What is the airspeed of an unladen swallow?"
    assert gaps[0]["count"] == 1 and gaps[0]["languages"] == {"en": 1}


def test_feedback_down_shows_in_the_staff_list(api, tokens):
    answer = api.post("/v1/ask", json={"question": "How do savings groups help women?"}).json()
    created = api.post("/v1/feedback", json={"answer_id": answer["answer_id"], "vote": "down", "comment": "vague"})
    assert created.status_code == 201 and created.json()["id"] > 0
    api.post("/v1/feedback", json={"answer_id": answer["answer_id"], "vote": "up"})
    shown = api.get("/v1/feedback", headers=bearer(tokens["evaluator"])).json()
    assert len(shown) == 1
    assert shown[0]["answer"] == answer["answer"] and shown[0]["comment"] == "vague"


def test_feedback_on_an_unknown_answer_is_404(api):
    response = api.post("/v1/feedback", json={"answer_id": "0" * 32, "vote": "up"})
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


def test_stats_count_questions_by_language_and_channel(api, tokens):
    api.post("/v1/ask", json={"question": "How do savings groups help women?"})
    api.post("/v1/ask", json={"question": "¿Cómo vender en ferias comerciales?"})
    stats = api.get("/v1/stats", headers=bearer(tokens["admin"])).json()
    assert stats["questions"] == 2
    assert stats["by_language"] == {"en": 1, "es": 1}
    assert stats["by_channel"] == {"api": 2}


def test_follow_up_with_a_user_id_is_understood_in_context(api, api_runtime):
    api_runtime.store.give_consent("api", "u-1")
    first = api.post("/v1/ask", json={"question": "How do savings groups help women?", "user_id": "u-1"}).json()
    follow = api.post("/v1/ask", json={"question": "and microfinance?", "user_id": "u-1"}).json()
    assert first["abstained"] is False and follow["abstained"] is False
    assert follow["citations"][0]["doc_id"] == "credit"
    history = api_runtime.store.history("api", "u-1")
    assert [t.question for t in history] == ["How do savings groups help women?", "and microfinance?"]


def test_openapi_docs_describe_every_route_and_the_error_shape(api):
    assert api.get("/docs").status_code == 200
    schema = api.get("/openapi.json").json()
    for path in (
        "/v1/ask",
        "/v1/search",
        "/v1/feedback",
        "/v1/documents",
        "/v1/jobs/{job_id}",
        "/v1/gaps",
        "/v1/stats",
        "/healthz",
        "/readyz",
    ):
        assert path in schema["paths"], path
    assert set(schema["components"]["schemas"]["ErrorBody"]["properties"]) == {"code", "message"}
    assert "401" in schema["paths"]["/v1/gaps"]["get"]["responses"]
    assert not [p for p in schema["paths"] if p.startswith("/staff")]  # the console is pages, not API
