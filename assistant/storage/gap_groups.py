"""The gap groups repository: each content gap's vector (stored once, when it is recorded) and the group it
joined, and the bounded summaries the gaps view reads (`assistant.gaps.GapGroups` decides the grouping).
"""

from __future__ import annotations

from sqlalchemy import func, select, update

from assistant.storage.models import ContentGap, GapGroup
from assistant.storage.records import utc
from assistant.storage.repository import Repository


class GapGroupRepository(Repository):
    def record_grouped_gap(
        self, question: str, language: str, scores: dict, model: str, vector: bytes, group_id: int | None
    ) -> int:
        """Keep a gap with its vector in `group_id`, or in a new group led by it (None); returns the group."""
        with self.db.session() as s:
            if group_id is None:
                group = GapGroup(model=model, vector=vector)
                s.add(group)
                s.flush()
                group_id = group.id
            s.add(ContentGap(question=question, language=language, scores=scores, vector=vector, group_id=group_id))
            return group_id

    def gap_leaders(self, model: str, after_id: int = 0, limit: int = 20_000) -> list[tuple[int, bytes]]:
        """The groups made with `model` after `after_id` (ids grow), oldest first: (id, leader vector)."""
        with self.db.session() as s:
            rows = s.execute(
                select(GapGroup.id, GapGroup.vector)
                .where(GapGroup.model == model, GapGroup.id > after_id)
                .order_by(GapGroup.id)
                .limit(limit)
            ).all()
            return [(r.id, r.vector) for r in rows]

    def new_gap_group(self, model: str, vector: bytes) -> int:
        with self.db.session() as s:
            group = GapGroup(model=model, vector=vector)
            s.add(group)
            s.flush()
            return group.id

    def ungrouped_gaps(self, limit: int) -> list[tuple[int, str]]:
        """Gaps recorded before they were grouped on arrival (an older version), newest first: (id, question)."""
        with self.db.session() as s:
            rows = s.execute(
                select(ContentGap.id, ContentGap.question)
                .where(ContentGap.group_id.is_(None))
                .order_by(ContentGap.created_at.desc())
                .limit(limit)
            ).all()
            return [(r.id, r.question) for r in rows]

    def place_gap(self, gap_id: int, vector: bytes, group_id: int) -> None:
        with self.db.session() as s:
            s.execute(update(ContentGap).where(ContentGap.id == gap_id).values(vector=vector, group_id=group_id))

    def gap_group_summaries(self, groups: int = 200, members: int = 50) -> list[dict]:
        """The `groups` largest groups (then the most recent): their exact count, languages and last time,
        and their `members` most recent gaps. Bounded, whatever the number of gaps."""
        with self.db.session() as s:
            top = s.execute(
                select(ContentGap.group_id, func.count().label("n"), func.max(ContentGap.created_at).label("last"))
                .where(ContentGap.group_id.is_not(None))
                .group_by(ContentGap.group_id)
                .order_by(func.count().desc(), func.max(ContentGap.created_at).desc())
                .limit(groups)
            ).all()
            ids = [r.group_id for r in top]
            languages: dict[int, dict[str, int]] = {}
            for group_id, language, n in s.execute(
                select(ContentGap.group_id, ContentGap.language, func.count())
                .where(ContentGap.group_id.in_(ids))
                .group_by(ContentGap.group_id, ContentGap.language)
            ).all():
                languages.setdefault(group_id, {})[language] = n
            out = []
            for row in top:
                recent = s.execute(
                    select(ContentGap.question, ContentGap.scores, ContentGap.created_at)
                    .where(ContentGap.group_id == row.group_id)
                    .order_by(ContentGap.created_at.desc())
                    .limit(members)
                ).all()
                out.append(
                    {
                        "count": row.n,
                        "last_seen": utc(row.last).isoformat(),
                        "languages": languages.get(row.group_id, {}),
                        "members": [{"question": m.question, "scores": m.scores} for m in recent],
                    }
                )
            return out
