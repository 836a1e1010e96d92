"""The participants repository: who she is, her consent, and the profile onboarding fills in.

The first row about a person is written when she consents (`give_consent`); before that the store keeps
nothing about her in the database.
"""

from __future__ import annotations

from sqlalchemy import select

from assistant.errors import InputError, NotFoundError
from assistant.storage.models import Participant
from assistant.storage.records import ParticipantInfo, log, now, participant_info
from assistant.storage.repository import Repository


class ParticipantRepository(Repository):
    def participant(self, channel: str, external_id: str) -> ParticipantInfo | None:
        with self.db.session() as s:
            row = s.scalar(select(Participant).filter_by(channel=channel, external_id=external_id))
            return participant_info(row) if row else None

    def participant_by_id(self, participant_id: str) -> ParticipantInfo | None:
        with self.db.session() as s:
            row = s.get(Participant, participant_id)
            return participant_info(row) if row else None

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
            info = participant_info(row)
        self.volatile_turns.pop((channel, external_id))
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
            return participant_info(row)

    def consented_participants(self) -> list[ParticipantInfo]:
        with self.db.session() as s:
            return [
                participant_info(row) for row in s.scalars(select(Participant).where(Participant.consent.is_(True)))
            ]
