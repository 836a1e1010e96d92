"""The inbound ids repository: which channel message ids were already handled, by any worker.

Channels may deliver a message twice (webhook retries, several workers). The relay takes her lock
(`Store.person_lock`), then `begin_inbound`: the first worker to see a message id writes it (not done yet),
handles it and marks it done (`finish_inbound`). A later delivery finds it done and is dropped; one that
finds it written but not done, while holding her lock, knows the worker that began it died mid-way (its
lock went with its connection), and answers it. Ids older than `DEDUP_WINDOW` are pruned, so a channel must
refuse a message older than that by its own timestamp (WhatsApp: `bots.whatsapp.parse_webhook`).
"""

from __future__ import annotations

from datetime import timedelta
from typing import Literal

from sqlalchemy import delete, select, update
from sqlalchemy.exc import IntegrityError

from assistant.storage.models import InboundMessage
from assistant.storage.records import now
from assistant.storage.repository import Repository

DEDUP_WINDOW = timedelta(days=7)  # how long a handled message id is remembered
Claim = Literal["new", "unfinished", "done"]


class InboundRepository(Repository):
    def begin_inbound(self, channel: str, message_id: str, owner: str | None = None) -> Claim:
        """'new' the first time this id is seen (by any worker), 'done' once it was answered, 'unfinished'
        when it was begun but never finished (its worker died). Call it holding her lock. `owner` (her
        pseudonym) lets `forget` delete the row: a message id may hold her id (the web chat's do)."""
        try:
            with self.db.session() as s:
                s.add(InboundMessage(channel=channel, message_id=str(message_id), done=False, owner=owner))
            return "new"
        except IntegrityError:
            pass
        with self.db.session() as s:
            done = s.scalar(
                select(InboundMessage.done).where(
                    InboundMessage.channel == channel, InboundMessage.message_id == str(message_id)
                )
            )
        return "unfinished" if done is False else "done"  # None: pruned between the two reads; treat as done

    def finish_inbound(self, channel: str, message_id: str) -> None:
        """Her replies to this message were sent (or recorded as failed): later deliveries are dropped."""
        with self.db.session() as s:
            s.execute(
                update(InboundMessage)
                .where(InboundMessage.channel == channel, InboundMessage.message_id == str(message_id))
                .values(done=True)
            )

    def claim_inbound(self, channel: str, message_id: str, owner: str | None = None) -> bool:
        """True the first time this message id is seen on this channel (by any worker), False after; the id is
        marked done at once (for callers that need no recovery). `owner` as for `begin_inbound`."""
        try:
            with self.db.session() as s:
                s.add(InboundMessage(channel=channel, message_id=str(message_id), done=True, owner=owner))
        except IntegrityError:
            return False
        return True

    def prune_inbound(self, older_than: timedelta = DEDUP_WINDOW) -> int:
        with self.db.session() as s:
            return s.execute(delete(InboundMessage).where(InboundMessage.received_at < now() - older_than)).rowcount
