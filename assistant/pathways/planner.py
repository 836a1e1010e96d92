"""The pathway: which learning modules, in which order, and why, for one woman.

    need(c)   = (5 - her self-rating of competency c) / 4            (0: she could teach it, 1: new to her;
                                                                    0.5 when she has not rated it)
              + 0.15 per recent question of hers on a guide of c's modules (at most 0.45)
              + 0.1 when a skill she said she needs belongs to c
    module    : need = the largest need among its competencies; it also carries 0.9 x the need of the
                modules it unlocks (a prerequisite of her weakest area comes early, and says so)
    order     : a topological order (Kahn's algorithm) that always takes, among the modules whose
                prerequisites are met, the one with the highest of those two; ties go to the easier and
                shorter module.
    done      : completed modules, and modules she already knows: a beginner module whose competencies
                she rates 3 or more, any module whose competencies she rates 4 or more. They leave the
                pathway and count as met prerequisites.

Each step names the module, why it is next for her (from the figures above, in her language), its
resources and its time. Completed modules leave the pathway; when none is left she is congratulated and
offered the advanced resources instead of an empty list.
"""

from __future__ import annotations

import heapq
from collections.abc import Iterable
from dataclasses import dataclass, field

from assistant.knowledge.catalog import Catalog
from assistant.phrases import phrase

KNOWN = 4  # a self-rating from which a module building only that competency counts as known
KNOWN_BEGINNER = 3  # the same for a beginner module
QUESTION_BOOST, QUESTION_CAP = 0.15, 0.45
STATED_NEED_BOOST = 0.1
INHERIT = 0.9
LEVELS = {"beginner": 0, "intermediate": 1, "advanced": 2}

# The skills taxonomy's categories (and a few skills) mapped to the pathway competencies they belong to.
CATEGORY_COMPETENCY = {
    "finance": "financial-management",
    "marketing": "market-access",
    "sales": "market-access",
    "digital": "digital-skills",
    "green": "green-practices",
    "leadership": "leadership",
    "people": "leadership",
}
SKILL_COMPETENCY = {
    "credit-file-preparation": "access-to-finance",
    "savings-groups-microfinance": "access-to-finance",
    "fundraising": "access-to-finance",
    "grant-writing": "access-to-finance",
    "strategic-communication": "communication",
    "public-speaking": "communication",
    "intercultural-communication": "communication",
    "storytelling": "communication",
    "mentoring-coaching": "mentoring-relationship",
}


def skill_competency(skill_id: str, category: str | None) -> str | None:
    return SKILL_COMPETENCY.get(skill_id) or CATEGORY_COMPETENCY.get(category or "")


@dataclass
class Step:
    module_id: str
    title: str
    why: str
    minutes: int
    resources: list[str]
    competencies: list[str]
    need: float

    def to_dict(self) -> dict:
        return {
            "module_id": self.module_id,
            "title": self.title,
            "why": self.why,
            "minutes": self.minutes,
            "resources": list(self.resources),
        }


@dataclass
class Needs:
    """What drives her order: self-ratings (1-5), recent questions per competency, stated needs."""

    ratings: dict[str, int] = field(default_factory=dict)
    questions: dict[str, int] = field(default_factory=dict)
    stated: set[str] = field(default_factory=set)

    def need(self, competency: str) -> float:
        rating = self.ratings.get(competency)
        base = 0.5 if rating is None else (5 - rating) / 4
        boost = min(QUESTION_BOOST * self.questions.get(competency, 0), QUESTION_CAP)
        return base + boost + (STATED_NEED_BOOST if competency in self.stated else 0.0)

    def weakest(self, count: int = 2) -> set[str]:
        """Her `count` lowest-rated competencies, with every competency tied with the last of them."""
        if not self.ratings:
            return set()
        values = sorted(self.ratings.values())
        cut = values[min(count, len(values)) - 1]
        return {c for c, r in self.ratings.items() if r <= cut}


