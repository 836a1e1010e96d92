"""The deliveries repository: replies a channel refused after its retries, kept so staff can see them.

A failed delivery is keyed by the person's pseudonym; her channel id is kept (so the reply can be sent
again) only if she consented.
"""

from __future__ import annotations

from sqlalchemy import select

from assistant.storage.models import FailedDelivery
from assistant.storage.records import consented, log, pseudonym, utc
from assistant.storage.repository import Repository


class DeliveryRepository(Repository):
    def record_failed_delivery(self, channel: str, external_id: str, text: str, error: str) -> None:
        """Keep a reply the channel refused after its retries. Her id is kept only if she consented."""
        with self.db.session() as s:
            has_consented = consented(s, channel, external_id) is not None
            s.add(
                FailedDelivery(
                    channel=channel,
                    pseudonym=pseudonym(channel, external_id),
                    recipient=external_id if has_consented else None,
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
