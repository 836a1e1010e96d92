"""A PostgreSQL database of a test's own (`mentor_t_<hex>`), created on the server `MENTOR_TEST_DATABASE_URL`
names and dropped afterwards: advisory locks and migrations are per database, so tests that run servers or
migrate never touch another run's (or another project's) schema. Skips with the reason without the URL."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

PG_URL = os.environ.get("MENTOR_TEST_DATABASE_URL", "")


@contextmanager
def own_database() -> Iterator[str]:
    if not PG_URL:
        pytest.skip("PostgreSQL not configured: set MENTOR_TEST_DATABASE_URL to run this test")
    name = f"mentor_t_{uuid.uuid4().hex[:12]}"
    admin = create_engine(PG_URL, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
    except Exception as exc:  # a configured server that is down is a failure, not a skip
        admin.dispose()
        pytest.fail(f"MENTOR_TEST_DATABASE_URL is set but PostgreSQL is unreachable: {exc}")
    try:
        yield make_url(PG_URL).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE "{name}" WITH (FORCE)'))
        admin.dispose()