class Planner:
    def __init__(self, catalog: Catalog) -> None:
        self.catalog = catalog
        self.modules = catalog.modules
        self.competencies = catalog.competencies
        self.unlocks: dict[str, list[str]] = {m: [] for m in self.modules}
        for mid, module in self.modules.items():
            for prerequisite in module.get("prerequisites") or []:
                self.unlocks[prerequisite].append(mid)

    def competency_label(self, competency: str, lang: str) -> str:
        return self.competencies[competency]["labels"][lang]

    def diagnostic_competencies(self) -> list[str]:
        """The competencies the diagnostic asks about, in the file's order (6 to 10 of them)."""
        return list(self.competencies)

    def known(self, module_id: str, needs: Needs) -> bool:
        """She already knows it: a beginner module in competencies she rates 3 or more ("I manage"), any
        other module in competencies she rates 4 or more. Known modules count as done."""
        module = self.modules[module_id]
        comps = module.get("competencies") or []
        bar = KNOWN_BEGINNER if module.get("level") == "beginner" else KNOWN
        return bool(comps) and all((needs.ratings.get(c) or 0) >= bar for c in comps)

    def plan(self, needs: Needs, completed: Iterable[str] = (), lang: str = "en") -> list[Step]:
        """Her ordered steps: every module not completed and not already known to her."""
        done = (set(completed) & set(self.modules)) | {m for m in self.modules if self.known(m, needs)}
        todo = [m for m in self.modules if m not in done]
        own = {m: max((needs.need(c) for c in self.modules[m].get("competencies") or []), default=0.0) for m in todo}
        # Need carried back from what a module unlocks (memoised over the acyclic graph).
        carried: dict[str, tuple[float, str | None]] = {}

        def carry(m: str) -> tuple[float, str | None]:
            """(0.9 x the largest need among the modules it unlocks, directly or not; that module)."""
            if m not in carried:
                best: tuple[float, str | None] = (0.0, None)
                for child in self.unlocks[m]:
                    if child in done:
                        continue
                    further = carry(child)
                    for value, target in ((own[child], child), further):
                        if target is not None and value * INHERIT > best[0]:
                            best = (value * INHERIT, target)
                carried[m] = best
            return carried[m]

        waiting = {m: {p for p in self.modules[m].get("prerequisites") or [] if p not in done} for m in todo}
        heap: list[tuple] = []

        def push(m: str) -> None:
            module = self.modules[m]
            key = max(own[m], carry(m)[0])
            heapq.heappush(heap, (-key, -own[m], LEVELS.get(module.get("level"), 1), module.get("minutes", 60), m))

        for m in todo:
            if not waiting[m]:
                push(m)
        steps: list[Step] = []
        placed: set[str] = set()
        while heap:
            _, _, _, _, m = heapq.heappop(heap)
            placed.add(m)
            steps.append(self._step(m, own[m], carry(m), needs, lang))
            for child in self.unlocks[m]:
                if child in waiting and m in waiting[child]:
                    waiting[child].discard(m)
                    if not waiting[child] and child not in placed:
                        push(child)
        return steps

    def _step(self, m: str, own: float, carried: tuple[float, str | None], needs: Needs, lang: str) -> Step:
        module = self.modules[m]
        comps = list(module.get("competencies") or [])
        return Step(
            module_id=m,
            title=module["titles"][lang],
            why=self._why(m, comps, own, carried, needs, lang),
            minutes=int(module.get("minutes") or 0),
            resources=list(module.get("resources") or []),
            competencies=comps,
            need=round(max(own, carried[0]), 4),
        )

    def _why(self, m: str, comps: list[str], own: float, carried, needs: Needs, lang: str) -> str:
        """One sentence from the figures that placed it, in her language."""
        main = max(comps, key=needs.need) if comps else None
        parts = []
        if carried[0] > own and carried[1]:
            target = self.modules[carried[1]]
            target_main = max(target.get("competencies") or [None], key=lambda c: needs.need(c) if c else 0)
            parts.append(
                phrase(
                    "why_prerequisite",
                    lang,
                    module=target["titles"][lang],
                    competency=self.competency_label(target_main, lang) if target_main else "",
                )
            )
        elif main is not None and main in needs.ratings:
            key = "why_weakest" if main in needs.weakest() else "why_rating"
            parts.append(phrase(key, lang, competency=self.competency_label(main, lang), rating=needs.ratings[main]))
        elif main is not None:
            parts.append(phrase("why_unrated", lang, competency=self.competency_label(main, lang)))
        asked = max((needs.questions.get(c, 0), c) for c in comps) if comps else (0, None)
        if asked[0] >= 2:
            parts.append(
                phrase("why_questions", lang, count=asked[0], competency=self.competency_label(asked[1], lang))
            )
        if main is not None and main in needs.stated and not parts:
            parts.append(phrase("why_stated", lang, competency=self.competency_label(main, lang)))
        return " ".join(parts) or phrase("why_next", lang)

    def violations(self, steps: list[Step], completed: Iterable[str] = (), needs: Needs | None = None) -> list[str]:
        """Prerequisites a pathway puts after the module needing them (none, by construction; checked)."""
        seen = set(completed)
        if needs is not None:
            seen |= {m for m in self.modules if self.known(m, needs)}
        out = []
        for step in steps:
            missing = [p for p in self.modules[step.module_id].get("prerequisites") or [] if p not in seen]
            if missing:
                out.append(f"{step.module_id} before {', '.join(missing)}")
            seen.add(step.module_id)
        return out
