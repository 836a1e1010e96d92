"""The nudges repository: follow-up messages sent to her, their status, and her answers to them.

A nudge about a step ("did this help?") that she answers also leaves her answer as feedback on that
step's progress row. `nudge_stats` counts the nudges per cohort: sent, answered, ignored, waiting, failed.
"""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from assistant.errors import InputError, NotFoundError
from assistant.storage.models import Nudge, PathwayProgress
from assistant.storage.records import now, utc
from assistant.storage.repository import Repository


def _nudge(row: Nudge) -> dict:
    return {
        "id": row.id,
        "participant_id": row.participant_id,
        "kind": row.kind,
        "ref": row.ref,
        "channel": row.channel,
        "mode": row.mode,
        "cohort": row.cohort,
        "status": row.status,
        "answer": row.answer,
        "comment": row.comment,
        "sent_at": utc(row.sent_at),
        "answered_at": utc(row.answered_at),
    }


class NudgeRepository(Repository):
    def record_nudge(
        self, participant_id: str, kind: str, ref: str, channel: str, mode: str, cohort: str | None, status: str
    ) -> str:
        with self.db.session() as s:
            row = Nudge(
                participant_id=participant_id, kind=kind, ref=ref, channel=channel, mode=mode, cohort=cohort,
                status=status,
            )  # fmt: skip
            s.add(row)
            s.flush()
            return row.id

    def nudges(self, participant_id: str | None = None, since: timedelta | None = None) -> list[dict]:
        with self.db.session() as s:
            query = select(Nudge).order_by(Nudge.sent_at.desc())
            if participant_id:
                query = query.where(Nudge.participant_id == participant_id)
            if since is not None:
                query = query.where(Nudge.sent_at >= now() - since)
            return [_nudge(r) for r in s.scalars(query)]

    def nudge(self, nudge_id: str) -> dict:
        with self.db.session() as s:
            row = s.get(Nudge, nudge_id)
            if row is None:
                raise NotFoundError(f"no nudge {nudge_id!r}")
            return _nudge(row)

    def set_nudge_status(self, nudge_id: str, status: str) -> None:
        if status not in ("sent", "answered", "failed"):
            raise InputError(f"unknown nudge status {status!r}")
        with self.db.session() as s:
            row = s.get(Nudge, nudge_id)
            if row is None:
                raise NotFoundError(f"no nudge {nudge_id!r}")
            row.status = status

    def answer_nudge(self, nudge_id: str, answer: str | None = None, comment: str | None = None) -> dict:
        """Her answer to a nudge; a step's answer is also kept as feedback on the step."""
        with self.db.session() as s:
            row = s.get(Nudge, nudge_id)
            if row is None:
                raise NotFoundError(f"no nudge {nudge_id!r}")
            if answer is not None:
                row.answer = answer[:32]
            if comment is not None:
                row.comment = comment[:2000]
            row.status = "answered"
            row.answered_at = row.answered_at or now()
            if row.kind == "step":
                step = s.scalar(select(PathwayProgress).filter_by(participant_id=row.participant_id, module_id=row.ref))
                if step is not None:
                    feedback = list((step.data or {}).get("feedback") or [])
                    feedback.append({"answer": row.answer, "comment": row.comment, "at": now().isoformat()})
                    step.data = {**(step.data or {}), "feedback": feedback[-10:]}
            return _nudge(row)

    def nudge_stats(self, ignored_after: timedelta = timedelta(days=3), since: timedelta | None = None) -> dict:
        """Per cohort: nudges sent, answered, ignored (no answer after `ignored_after`), waiting, failed."""
        out: dict[str, dict[str, int]] = {}
        cutoff = now() - ignored_after
        for n in self.nudges(since=since):
            row = out.setdefault(n["cohort"] or "unknown", {"sent": 0, "answered": 0, "ignored": 0, "waiting": 0,
                                                            "failed": 0})  # fmt: skip
            if n["status"] == "failed":
                row["failed"] += 1
                continue
            row["sent"] += 1
            if n["status"] == "answered":
                row["answered"] += 1
            elif n["sent_at"] < cutoff:
                row["ignored"] += 1
            else:
                row["waiting"] += 1
        return dict(sorted(out.items()))
