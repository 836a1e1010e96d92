"""Checking a pathway's "why" against the facts it claims, regenerated from raw data.

Each step carries its claims as data (`Step.claims`: a rating, her weakest areas, the module it prepares, the
questions a guide answered, the needs she stated). `untrue_claims` checks every one against facts read
independently of the planner (her stored diagnostic, her stored questions with their citations, the skills
named in her stated needs, the catalogue), and checks that the sentence says nothing but those claims. Used by
the tests (on the database) and by `mentor pathway quality`.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from assistant.pathways.planner import Planner, Step


@dataclass
class Facts:
    """What is stored about her, read without the planner."""

    ratings: dict[str, int] = field(default_factory=dict)
    questions: list[list[dict]] = field(default_factory=list)  # each recent question's citations
    stated_skills: dict[str, str] = field(default_factory=dict)  # skill named in her needs -> its competency


def _weakest_two(ratings: dict[str, int]) -> set[str]:
    values = sorted(ratings.values())
    if not values:
        return set()
    cut = values[min(2, len(values)) - 1]
    return {c for c, r in ratings.items() if r <= cut}


def untrue_claims(planner: Planner, steps: list[Step], facts: Facts, lang: str) -> list[str]:
    """Every claim of every step that the facts do not bear out (empty when all are true)."""
    bad: list[str] = []
    modules = planner.modules
    for index, step in enumerate(steps):
        module = modules[step.module_id]
        if step.why != planner.render(step.claims, lang):
            bad.append(f"{step.module_id}: the sentence says more than its claims")
        for claim in step.claims:
            kind, competency = claim["kind"], claim.get("competency")
            where = f"{step.module_id}: {claim}"
            if kind in ("weakest", "rating"):
                ok = facts.ratings.get(competency) == claim["rating"] and competency in step.competencies
                ok = ok and (kind == "rating" or competency in _weakest_two(facts.ratings))
            elif kind == "builds":
                ok = competency in step.competencies
            elif kind == "prerequisite":
                target = claim["module"]
                reach = planner.unlocks[step.module_id] if index == 0 else planner.unlocked_by(step.module_id)
                ok = target in reach and competency in (modules[target].get("competencies") or [])
                ok = ok and ("rating" not in claim or facts.ratings.get(competency) == claim["rating"])
            elif kind == "questions":
                tops = [min(c, key=lambda x: x.get("n") or 0) for c in facts.questions if c]
                answered = [t for t in tops if t.get("doc_id") == claim["guide"]]
                ok = len(answered) == claim["count"] and claim["guide"] in (module.get("guide_ids") or [])
                ok = ok and any(str(t.get("title")) == claim["title"] for t in answered)
            elif kind == "stated":
                skills = claim.get("skills") or []
                ok = bool(skills) and all(facts.stated_skills.get(s) == competency for s in skills)
                ok = ok and competency in step.competencies
            else:
                ok = kind == "next"
            if not ok:
                bad.append(where)
    return bad


def first_step_ok(planner: Planner, steps: list[Step], ratings: dict[str, int]) -> bool:
    """Her first step builds her lowest-rated competency, or is a direct prerequisite of a module that does
    (and then its why names that module)."""
    if not steps or not ratings:
        return True
    low = min(ratings.values())
    lowest = {c for c, r in ratings.items() if r == low}
    first = steps[0]
    if lowest & set(first.competencies):
        return True
    prepared = [c.get("module") for c in first.claims if c["kind"] == "prerequisite"]
    return any(
        m in planner.unlocks[first.module_id] and lowest & set(planner.modules[m].get("competencies") or [])
        for m in prepared
    )
