"""The bounded, thread-safe LRU that holds what this process remembers about people without consent.

Nothing about a person is written to the database before she consents, so her last turns (the store) and
her conversation state (the engine) live in process memory only. `BoundedLRU` keeps that memory bounded:
past `capacity` keys, the least recently written go first. Reading does not count as use, so a key's age is
that of its last write. Values are replaced whole, never changed in place, so a value handed out by `get`
can be read outside the lock.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Generic, TypeVar

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")


class BoundedLRU(Generic[K, V]):
    """At most `capacity` keys; writing a key makes it the most recent, and the least recent go first."""

    def __init__(self, capacity: int) -> None:
        self.capacity = capacity
        self._items: OrderedDict[K, V] = OrderedDict()
        self._lock = threading.Lock()

    def __len__(self) -> int:
        with self._lock:
            return len(self._items)

    def get(self, key: K, default: V | None = None) -> V | None:
        """The value kept for `key`, or `default`; its recency is unchanged."""
        with self._lock:
            return self._items.get(key, default)

    def pop(self, key: K, default: V | None = None) -> V | None:
        """Remove `key`, returning its value, or `default` when it was not kept."""
        with self._lock:
            return self._items.pop(key, default)

    def put(self, key: K, value: V) -> None:
        """Keep `value` as the most recent entry, dropping the least recent ones past capacity."""
        self.update(key, lambda _old: value)

    def update(self, key: K, change: Callable[[V | None], V]) -> V:
        """Replace `key`'s value by `change(old)` (old is None when not kept), in one step under the lock;
        the key becomes the most recent. Returns the new value."""
        with self._lock:
            value = change(self._items.pop(key, None))
            self._items[key] = value
            while len(self._items) > self.capacity:
                self._items.popitem(last=False)
            return value
