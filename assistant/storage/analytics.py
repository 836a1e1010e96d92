"""The analytics repository: content gaps (questions the guides could not answer) and usage statistics.

`stats` counts the recorded answers (per day, language and channel, abstentions, most cited guides) and
the feedback votes; it reads the answers table but writes nothing.
"""

from __future__ import annotations

from collections import Counter
from datetime import timedelta

from sqlalchemy import func, select

from assistant.storage.models import AnswerRecord, ContentGap, Feedback
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
