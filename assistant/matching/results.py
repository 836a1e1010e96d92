"""What matching hands back: a suggestion for one person, a pair of a cohort run, and the run itself.

Plain data with their JSON shapes (what the API and the CLI print); ids are profile ids.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from assistant.matching.solver import Solution


@dataclass
class Suggestion:
    id: str
    name: str
    country: str | None
    score: float
    fit_to_her: float  # how the candidate's offers meet her needs
    fit_from_her: float  # how her offers meet the candidate's needs
    shared_languages: list[str]
    explanation: str
    evidence: dict
    reasons: list[str] = field(default_factory=list)  # the explanation's clauses, none repeated in her list

    @property
    def covers_main_need(self) -> bool:
        return bool(self.evidence.get("covers_main_need"))

    def to_dict(self) -> dict:
        return {
            "id": self.id,
            "score": round(self.score, 4),
            "fit_to_her": round(self.fit_to_her, 4),
            "fit_from_her": round(self.fit_from_her, 4),
            "shared_languages": self.shared_languages,
            "explanation": self.explanation,
            "covers_main_need": self.covers_main_need,
        }


# What became of her main need (her first stated need) in a list of suggestions.
MAIN_NEED_STATUSES = (
    "covered",  # a suggestion offers it
    "full",  # the feasible partners who offer it have no capacity left
    "exposure",  # they are already shown to as many people as they can take on
    "shown",  # they were shown to her before (or are already paired with her)
    "none",  # no feasible partner offers it
    "unstated",  # she named no need the taxonomy knows
)


class Suggestions(list):
    """Her suggestions, best first, and what became of her main need (`MAIN_NEED_STATUSES`)."""

    def __init__(self, items=(), main_need: str | None = None, main_need_status: str = "unstated") -> None:
        super().__init__(items)
        self.main_need = main_need
        self.main_need_status = main_need_status

    def main_need_dict(self) -> dict:
        return {"skill": self.main_need, "status": self.main_need_status}


@dataclass
class Pair:
    a: str
    b: str
    score: float
    fit_ab: float
    fit_ba: float
    shared_languages: list[str]
    reasons: list[str]
    evidence: dict
    kept: bool = False  # approved earlier and kept by this run

    def to_dict(self) -> dict:
        return {
            "a": self.a,
            "b": self.b,
            "score": round(self.score, 4),
            "fit_ab": round(self.fit_ab, 4),
            "fit_ba": round(self.fit_ba, 4),
            "shared_languages": self.shared_languages,
            "reasons": self.reasons,
        }


@dataclass
class CohortResult:
    pairs: list[Pair]
    unmatched: list[dict]
    solution: Solution | None
    seconds: float
    people: int
    directions: list[str] = field(default_factory=list)

    def to_dict(self) -> dict:
        return {"pairs": [p.to_dict() for p in self.pairs], "unmatched": self.unmatched}

    def summary(self) -> dict:
        s = self.solution
        return {
            "people": self.people,
            "pairs": len(self.pairs),
            "unmatched": len(self.unmatched),
            "directions": self.directions,
            "solver": s.method if s else "none",
            "optimal": s.optimal if s else True,
            "total_score": round(sum(p.score for p in self.pairs), 4),
            "bound": round(s.bound, 4) if s else 0.0,
            "seconds": round(self.seconds, 3),
        }
