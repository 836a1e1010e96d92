"""Shared row helpers of the repositories: the plain records they hand out and the lookups they share.

No SQLAlchemy object leaves the storage package: a participant row goes out as a `ParticipantInfo`, a
staff token as a `StaffIdentity`. The conversation and consent lookups run inside a caller's session, so
they take it as their first argument.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import select

from assistant.storage.models import Conversation, Participant, now

__all__ = [
    "ParticipantInfo",
    "StaffIdentity",
    "consented",
    "conversation_of",
    "log",
    "now",
    "participant_info",
    "pseudonym",
    "use_pseudonym_key",
    "utc",
]

# One logger for every repository, under the name the store's log lines have always had.
log = logging.getLogger("assistant.storage.store")


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


# Until the runtime installs the installation's key (`keys.installation_key`), a random one: pseudonyms are
# then stable for this process only, and never a bare hash anyone could recompute.
_pseudonym_key = secrets.token_bytes(32)


def use_pseudonym_key(key: bytes) -> None:
    """Key every later `pseudonym` with `key` (the runtime does this once, at start-up)."""
    global _pseudonym_key
    _pseudonym_key = key


def pseudonym(channel: str, external_id: str) -> str:
    """What logs may show instead of a channel user id: an HMAC-SHA256 keyed with the installation's secret,
    so nobody without the key can tell whose it is by hashing phone numbers."""
    return hmac.new(_pseudonym_key, f"{channel}:{external_id}".encode(), hashlib.sha256).hexdigest()[:12]


def participant_info(row: Participant) -> ParticipantInfo:
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


def conversation_of(s, participant: Participant) -> Conversation:
    """The participant's latest conversation, created (and flushed) when she has none yet."""
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


def consented(s, channel: str, external_id: str) -> Participant | None:
    """The participant row for this channel user, only if she consented."""
    return s.scalar(select(Participant).filter_by(channel=channel, external_id=external_id, consent=True))
