"""The store: what the rest of the assistant asks of the database, as plain data in and out.

Channels and the web app call these methods; no SQLAlchemy object leaves this module. Conversation
memory is kept here: in the database for a participant who consented, in this process only (and for
`memory_turns` turns) for anyone else, so nothing about a person is written before consent.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import secrets
import threading
from collections import Counter, OrderedDict, deque
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import delete, func, select, update
from sqlalchemy.exc import IntegrityError

from assistant.errors import InputError, NotFoundError
from assistant.memory import Turn
from assistant.storage.database import Database
from assistant.storage.models import (
    AnswerRecord,
    ContentGap,
    Conversation,
    FailedDelivery,
    Feedback,
    InboundMessage,
    Job,
    Match,
    MatchExposure,
    Message,
    Nudge,
    Participant,
    PathwayProgress,
    StaffToken,
    now,
)

log = logging.getLogger(__name__)
ROLES = ("staff", "admin", "evaluator")
TOKEN_PREFIX = "mnt"
VOLATILE_USERS = 10_000  # people without consent whose last turns this process remembers (least recent go)


@dataclass(frozen=True, slots=True)
class StaffIdentity:
    name: str
    role: str


@dataclass(frozen=True, slots=True)
class ParticipantInfo:
    id: str
    channel: str
    external_id: str
    name: str | None
    country: str | None
    languages: list
    preferred_language: str | None
    profile: dict
    consent: bool
    consent_at: datetime | None


def utc(value: datetime | None) -> datetime | None:
    """SQLite hands back naive datetimes; every stored time is UTC."""
    if value is not None and value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value


def pseudonym(channel: str, external_id: str) -> str:
    """What logs may show instead of a channel user id."""
    return hashlib.sha256(f"{channel}:{external_id}".encode()).hexdigest()[:10]


def _hash_secret(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def _info(row: Participant) -> ParticipantInfo:
    return ParticipantInfo(
        row.id,
        row.channel,
        row.external_id,
        row.name,
        row.country,
        list(row.languages or []),
        row.preferred_language,
        dict(row.profile or {}),
        row.consent,
        utc(row.consent_at),
    )


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


class Store:
    def __init__(self, database: Database, memory_turns: int = 6) -> None:
        self.db = database
        self.memory_turns = memory_turns
        self._volatile: OrderedDict[tuple[str, str], deque[Turn]] = OrderedDict()
        self._volatile_lock = threading.Lock()

    # -- participants -------------------------------------------------------------------------------

    def participant(self, channel: str, external_id: str) -> ParticipantInfo | None:
        with self.db.session() as s:
            row = s.scalar(select(Participant).filter_by(channel=channel, external_id=external_id))
            return _info(row) if row else None

    def participant_by_id(self, participant_id: str) -> ParticipantInfo | None:
        with self.db.session() as s:
            row = s.get(Participant, participant_id)
            return _info(row) if row else None

    def give_consent(self, channel: str, external_id: str, language: str | None = None) -> ParticipantInfo:
        """Record consent, creating the participant: the first row about a person is written here."""
        with self.db.session() as s:
            row = s.scalar(select(Participant).filter_by(channel=channel, external_id=external_id))
            if row is None:
                row = Participant(channel=channel, external_id=external_id, languages=[], profile={})
                s.add(row)
            row.consent = True
            row.consent_at = now()
            if language:
                row.preferred_language = language
            s.flush()
            info = _info(row)
        with self._volatile_lock:
            self._volatile.pop((channel, external_id), None)
        log.info("consent recorded for participant %s", info.id)
        return info

    def update_participant(self, participant_id: str, **fields) -> ParticipantInfo:
        allowed = {"name", "country", "languages", "preferred_language", "profile"}
        unknown = set(fields) - allowed
        if unknown:
            raise InputError(f"unknown participant fields: {', '.join(sorted(unknown))}")
        with self.db.session() as s:
            row = s.get(Participant, participant_id)
            if row is None:
                raise NotFoundError(f"no participant {participant_id!r}")
            for key, value in fields.items():
                setattr(row, key, value)
            s.flush()
            return _info(row)

    def forget(self, channel: str, external_id: str) -> bool:
        """Delete every personal row about this person (profile, messages, answers, feedback, progress,
        matches). True when there was something to delete."""
        with self._volatile_lock:
            had_volatile = self._volatile.pop((channel, external_id), None) is not None
        with self.db.session() as s:
            row = s.scalar(select(Participant).filter_by(channel=channel, external_id=external_id))
            s.execute(delete(FailedDelivery).where(FailedDelivery.pseudonym == pseudonym(channel, external_id)))
            if row is None:
                return had_volatile
            pid = row.id
            # Explicit deletes as well as the cascades, so a database without cascading foreign keys
            # (a SQLite file opened elsewhere) still loses everything.
            conversations = select(Conversation.id).where(Conversation.participant_id == pid)
            s.execute(delete(Message).where(Message.conversation_id.in_(conversations)))
            s.execute(delete(Conversation).where(Conversation.participant_id == pid))
            s.execute(delete(Feedback).where(Feedback.participant_id == pid))
            answers = select(AnswerRecord.id).where(AnswerRecord.participant_id == pid)
            s.execute(delete(Feedback).where(Feedback.answer_id.in_(answers)))
            s.execute(delete(AnswerRecord).where(AnswerRecord.participant_id == pid))
            s.execute(delete(PathwayProgress).where(PathwayProgress.participant_id == pid))
            s.execute(delete(Nudge).where(Nudge.participant_id == pid))
            s.execute(delete(Match).where((Match.participant_a == pid) | (Match.participant_b == pid)))
            s.execute(delete(MatchExposure).where((MatchExposure.viewer == pid) | (MatchExposure.candidate == pid)))
            s.execute(delete(Participant).where(Participant.id == pid))
        log.info("participant %s forgotten", pid)
        return True

    # -- conversation memory --------------------------------------------------------------------------

    def _conversation(self, s, participant: Participant) -> Conversation:
        conversation = s.scalar(
            select(Conversation)
            .where(Conversation.participant_id == participant.id)
            .order_by(Conversation.created_at.desc())
            .limit(1)
        )
        if conversation is None:
            conversation = Conversation(participant_id=participant.id, channel=participant.channel, state={})
            s.add(conversation)
            s.flush()
        return conversation

    def _consented(self, s, channel: str, external_id: str) -> Participant | None:
        return s.scalar(select(Participant).filter_by(channel=channel, external_id=external_id, consent=True))

    def conversation_state(self, channel: str, external_id: str) -> dict | None:
        """The conversation engine's saved state for a participant who consented; None for anyone else
        (whose state the engine keeps in process memory only)."""
        with self.db.session() as s:
            person = self._consented(s, channel, external_id)
            if person is None:
                return None
            return dict(self._conversation(s, person).state or {})

    def save_conversation_state(self, channel: str, external_id: str, state: dict) -> bool:
        """Keep the engine's state in the participant's conversation. False (nothing written) without consent."""
        with self.db.session() as s:
            person = self._consented(s, channel, external_id)
            if person is None:
                return False
            self._conversation(s, person).state = dict(state)  # a new object, so the JSON change is seen
            return True

    def set_handed_to_staff(self, channel: str, external_id: str, handed: bool = True) -> bool:
        """Mark the participant's conversation as handed to (or given back from) staff. False without consent."""
        with self.db.session() as s:
            person = self._consented(s, channel, external_id)
            if person is None:
                return False
            conversation = self._conversation(s, person)
            conversation.handed_to_staff = handed
            if handed:
                conversation.handed_at = now()
            return True

    def add_message(self, channel: str, external_id: str, role: str, text: str, language: str | None = None) -> bool:
        """Keep one message of her conversation (`user` to staff, `staff` to her). False without consent."""
        if role not in ("user", "assistant", "staff", "notice"):
            raise InputError(f"unknown message role {role!r}")
        with self.db.session() as s:
            person = self._consented(s, channel, external_id)
            if person is None:
                return False
            conversation = self._conversation(s, person)
            s.add(Message(conversation_id=conversation.id, role=role, text=text, language=language))
            return True

    def _recent(self, s, conversation_id: str, limit: int) -> list[dict]:
        rows = s.scalars(
            select(Message).where(Message.conversation_id == conversation_id).order_by(Message.id.desc()).limit(limit)
        ).all()
        return [
            {"id": m.id, "role": m.role, "text": m.text, "language": m.language, "at": utc(m.created_at).isoformat()}
            for m in reversed(rows)
        ]

    def handoffs(self, turns: int = 10) -> list[dict]:
        """Conversations handed to staff (`/human`), longest waiting first, each with its recent messages."""
        with self.db.session() as s:
            rows = s.execute(
                select(Conversation, Participant)
                .join(Participant, Conversation.participant_id == Participant.id)
                .where(Conversation.handed_to_staff.is_(True))
                .order_by(Conversation.handed_at.asc(), Conversation.id)
            ).all()
            return [
                {
                    "participant_id": person.id,
                    "name": person.name,
                    "channel": person.channel,
                    "country": person.country,
                    "language": person.preferred_language,
                    "handed_at": utc(conversation.handed_at).isoformat() if conversation.handed_at else None,
                    "messages": self._recent(s, conversation.id, turns * 2),
                }
                for conversation, person in rows
            ]

    def staff_reply(self, participant_id: str, text: str) -> ParticipantInfo:
        """Keep a staff member's reply in her conversation; returns who it goes to (the caller sends it)."""
        text = text.strip()
        if not text:
            raise InputError("the reply is empty")
        with self.db.session() as s:
            person = s.get(Participant, participant_id)
            if person is None or not person.consent:
                raise NotFoundError(f"no participant {participant_id!r}")
            conversation = self._conversation(s, person)
            s.add(Message(conversation_id=conversation.id, role="staff", text=text, language=person.preferred_language))
            return _info(person)

    def release_handoff(self, participant_id: str) -> ParticipantInfo:
        """Give the conversation back to the assistant."""
        with self.db.session() as s:
            person = s.get(Participant, participant_id)
            if person is None or not person.consent:
                raise NotFoundError(f"no participant {participant_id!r}")
            self._conversation(s, person).handed_to_staff = False
            return _info(person)

    def staff_messages(self, channel: str, external_id: str, after: int = 0) -> list[dict]:
        """Staff replies and notices (a pairing proposed to her) with an id above `after`, oldest first (the
        web chat polls for them)."""
        with self.db.session() as s:
            person = self._consented(s, channel, external_id)
            if person is None:
                return []
            rows = s.scalars(
                select(Message)
                .join(Conversation, Message.conversation_id == Conversation.id)
                .where(
                    Conversation.participant_id == person.id,
                    Message.role.in_(("staff", "notice")),
                    Message.id > after,
                )
                .order_by(Message.id)
            ).all()
            return [{"id": m.id, "text": m.text, "role": m.role} for m in rows]

    def handed_to_staff(self, channel: str, external_id: str) -> bool:
        with self.db.session() as s:
            person = self._consented(s, channel, external_id)
            return bool(person is not None and self._conversation(s, person).handed_to_staff)

    def history(self, channel: str, external_id: str) -> list[Turn]:
        """The last turns with this user, oldest first."""
        if not self.memory_turns:
            return []
        with self.db.session() as s:
            person = s.scalar(select(Participant).filter_by(channel=channel, external_id=external_id, consent=True))
            if person is not None:
                conversation = self._conversation(s, person)
                rows = s.scalars(
                    select(Message)
                    .where(Message.conversation_id == conversation.id, Message.role.in_(("user", "assistant")))
                    .order_by(Message.id.desc())
                    .limit(self.memory_turns * 2)
                ).all()
                turns, pending = [], None
                for row in reversed(rows):
                    if row.role == "user":
                        pending = row
                    elif pending is not None:
                        turns.append(Turn(pending.text, pending.language or row.language or "en", row.text))
                        pending = None
                return turns[-self.memory_turns :]
        with self._volatile_lock:
            return list(self._volatile.get((channel, external_id), ()))

    def add_turn(self, channel: str, external_id: str, turn: Turn, answer_id: str | None = None) -> None:
        """Keep a question and its answer: in the database with consent, in this process without."""
        if not self.memory_turns:
            return
        with self.db.session() as s:
            person = s.scalar(select(Participant).filter_by(channel=channel, external_id=external_id, consent=True))
            if person is not None:
                conversation = self._conversation(s, person)
                s.add(Message(conversation_id=conversation.id, role="user", text=turn.question, language=turn.language))
                s.add(
                    Message(
                        conversation_id=conversation.id,
                        role="assistant",
                        text=turn.answer,
                        language=turn.language,
                        answer_id=answer_id,
                    )
                )
                return
        key = (channel, external_id)
        with self._volatile_lock:
            turns = self._volatile.pop(key, None) or deque(maxlen=self.memory_turns)
            turns.append(turn)
            self._volatile[key] = turns  # most recent last
            while len(self._volatile) > VOLATILE_USERS:
                self._volatile.popitem(last=False)

    # -- answers, feedback, gaps ------------------------------------------------------------------------

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

    # -- deliveries that failed ----------------------------------------------------------------------------

    def record_failed_delivery(self, channel: str, external_id: str, text: str, error: str) -> None:
        """Keep a reply the channel refused after its retries. Her id is kept only if she consented."""
        with self.db.session() as s:
            consented = self._consented(s, channel, external_id) is not None
            s.add(
                FailedDelivery(
                    channel=channel,
                    pseudonym=pseudonym(channel, external_id),
                    recipient=external_id if consented else None,
                    text=text,
                    error=error[:2000],
                )
            )
        log.warning("a reply on %s to %s could not be delivered: %s", channel, pseudonym(channel, external_id), error)

    def failed_deliveries(self, limit: int = 200) -> list[dict]:
        with self.db.session() as s:
            rows = s.scalars(select(FailedDelivery).order_by(FailedDelivery.id.desc()).limit(limit)).all()
            return [
                {
                    "id": r.id,
                    "channel": r.channel,
                    "pseudonym": r.pseudonym,
                    "can_resend": r.recipient is not None,
                    "text": r.text,
                    "error": r.error,
                    "created_at": utc(r.created_at).isoformat(),
                }
                for r in rows
            ]

    # -- pairings ------------------------------------------------------------------------------------------

    def consented_participants(self) -> list[ParticipantInfo]:
        with self.db.session() as s:
            return [_info(row) for row in s.scalars(select(Participant).where(Participant.consent.is_(True)))]

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
                    self._accept(row, accepted_by, True, require_approval)
                s.flush()
                return _match(row)
        except IntegrityError:  # the other one proposed the same pair at the same moment
            with self.db.session() as s:
                row = s.scalar(select(Match).filter_by(participant_a=a, participant_b=b))
                if accepted_by is not None and row.status == "proposed":
                    self._accept(row, accepted_by, True, require_approval)
                return _match(row)

    @staticmethod
    def _accept(row: Match, person: str, accept: bool, require_approval: bool) -> None:
        if person == row.participant_a:
            row.accepted_a = accept
        elif person == row.participant_b:
            row.accepted_b = accept
        else:
            raise NotFoundError("this pairing is not hers")
        row.status = _pair_status(row, require_approval)
        if row.status != "proposed":
            row.decided_at = now()

    def respond_pairing(self, match_id: str, person: str, accept: bool, require_approval: bool = True) -> dict:
        """Her answer to a proposed pairing. A decided pairing is returned unchanged."""
        with self.db.session() as s:
            row = s.get(Match, match_id)
            if row is None:
                raise NotFoundError(f"no pairing {match_id!r}")
            if row.status == "proposed":
                self._accept(row, person, accept, require_approval)
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

    # -- pathways: module states, recent questions ---------------------------------------------------------

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

    def last_inbound_at(self, participant_id: str) -> datetime | None:
        """When she last wrote to the assistant (WhatsApp's 24-hour window opens then)."""
        with self.db.session() as s:
            conversations = select(Conversation.id).where(Conversation.participant_id == participant_id)
            value = s.scalar(
                select(func.max(Message.created_at)).where(
                    Message.conversation_id.in_(conversations), Message.role == "user"
                )
            )
            return utc(value)

    # -- nudges --------------------------------------------------------------------------------------------

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

    # -- inbound deduplication ----------------------------------------------------------------------------

    def claim_inbound(self, channel: str, message_id: str) -> bool:
        """True the first time this message id is seen on this channel (by any worker), False after."""
        try:
            with self.db.session() as s:
                s.add(InboundMessage(channel=channel, message_id=str(message_id)))
        except IntegrityError:
            return False
        return True

    def prune_inbound(self, older_than: timedelta = timedelta(days=7)) -> int:
        with self.db.session() as s:
            return s.execute(delete(InboundMessage).where(InboundMessage.received_at < now() - older_than)).rowcount

    # -- staff tokens ----------------------------------------------------------------------------------------

    def create_token(self, name: str, role: str) -> str:
        """A new token for `name`; only its hash is stored, so this is the one time it can be shown."""
        name = name.strip()
        if not name:
            raise InputError("the token needs a name")
        if role not in ROLES:
            raise InputError(f"unknown role {role!r}: use one of {', '.join(ROLES)}")
        token_id, secret = secrets.token_hex(8), secrets.token_urlsafe(32)
        try:
            with self.db.session() as s:
                s.add(StaffToken(id=token_id, name=name, role=role, secret_hash=_hash_secret(secret)))
        except IntegrityError:
            raise InputError(f"a token named {name!r} already exists: revoke it first") from None
        log.info("staff token created for %s (%s)", name, role)
        return f"{TOKEN_PREFIX}_{token_id}_{secret}"

    def revoke_token(self, name: str) -> bool:
        with self.db.session() as s:
            row = s.scalar(select(StaffToken).filter_by(name=name, revoked_at=None))
            if row is None:
                return False
            # The name is freed for a new token; the revoked row is kept under a unique tombstone name.
            row.revoked_at = now()
            row.name = f"{name}#revoked-{row.id}"
        log.info("staff token revoked for %s", name)
        return True

    def verify_token(self, token: str | None) -> StaffIdentity | None:
        """The staff member a token belongs to, or None. The secret is compared in constant time."""
        parts = (token or "").split("_", 2)
        token_id = parts[1] if len(parts) == 3 and parts[0] == TOKEN_PREFIX else ""
        secret = parts[2] if len(parts) == 3 else ""
        with self.db.session() as s:
            row = s.get(StaffToken, token_id) if token_id else None
            expected = row.secret_hash if row is not None else _hash_secret("\x00no token")
            matches = hmac.compare_digest(_hash_secret(secret), expected)
            if row is None or not matches or row.revoked_at is not None:
                return None
            return StaffIdentity(row.name, row.role)

    def tokens(self) -> list[dict]:
        with self.db.session() as s:
            rows = s.scalars(select(StaffToken).order_by(StaffToken.created_at)).all()
            return [
                {
                    "name": r.name,
                    "role": r.role,
                    "created_at": utc(r.created_at).isoformat(),
                    "revoked": r.revoked_at is not None,
                }
                for r in rows
            ]

    # -- jobs -------------------------------------------------------------------------------------------------

    def create_job(self, kind: str, detail: dict, created_by: str | None = None) -> str:
        with self.db.session() as s:
            job = Job(kind=kind, detail=detail, created_by=created_by)
            s.add(job)
            s.flush()
            return job.id

    def update_job(self, job_id: str, **fields) -> None:
        if fields.get("status") in ("done", "failed"):
            fields.setdefault("finished_at", now())
        with self.db.session() as s:
            s.execute(update(Job).where(Job.id == job_id).values(**fields))

    def job(self, job_id: str) -> dict | None:
        with self.db.session() as s:
            job = s.get(Job, job_id)
            if job is None:
                return None
            return {
                "id": job.id,
                "kind": job.kind,
                "status": job.status,
                "stage": job.stage,
                "done": job.done,
                "total": job.total,
                "progress": round(job.done / job.total, 4) if job.total else (1.0 if job.status == "done" else 0.0),
                "detail": job.detail,
                "error": job.error,
                "created_at": utc(job.created_at).isoformat(),
                "finished_at": utc(job.finished_at).isoformat() if job.finished_at else None,
            }


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
