"""Every "why" of every pathway step, regenerated from the database: her stored diagnostic, her stored
questions with their citations, the skills her stated needs name. A claim that is not true fails; so does a
sentence that says more than its claims. Her first step builds her weakest area or directly prepares it."""

from __future__ import annotations

import random

import pytest

from assistant.answering.types import Answer, Citation
from assistant.pathways.claims import Facts, first_step_ok, untrue_claims
from assistant.pathways.planner import skill_competency
from tests.assistant.conversation.test_pathway_chat import consented

GUIDES = {
    "access-to-credit": "Access to credit",
    "strategic-communication": "Strategic communication",
    "ai-and-digital-tools": "AI and digital tools",
    "green-business": "Green business",
    "reciprocal-mentoring": "Reciprocal mentoring",
    "networks-and-markets": "Networks and markets",
}
NEEDS = [
    "Necesito acceso al crédito y aprender a llevar la contabilidad",
    "J'ai besoin d'aide pour la prise de parole en public et le marketing sur les réseaux sociaux",
    "I need help with digital payments and with a business plan",
    "",
]


def facts_from_the_database(runtime, participant_id: str) -> Facts:
    person = runtime.store.participant_by_id(participant_id)
    profile = person.profile or {}
    taxonomy = runtime.pathways.taxonomy
    stated = {}
    for skill in taxonomy.extract(str(profile.get("needs") or "")):
        stated[skill] = skill_competency(skill, taxonomy.by_id[skill].category)
    questions = [r["citations"] for r in runtime.store.recent_questions(participant_id, runtime.pathways_window)]
    return Facts(ratings=dict(profile.get("diagnostic") or {}), questions=questions, stated_skills=stated)


@pytest.fixture
def women(engine, runtime):
    """Twelve women with random diagnostics, stated needs and questions; some answers cite several guides
    (only the first answered her question)."""
    from assistant.pathways.service import QUESTION_WINDOW

    runtime.pathways_window = QUESTION_WINDOW
    rng = random.Random(23)
    competencies = runtime.pathways.planner.diagnostic_competencies()
    ids = []
    for n in range(12):
        lang = ("es", "fr", "en")[n % 3]
        consented(engine, uid=f"w{n}", lang=lang)
        person = runtime.store.participant("telegram", f"w{n}")
        diagnostic = {c: rng.randint(1, 5) for c in competencies}
        profile = {**(person.profile or {}), "diagnostic": diagnostic, "needs": NEEDS[n % len(NEEDS)]}
        runtime.store.update_participant(person.id, profile=profile)
        for q in range(rng.randint(0, 7)):
            first, second = rng.sample(sorted(GUIDES), 2)
            cited = [Citation(1, first, f"{first}.en#a-{q}", GUIDES[first], "en", "…")]
            if rng.random() < 0.6:
                cited.append(Citation(2, second, f"{second}.en#b-{q}", GUIDES[second], "en", "…"))
            runtime.store.record_answer(Answer(f"question {q}", lang, "…", False, cited), "telegram", person.id)
        ids.append((person.id, lang))
    return ids


def test_every_why_claim_is_true_of_what_the_database_holds(runtime, women):
    checked = 0
    for participant_id, lang in women:
        person = runtime.store.participant_by_id(participant_id)
        steps, _ = runtime.pathways.plan(person, lang)
        facts = facts_from_the_database(runtime, participant_id)
        assert untrue_claims(runtime.pathways.planner, steps, facts, lang) == []
        assert first_step_ok(runtime.pathways.planner, steps, facts.ratings), (participant_id, steps[0].claims)
        checked += sum(len(s.claims) for s in steps)
    assert checked > 100


def test_an_untrue_claim_is_caught(runtime, women):
    participant_id, lang = women[0]
    steps, _ = runtime.pathways.plan(runtime.store.participant_by_id(participant_id), lang)
    facts = facts_from_the_database(runtime, participant_id)
    planner = runtime.pathways.planner
    rated = next(s for s in steps if any("rating" in c for c in s.claims))
    claim = next(c for c in rated.claims if "rating" in c)
    claim["rating"] = claim["rating"] % 5 + 1  # a rating she did not give
    assert untrue_claims(planner, steps, facts, lang)
    claim["rating"] = facts.ratings[claim["competency"]]
    rated.why += " " + rated.why  # a sentence that says more than its claims
    assert untrue_claims(planner, steps, facts, lang)


def test_questions_are_claimed_only_for_the_guide_that_answered_them(runtime, engine):
    consented(engine, uid="rosa", lang="es")
    person = runtime.store.participant("telegram", "rosa")
    diagnostic = dict.fromkeys(runtime.pathways.planner.diagnostic_competencies(), 3) | {"access-to-finance": 1}
    runtime.store.update_participant(person.id, profile={**person.profile, "diagnostic": diagnostic})
    for q in range(6):  # credit questions whose answers also cite the communication guide second
        cited = [
            Citation(1, "access-to-credit", f"access-to-credit.es#{q}", "Acceso al crédito", "es", "…"),
            Citation(
                2, "strategic-communication", f"strategic-communication.es#{q}", "Guía de comunicación", "es", "…"
            ),
        ]
        runtime.store.record_answer(Answer(f"¿crédito {q}?", "es", "…", False, cited), "telegram", person.id)
    steps, _ = runtime.pathways.plan(runtime.store.participant_by_id(person.id), "es")
    assert "access-to-finance" in steps[0].competencies or any(c["kind"] == "prerequisite" for c in steps[0].claims)
    said = " ".join(s.why for s in steps)
    assert "Guía de comunicación" not in said
    assert {c["guide"] for s in steps for c in s.claims if c["kind"] == "questions"} == {"access-to-credit"}
    assert "6 de tus preguntas se respondieron con la guía «Acceso al crédito»" in said
    assert any(c.get("guide") == "access-to-credit" and c["count"] == 6 for s in steps for c in s.claims)
