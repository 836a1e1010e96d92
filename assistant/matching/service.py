"""Matching with the database: the pool (participants who onboarded in the chat, plus an optional cohort
file), staff decisions, exposure control, and the pairings' life cycle.

A pairing is proposed to both women; it becomes active when both accept and staff approve (approval can
be switched off with `MENTOR_MATCH_REQUIRE_APPROVAL=false`). Re-running the cohort keeps approved pairs and
never proposes a rejected or declined one.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

import numpy as np

from assistant.config import Settings
from assistant.errors import InputError, NotFoundError
from assistant.matching.directions import normalise_directions
from assistant.matching.explain import evidence, explain, reasons
from assistant.matching.matcher import Matcher
from assistant.matching.profiles import LoadProblem, Profile, load_profiles, profile_from_participant
from assistant.matching.results import CohortResult, Suggestion
from assistant.matching.taxonomy import Taxonomy, default_taxonomy
from assistant.storage import Store

log = logging.getLogger(__name__)


@dataclass
class Pool:
    profiles: list[Profile]
    problems: list[LoadProblem] = field(default_factory=list)

    def get(self, pid: str) -> Profile | None:
        return next((p for p in self.profiles if p.id == pid), None)


class MatchingService:
    def __init__(self, settings: Settings, store: Store, embedder, taxonomy: Taxonomy | None = None) -> None:
        self.settings = settings
        self.store = store
        self.taxonomy = taxonomy or default_taxonomy()
        self.matcher = Matcher(
            self.taxonomy,
            embedder,
            allow_same_organisation=settings.match_allow_same_organisation,
            exposure_factor=settings.match_exposure_factor,
        )
        self._lock = threading.Lock()  # the scorer's embedding cache is shared

    @property
    def require_approval(self) -> bool:
        return self.settings.match_require_approval

    def pool(self, profiles_file: Path | None = None) -> Pool:
        """Everyone who can be matched: a cohort file's profiles (the given one, else the configured one)
        and the participants who consented and told their offers and needs in the chat."""
        profiles: list[Profile] = []
        problems: list[LoadProblem] = []
        path = profiles_file or self.settings.match_profiles
        if path:
            profiles, problems = load_profiles(Path(path), self.taxonomy)
        seen = {p.id for p in profiles}
        for participant in self.store.consented_participants():
            profile = profile_from_participant(participant, self.taxonomy)
            if profile is not None and profile.id not in seen:
                profiles.append(profile)
        return Pool(profiles, problems)

    def _directions(self, directions) -> frozenset[str]:
        try:
            return normalise_directions(directions or self.settings.match_directions)
        except ValueError as exc:
            raise InputError(str(exc)) from None

    # -- one person -------------------------------------------------------------------------------------------

    def suggest(
        self,
        person: str,
        k: int = 3,
        lang: str | None = None,
        pool: Pool | None = None,
        record: bool = False,
        skip: set[str] | None = None,
    ) -> list[Suggestion]:
        """Her best k partners, under exposure control; `record` counts them as shown (the chat does)."""
        if k < 1:
            raise InputError("k must be at least 1")
        pool = pool or self.pool()
        if pool.get(person) is None:
            raise NotFoundError(
                f"no matching profile {person!r}: not in the cohort file, or she has not told her offers and needs"
            )
        _, closed = self.store.pairing_decisions()
        mine = {p["a"] if p["b"] == person else p["b"] for p in self.store.pairings(person=person)}
        exposure = self.store.exposure_counts(
            timedelta(days=self.settings.match_exposure_days), excluding_viewer=person
        )
        with self._lock:
            suggestions = self.matcher.suggest(
                pool.profiles,
                person,
                k=k,
                lang=lang,
                exposure=exposure,
                taken=self.store.pairings_in_use(),
                forbidden=closed,
                skip=(skip or set()) | mine,
                directions=self._directions(None),
            )
        if record:  # what she sees now replaces what she saw (an empty page frees everybody)
            self.store.record_exposures(person, [s.id for s in suggestions])
        return suggestions

    # -- the whole pool -----------------------------------------------------------------------------------------

    def cohort(self, profiles_file: Path | None = None, directions=None, save: bool = True, lang: str = "en"):
        """(result, problems): the optimal pairing of the pool, keeping approved pairs and never proposing
        rejected or declined ones; with `save`, stored as proposals for staff (replacing the last run's
        proposals nobody acted on)."""
        pool = self.pool(profiles_file)
        keep, closed = self.store.pairing_decisions()
        with self._lock:
            result: CohortResult = self.matcher.cohort(
                pool.profiles, self._directions(directions), keep=keep, forbidden=closed, lang=lang
            )
        if save:
            kinds = {p.id: p.kind for p in pool.profiles}
            fresh = [{**p.to_dict(), "kind": kinds.get(p.a, "person")} for p in result.pairs if not p.kept]
            added = self.store.replace_cohort_proposals(fresh)
            log.info(
                "cohort run: %d pairs (%d new proposals), %d unmatched", len(result.pairs), added, len(result.unmatched)
            )
        return result, pool.problems

    def report(self, profiles_file: Path | None = None, directions=None, seed: int = 7) -> tuple[dict, list]:
        pool = self.pool(profiles_file)
        with self._lock:
            return self.matcher.report(pool.profiles, self._directions(directions), seed=seed), pool.problems

    # -- pairings -------------------------------------------------------------------------------------------

    def introduce(self, person: str, candidate: str, pool: Pool | None = None) -> dict:
        """She asks to be paired with a suggested person: a pairing proposed to both, accepted by her."""
        pool = pool or self.pool()
        me, other = pool.get(person), pool.get(candidate)
        if me is None or other is None:
            raise NotFoundError("this suggestion is no longer available")
        _, closed = self.store.pairing_decisions()
        if (min(person, candidate), max(person, candidate)) in {(min(a, b), max(a, b)) for a, b in closed}:
            raise InputError("this pairing was closed before")
        with self._lock:
            f = self.matcher.features([me, other])
            block = self.matcher.scorer.block(f, np.array([0]), allow_same_organisation=True)
        ev = evidence(f, self.taxonomy, 0, 1)
        return self.store.propose_pairing(
            person,
            candidate,
            float(block.score[0, 1]),
            float(block.fit_out[0, 1]),
            float(block.fit_in[0, 1]),
            {"reasons": reasons(ev, self.taxonomy, "en", (me.name, other.name))},
            source="chat",
            kind=me.kind,
            accepted_by=person,
            require_approval=self.require_approval,
        )

    def explain_pair(self, viewer: str, other: str, lang: str, pool: Pool | None = None) -> str:
        """Why `other` suits `viewer`, said to `viewer` in `lang` (evidence only)."""
        pool = pool or self.pool()
        me, them = pool.get(viewer), pool.get(other)
        if me is None or them is None:
            return ""
        with self._lock:
            f = self.matcher.features([me, them])
        return explain(evidence(f, self.taxonomy, 0, 1), self.taxonomy, lang)

    def respond(self, match_id: str, person: str, accept: bool) -> dict:
        return self.store.respond_pairing(match_id, person, accept, self.require_approval)

    def decide(self, match_id: str, decision: str, staff: str) -> dict:
        return self.store.decide_pairing(match_id, decision, staff, self.require_approval)
