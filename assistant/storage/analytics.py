"""The analytics repository: content gaps (questions the guides could not answer) and usage statistics.

`stats` counts the recorded answers (per day, language and channel, abstentions, most cited guides) and
the feedback votes; it reads the answers table but writes nothing.
"""

from __future__ import annotations

import re
from collections import Counter
from datetime import timedelta

from sqlalchemy import delete, func, or_, select, update

from assistant.storage.models import AnswerRecord, ContentGap, Conversation, Feedback, GapGroup, Message, Participant
from assistant.storage.records import now, utc
from assistant.storage.repository import Repository


class AnalyticsRepository(Repository):
    def record_gap(self, question: str, language: str, scores: dict) -> None:
        with self.db.session() as s:
            s.add(ContentGap(question=question, language=language, scores=scores))

    def gaps(self, limit: int = 2000) -> list[dict]:
        with self.db.session() as s:
            rows = s.scalars(select(ContentGap).order_by(ContentGap.created_at.desc()).limit(limit)).all()
            return [
                {
                    "id": r.id,
                    "question": r.question,
                    "language": r.language,
                    "scores": r.scores,
                    "created_at": utc(r.created_at).isoformat(),
                }
                for r in rows
            ]

    def stats(self, days: int = 30) -> dict:
        """Questions per day, language and channel; abstention rate; the most cited guides."""
        since = now() - timedelta(days=days)
        with self.db.session() as s:
            rows = s.execute(
                select(
                    AnswerRecord.created_at,
                    AnswerRecord.language,
                    AnswerRecord.channel,
                    AnswerRecord.abstained,
                    AnswerRecord.topic,
                ).where(AnswerRecord.created_at >= since)
            ).all()
            votes = dict(s.execute(select(Feedback.vote, func.count()).group_by(Feedback.vote)).all())
        per_day: Counter = Counter()
        topics: Counter = Counter()
        for created, language, channel, _abstained, topic in rows:
            per_day[(utc(created).date().isoformat(), language, channel)] += 1
            if topic:
                topics[topic] += 1
        total = len(rows)
        abstained = sum(1 for r in rows if r[3])
        return {
            "days": days,
            "questions": total,
            "abstention_rate": round(abstained / total, 4) if total else 0.0,
            "per_day": [
                {"date": d, "language": lang, "channel": ch, "count": n} for (d, lang, ch), n in sorted(per_day.items())
            ],
            "by_language": dict(Counter(r[1] for r in rows)),
            "by_channel": dict(Counter(r[2] for r in rows)),
            "top_topics": [{"doc_id": t, "count": n} for t, n in topics.most_common(10)],
            "feedback": {"up": votes.get(1, 0), "down": votes.get(-1, 0)},
        }


def forget_gaps(s, participant: Participant) -> int:
    """Delete the content gaps she asked (the questions of her answers and messages, kept with her consent)
    and any gap or unlinked answer that names her (a question asked before she consented, or by someone
    else); a group she led is led by its oldest question left, or goes when none is left. Runs inside
    `Store.forget`'s transaction. Returns the gaps deleted."""
    questions = set(s.scalars(select(AnswerRecord.question).where(AnswerRecord.participant_id == participant.id)).all())
    conversations = select(Conversation.id).where(Conversation.participant_id == participant.id)
    said = s.scalars(select(Message.text).where(Message.conversation_id.in_(conversations), Message.role == "user"))
    questions.update(" ".join(text.split()) for text in said)
    touched: set[int] = set()
    gone = 0
    for chunk in _chunks(sorted(q for q in questions if q)):
        gone += _delete_gaps(s, ContentGap.question.in_(chunk), touched)
    names = [w for w in re.findall(r"\w+", participant.name or "") if len(w) >= 3]
    if names:
        named = re.compile(r"\b(?:" + "|".join(re.escape(n) for n in names) + r")\b", re.IGNORECASE)
        mentions = or_(*(func.lower(ContentGap.question).contains(n.lower()) for n in names))
        for gap_id, question in s.execute(select(ContentGap.id, ContentGap.question).where(mentions)).all():
            if named.search(question):
                gone += _delete_gaps(s, ContentGap.id == gap_id, touched)
        unlinked = or_(*(func.lower(AnswerRecord.question).contains(n.lower()) for n in names))
        rows = s.execute(
            select(AnswerRecord.id, AnswerRecord.question).where(AnswerRecord.participant_id.is_(None), unlinked)
        ).all()
        for answer_id, question in rows:
            if named.search(question):
                s.execute(delete(Feedback).where(Feedback.answer_id == answer_id))
                s.execute(delete(AnswerRecord).where(AnswerRecord.id == answer_id))
    for group_id in touched:
        # A group's vector is its first question's: if that was hers, the oldest question left leads it; a
        # group with no question left goes.
        oldest = s.scalar(
            select(ContentGap.vector)
            .where(ContentGap.group_id == group_id, ContentGap.vector.is_not(None))
            .order_by(ContentGap.created_at, ContentGap.id)
            .limit(1)
        )
        if oldest is None:
            s.execute(delete(GapGroup).where(GapGroup.id == group_id))
        else:
            s.execute(update(GapGroup).where(GapGroup.id == group_id).values(vector=oldest))
    return gone


def _delete_gaps(s, where, touched: set[int]) -> int:
    touched.update(g for g in s.scalars(select(ContentGap.group_id).where(where)).all() if g is not None)
    return s.execute(delete(ContentGap).where(where)).rowcount


def _chunks(items: list[str], size: int = 500):
    for start in range(0, len(items), size):
        yield items[start : start + size]
