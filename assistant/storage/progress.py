"""The progress repository: where she is on her pathway (modules given and completed) and what she asked.

A module is "given" when she was shown it as her next step and "completed" when she finished it; a
completed module is never given again. Her recent questions, read from the answers kept, are what the
pathway looks at for her too.
"""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from assistant.errors import InputError
from assistant.storage.models import AnswerRecord, PathwayProgress
from assistant.storage.records import now, utc
from assistant.storage.repository import Repository


class ProgressRepository(Repository):
    def module_states(self, participant_id: str) -> dict[str, dict]:
        """module id -> {"status": given | completed, "updated_at", **data} for the modules she was given."""
        with self.db.session() as s:
            rows = s.scalars(select(PathwayProgress).where(PathwayProgress.participant_id == participant_id))
            return {r.module_id: {**(r.data or {}), "status": r.status, "updated_at": utc(r.updated_at)} for r in rows}

    def set_module_state(self, participant_id: str, module_id: str, status: str, **data) -> None:
        """Record a module as given (a step she was shown as next) or completed; `data` is merged in."""
        if status not in ("given", "completed"):
            raise InputError(f"unknown module status {status!r}")
        with self.db.session() as s:
            row = s.scalar(select(PathwayProgress).filter_by(participant_id=participant_id, module_id=module_id))
            if row is None:
                row = PathwayProgress(participant_id=participant_id, module_id=module_id, status=status, data={})
                s.add(row)
            elif row.status == "completed" and status == "given":
                return  # a completed module is not given again
            row.status = status
            row.data = {**(row.data or {}), **data}
            row.updated_at = now()

    def steps_given(self) -> list[dict]:
        """Every module given and not completed, with its participant: what the follow-up nudges look at."""
        with self.db.session() as s:
            rows = s.scalars(select(PathwayProgress).where(PathwayProgress.status == "given"))
            return [{"participant_id": r.participant_id, "module_id": r.module_id, **(r.data or {})} for r in rows]

    def recent_questions(self, participant_id: str, since: timedelta, limit: int = 50) -> list[dict]:
        """Her questions of the period, newest first: {"question", "language", "citations", "created_at"}."""
        with self.db.session() as s:
            rows = s.scalars(
                select(AnswerRecord)
                .where(AnswerRecord.participant_id == participant_id, AnswerRecord.created_at >= now() - since)
                .order_by(AnswerRecord.created_at.desc())
                .limit(limit)
            )
            return [
                {
                    "question": r.question,
                    "language": r.language,
                    "citations": list(r.citations or []),
                    "created_at": utc(r.created_at),
                }
                for r in rows
            ]
