"""The bounded LRU that keeps what the process remembers of people without consent: eviction order,
capacity, and that it stays consistent under concurrent writers."""

from __future__ import annotations

import threading

from assistant.storage.volatile import BoundedLRU


def test_the_least_recently_written_key_goes_first():
    lru: BoundedLRU[str, int] = BoundedLRU(2)
    lru.put("a", 1)
    lru.put("b", 2)
    lru.put("a", 3)  # a is now the most recent
    lru.put("c", 4)
    assert (lru.get("a"), lru.get("b"), lru.get("c")) == (3, None, 4)


def test_reading_does_not_count_as_use():
    lru: BoundedLRU[str, int] = BoundedLRU(2)
    lru.put("a", 1)
    lru.put("b", 2)
    assert lru.get("a") == 1
    lru.put("c", 3)
    assert lru.get("a") is None and lru.get("b") == 2


def test_capacity_bounds_the_size():
    lru: BoundedLRU[int, int] = BoundedLRU(3)
    for i in range(10):
        lru.put(i, i)
    assert len(lru) == 3
    assert [lru.get(i) for i in range(10)] == [None] * 7 + [7, 8, 9]
    lru.capacity = 1  # a smaller capacity applies from the next write
    lru.put(10, 10)
    assert len(lru) == 1 and lru.get(10) == 10


def test_pop_and_defaults():
    lru: BoundedLRU[str, int] = BoundedLRU(2)
    lru.put("a", 1)
    assert lru.pop("a") == 1
    assert lru.pop("a") is None and lru.pop("a", 0) == 0
    assert lru.get("missing", 5) == 5


def test_update_sees_the_old_value_and_makes_the_key_most_recent():
    lru: BoundedLRU[str, tuple] = BoundedLRU(2)
    assert lru.update("a", lambda old: (*(old or ()), 1)) == (1,)
    lru.put("b", (2,))
    assert lru.update("a", lambda old: (*(old or ()), 3)) == (1, 3)
    lru.put("c", (4,))
    assert lru.get("b") is None and lru.get("a") == (1, 3)


def _in_threads(work, threads: int = 8) -> None:
    start = threading.Barrier(threads)

    def run(worker: int) -> None:
        start.wait()
        work(worker)

    pool = [threading.Thread(target=run, args=(n,)) for n in range(threads)]
    for thread in pool:
        thread.start()
    for thread in pool:
        thread.join()


def test_concurrent_updates_of_one_key_lose_nothing():
    lru: BoundedLRU[str, int] = BoundedLRU(4)

    def work(_worker: int) -> None:
        for _ in range(2000):
            lru.update("count", lambda old: (old or 0) + 1)

    _in_threads(work)
    assert lru.get("count") == 8 * 2000


def test_concurrent_writers_never_exceed_the_capacity():
    lru: BoundedLRU[str, int] = BoundedLRU(16)
    sizes: list[int] = []

    def work(worker: int) -> None:
        for i in range(1000):
            lru.put(f"{worker}-{i % 50}", i)
            lru.pop(f"{worker}-{(i + 7) % 50}")
            sizes.append(len(lru))

    _in_threads(work)
    assert max(sizes) <= 16 and len(lru) <= 16
