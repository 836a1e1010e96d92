"""The WhatsApp load benchmark's view of the local Graph API: the messages it received, per user, and which one
closes the reply to a message, with wake-ups for the simulated users waiting for it."""

from __future__ import annotations

import asyncio
import threading
from collections import defaultdict
from contextlib import suppress

from benchmarks.whatsapp_users import Step
from testkit import graph_api


def closes(step: Step, out: graph_api.Sent) -> bool:
    """Whether `out` is the last part of the reply to `step`."""
    if step.closer == "consent":
        return out.kind == "interactive" and "consent:yes" in out.button_ids
    if step.closer == "vote":
        return out.kind == "interactive" and any(b.startswith("vote:") for b in out.button_ids)
    return out.kind == "text"


class Recorder:
    """What the local Graph API received, per recipient, and wake-ups for the users waiting for it.

    `Sent.at` is `time.perf_counter()` (the fake is built with that clock), to compare with the send times."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._by_user: dict[str, list[graph_api.Sent]] = defaultdict(list)
        self._loop: asyncio.AbstractEventLoop | None = None
        self._events: dict[str, asyncio.Event] = {}

    def attach(self, loop: asyncio.AbstractEventLoop, numbers: list[str]) -> None:
        with self._lock:
            self._loop = loop
            self._events = {number: asyncio.Event() for number in numbers}

    def add(self, out: graph_api.Sent) -> None:
        """Called by the fake Graph API (`on_sent`) from its server's thread."""
        with self._lock:
            self._by_user[out.to].append(out)
            event, loop = self._events.get(out.to), self._loop
        if event is not None and loop is not None and not loop.is_closed():
            with suppress(RuntimeError):  # the load generator's loop has just closed
                loop.call_soon_threadsafe(event.set)

    def received(self, to: str, start: int = 0) -> list[graph_api.Sent]:
        with self._lock:
            return list(self._by_user.get(to, [])[start:])

    def recipients(self) -> list[str]:
        with self._lock:
            return list(self._by_user)

    async def turn(self, to: str, start: int, step: Step, timeout: float) -> tuple[list[graph_api.Sent], bool]:
        """The posts to `to` from `start` up to the one that closes the reply to `step`; (posts so far, False)
        when none closes it within `timeout` seconds."""
        event = self._events[to]
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            event.clear()  # before looking, so a post arriving meanwhile wakes the wait below
            new = self.received(to, start)
            for i, out in enumerate(new):
                if closes(step, out):
                    return new[: i + 1], True
            remaining = deadline - loop.time()
            if remaining <= 0:
                return new, False
            with suppress(TimeoutError):
                await asyncio.wait_for(event.wait(), remaining)
