"""The answers repository: every answer given, and the thumbs up or down she gave it.

An answer is kept (`record_answer`) so that feedback can point at it and the statistics can count it;
`negative_feedback` is what staff review to improve the guides, with the reason she gave for a thumbs-down
(one of `FEEDBACK_REASONS`) and her comment. A channel that knows the platform's id of the message that
carried an answer keeps it (`record_sent_answer`), so a reaction to that message can count as a vote.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from assistant.errors import InputError, NotFoundError
from assistant.storage.models import AnswerRecord, Feedback, SentAnswer
from assistant.storage.records import utc
from assistant.storage.repository import Repository

# Why an answer got a thumbs-down, in the order she is offered them.
FEEDBACK_REASONS: tuple[str, ...] = ("not_asked", "wrong", "too_long", "language", "other")


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

    def add_feedback(self, answer_id: str, vote: int, comment: str | None = None, reason: str | None = None) -> int:
        if vote not in (1, -1):
            raise InputError("vote must be 'up' or 'down'")
        _check_reason(reason)
        with self.db.session() as s:
            answer = s.get(AnswerRecord, answer_id)
            if answer is None:
                raise NotFoundError(f"no answer with id {answer_id!r}")
            row = Feedback(
                answer_id=answer_id, participant_id=answer.participant_id, vote=vote, comment=comment, reason=reason
            )
            s.add(row)
            s.flush()
            return row.id

    def explain_feedback(self, feedback_id: int, reason: str | None = None, comment: str | None = None) -> None:
        """Add why (a reason, a comment, or both) to a vote already given; what is None is left as it was."""
        _check_reason(reason)
        with self.db.session() as s:
            row = s.get(Feedback, feedback_id)
            if row is None:
                raise NotFoundError(f"no feedback with id {feedback_id!r}")
            if reason is not None:
                row.reason = reason
            if comment is not None and comment.strip():
                row.comment = comment.strip()[:2000]

    def record_sent_answer(self, channel: str, message_id: str, answer_id: str) -> None:
        """The platform's id of a message that carried answer `answer_id` (a redelivered id is kept once)."""
        try:
            with self.db.session() as s:
                if s.get(AnswerRecord, answer_id) is not None:
                    s.add(SentAnswer(channel=channel, message_id=message_id[:128], answer_id=answer_id))
        except IntegrityError:
            pass  # the same platform id recorded twice: the first one stands

    def answer_citations(self, answer_id: str) -> list[dict]:
        """The citations an answer was given with ({n, doc_id, chunk_id, title, language, ...}); [] if unknown."""
        with self.db.session() as s:
            row = s.get(AnswerRecord, answer_id)
            return list(row.citations or []) if row is not None else []

    def answer_for_message(self, channel: str, message_id: str) -> str | None:
        """The answer a platform message carried (see `record_sent_answer`), or None."""
        with self.db.session() as s:
            return s.scalar(
                select(SentAnswer.answer_id).where(SentAnswer.channel == channel, SentAnswer.message_id == message_id)
            )

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
                    "reason": fb.reason,
                    "created_at": utc(fb.created_at).isoformat(),
                }
                for fb, ans in rows
            ]


def _check_reason(reason: str | None) -> None:
    if reason is not None and reason not in FEEDBACK_REASONS:
        raise InputError(f"reason must be one of {', '.join(FEEDBACK_REASONS)}")
