"""The locks that cross processes: PostgreSQL advisory locks held on a connection of their own, gone with
the process that held them; with SQLite (one process) granted at once."""

from __future__ import annotations

import subprocess
import sys
import textwrap
import time
import uuid

import pytest

from assistant.storage import Database, Store


def test_sqlite_locks_are_granted_at_once_and_say_they_stay_in_this_process(tmp_path):
    store = Store(Database(f"sqlite:///{tmp_path / 'mentor.db'}"))
    first, second = store.person_lock("whatsapp", "1"), store.person_lock("whatsapp", "1")
    assert first.try_acquire() and second.try_acquire()
    assert store.locks_cross_processes is False
    first.release()
    second.release()


@pytest.fixture
def pg_url():
    from tests.assistant.storage.conftest import PG_URL

    if not PG_URL:
        pytest.skip("PostgreSQL not configured: set MENTOR_TEST_DATABASE_URL (.ci/run sets it)")
    return PG_URL


def test_one_holder_at_a_time_across_engines(pg_url):
    """Two engines are two workers: her lock is held by one of them at a time; others' locks are free."""
    one, two = Store(Database(pg_url)), Store(Database(pg_url))
    person = f"p-{uuid.uuid4().hex}"
    held = one.person_lock("whatsapp", person)
    try:
        assert held.try_acquire() and held.alive()
        assert not two.person_lock("whatsapp", person).try_acquire()
        other = two.person_lock("whatsapp", f"{person}-b")
        assert other.try_acquire()
        other.release()
        held.release()
        again = two.person_lock("whatsapp", person)
        assert again.try_acquire()
        again.release()
        assert two.locks_cross_processes is True
    finally:
        held.release()
        one.db.dispose()
        two.db.dispose()


def test_a_lock_of_a_process_killed_with_sigkill_is_free_at_once(pg_url):
    name = f"leader-{uuid.uuid4().hex}"
    holder = subprocess.Popen(
        [sys.executable, "-c", textwrap.dedent(f"""
            import sys, time
            from assistant.storage import Database, Store
            lock = Store(Database({pg_url!r})).named_lock({name!r})
            assert lock.try_acquire()
            print("held", flush=True)
            time.sleep(600)
        """)],
        stdout=subprocess.PIPE,
        text=True,
    )  # fmt: skip
    store = Store(Database(pg_url))
    try:
        assert holder.stdout.readline().strip() == "held"
        lock = store.named_lock(name)
        assert not lock.try_acquire()
        holder.kill()
        holder.wait()
        deadline = time.monotonic() + 10  # the server notices the closed socket at once; poll, bounded
        while not lock.try_acquire():
            assert time.monotonic() < deadline, "the dead process's lock was not freed"
            time.sleep(0.05)
        lock.release()
    finally:
        holder.kill()
        store.db.dispose()


def test_a_leader_whose_connection_was_cut_knows_it_lost_the_lock(pg_url):
    from sqlalchemy import text

    store, other = Store(Database(pg_url)), Store(Database(pg_url))
    name = f"leader-{uuid.uuid4().hex}"
    lock = store.named_lock(name)
    try:
        assert lock.try_acquire()
        pid = lock._connection.scalar(text("SELECT pg_backend_pid()"))
        with other.db.engine.connect() as connection:
            connection.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
        assert lock.alive() is False
        successor = other.named_lock(name)
        assert successor.try_acquire()
        successor.release()
    finally:
        lock.release()
        store.db.dispose()
        other.db.dispose()
