"""The tables, as SQLAlchemy 2.0 declarative models. Migrations under `migrations/` create them.

Personal data lives in `participants`, `conversations`/`messages`, `feedback`, `pathway_progress`,
`matches` and `match_exposures`; the first four hang off a participant with `ON DELETE CASCADE`, and
`Store.forget` deletes all of them explicitly (matches name profile ids, not only participants).
`answers` keep the question and answer for
quality review and statistics; they name a participant only when she consented, and are deleted with
her. Content gaps hold no user id.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import ClassVar

from sqlalchemy import (
    JSON,
    Boolean,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy import true as sa_true
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

# Stable constraint names, so migrations behave the same on SQLite and PostgreSQL.
NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def now() -> datetime:
    return datetime.now(UTC)


def new_id() -> str:
    return uuid.uuid4().hex


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)
    type_annotation_map: ClassVar = {datetime: DateTime(timezone=True), dict: JSON, list: JSON}


class Participant(Base):
    """A woman in the programme, known on one channel. Created at consent, not before."""

    __tablename__ = "participants"
    __table_args__ = (UniqueConstraint("channel", "external_id"),)

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    channel: Mapped[str] = mapped_column(String(16))
    external_id: Mapped[str] = mapped_column(String(128))  # the channel's user id (never logged at INFO)
    name: Mapped[str | None] = mapped_column(String(200))
    country: Mapped[str | None] = mapped_column(String(64))
    languages: Mapped[list] = mapped_column(default=list)
    preferred_language: Mapped[str | None] = mapped_column(String(8))
    profile: Mapped[dict] = mapped_column(default=dict)  # sector, stage, offers, needs, time zone, ...
    consent: Mapped[bool] = mapped_column(Boolean, default=False)
    consent_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=now)
    updated_at: Mapped[datetime] = mapped_column(default=now, onupdate=now)


class Conversation(Base):
    __tablename__ = "conversations"

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    participant_id: Mapped[str] = mapped_column(ForeignKey("participants.id", ondelete="CASCADE"), index=True)
    channel: Mapped[str] = mapped_column(String(16))
    state: Mapped[dict] = mapped_column(default=dict)  # the conversation engine's resumable state
    handed_to_staff: Mapped[bool] = mapped_column(Boolean, default=False)
    handed_at: Mapped[datetime | None]  # when she last asked for a person (`/human`)
    created_at: Mapped[datetime] = mapped_column(default=now)
    updated_at: Mapped[datetime] = mapped_column(default=now, onupdate=now)


class Message(Base):
    __tablename__ = "messages"
    __table_args__ = (Index("ix_messages_conversation_created", "conversation_id", "created_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    conversation_id: Mapped[str] = mapped_column(ForeignKey("conversations.id", ondelete="CASCADE"))
    role: Mapped[str] = mapped_column(String(16))  # user, assistant, staff, notice (from the assistant, unasked)
    text: Mapped[str] = mapped_column(Text)
    language: Mapped[str | None] = mapped_column(String(8))
    answer_id: Mapped[str | None] = mapped_column(String(32))
    created_at: Mapped[datetime] = mapped_column(default=now)


class InboundMessage(Base):
    """Ids of inbound messages: a unique key, so a redelivered webhook is handled once. `done` turns true once
    its replies are sent; a row left undone belongs to a worker that died mid-way, and the redelivery is
    answered."""

    __tablename__ = "inbound_messages"
    __table_args__ = (UniqueConstraint("channel", "message_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    channel: Mapped[str] = mapped_column(String(16))
    message_id: Mapped[str] = mapped_column(String(128))
    received_at: Mapped[datetime] = mapped_column(default=now, index=True)
    done: Mapped[bool] = mapped_column(Boolean, default=False, server_default=sa_true())
    owner: Mapped[str | None] = mapped_column(String(16), index=True)  # her pseudonym, so /forget finds the row


class FailedDelivery(Base):
    """A reply the channel's API still refused after the retries: kept so it is not lost silently.

    `recipient` (the channel's user id, needed to send it again) is kept only for a participant who
    consented; for anyone else only the pseudonym is, and `mentor`/staff can see that something failed.
    """

    __tablename__ = "failed_deliveries"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    channel: Mapped[str] = mapped_column(String(16))
    pseudonym: Mapped[str] = mapped_column(String(16), index=True)
    recipient: Mapped[str | None] = mapped_column(String(128))
    text: Mapped[str] = mapped_column(Text)
    error: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=now, index=True)


class AnswerRecord(Base):
    """One answer given, for feedback, statistics and review."""

    __tablename__ = "answers"

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    participant_id: Mapped[str | None] = mapped_column(ForeignKey("participants.id", ondelete="CASCADE"), index=True)
    channel: Mapped[str] = mapped_column(String(16), default="api")
    question: Mapped[str] = mapped_column(Text)
    language: Mapped[str] = mapped_column(String(8))
    answer: Mapped[str] = mapped_column(Text)
    abstained: Mapped[bool] = mapped_column(Boolean)
    composer: Mapped[str] = mapped_column(String(32))
    citations: Mapped[list] = mapped_column(default=list)
    topic: Mapped[str | None] = mapped_column(String(128))  # the first cited guide
    evidence_strength: Mapped[float] = mapped_column(Float, default=0.0)
    latency_ms: Mapped[float] = mapped_column(Float, default=0.0)
    created_at: Mapped[datetime] = mapped_column(default=now, index=True)


class Feedback(Base):
    __tablename__ = "feedback"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    answer_id: Mapped[str] = mapped_column(ForeignKey("answers.id", ondelete="CASCADE"), index=True)
    participant_id: Mapped[str | None] = mapped_column(ForeignKey("participants.id", ondelete="CASCADE"))
    vote: Mapped[int] = mapped_column(Integer)  # +1 up, -1 down
    comment: Mapped[str | None] = mapped_column(Text)
    reason: Mapped[str | None] = mapped_column(String(32))  # why a thumbs-down (FEEDBACK_REASONS)
    created_at: Mapped[datetime] = mapped_column(default=now)


class SentAnswer(Base):
    """A platform's id for a message that carried an answer (WhatsApp's wamid), so a reaction to that
    message can count as a vote on the answer. Deleted with the answer."""

    __tablename__ = "sent_answers"
    __table_args__ = (UniqueConstraint("channel", "message_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    channel: Mapped[str] = mapped_column(String(16))
    message_id: Mapped[str] = mapped_column(String(128))
    answer_id: Mapped[str] = mapped_column(ForeignKey("answers.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(default=now, index=True)


class ContentGap(Base):
    """A question the guides could not answer. No user id. Its vector is computed once, when it is recorded,
    and it joins a `GapGroup` then (`assistant.gaps`), so a view never re-embeds or re-clusters."""

    __tablename__ = "content_gaps"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    question: Mapped[str] = mapped_column(Text)
    language: Mapped[str] = mapped_column(String(8))
    scores: Mapped[dict] = mapped_column(default=dict)
    created_at: Mapped[datetime] = mapped_column(default=now, index=True)
    group_id: Mapped[int | None] = mapped_column(Integer, index=True)  # a GapGroup
    vector: Mapped[bytes | None] = mapped_column(LargeBinary)  # float32, normalised, by the group's model


class GapGroup(Base):
    """Gaps asking the same thing: the vector of its first question (the leader a new gap is compared with)
    and the embedding model that made it."""

    __tablename__ = "gap_groups"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    model: Mapped[str] = mapped_column(String(128), index=True)
    vector: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[datetime] = mapped_column(default=now)


class RateCount(Base):
    """One fixed-window rate-limit counter (`storage.ratelimits`); `key` is pseudonymous, never an address."""

    __tablename__ = "rate_limits"

    key: Mapped[str] = mapped_column(String(255), primary_key=True)
    hits: Mapped[int] = mapped_column(Integer)
    expires_at: Mapped[float] = mapped_column(Float, index=True)  # Unix seconds


class StaffSession(Base):
    """A console sign-in: the cookie holds a random id, only its SHA-256 is stored; signing out deletes the
    row, and revoking the token ends its sessions."""

    __tablename__ = "staff_sessions"

    id_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    token_id: Mapped[str] = mapped_column(ForeignKey("staff_tokens.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(default=now)
    expires_at: Mapped[datetime] = mapped_column(index=True)


class StaffToken(Base):
    """A staff member's API token: only its SHA-256 is stored."""

    __tablename__ = "staff_tokens"

    id: Mapped[str] = mapped_column(String(16), primary_key=True)  # the public part of the token
    name: Mapped[str] = mapped_column(String(100), unique=True)
    role: Mapped[str] = mapped_column(String(16))
    secret_hash: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(default=now)
    revoked_at: Mapped[datetime | None]


