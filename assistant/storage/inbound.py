"""The inbound ids repository: which channel message ids were already handled, by any worker.

Channels may deliver a message twice (webhook retries, several workers); the first worker to claim a
message id handles it, the others drop it. Ids older than `DEDUP_WINDOW` are pruned, so a channel must
refuse a message older than that by its own timestamp (WhatsApp: `bots.whatsapp.parse_webhook`).
"""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import delete
from sqlalchemy.exc import IntegrityError

from assistant.storage.models import InboundMessage
from assistant.storage.records import now
from assistant.storage.repository import Repository

DEDUP_WINDOW = timedelta(days=7)  # how long a handled message id is remembered


class InboundRepository(Repository):
    def claim_inbound(self, channel: str, message_id: str, owner: str | None = None) -> bool:
        """True the first time this message id is seen on this channel (by any worker), False after. `owner`
        (her pseudonym) lets `forget` delete the row: a message id may hold her id (the web chat's do)."""
        try:
            with self.db.session() as s:
                s.add(InboundMessage(channel=channel, message_id=str(message_id), owner=owner))
        except IntegrityError:
            return False
        return True

    def prune_inbound(self, older_than: timedelta = DEDUP_WINDOW) -> int:
        with self.db.session() as s:
            return s.execute(delete(InboundMessage).where(InboundMessage.received_at < now() - older_than)).rowcount
