"""The database storage of the rate limits, on SQLite and PostgreSQL: atomic counts shared by every
process on the database, windows that end, and `limits`' fixed-window limiter over it."""

from __future__ import annotations

from limits import parse
from limits.strategies import FixedWindowRateLimiter

from assistant.storage import Database, DatabaseStorage
from assistant.storage.models import RateCount


def test_counts_add_up_within_a_window(database):
    storage = DatabaseStorage(database)
    assert [storage.incr("k", 60) for _ in range(3)] == [1, 2, 3]
    assert storage.incr("k", 60, amount=5) == 8 and storage.get("k") == 8
    assert storage.get("other") == 0


def test_a_window_that_ended_starts_again(database):
    storage = DatabaseStorage(database)
    storage.incr("k", 0)  # a window of zero seconds has already ended
    storage.incr("k", 0)
    assert storage.get("k") == 0 and storage.incr("k", 60) == 1


def test_two_connections_to_one_database_share_the_counts(database_url, database):
    """Another worker is another engine on the same database."""
    other = Database(database_url)
    try:
        DatabaseStorage(database).incr("client", 60)
        assert DatabaseStorage(other).incr("client", 60) == 2
    finally:
        other.dispose()


def test_the_fixed_window_limiter_refuses_past_the_limit(database):
    limiter = FixedWindowRateLimiter(DatabaseStorage(database))
    item = parse("3/minute")
    assert [limiter.hit(item, "anonymous", "c1") for _ in range(4)] == [True, True, True, False]
    assert limiter.hit(item, "anonymous", "c2")  # another client has its own count
    stats = limiter.get_window_stats(item, "anonymous", "c1")
    assert stats.remaining == 0 and stats.reset_time > 0


def test_clear_and_reset_remove_counters_and_expired_rows_are_pruned(database):
    storage = DatabaseStorage(database)
    storage.incr("a", 60)
    storage.incr("b", 60)
    storage.clear("a")
    assert storage.get("a") == 0 and storage.get("b") == 1
    storage.incr("old", 0)
    storage._prune(10**12)
    with database.session() as s:
        assert s.query(RateCount).count() == 0
    assert storage.check() and storage.reset() == 0
