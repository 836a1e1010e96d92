"""Matching over HTTP and in the console, on the demo cohort (hash embedder: skills carry the fit)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.web.conftest import bearer
from tests.web.helpers import sign_in

DEMO = Path(__file__).resolve().parents[2] / "knowledge_base" / "demo_cohort.jsonl"


@pytest.fixture
def demo(api_runtime):
    api_runtime.settings.match_profiles = DEMO
    yield api_runtime
    api_runtime.settings.match_profiles = None


def test_suggestions_have_the_documented_shape(api, tokens, demo):
    response = api.get("/v1/matches/p001?k=2&lang=es", headers=bearer(tokens["evaluator"]))
    assert response.status_code == 200
    body = response.json()
    assert body["participant_id"] == "p001" and len(body["suggestions"]) == 2
    first = body["suggestions"][0]
    assert set(first) == {
        "id", "score", "fit_to_her", "fit_from_her", "shared_languages", "explanation", "covers_main_need"
    }  # fmt: skip
    assert first["shared_languages"] and first["fit_to_her"] > 0 and first["fit_from_her"] > 0
    assert body["main_need"]["skill"] == "cooperative-management"  # her first stated need
    assert body["main_need"]["status"] in ("covered", "full", "exposure", "none")
    if not first["covers_main_need"]:  # a partner offering her main need comes first; else the best score
        assert first["score"] >= body["suggestions"][1]["score"]
    assert "hablan" in first["explanation"]  # Spanish, as asked


def test_unknown_participant_is_404(api, tokens, demo):
    response = api.get("/v1/matches/nobody", headers=bearer(tokens["staff"]))
    assert response.status_code == 404 and response.json()["code"] == "not_found"


def test_cohort_run_then_approve_and_reject_then_rerun_keeps_and_never_reproposes(api, tokens, demo):
    headers = bearer(tokens["staff"])
    run = api.post("/v1/pairings/cohort", json={"directions": ["north-south"]}, headers=headers).json()
    assert run["pairs"] and run["summary"]["optimal"]
    assert all({"a", "b", "score", "fit_ab", "fit_ba", "shared_languages", "reasons"} == set(p) for p in run["pairs"])
    assert all({"id", "reason"} == set(u) for u in run["unmatched"])
    stored = api.get("/v1/pairings?status=proposed", headers=headers).json()
    assert len(stored) == len(run["pairs"])
    approved, rejected = stored[0], stored[1]
    assert api.post(f"/v1/pairings/{approved['id']}/approve", headers=headers).json()["staff_decision"] == "approved"
    assert api.post(f"/v1/pairings/{rejected['id']}/reject", headers=headers).json()["status"] == "rejected"
    again = api.post("/v1/pairings/cohort", json={"directions": ["north-south"]}, headers=headers).json()
    pairs = {tuple(sorted((p["a"], p["b"]))) for p in again["pairs"]}
    assert (approved["a"], approved["b"]) in pairs
    assert (rejected["a"], rejected["b"]) not in pairs
    # deciding a closed pair again is refused clearly
    response = api.post(f"/v1/pairings/{rejected['id']}/approve", headers=headers)
    assert response.status_code == 422 and "rejected" in response.json()["message"]


def test_bad_directions_are_a_clear_422(api, tokens, demo):
    response = api.post("/v1/pairings/cohort", json={"directions": ["sideways"]}, headers=bearer(tokens["staff"]))
    assert response.status_code == 422 and "sideways" in response.json()["message"]


def test_report_compares_three_pairings(api, tokens, demo):
    report = api.get("/v1/matching/report", headers=bearer(tokens["evaluator"])).json()
    for name in ("ours", "random", "one_directional"):
        assert {"match_rate", "mean_score", "mean_weaker_fit", "language_violations", "by_country"} <= set(report[name])
        assert report[name]["language_violations"] == 0
    assert report["ours"]["mean_score"] > report["random"]["mean_score"]


def test_console_page_lists_pairs_and_staff_approve_with_a_form(api, tokens, demo):
    sign_in(api, tokens["staff"])
    assert (
        api.post("/staff/matching/run", data={"directions": ["north-south"]}, follow_redirects=False).status_code == 303
    )
    page = api.get("/staff/matching?done=run")
    assert (
        page.status_code == 200 and "Approve" in page.text and "Geneviève Tremblay" in page.text
    ) or "canada" in page.text
    first = api.get("/v1/pairings?status=proposed", headers=bearer(tokens["staff"])).json()[0]
    done = api.post(f"/staff/matching/{first['id']}/approve", follow_redirects=False)
    assert done.status_code == 303
    assert api.get("/v1/pairings", headers=bearer(tokens["staff"])).json()[0]["staff_decision"] == "approved"
    report = api.get("/staff/matching?report=1")
    assert "One-directional" in report.text and "Match rate by country" in report.text


def test_evaluators_see_the_page_but_cannot_decide(api, tokens, demo):
    sign_in(api, tokens["evaluator"])
    page = api.get("/staff/matching")
    assert page.status_code == 200 and "Run the cohort assignment" not in page.text
    assert api.post("/staff/matching/run", data={}, follow_redirects=False).status_code == 403
