"""The pairings repository: proposed, accepted and decided pairings, and who was shown to whom.

A pairing is stored once per pair, its two people in id order (`participant_a` < `participant_b`). Its
status follows from both people's answers and, where staff approval is required, the staff decision.
Exposures record the people each viewer was last shown, so one candidate is not shown to everyone.
"""

from __future__ import annotations

from collections import Counter
from datetime import timedelta

from sqlalchemy import delete, func, select
from sqlalchemy.exc import IntegrityError

from assistant.errors import InputError, NotFoundError
from assistant.storage.models import Match, MatchExposure
from assistant.storage.records import now, utc
from assistant.storage.repository import Repository


def _pair_status(row: Match, require_approval: bool) -> str:
    if row.staff_decision == "rejected":
        return "rejected"
    if row.accepted_a is False or row.accepted_b is False:
        return "declined"
    if row.accepted_a and row.accepted_b and (row.staff_decision == "approved" or not require_approval):
        return "active"
    return "proposed"


def _match(row: Match) -> dict:
    return {
        "id": row.id,
        "a": row.participant_a,
        "b": row.participant_b,
        "kind": row.kind,
        "source": row.source,
        "score": round(row.score, 4),
        "fit_ab": round(row.fit_ab, 4),
        "fit_ba": round(row.fit_ba, 4),
        "status": row.status,
        "accepted_a": row.accepted_a,
        "accepted_b": row.accepted_b,
        "staff_decision": row.staff_decision,
        "decided_by": row.decided_by,
        "reasons": row.reasons or {},
        "created_at": utc(row.created_at).isoformat(),
        "decided_at": utc(row.decided_at).isoformat() if row.decided_at else None,
    }


def _accept(row: Match, person: str, accept: bool, require_approval: bool) -> None:
    """Her answer to the pairing; once it is no longer only proposed, the time it was decided."""
    if person == row.participant_a:
        row.accepted_a = accept
    elif person == row.participant_b:
        row.accepted_b = accept
    else:
        raise NotFoundError("this pairing is not hers")
    row.status = _pair_status(row, require_approval)
    if row.status != "proposed":
        row.decided_at = now()


