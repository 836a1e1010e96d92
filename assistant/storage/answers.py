"""The answers repository: every answer given, and the thumbs up or down she gave it.

An answer is kept (`record_answer`) so that feedback can point at it and the statistics can count it;
`negative_feedback` is what staff review to improve the guides.
"""

from __future__ import annotations

from sqlalchemy import select

from assistant.errors import InputError, NotFoundError
from assistant.storage.models import AnswerRecord, Feedback
from assistant.storage.records import utc
from assistant.storage.repository import Repository


class AnswerRepository(Repository):
    def record_answer(self, answer, channel: str = "api", participant_id: str | None = None) -> str:
        """Keep an `Answer` for feedback and statistics; returns its id."""
        citations = [c.to_dict() for c in answer.citations]
        with self.db.session() as s:
            row = AnswerRecord(
                participant_id=participant_id,
                channel=channel,
                question=answer.question,
                language=answer.language,
                answer=answer.text,
                abstained=answer.abstained,
                composer=answer.composer,
                citations=citations,
                topic=citations[0]["doc_id"] if citations else None,
                evidence_strength=float(answer.evidence_strength or 0.0),
                latency_ms=float(answer.latency_ms or 0.0),
            )
            s.add(row)
            s.flush()
            return row.id

    def add_feedback(self, answer_id: str, vote: int, comment: str | None = None) -> int:
        if vote not in (1, -1):
            raise InputError("vote must be 'up' or 'down'")
        with self.db.session() as s:
            answer = s.get(AnswerRecord, answer_id)
            if answer is None:
                raise NotFoundError(f"no answer with id {answer_id!r}")
            row = Feedback(answer_id=answer_id, participant_id=answer.participant_id, vote=vote, comment=comment)
            s.add(row)
            s.flush()
            return row.id

    def negative_feedback(self, limit: int = 200) -> list[dict]:
        """Thumbs-down, newest first, with the question and the answer that was shown."""
        with self.db.session() as s:
            rows = s.execute(
                select(Feedback, AnswerRecord)
                .join(AnswerRecord, Feedback.answer_id == AnswerRecord.id)
                .where(Feedback.vote < 0)
                .order_by(Feedback.created_at.desc(), Feedback.id.desc())
                .limit(limit)
            ).all()
            return [
                {
                    "id": fb.id,
                    "answer_id": ans.id,
                    "question": ans.question,
                    "answer": ans.answer,
                    "language": ans.language,
                    "channel": ans.channel,
                    "citations": ans.citations,
                    "comment": fb.comment,
                    "created_at": utc(fb.created_at).isoformat(),
                }
                for fb, ans in rows
            ]
