"""Locks that cross processes and hosts: PostgreSQL advisory locks, one connection held per lock.

A lock is taken with `pg_try_advisory_lock(namespace, key)` on a connection of its own, kept until
`release()`. PostgreSQL frees it when that connection ends, so a worker killed with `kill -9` (its socket
closed by the kernel) gives its locks up at once: nothing to expire, no lease to wait out. Two names
hashing to the same 32-bit key only make two people wait for each other, never break anything.

Two uses: one person's messages handled one at a time by whichever worker or host has her lock
(`PERSONS`), and leaders (`NAMED`: one nudge scheduler; one nudge run at a time). With SQLite there is one
process (`mentor serve` refuses more), so every lock is granted at once and held in name only.
"""

from __future__ import annotations

import hashlib
import logging

from sqlalchemy import text
from sqlalchemy.engine import Connection
from sqlalchemy.exc import DBAPIError

from assistant.storage.database import Database

log = logging.getLogger(__name__)

PERSONS = 0x6D6E7401  # the advisory lock namespaces (PostgreSQL's two-int form: namespace, key)
NAMED = 0x6D6E7402


def lock_key(name: str) -> int:
    """A stable signed 32-bit key for `name` (the same in every process, unlike `hash()`)."""
    return int.from_bytes(hashlib.sha256(name.encode()).digest()[:4], "big", signed=True)


class SharedLock:
    """One advisory lock. `try_acquire` never waits; callers poll (without holding a thread) or give up."""

    def __init__(self, database: Database, namespace: int, name: str) -> None:
        self.db = database
        self.namespace = namespace
        self.key = lock_key(name)
        self.shared = database.dialect == "postgresql"
        self._connection: Connection | None = None
        self.held = False

    def try_acquire(self) -> bool:
        """True when this process now holds the lock (at once with SQLite)."""
        if self.held:
            return True
        if not self.shared:
            self.held = True
            return True
        connection = self.db.engine.connect().execution_options(isolation_level="AUTOCOMMIT")
        try:
            got = connection.scalar(
                text("SELECT pg_try_advisory_lock(:ns, :key)"), {"ns": self.namespace, "key": self.key}
            )
        except BaseException:
            connection.invalidate()  # never back to the pool in an unknown state
            connection.close()
            raise
        if not got:
            connection.close()
            return False
        self._connection, self.held = connection, True
        return True

    def alive(self) -> bool:
        """The lock is still ours: its connection answers (a leader checks before each run)."""
        if not self.held:
            return False
        if self._connection is None:
            return True
        try:
            self._connection.scalar(text("SELECT 1"))
            return True
        except DBAPIError:
            self._drop()
            return False

    def release(self) -> None:
        if not self.held:
            return
        connection, self._connection, self.held = self._connection, None, False
        if connection is None:
            return
        try:
            connection.scalar(text("SELECT pg_advisory_unlock(:ns, :key)"), {"ns": self.namespace, "key": self.key})
        except DBAPIError as exc:  # the connection is gone, and the lock with it
            log.info("advisory lock connection lost on release: %s", exc.__class__.__name__)
            connection.invalidate()
        finally:
            connection.close()

    def _drop(self) -> None:
        connection, self._connection, self.held = self._connection, None, False
        if connection is not None:
            connection.invalidate()
            connection.close()

    def __enter__(self) -> bool:
        return self.try_acquire()

    def __exit__(self, *_exc) -> None:
        self.release()


class LockRepository:
    """Mixed into `Store`: the locks by name."""

    db: Database

    def person_lock(self, channel: str, external_id: str) -> SharedLock:
        """Her lock: one of her messages handled at a time across every worker and host."""
        return SharedLock(self.db, PERSONS, f"{channel}:{external_id}")

    def named_lock(self, name: str) -> SharedLock:
        """A lock for one job of the whole deployment (the nudge scheduler, a nudge run)."""
        return SharedLock(self.db, NAMED, name)

    @property
    def locks_cross_processes(self) -> bool:
        """True with PostgreSQL; with SQLite the locks hold within this process only."""
        return self.db.dialect == "postgresql"