class Job(Base):
    """A background job (document ingestion), visible to every worker."""

    __tablename__ = "jobs"

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    kind: Mapped[str] = mapped_column(String(32))
    status: Mapped[str] = mapped_column(String(16), default="queued", index=True)  # + running, done, failed, cancelled
    stage: Mapped[str | None] = mapped_column(String(32))
    done: Mapped[int] = mapped_column(Integer, default=0)
    total: Mapped[int] = mapped_column(Integer, default=0)
    detail: Mapped[dict] = mapped_column(default=dict)
    error: Mapped[str | None] = mapped_column(Text)
    created_by: Mapped[str | None] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(default=now)
    finished_at: Mapped[datetime | None]
    claimed_by: Mapped[str | None] = mapped_column(String(120))  # host:pid:nonce of the worker running it
    heartbeat_at: Mapped[datetime | None]
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    cancel_requested: Mapped[bool] = mapped_column(Boolean, default=False)


class PathwayProgress(Base):
    """Room for the pathways issue: a participant's state on one module."""

    __tablename__ = "pathway_progress"
    __table_args__ = (UniqueConstraint("participant_id", "module_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    participant_id: Mapped[str] = mapped_column(ForeignKey("participants.id", ondelete="CASCADE"))
    module_id: Mapped[str] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(16))  # suggested, started, completed
    data: Mapped[dict] = mapped_column(default=dict)
    updated_at: Mapped[datetime] = mapped_column(default=now, onupdate=now)


class Match(Base):
    """A reciprocal pairing, proposed in the chat or by a cohort run.

    `participant_a` < `participant_b` (one row per pair). They are participant ids or the ids of a cohort
    file's profiles, so no foreign key: `Store.forget` deletes her pairs explicitly. The pairing is active
    when both accepted and staff approved (or approval is off); a staff rejection or a decline closes it
    for good, and that pair is never proposed again.
    """

    __tablename__ = "matches"
    __table_args__ = (UniqueConstraint("participant_a", "participant_b"),)

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    participant_a: Mapped[str] = mapped_column(String(64), index=True)
    participant_b: Mapped[str] = mapped_column(String(64), index=True)
    kind: Mapped[str] = mapped_column(String(16), default="person")
    source: Mapped[str] = mapped_column(String(16), default="chat")  # chat | cohort
    score: Mapped[float] = mapped_column(Float)
    fit_ab: Mapped[float] = mapped_column(Float, default=0.0)
    fit_ba: Mapped[float] = mapped_column(Float, default=0.0)
    status: Mapped[str] = mapped_column(String(16), default="proposed", index=True)
    accepted_a: Mapped[bool | None] = mapped_column(Boolean)
    accepted_b: Mapped[bool | None] = mapped_column(Boolean)
    staff_decision: Mapped[str | None] = mapped_column(String(16))  # approved | rejected
    decided_by: Mapped[str | None] = mapped_column(String(100))
    reasons: Mapped[dict] = mapped_column(default=dict)
    created_at: Mapped[datetime] = mapped_column(default=now)
    decided_at: Mapped[datetime | None]


class MatchExposure(Base):
    """One suggestion shown to one person: exposure control counts these per candidate."""

    __tablename__ = "match_exposures"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    viewer: Mapped[str] = mapped_column(String(64), index=True)
    candidate: Mapped[str] = mapped_column(String(64), index=True)
    shown_at: Mapped[datetime] = mapped_column(default=now)


class Nudge(Base):
    """A follow-up sent without being asked: a step given days ago ("did you try it?") or a check-in on a
    quiet pairing. Her answer is recorded on it (and as feedback on the step). `cohort` is her country at
    sending time, so staff see the shared measurement per cohort."""

    __tablename__ = "nudges"

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    participant_id: Mapped[str] = mapped_column(ForeignKey("participants.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(16))  # step | pairing
    ref: Mapped[str] = mapped_column(String(64))  # the module id or the pairing id
    channel: Mapped[str] = mapped_column(String(16))
    mode: Mapped[str] = mapped_column(String(16), default="text")  # text | template (WhatsApp, out of window)
    cohort: Mapped[str | None] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(16), default="sent", index=True)  # sent | answered | failed
    answer: Mapped[str | None] = mapped_column(String(32))
    comment: Mapped[str | None] = mapped_column(Text)
    sent_at: Mapped[datetime] = mapped_column(default=now, index=True)
    answered_at: Mapped[datetime | None]
