"""Migrations and connections on SQLite and PostgreSQL."""

from __future__ import annotations

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import text

from assistant.errors import ConfigurationError
from assistant.storage import Database
from assistant.storage.models import Base


def test_the_migrations_build_exactly_the_models(database):
    with database.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        assert compare_metadata(context, Base.metadata) == []


def test_migrate_is_idempotent_and_current(database_url):
    db = Database(database_url)
    assert db.is_current() is False  # an empty database is not ready
    db.migrate()
    db.migrate()
    assert db.is_current() is True
    db.dispose()


def test_sqlite_runs_in_wal_mode_with_foreign_keys(tmp_path):
    db = Database(f"sqlite:///{tmp_path / 'nested' / 'mentor.db'}")
    db.migrate()
    with db.engine.connect() as connection:
        assert connection.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert connection.execute(text("PRAGMA foreign_keys")).scalar() == 1
    assert (tmp_path / "nested" / "mentor.db").exists()


def test_a_bad_url_is_a_configuration_error():
    with pytest.raises(ConfigurationError, match="not a database URL"):
        Database("not a url")


def test_an_unreachable_server_is_a_clear_error():
    db = Database("postgresql+psycopg://nobody@127.0.0.1:1/none?connect_timeout=2")
    with pytest.raises(ConfigurationError, match="cannot reach the database"):
        db.migrate()
    assert db.is_current() is False


def test_the_password_is_not_shown():
    assert "s3cret" not in repr(Database("postgresql+psycopg://user:s3cret@127.0.0.1:1/db"))
