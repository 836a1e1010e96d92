"""The `Matcher`: one front for matching on profiles passed in, composing the suggestions (`suggestions.py`),
the cohort assignment (`cohort.py`) and the fairness report (`fairness.py`) over one scorer.

It knows nothing of the database (the `MatchingService` in `service.py` brings profiles and decisions).
Ids are profile ids; every method takes the profiles, or their `Features` when a caller reuses them.
"""

from __future__ import annotations

import time

from assistant.matching.cohort import Assigner
from assistant.matching.directions import DIRECTIONS
from assistant.matching.fairness import FairnessReport
from assistant.matching.list_quality import suggestion_quality
from assistant.matching.profiles import Profile
from assistant.matching.results import CohortResult, Suggestion
from assistant.matching.scoring import Features, Scorer
from assistant.matching.suggestions import EXPOSURE_FACTOR, Suggester
from assistant.matching.taxonomy import Taxonomy


class Matcher:
    def __init__(
        self,
        taxonomy: Taxonomy,
        embedder,
        allow_same_organisation: bool = False,
        exposure_factor: int = EXPOSURE_FACTOR,
    ) -> None:
        self.taxonomy = taxonomy
        self.scorer = Scorer(taxonomy, embedder)
        self.suggester = Suggester(taxonomy, self.scorer, allow_same_organisation, exposure_factor)
        self.assigner = Assigner(taxonomy, self.scorer, allow_same_organisation)
        self.fairness = FairnessReport(self.scorer, self.assigner, allow_same_organisation)

    @property
    def allow_same_organisation(self) -> bool:
        return self.assigner.allow_same_organisation

    @property
    def exposure_factor(self) -> int:
        return self.suggester.exposure_factor

    def features(self, profiles: list[Profile]) -> Features:
        return self.scorer.features(profiles)

    def _features(self, profiles: list[Profile] | Features) -> Features:
        return profiles if isinstance(profiles, Features) else self.features(profiles)

    def suggest(
        self,
        profiles: list[Profile] | Features,
        person: str,
        k: int = 3,
        lang: str | None = None,
        exposure: dict[str, int] | None = None,
        taken: dict[str, int] | None = None,
        forbidden=None,
        skip: set[str] | None = None,
        directions=frozenset(DIRECTIONS),
    ) -> list[Suggestion]:
        """Her best `k` partners. `exposure`: how many people each candidate is shown to right now; a
        candidate already shown to capacity x exposure_factor people is left out. `taken`: pairings each
        person already has (active or approved), which use up capacity. `skip`: ids not to show again."""
        return self.suggester.suggest(
            self._features(profiles), person, k, lang, exposure, taken, forbidden, skip, directions
        )

    def suggest_all(self, profiles: list[Profile] | Features, k: int = 3, progress=None) -> dict[str, list[Suggestion]]:
        """Suggestions for everyone, with exposure control across the whole pool: nobody is shown to more
        than capacity x exposure_factor people; each round gives everyone one more (people with the fewest
        options first), so the limit leaves as few people as possible with nothing."""
        return self.suggester.suggest_all(self._features(profiles), k, progress)

    def cohort(
        self,
        profiles: list[Profile] | Features,
        directions=frozenset(DIRECTIONS),
        keep=(),
        forbidden=(),
        lang: str = "en",
        time_limit: float = 30.0,
    ) -> CohortResult:
        """The pairs that maximise the pool's total reciprocal score under the hard constraints and
        capacities. `keep`: pairs approved earlier, kept as they are; `forbidden`: pairs rejected or declined,
        never proposed again."""
        started = time.perf_counter()
        result = self.assigner.cohort(self._features(profiles), directions, keep, forbidden, lang, time_limit)
        result.seconds = time.perf_counter() - started  # a run from profiles counts building their features
        return result

    def why_unmatched(self, f: Features, i: int, directions=frozenset(DIRECTIONS), banned=frozenset()) -> str:
        """The first hard constraint, in order, that leaves her nobody; else that her partners went elsewhere."""
        return self.assigner.why_unmatched(f, i, directions, banned)

    def report(self, profiles: list[Profile] | Features, directions=frozenset(DIRECTIONS), seed: int = 7) -> dict:
        """Ours against a random feasible pairing and a one-directional one (the best pairs by one side's
        needs only), on the same pool, the same hard constraints and the same capacities; and how everyone's
        top-3 suggestions read to her (`list_quality.py`)."""
        f = self._features(profiles)
        out = self.fairness.report(f, directions, seed)
        lists = self.suggester.suggest_all(f, k=3)
        out["suggestions"] = suggestion_quality(
            self.scorer, f, lists, self.allow_same_organisation, self.exposure_factor
        )
        return out
