"""The base every repository shares: the `Database`, and the memory of people who have not consented.

Each repository (participants, conversations, ...) subclasses `Repository` and is usable alone;
`Store` inherits them all, so one `Repository.__init__` sets up the state they share. Conversation memory
is kept in the database for a participant who consented, and in this process only (her last
`memory_turns` turns, for at most `VOLATILE_USERS` people) for anyone else.
"""

from __future__ import annotations

from assistant.memory import Turn
from assistant.storage.database import Database
from assistant.storage.volatile import BoundedLRU

VOLATILE_USERS = 10_000  # people without consent whose last turns this process remembers (least recent go)


class Repository:
    def __init__(self, database: Database, memory_turns: int = 6) -> None:
        self.db = database
        self.memory_turns = memory_turns
        # (channel, external id) -> her last turns, oldest first; a tuple, replaced whole on each turn.
        self.volatile_turns: BoundedLRU[tuple[str, str], tuple[Turn, ...]] = BoundedLRU(VOLATILE_USERS)
