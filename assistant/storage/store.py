"""The store: what the rest of the assistant asks of the database, as plain data in and out.

`Store` is every repository of this package in one object (participants, conversations, answers,
analytics, deliveries, pairings, progress, nudges, inbound ids, tokens and console sessions, jobs, the locks
that cross processes), so channels and the web app call one set of methods; no SQLAlchemy object leaves the
package. The one operation that crosses every table, `forget`, lives here, whole.
"""

from __future__ import annotations

from sqlalchemy import delete, select

from assistant.storage.analytics import AnalyticsRepository, forget_gaps
from assistant.storage.answers import AnswerRepository
from assistant.storage.conversations import ConversationRepository
from assistant.storage.database import Database
from assistant.storage.deliveries import DeliveryRepository
from assistant.storage.gap_groups import GapGroupRepository
from assistant.storage.inbound import InboundRepository
from assistant.storage.jobs import JobRepository
from assistant.storage.locks import LockRepository
from assistant.storage.models import (
    AnswerRecord,
    Conversation,
    FailedDelivery,
    Feedback,
    InboundMessage,
    Match,
    MatchExposure,
    Message,
    Nudge,
    Participant,
    PathwayProgress,
    SentAnswer,
)
from assistant.storage.nudges import NudgeRepository
from assistant.storage.pairings import PairingRepository
from assistant.storage.participants import ParticipantRepository
from assistant.storage.progress import ProgressRepository
from assistant.storage.records import ParticipantInfo, StaffIdentity, log, now, pseudonym
from assistant.storage.sessions import SessionRepository
from assistant.storage.tokens import ROLES

# ROLES, ParticipantInfo, StaffIdentity, now and pseudonym are imported from here across the tree.
__all__ = ["ROLES", "ParticipantInfo", "StaffIdentity", "Store", "now", "pseudonym"]


class Store(
    ParticipantRepository,
    ConversationRepository,
    AnswerRepository,
    AnalyticsRepository,
    GapGroupRepository,
    DeliveryRepository,
    PairingRepository,
    ProgressRepository,
    NudgeRepository,
    InboundRepository,
    SessionRepository,
    JobRepository,
    LockRepository,
):
    def __init__(self, database: Database, memory_turns: int = 6) -> None:
        super().__init__(database, memory_turns)

    def forget(self, channel: str, external_id: str) -> bool:
        """Delete every personal row about this person (profile, messages, answers, feedback, progress,
        matches, the ids of the messages she sent, the content gaps she asked or that name her), then scrub
        the database files (`Database.scrub`). True when there was something to delete."""
        had_volatile = self.volatile_turns.pop((channel, external_id)) is not None
        try:
            with self.db.session() as s:
                return self._forget(s, channel, external_id) or had_volatile
        finally:
            self.db.scrub()

    def _forget(self, s, channel: str, external_id: str) -> bool:
        owner = pseudonym(channel, external_id)
        s.execute(delete(FailedDelivery).where(FailedDelivery.pseudonym == owner))
        s.execute(delete(InboundMessage).where(InboundMessage.owner == owner))
        row = s.scalar(select(Participant).filter_by(channel=channel, external_id=external_id))
        if row is None:
            return False
        pid = row.id
        forget_gaps(s, row)  # first: it finds her questions through her answers and messages
        # Explicit deletes as well as the cascades, so a database without cascading foreign keys
        # (a SQLite file opened elsewhere) still loses everything.
        conversations = select(Conversation.id).where(Conversation.participant_id == pid)
        s.execute(delete(Message).where(Message.conversation_id.in_(conversations)))
        s.execute(delete(Conversation).where(Conversation.participant_id == pid))
        s.execute(delete(Feedback).where(Feedback.participant_id == pid))
        answers = select(AnswerRecord.id).where(AnswerRecord.participant_id == pid)
        s.execute(delete(Feedback).where(Feedback.answer_id.in_(answers)))
        s.execute(delete(SentAnswer).where(SentAnswer.answer_id.in_(answers)))
        s.execute(delete(AnswerRecord).where(AnswerRecord.participant_id == pid))
        s.execute(delete(PathwayProgress).where(PathwayProgress.participant_id == pid))
        s.execute(delete(Nudge).where(Nudge.participant_id == pid))
        s.execute(delete(Match).where((Match.participant_a == pid) | (Match.participant_b == pid)))
        s.execute(delete(MatchExposure).where((MatchExposure.viewer == pid) | (MatchExposure.candidate == pid)))
        s.execute(delete(Participant).where(Participant.id == pid))
        log.info("participant %s forgotten", pid)
        return True
