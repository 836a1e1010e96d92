"""Rate-limit counters in the database: a `limits` storage, so every worker on one database (SQLite or
PostgreSQL) counts a client's requests together.

`limits` (the library) gives the rate-limit strategies and their storages for one process (memory) and
for Redis; it has no SQL storage, and a deployment of several workers on PostgreSQL without Redis still
needs shared counts, so this is one: fixed-window counters in the `rate_limits` table, each increment one
atomic `INSERT ... ON CONFLICT DO UPDATE ... RETURNING` (the same statement on SQLite 3.35+ and
PostgreSQL), expired rows pruned as it goes. Keys arrive pseudonymous (`web.ratelimit` never passes an
address).
"""

from __future__ import annotations

import time
from typing import ClassVar

from limits.storage import Storage
from sqlalchemy import delete, func, select, text
from sqlalchemy.exc import SQLAlchemyError

from assistant.storage.database import Database
from assistant.storage.models import RateCount

PRUNE_EVERY = 500  # increments between two deletions of expired counters

_INCREMENT = text(
    "INSERT INTO rate_limits (key, hits, expires_at) VALUES (:key, :amount, :expires) "
    "ON CONFLICT (key) DO UPDATE SET "
    "hits = CASE WHEN rate_limits.expires_at > :now THEN rate_limits.hits + :amount ELSE :amount END, "
    "expires_at = CASE WHEN rate_limits.expires_at > :now THEN rate_limits.expires_at ELSE :expires END "
    "RETURNING hits"
)


class DatabaseStorage(Storage):
    """A `limits` storage over the assistant's `Database` (fixed-window strategies)."""

    # registered by `limits` under this scheme; built directly, never from a URI
    STORAGE_SCHEME: ClassVar[list[str]] = ["mentor-database"]

    def __init__(self, database: Database) -> None:
        super().__init__()
        self.db = database
        self._since_prune = 0

    @property
    def base_exceptions(self) -> type[Exception]:
        return SQLAlchemyError

    def incr(self, key: str, expiry: float, amount: int = 1) -> int:
        current = time.time()
        with self.db.session() as s:
            hits = s.execute(
                _INCREMENT, {"key": key, "amount": amount, "expires": current + expiry, "now": current}
            ).scalar_one()
        self._since_prune += 1
        if self._since_prune >= PRUNE_EVERY:
            self._since_prune = 0
            self._prune(current)
        return int(hits)

    def get(self, key: str) -> int:
        with self.db.session() as s:
            row = s.get(RateCount, key)
            return row.hits if row is not None and row.expires_at > time.time() else 0

    def get_expiry(self, key: str) -> float:
        with self.db.session() as s:
            row = s.get(RateCount, key)
            return row.expires_at if row is not None and row.expires_at > time.time() else time.time()

    def check(self) -> bool:
        try:
            with self.db.session() as s:
                s.execute(select(func.count()).select_from(RateCount).limit(1))
        except SQLAlchemyError:
            return False
        return True

    def reset(self) -> int | None:
        with self.db.session() as s:
            return s.execute(delete(RateCount)).rowcount

    def clear(self, key: str) -> None:
        with self.db.session() as s:
            s.execute(delete(RateCount).where(RateCount.key == key))

    def _prune(self, current: float) -> None:
        with self.db.session() as s:
            s.execute(delete(RateCount).where(RateCount.expires_at <= current))
