"""The conversations repository: her conversation's state, messages and turns, and handoffs to staff.

Conversation memory is kept in the database for a participant who consented, and in this process only
(`Repository.volatile_turns`, her last `memory_turns` turns) for anyone else, so nothing about a person
is written before consent. A conversation handed to staff (`/human`) waits in `handoffs` until staff
give it back.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select

from assistant.errors import InputError, NotFoundError
from assistant.memory import Turn
from assistant.storage.models import Conversation, Message, Participant
from assistant.storage.records import ParticipantInfo, consented, conversation_of, now, participant_info, utc
from assistant.storage.repository import Repository


def _recent(s, conversation_id: str, limit: int) -> list[dict]:
    rows = s.scalars(
        select(Message).where(Message.conversation_id == conversation_id).order_by(Message.id.desc()).limit(limit)
    ).all()
    return [
        {"id": m.id, "role": m.role, "text": m.text, "language": m.language, "at": utc(m.created_at).isoformat()}
        for m in reversed(rows)
    ]


def _turns(rows: list[Message]) -> list[Turn]:
    """Question and answer messages, oldest first, paired into turns (an unanswered question is left out)."""
    turns, pending = [], None
    for row in rows:
        if row.role == "user":
            pending = row
        elif pending is not None:
            turns.append(Turn(pending.text, pending.language or row.language or "en", row.text))
            pending = None
    return turns


class ConversationRepository(Repository):
    # -- state -------------------------------------------------------------------------------------------

    def conversation_state(self, channel: str, external_id: str) -> dict | None:
        """The conversation engine's saved state for a participant who consented; None for anyone else
        (whose state the engine keeps in process memory only)."""
        with self.db.session() as s:
            person = consented(s, channel, external_id)
            if person is None:
                return None
            return dict(conversation_of(s, person).state or {})

    def save_conversation_state(self, channel: str, external_id: str, state: dict) -> bool:
        """Keep the engine's state in the participant's conversation. False (nothing written) without consent."""
        with self.db.session() as s:
            person = consented(s, channel, external_id)
            if person is None:
                return False
            conversation_of(s, person).state = dict(state)  # a new object, so the JSON change is seen
            return True

    # -- messages ----------------------------------------------------------------------------------------

    def add_message(self, channel: str, external_id: str, role: str, text: str, language: str | None = None) -> bool:
        """Keep one message of her conversation (`user` to staff, `staff` to her). False without consent."""
        if role not in ("user", "assistant", "staff", "notice"):
            raise InputError(f"unknown message role {role!r}")
        with self.db.session() as s:
            person = consented(s, channel, external_id)
            if person is None:
                return False
            conversation = conversation_of(s, person)
            s.add(Message(conversation_id=conversation.id, role=role, text=text, language=language))
            return True

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

    # -- handoffs to staff -------------------------------------------------------------------------------

    def set_handed_to_staff(self, channel: str, external_id: str, handed: bool = True) -> bool:
        """Mark the participant's conversation as handed to (or given back from) staff. False without consent."""
        with self.db.session() as s:
            person = consented(s, channel, external_id)
            if person is None:
                return False
            conversation = conversation_of(s, person)
            conversation.handed_to_staff = handed
            if handed:
                conversation.handed_at = now()
            return True

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
                    "messages": _recent(s, conversation.id, turns * 2),
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
            conversation = conversation_of(s, person)
            s.add(Message(conversation_id=conversation.id, role="staff", text=text, language=person.preferred_language))
            return participant_info(person)

    def release_handoff(self, participant_id: str) -> ParticipantInfo:
        """Give the conversation back to the assistant."""
        with self.db.session() as s:
            person = s.get(Participant, participant_id)
            if person is None or not person.consent:
                raise NotFoundError(f"no participant {participant_id!r}")
            conversation_of(s, person).handed_to_staff = False
            return participant_info(person)

    def staff_messages(self, channel: str, external_id: str, after: int = 0) -> list[dict]:
        """Staff replies and notices (a pairing proposed to her) with an id above `after`, oldest first (the
        web chat polls for them)."""
        with self.db.session() as s:
            person = consented(s, channel, external_id)
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
            person = consented(s, channel, external_id)
            return bool(person is not None and conversation_of(s, person).handed_to_staff)

    # -- turns: the memory the assistant answers with ------------------------------------------------------

    def history(self, channel: str, external_id: str) -> list[Turn]:
        """The last turns with this user, oldest first."""
        if not self.memory_turns:
            return []
        with self.db.session() as s:
            person = consented(s, channel, external_id)
            if person is not None:
                conversation = conversation_of(s, person)
                rows = s.scalars(
                    select(Message)
                    .where(Message.conversation_id == conversation.id, Message.role.in_(("user", "assistant")))
                    .order_by(Message.id.desc())
                    .limit(self.memory_turns * 2)
                ).all()
                return _turns(list(reversed(rows)))[-self.memory_turns :]
        return list(self.volatile_turns.get((channel, external_id), ()))

    def add_turn(self, channel: str, external_id: str, turn: Turn, answer_id: str | None = None) -> None:
        """Keep a question and its answer: in the database with consent, in this process without."""
        if not self.memory_turns:
            return
        with self.db.session() as s:
            person = consented(s, channel, external_id)
            if person is not None:
                conversation = conversation_of(s, person)
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
        keep = self.memory_turns
        self.volatile_turns.update((channel, external_id), lambda turns: (*(turns or ()), turn)[-keep:])
