"""Pathways and nudges over HTTP and in the console."""

from __future__ import annotations

from datetime import timedelta

import pytest

from assistant.storage.store import now
from tests.web.conftest import bearer
from tests.web.helpers import sign_in


@pytest.fixture
def learner(api_runtime):
    """A web-chat participant with a diagnostic, whose first step was given 8 days ago."""
    store = api_runtime.store
    person = store.give_consent("web", "learner-1", language="es")
    ratings = dict.fromkeys(api_runtime.pathways.planner.diagnostic_competencies(), 4)
    ratings["digital-skills"] = 1
    store.update_participant(
        person.id, country="Bolivia", profile={"diagnostic": ratings, "timezone": "America/La_Paz"}
    )
    store.set_module_state(person.id, "digital-first-steps", "given", given_at=(now() - timedelta(days=8)).isoformat())
    quiet = api_runtime.settings.nudge_quiet_hours
    api_runtime.settings.nudge_quiet_hours = "00:00-00:00"  # never quiet: the test must not depend on the hour
    yield person
    api_runtime.settings.nudge_quiet_hours = quiet


def test_pathway_has_the_documented_shape(api, tokens, learner):
    response = api.get(f"/v1/pathways/{learner.id}", headers=bearer(tokens["evaluator"]))
    assert response.status_code == 200
    body = response.json()
    assert body["participant_id"] == learner.id and body["language"] == "es"
    first = body["steps"][0]
    assert set(first) == {"module_id", "title", "why", "minutes", "resources"}
    assert first["module_id"] == "digital-first-steps" and "1/5" in first["why"]
    assert first["title"] == "Primeros pasos digitales para mi negocio" and first["minutes"] > 0
    english = api.get(f"/v1/pathways/{learner.id}?lang=en", headers=bearer(tokens["staff"])).json()
    assert english["steps"][0]["title"] == "Digital first steps for my business"


def test_unknown_participant_is_404_and_a_bad_language_422(api, tokens, learner):
    assert api.get("/v1/pathways/nobody", headers=bearer(tokens["staff"])).status_code == 404
    assert api.get(f"/v1/pathways/{learner.id}?lang=de", headers=bearer(tokens["staff"])).status_code == 422


def test_a_nudge_run_sends_the_follow_up_once_and_counts_it_per_cohort(api, api_runtime, tokens, learner):
    headers = bearer(tokens["staff"])
    plan = api.post("/v1/nudges/run?dry_run=true", headers=headers).json()
    assert plan["sent"] == 0 and [p["kind"] for p in plan["planned"]] == ["step"]
    assert plan["planned"][0]["held_back"] is None
    assert api_runtime.store.nudges() == []  # a dry run sends and records nothing
    sent = api.post("/v1/nudges/run", headers=headers).json()
    assert sent["sent"] == 1
    notices = [m for m in api_runtime.store.staff_messages("web", "learner-1") if m["role"] == "notice"]
    assert len(notices) == 1 and "Primeros pasos digitales" in notices[0]["text"]  # in her language
    again = api.post("/v1/nudges/run", headers=headers).json()
    assert again["sent"] == 0  # followed up once only
    stats = api.get("/v1/nudges/stats", headers=bearer(tokens["evaluator"])).json()
    assert stats["bolivia"]["sent"] == 1 and stats["bolivia"]["waiting"] == 1 and stats["bolivia"]["answered"] == 0


def test_console_nudges_page_shows_the_cohorts_and_only_editors_send(api, tokens, learner):
    sign_in(api, tokens["staff"])
    assert api.post("/staff/nudges/run", follow_redirects=False).status_code == 303
    page = api.get("/staff/nudges?done=run&sent=1")
    assert page.status_code == 200 and "bolivia" in page.text and "Nudges sent: 1" in page.text
    assert "Nothing is due" in api.get("/staff/nudges?plan=1").text
    sign_in(api, tokens["evaluator"])
    page = api.get("/staff/nudges")
    assert page.status_code == 200 and "Send the nudges due now" not in page.text
    assert api.post("/staff/nudges/run", follow_redirects=False).status_code == 403


def test_the_server_runs_the_nudges_itself_when_asked(api_runtime, learner):
    import time

    from fastapi.testclient import TestClient

    from web.app import create_app

    api_runtime.settings.nudges_in_server = True
    try:
        with TestClient(create_app(api_runtime.settings, api_runtime)):
            deadline = time.monotonic() + 10
            while not api_runtime.store.nudges() and time.monotonic() < deadline:
                time.sleep(0.05)
    finally:
        api_runtime.settings.nudges_in_server = False
    sent = api_runtime.store.nudges()
    assert [(n["kind"], n["ref"], n["status"]) for n in sent] == [("step", "digital-first-steps", "sent")]
