"""The pathways' quality on the demo cohort, printed by `mentor pathway quality`.

The demo cohort's people have no diagnostic, so each gets one derived from her profile, the same way for
everyone: every competency starts at 3; each skill she needs in it takes one point off, each skill she
offers in it adds one (1 to 5). Then, for each person:
- her pathway, checked for prerequisite violations (goal: 0);
- whether its first step builds her weakest competency (lowest rating, ties included) or is a direct
  prerequisite of a module that does, its why naming that module (goal: >= 95% of people); beside it the
  older figure, one of her two weakest;
- every "why" claim checked against the facts it states (`claims.py`; goal: 0 untrue);
- recommendations measured for relevance: the share of her five whose modules build a competency of her current
  step or of a need she stated (the resources' place in pathways.yaml, not the embedding, decides);
- recommendations, she marks the first two done and completes her first step, recommendations again:
  a completed resource must never come back (goal: 0 repeats).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from assistant.knowledge.catalog import Catalog, load_catalog
from assistant.knowledge.resource_pages import problems
from assistant.matching.taxonomy import Taxonomy, default_taxonomy
from assistant.pathways.claims import Facts, first_step_ok, untrue_claims
from assistant.pathways.planner import Needs, Planner, skill_competency
from assistant.pathways.recommend import Context, Recommender
from assistant.pathways.service import DEFAULT_CATALOG, level_of

FIRST_STEP_GOAL = 0.95


def derived_ratings(profile: dict, taxonomy: Taxonomy, competencies: list[str]) -> dict[str, int]:
    ratings = dict.fromkeys(competencies, 3)
    for side, delta in (("needs", -1), ("offers", 1)):
        for skill in profile.get(side) or []:
            if skill not in taxonomy.by_id:
                continue
            competency = skill_competency(skill, taxonomy.by_id[skill].category)
            if competency in ratings:
                ratings[competency] = min(5, max(1, ratings[competency] + delta))
    return ratings


@dataclass
class Quality:
    people: int = 0
    violations: list[str] = field(default_factory=list)
    first_on_weakest: int = 0
    first_on_weakest_or_prerequisite: int = 0
    first_on_lowest_or_direct_prerequisite: int = 0
    untrue: list[str] = field(default_factory=list)
    recommended: int = 0
    relevant: int = 0
    resources: int = 0
    resources_without_anything_to_open: list[str] = field(default_factory=list)
    repeats: list[str] = field(default_factory=list)
    empty_recommendations: int = 0
    misses: list[str] = field(default_factory=list)

    @property
    def first_step_share(self) -> float:
        return self.first_on_lowest_or_direct_prerequisite / self.people if self.people else 0.0

    @property
    def ok(self) -> bool:
        return (
            not self.violations
            and self.first_step_share >= FIRST_STEP_GOAL
            and not self.repeats
            and not self.untrue
            and not self.resources_without_anything_to_open
        )

    def to_dict(self) -> dict:
        return {
            "people": self.people,
            "prerequisite_violations": len(self.violations),
            "first_step_on_weakest_or_its_direct_prerequisite": round(self.first_step_share, 4),
            "untrue_why_claims": len(self.untrue),
            "first_step_on_two_weakest": round(self.first_on_weakest / self.people if self.people else 0.0, 4),
            "first_step_on_two_weakest_or_their_prerequisite": round(
                self.first_on_weakest_or_prerequisite / self.people if self.people else 0.0, 4
            ),
            "recommendations_on_her_step_or_needs": round(self.relevant / self.recommended, 4)
            if self.recommended
            else 0.0,
            "resources_with_something_to_open": round(
                1 - len({p.split("'")[1] for p in self.resources_without_anything_to_open}) / self.resources, 4
            )
            if self.resources
            else 1.0,
            "completed_resources_repeated": len(self.repeats),
            "people_without_recommendations": self.empty_recommendations,
            "goals_met": self.ok,
            "examples": {
                "violations": self.violations[:5],
                "repeats": self.repeats[:5],
                "misses": self.misses[:5],
                "untrue": self.untrue[:5],
            },
        }


def evaluate(
    profiles: list[dict],
    embedder,
    catalog: Catalog | None = None,
    taxonomy: Taxonomy | None = None,
    place_bonus: float | None = None,
    catalog_root: Path | None = None,
) -> Quality:
    catalog = catalog or load_catalog(DEFAULT_CATALOG)
    taxonomy = taxonomy or default_taxonomy()
    planner = Planner(catalog)
    recommender = Recommender(catalog, embedder)
    if place_bonus is not None:  # the calibration tries several
        recommender.place_bonus = place_bonus
    competencies = planner.diagnostic_competencies()
    quality = Quality(resources=len(catalog.resources))
    quality.resources_without_anything_to_open = problems(catalog, catalog_root or DEFAULT_CATALOG)
    for profile in profiles:
        lang = profile.get("preferred_language") or (profile.get("languages") or ["en"])[0]
        lang = lang if lang in ("fr", "es", "en") else "en"
        needs = Needs(ratings=derived_ratings(profile, taxonomy, competencies))
        steps = planner.plan(needs, (), lang)
        quality.people += 1
        quality.violations += [f"{profile['id']}: {v}" for v in planner.violations(steps, (), needs)]
        quality.first_on_lowest_or_direct_prerequisite += first_step_ok(planner, steps, needs.ratings)
        facts = Facts(ratings=derived_ratings(profile, taxonomy, competencies))
        quality.untrue += [f"{profile['id']}: {u}" for u in untrue_claims(planner, steps, facts, lang)]
        if steps:
            weakest = needs.weakest(2)
            first = steps[0]
            direct = bool(weakest & set(first.competencies))
            leads = any(
                weakest & set(catalog.modules[m].get("competencies") or [])
                for m in planner.unlocked_by(first.module_id)
            )
            quality.first_on_weakest += direct
            quality.first_on_weakest_or_prerequisite += direct or leads
            if not first_step_ok(planner, steps, needs.ratings):
                quality.misses.append(f"{profile['id']}: first {first.module_id}, weakest {sorted(weakest)}")
        wanted = _working_on(profile, steps, taxonomy)
        context = Context(
            needs=str(profile.get("needs_text") or ""),
            step_title=steps[0].title if steps else "",
            step_text=catalog.modules[steps[0].module_id]["description"][lang] if steps else "",
            competencies=frozenset(wanted),
        )
        level = level_of(needs)
        first_recs, _ = recommender.recommend(context, lang, level, k=5)
        quality.recommended += len(first_recs)
        quality.relevant += sum(bool(resource_competencies(catalog, r.resource_id) & wanted) for r in first_recs)
        done = {r.resource_id for r in first_recs[:2]}
        completed = {steps[0].module_id} if steps else set()
        later_steps = planner.plan(needs, completed, lang)
        context.step_title = later_steps[0].title if later_steps else ""
        again, _ = recommender.recommend(context, lang, level, exclude=done, k=5, advanced_only=not later_steps)
        if not again:
            quality.empty_recommendations += 1
        quality.repeats += [f"{profile['id']}: {r.resource_id}" for r in again if r.resource_id in done]
    return quality


def _working_on(profile: dict, steps, taxonomy: Taxonomy) -> set[str]:
    """The competencies of her current step and of the skills she needs."""
    wanted = set(steps[0].competencies) if steps else set()
    for skill in profile.get("needs") or []:
        if skill in taxonomy.by_id:
            wanted.add(skill_competency(skill, taxonomy.by_id[skill].category))
    wanted.discard(None)
    return wanted


def resource_competencies(catalog: Catalog, resource_id: str) -> set[str]:
    """The competencies of the modules that list the resource."""
    return {
        c
        for module in catalog.modules.values()
        if resource_id in (module.get("resources") or [])
        for c in module.get("competencies") or []
    }


def load_demo(path: Path | None = None) -> list[dict]:
    import json

    path = path or DEFAULT_CATALOG / "demo_cohort.jsonl"
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
