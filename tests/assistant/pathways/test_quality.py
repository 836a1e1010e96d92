"""The pathways' quality figures on the demo cohort, and the diagnostic each demo person is given."""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant.embeddings import HashEmbedder
from assistant.knowledge.catalog import load_catalog
from assistant.matching.taxonomy import default_taxonomy
from assistant.pathways.planner import Planner
from assistant.pathways.quality import FIRST_STEP_GOAL, Quality, derived_ratings, evaluate, load_demo

KB = Path(__file__).resolve().parents[3] / "knowledge_base"


@pytest.fixture(scope="module")
def taxonomy():
    return default_taxonomy()


@pytest.fixture(scope="module")
def competencies() -> list[str]:
    return Planner(load_catalog(KB)).diagnostic_competencies()


def test_the_demo_cohort_meets_the_goals():
    lines = [line for line in (KB / "demo_cohort.jsonl").read_text(encoding="utf-8").splitlines() if line.strip()]
    profiles = load_demo()
    assert len(profiles) == len(lines)
    quality = evaluate(profiles, HashEmbedder())
    assert quality.people == len(lines)
    assert quality.violations == []
    assert quality.first_step_share >= FIRST_STEP_GOAL == 0.95
    assert quality.first_on_weakest <= quality.first_on_weakest_or_prerequisite <= quality.people
    assert quality.untrue == []
    assert quality.repeats == []
    assert quality.ok
    figures = quality.to_dict()
    assert figures["people"] == len(lines)
    assert figures["prerequisite_violations"] == 0
    assert figures["completed_resources_repeated"] == 0
    assert figures["first_step_on_two_weakest"] == round(quality.first_on_weakest / len(lines), 4)
    assert figures["first_step_on_weakest_or_its_direct_prerequisite"] == round(quality.first_step_share, 4)
    assert figures["untrue_why_claims"] == 0
    assert figures["resources_with_something_to_open"] == 1.0
    assert figures["goals_met"] is True


def test_quality_goals():
    assert Quality().first_step_share == 0.0 and not Quality().ok
    assert Quality(people=20, first_on_lowest_or_direct_prerequisite=19).ok
    assert not Quality(people=20, first_on_lowest_or_direct_prerequisite=18).ok
    assert not Quality(people=10, first_on_lowest_or_direct_prerequisite=10, violations=["x"]).ok
    assert not Quality(people=10, first_on_lowest_or_direct_prerequisite=10, repeats=["y"]).ok
    assert not Quality(people=10, first_on_lowest_or_direct_prerequisite=10, untrue=["z"]).ok
    closed = Quality(people=10, first_on_lowest_or_direct_prerequisite=10, resources=4)
    closed.resources_without_anything_to_open = ["resources.yaml: 'x' has nothing to open in 'fr' (...)"]
    assert not closed.ok and closed.to_dict()["resources_with_something_to_open"] == 0.75


def test_derived_ratings_by_hand(taxonomy, competencies):
    profile = {
        "needs": [
            "bookkeeping", "cash-flow-management", "pricing-costing",  # finance x3: 3 -> 1 (not below)
            "credit-file-preparation",  # access to finance (the skill's own mapping beats its category)
            "digital-tools",  # digital: 3 -> 2
            "tax-compliance",  # legal: no competency
            "not-a-skill",  # unknown: ignored
        ],
        "offers": [
            "public-speaking", "strategic-communication", "intercultural-communication",  # 3 -> 5 (not above)
            "leadership", "team-management",  # leadership: 3 -> 5
            "mentoring-coaching",  # mentoring relationship: 3 -> 4
            "agroecology",  # green: 3 -> 4
            "handicrafts",  # production: no competency
        ],
    }  # fmt: skip
    assert derived_ratings(profile, taxonomy, competencies) == {
        "mentoring-relationship": 4,
        "financial-management": 1,
        "access-to-finance": 2,
        "market-access": 3,
        "digital-skills": 2,
        "green-practices": 4,
        "communication": 5,
        "leadership": 5,
    }
    assert derived_ratings({}, taxonomy, competencies) == dict.fromkeys(competencies, 3)
    assert derived_ratings(profile, taxonomy, ["financial-management", "market-access"]) == {
        "financial-management": 1,
        "market-access": 3,
    }
