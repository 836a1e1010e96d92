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
    claims: list[dict] = field(default_factory=list)  # each fact the why states, as data (see `Planner._why`)

    def to_dict(self) -> dict:
        return {
            "module_id": self.module_id,
            "title": self.title,
            "why": self.why,
            "claims": [dict(c) for c in self.claims],
            "minutes": self.minutes,
            "resources": list(self.resources),
        }


@dataclass
class Needs:
    """What drives her order: self-ratings (1-5), recent questions per competency, stated needs."""

    ratings: dict[str, int] = field(default_factory=dict)
    questions: dict[str, int] = field(default_factory=dict)
    stated: set[str] = field(default_factory=set)
    # her recent questions per guide that answered them first (the top citation), and those guides' titles
    guide_questions: dict[str, int] = field(default_factory=dict)
    guide_titles: dict[str, str] = field(default_factory=dict)
    stated_skills: dict[str, list[str]] = field(default_factory=dict)  # competency -> the skills she named

    def need(self, competency: str) -> float:
        rating = self.ratings.get(competency)
        base = 0.5 if rating is None else (5 - rating) / 4
        boost = min(QUESTION_BOOST * self.questions.get(competency, 0), QUESTION_CAP)
        return base + boost + (STATED_NEED_BOOST if competency in self.stated else 0.0)

    def lowest(self) -> set[str]:
        """Her lowest-rated competencies (ties included): where her pathway starts."""
        return self.weakest(1)

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

    def unlocked_by(self, module_id: str) -> set[str]:
        """Every module `module_id` unlocks, directly or through others."""
        out, todo = set(), [module_id]
        while todo:
            for child in self.unlocks[todo.pop()]:
                if child not in out:
                    out.add(child)
                    todo.append(child)
        return out

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

        first = self._first(needs, todo, waiting, own)
        for m in todo:
            if not waiting[m] and (first is None or m != first[0]):
                push(m)
        steps: list[Step] = []
        placed: set[str] = set()
        if first is not None:
            heapq.heappush(heap, (-float("inf"), 0, 0, 0, first[0]))
        while heap:
            _, _, _, _, m = heapq.heappop(heap)
            placed.add(m)
            reason, prepares = carry(m), False
            if first is not None and m == first[0]:  # placed for her lowest area, or as its prerequisite
                reason, prepares = ((INHERIT * own[first[1]], first[1]), True) if first[1] else ((0.0, None), False)
            steps.append(self._step(m, own[m], reason, needs, lang, prepares))
            for child in self.unlocks[m]:
                if child in waiting and m in waiting[child]:
                    waiting[child].discard(m)
                    if not waiting[child] and child not in placed:
                        push(child)
        return steps

    def _first(self, needs: Needs, todo: list[str], waiting: dict, own: dict) -> tuple[str, str | None] | None:
        """Her first step: (module, None) for the neediest open module in her lowest-rated competency, else
        (prerequisite, module) for the neediest open direct prerequisite of one; None without ratings or
        when neither is open (the order then decides alone)."""
        lowest = needs.lowest()
        if not lowest:
            return None
        targets = [m for m in todo if lowest & set(self.modules[m].get("competencies") or [])]
        open_targets = [m for m in targets if not waiting[m]]
        if open_targets:
            return min(open_targets, key=lambda m: self._rank(m, own)), None
        preparing = [(p, m) for m in targets for p in waiting[m] if not waiting.get(p, {None})]
        if preparing:
            p, m = min(preparing, key=lambda pm: (-own[pm[1]], *self._rank(pm[0], own)))
            return p, m
        return None

    def _rank(self, m: str, own: dict) -> tuple:
        module = self.modules[m]
        return (-own[m], LEVELS.get(module.get("level"), 1), module.get("minutes", 60), m)

    def _step(
        self, m: str, own: float, carried: tuple[float, str | None], needs: Needs, lang: str, prepares: bool = False
    ) -> Step:
        module = self.modules[m]
        comps = list(module.get("competencies") or [])
        claims = self.claims(m, comps, own, carried, needs, prepares)
        return Step(
            module_id=m,
            title=module["titles"][lang],
            why=self.render(claims, lang),
            minutes=int(module.get("minutes") or 0),
            resources=list(module.get("resources") or []),
            competencies=comps,
            need=round(max(own, carried[0]), 4),
            claims=claims,
        )

    def claims(self, m: str, comps: list[str], own: float, carried, needs: Needs, prepares: bool = False) -> list[dict]:
        """The facts that placed module m, as data: each one can be checked against what is stored about her
        (her diagnostic, her questions and their cited guides, her stated needs, the catalogue)."""
        main = max(comps, key=needs.need) if comps else None
        out: list[dict] = []
        if (prepares or carried[0] > own) and carried[1]:
            target = self.modules[carried[1]]
            target_main = max(target.get("competencies") or [None], key=lambda c: needs.need(c) if c else 0)
            claim = {"kind": "prerequisite", "module": carried[1], "competency": target_main}
            if target_main in needs.ratings:
                claim["rating"] = needs.ratings[target_main]
            out.append(claim)
        elif main is not None and main in needs.ratings:
            kind = "weakest" if main in needs.weakest() else "rating"
            out.append({"kind": kind, "competency": main, "rating": needs.ratings[main]})
        elif main is not None:
            out.append({"kind": "builds", "competency": main})
        asked = max(
            ((needs.guide_questions.get(g, 0), g) for g in self.modules[m].get("guide_ids") or []), default=(0, "")
        )
        if asked[0] >= 2:
            title = needs.guide_titles.get(asked[1], asked[1])
            out.append({"kind": "questions", "guide": asked[1], "count": asked[0], "title": title})
        if main is not None and main in needs.stated and len(out) == 1 and out[0]["kind"] == "builds":
            out = [{"kind": "stated", "competency": main, "skills": list(needs.stated_skills.get(main, []))}]
        return out or [{"kind": "next"}]

    def render(self, claims: list[dict], lang: str) -> str:
        """The why sentence of some claims, in her language (nothing said that is not a claim)."""
        parts = []
        for claim in claims:
            kind = claim["kind"]
            label = self.competency_label(claim["competency"], lang) if claim.get("competency") else ""
            if kind == "prerequisite":
                module = self.modules[claim["module"]]["titles"][lang]
                key = "why_prerequisite_rated" if "rating" in claim else "why_prerequisite"
                parts.append(phrase(key, lang, module=module, competency=label, rating=claim.get("rating")))
            elif kind in ("weakest", "rating"):
                parts.append(phrase(f"why_{kind}", lang, competency=label, rating=claim["rating"]))
            elif kind in ("builds", "stated"):
                parts.append(phrase("why_unrated" if kind == "builds" else "why_stated", lang, competency=label))
            elif kind == "questions":
                parts.append(phrase("why_questions", lang, count=claim["count"], guide=claim["title"]))
            else:
                parts.append(phrase("why_next", lang))
        return " ".join(parts)

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
