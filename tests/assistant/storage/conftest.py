"""Every storage test runs twice: on SQLite (a file under tmp_path) and on PostgreSQL.

PostgreSQL's URL comes from `MENTOR_TEST_DATABASE_URL` (`.ci/run` sets it to the local server, database
`test`); without it those cases are skipped with the reason. Each PostgreSQL test gets its own schema
(through the connection's `search_path`), dropped afterwards, so tests never see each other's rows.
"""

from __future__ import annotations

import os
import uuid
from urllib.parse import quote

import pytest
from sqlalchemy import create_engine, text

from assistant.storage import Database, Store

PG_URL = os.environ.get("MENTOR_TEST_DATABASE_URL", "")


def _with_search_path(url: str, schema: str) -> str:
    separator = "&" if "?" in url else "?"
    return f"{url}{separator}options={quote(f'-csearch_path={schema}')}"


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request, tmp_path):
    """A fresh, empty database URL of each kind."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'mentor.db'}"
        return
    if not PG_URL:
        pytest.skip("PostgreSQL not configured: set MENTOR_TEST_DATABASE_URL (.ci/run sets it)")
    schema = f"t_{uuid.uuid4().hex[:12]}"
    admin = create_engine(PG_URL, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    except Exception as exc:  # a configured server that is down is a failure, not a skip
        admin.dispose()
        pytest.fail(f"MENTOR_TEST_DATABASE_URL is set but PostgreSQL is unreachable: {exc}")
    try:
        yield _with_search_path(PG_URL, schema)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


@pytest.fixture
def database(database_url):
    db = Database(database_url)
    db.migrate()
    yield db
    db.dispose()


@pytest.fixture
def store(database) -> Store:
    return Store(database, memory_turns=3)