class PairingRepository(Repository):
    def pairing(self, match_id: str) -> dict:
        with self.db.session() as s:
            row = s.get(Match, match_id)
            if row is None:
                raise NotFoundError(f"no pairing {match_id!r}")
            return _match(row)

    def pairings(self, person: str | None = None, status: str | None = None, limit: int = 1000) -> list[dict]:
        with self.db.session() as s:
            query = select(Match).order_by(Match.score.desc(), Match.id).limit(limit)
            if person:
                query = query.where((Match.participant_a == person) | (Match.participant_b == person))
            if status:
                query = query.where(Match.status == status)
            return [_match(row) for row in s.scalars(query)]

    def propose_pairing(
        self,
        a: str,
        b: str,
        score: float,
        fit_ab: float,
        fit_ba: float,
        reasons: dict,
        source: str = "chat",
        kind: str = "person",
        accepted_by: str | None = None,
        require_approval: bool = True,
    ) -> dict:
        """A new pairing (or the existing one for these two), accepted at once by `accepted_by` if given."""
        if a == b:
            raise InputError("a pairing needs two different people")
        if a > b:
            a, b, fit_ab, fit_ba = b, a, fit_ba, fit_ab
        try:
            with self.db.session() as s:
                row = s.scalar(select(Match).filter_by(participant_a=a, participant_b=b))
                if row is None:
                    row = Match(
                        participant_a=a,
                        participant_b=b,
                        score=score,
                        fit_ab=fit_ab,
                        fit_ba=fit_ba,
                        reasons=reasons,
                        source=source,
                        kind=kind,
                        status="proposed",
                    )
                    s.add(row)
                if accepted_by is not None and row.status == "proposed":
                    _accept(row, accepted_by, True, require_approval)
                s.flush()
                return _match(row)
        except IntegrityError:  # the other one proposed the same pair at the same moment
            with self.db.session() as s:
                row = s.scalar(select(Match).filter_by(participant_a=a, participant_b=b))
                if accepted_by is not None and row.status == "proposed":
                    _accept(row, accepted_by, True, require_approval)
                return _match(row)

    def respond_pairing(self, match_id: str, person: str, accept: bool, require_approval: bool = True) -> dict:
        """Her answer to a proposed pairing. A decided pairing is returned unchanged."""
        with self.db.session() as s:
            row = s.get(Match, match_id)
            if row is None:
                raise NotFoundError(f"no pairing {match_id!r}")
            if row.status == "proposed":
                _accept(row, person, accept, require_approval)
            elif person not in (row.participant_a, row.participant_b):
                raise NotFoundError("this pairing is not hers")
            return _match(row)

    def decide_pairing(self, match_id: str, decision: str, staff: str, require_approval: bool = True) -> dict:
        """Staff approve or reject. Rejected pairs are closed for good and never proposed again."""
        if decision not in ("approved", "rejected"):
            raise InputError("decision must be 'approved' or 'rejected'")
        with self.db.session() as s:
            row = s.get(Match, match_id)
            if row is None:
                raise NotFoundError(f"no pairing {match_id!r}")
            if row.status in ("rejected", "declined"):
                raise InputError(f"this pairing is already {row.status}")
            row.staff_decision = decision
            row.decided_by = staff
            row.status = _pair_status(row, require_approval)
            row.decided_at = now()
            return _match(row)

    def pairing_decisions(self) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
        """(pairs to keep: active or approved by staff; pairs never to propose again: rejected or declined)."""
        with self.db.session() as s:
            rows = s.execute(select(Match.participant_a, Match.participant_b, Match.status, Match.staff_decision)).all()
        keep = [
            (a, b)
            for a, b, status, staff in rows
            if status == "active" or (status == "proposed" and staff == "approved")
        ]
        closed = [(a, b) for a, b, status, _ in rows if status in ("rejected", "declined")]
        return keep, closed

    def replace_cohort_proposals(self, pairs: list[dict]) -> int:
        """Store a cohort run's pairs as proposals, replacing the last run's proposals nobody acted on."""
        untouched = (
            (Match.source == "cohort")
            & (Match.status == "proposed")
            & Match.staff_decision.is_(None)
            & Match.accepted_a.is_(None)
            & Match.accepted_b.is_(None)
        )
        added = 0
        with self.db.session() as s:
            s.execute(delete(Match).where(untouched))
            existing = {tuple(r) for r in s.execute(select(Match.participant_a, Match.participant_b)).all()}
            for pair in pairs:
                a, b, fit_ab, fit_ba = pair["a"], pair["b"], pair["fit_ab"], pair["fit_ba"]
                if a > b:
                    a, b, fit_ab, fit_ba = b, a, fit_ba, fit_ab
                if (a, b) in existing:
                    continue
                existing.add((a, b))
                s.add(
                    Match(
                        participant_a=a,
                        participant_b=b,
                        score=pair["score"],
                        fit_ab=fit_ab,
                        fit_ba=fit_ba,
                        reasons={"reasons": pair.get("reasons", [])},
                        source="cohort",
                        kind=pair.get("kind", "person"),
                    )
                )
                added += 1
        return added

    def record_exposures(self, viewer: str, candidates: list[str]) -> None:
        """The people now shown to her; they replace what she was shown before (her open suggestions are
        the list on her screen, so asking again or for more frees the people she was shown earlier)."""
        with self.db.session() as s:
            s.execute(delete(MatchExposure).where(MatchExposure.viewer == viewer))
            s.add_all(MatchExposure(viewer=viewer, candidate=c) for c in candidates)

    def exposure_counts(self, since: timedelta, excluding_viewer: str | None = None) -> dict[str, int]:
        """How many different people each candidate was shown to since then."""
        with self.db.session() as s:
            query = (
                select(MatchExposure.candidate, func.count(func.distinct(MatchExposure.viewer)))
                .where(MatchExposure.shown_at >= now() - since)
                .group_by(MatchExposure.candidate)
            )
            if excluding_viewer:
                query = query.where(MatchExposure.viewer != excluding_viewer)
            return {candidate: int(count) for candidate, count in s.execute(query)}

    def pairings_in_use(self) -> dict[str, int]:
        """Pairings that use up each person's capacity: active, or approved by staff and waiting."""
        keep, _ = self.pairing_decisions()
        counts: Counter[str] = Counter()
        for a, b in keep:
            counts[a] += 1
            counts[b] += 1
        return dict(counts)
