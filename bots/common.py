"""What every channel shares: splitting long text under a platform's limit, and the `Relay` that takes an
inbound message to the engine exactly once and hands the replies to the channel's sender. The engine runs
in a bounded pool of its own (`engine_workers` threads, `MENTOR_ENGINE_WORKERS`), sized so that concurrent
questions fill the embedder's micro-batches; asyncio's default pool (cpu + 4 threads, shared with every
other `to_thread` call) made the chat path several times slower than /v1/ask under load. A voice note's
bytes are fetched through the channel's fetcher and transcribed in a small pool of their own, so a burst of
voice notes never takes the threads typed questions are answered in."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import re
from collections.abc import Awaitable, Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace

from assistant import (
    SUPPORTED_LANGUAGES,
    AudioError,
    Engine,
    Message,
    Reply,
    Store,
    VoiceNotes,
    VoiceRef,
    phrase,
    pseudonym,
)

log = logging.getLogger(__name__)

# Where a long text may be cut, best first: between paragraphs, between lines, after a sentence, between words.
_CUTS = (re.compile(r"\n\s*\n"), re.compile(r"\n"), re.compile(r"(?<=[.!?;:])\s+"), re.compile(r"\s+"))
_LOCK_POLL_MAX_S = 0.1  # longest wait between two tries of her lock held by another worker
_HELD_AT_ONCE = 8  # people's locks (one database connection each) this process holds at once, of a pool of 30
DEFAULT_ENGINE_WORKERS = 32  # MENTOR_ENGINE_WORKERS' default: a micro-batch of queries (micro_batch_max)


def utf16_length(text: str) -> int:
    """Telegram counts message length in UTF-16 code units (an emoji outside the BMP counts twice)."""
    return len(text.encode("utf-16-le")) // 2


def _fits(text: str, limit: int, measure: Callable[[str], int]) -> int:
    """The largest n such that measure(text[:n]) <= limit."""
    if measure(text) <= limit:
        return len(text)
    lo, hi = 0, min(len(text), limit)
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if measure(text[:mid]) <= limit:
            lo = mid
        else:
            hi = mid - 1
    return lo


def split_message(text: str, limit: int = 4096, measure: Callable[[str], int] = utf16_length) -> list[str]:
    """Cut `text` into parts of at most `limit` (as `measure` counts) without breaking a word or a citation
    line: at a paragraph break if there is one in the second half of the window, else a line break, else
    a sentence end, else a space. Only a single "word" longer than the limit is cut inside."""
    if limit < 2:
        raise ValueError("limit must be at least 2")
    parts: list[str] = []
    rest = text.strip()
    while rest:
        end = _fits(rest, limit, measure)
        if end >= len(rest):
            parts.append(rest)
            break
        window = rest[: end + 1]  # a separator right after the window's last character counts
        cut = None
        for pattern in _CUTS:
            spots = [m for m in pattern.finditer(window) if m.start() > 0]
            preferred = [m for m in spots if m.start() >= end // 2]
            if preferred or (pattern is _CUTS[-1] and spots):
                found = (preferred or spots)[-1]
                cut = (found.start(), found.end())
                break
        if cut is None:  # one unbroken run of characters longer than the limit
            cut = (end, end)
        head = rest[: cut[0]].rstrip()
        if head:
            parts.append(head)
        rest = rest[cut[1] :].lstrip()
    return parts


Send = Callable[[Reply], Awaitable[None]]
Notify = Callable[[str, str, Reply], Awaitable[object]]  # (channel, user id, reply) for someone else
Fetch = Callable[[VoiceRef], Awaitable[bytes]]  # a voice note's bytes, from her channel


class FetchError(Exception):
    """A voice note's bytes could not be fetched from the platform (after the retries); she is asked to
    send it again. The message says why, without the media id."""


class Relay:
    """Inbound message → the engine (in a worker thread) → the channel's sender, once per message id.

    Her lock is taken first (in this process, then across processes with PostgreSQL), then the id is claimed
    in the database, so a redelivered webhook, or the same update reaching two workers, is answered once, and
    a message whose worker died before answering is answered by the redelivery. Messages from one person are
    handled one at a time, in the order they arrive at a worker.
    """

    def __init__(
        self,
        engine: Engine,
        store: Store,
        notify: Notify | None = None,
        voice: VoiceNotes | None = None,
        voice_workers: int = 1,
        engine_workers: int = DEFAULT_ENGINE_WORKERS,
    ) -> None:
        self.engine = engine
        self.store = store
        self.notify = notify  # delivers replies meant for someone else (a pairing proposed to her)
        self.voice = voice  # None: a voice note is answered by the engine alone ("only text")
        self.voice_workers = max(1, voice_workers)
        self.engine_workers = max(1, engine_workers)
        self._voice_pool: ThreadPoolExecutor | None = None
        self._engine_pool: ThreadPoolExecutor | None = None
        self._locks: dict[tuple[str, str], tuple[asyncio.Lock, int]] = {}  # per person: lock, messages using it
        self._held: asyncio.Semaphore | None = None
        self._voice_turns: asyncio.Semaphore | None = None

    @contextlib.asynccontextmanager
    async def _own_lock(self, message: Message):
        """Her lock in this process, one per person (never shared with anyone else, so a long voice note
        from someone else never delays her), taken in arrival order and dropped once nobody waits on it."""
        key = (message.channel, message.user_id)
        lock, users = self._locks.get(key, (None, 0))
        if lock is None:
            lock = asyncio.Lock()
        self._locks[key] = (lock, users + 1)
        try:
            async with lock:
                yield
        finally:
            lock, users = self._locks[key]
            if users <= 1:
                del self._locks[key]
            else:
                self._locks[key] = (lock, users - 1)

    async def handle(self, message: Message, send: Send, fetch: Fetch | None = None) -> bool:
        """Answer `message` through `send` (a voice note's bytes come through `fetch`). False (and nothing
        sent) when it was already handled."""
        # Her lock in this process, taken in arrival order (her messages are answered in order), then, for a
        # voice note, a turn at the voice pool, then her lock across workers and hosts (PostgreSQL).
        async with self._own_lock(message), self._voice_turn(message), self._hold_person(message):
            loop = asyncio.get_running_loop()
            owner = pseudonym(message.channel, message.user_id)  # so that /forget finds the row
            claim = await loop.run_in_executor(
                self.engine_pool, self.store.begin_inbound, message.channel, message.message_id, owner
            )
            if claim == "done":
                log.info("duplicate %s message ignored", message.channel)
                return False
            if claim == "unfinished":
                log.info("a %s message begun by a worker that stopped is answered now", message.channel)
            await self._answer(message, send, fetch)
            await loop.run_in_executor(self.engine_pool, self.store.finish_inbound, message.channel, message.message_id)
        return True

    @contextlib.asynccontextmanager
    async def _voice_turn(self, message: Message):
        """For a voice note, a turn at the voice pool before her lock across processes is taken: notes waiting
        for transcription hold no database connection and none of the `_HELD_AT_ONCE` places, so a burst of
        voice notes never keeps anyone else's typed question waiting. At most `voice_workers` notes (and
        always fewer than `_HELD_AT_ONCE`) hold a place at once; her own later messages wait behind her note."""
        if message.voice is None or self.voice is None:
            yield
            return
        if self._voice_turns is None:  # created on the running loop
            self._voice_turns = asyncio.Semaphore(max(1, min(self.voice_workers, _HELD_AT_ONCE - 1)))
        async with self._voice_turns:
            yield

    @contextlib.asynccontextmanager
    async def _hold_person(self, message: Message):
        """Her lock across processes, polled without holding a thread (another worker may be answering her).
        Each lock held keeps a database connection, so at most `_HELD_AT_ONCE` are held by this process at
        once, well inside the connection pool, whatever the number of people writing."""
        lock = self.store.person_lock(message.channel, message.user_id)
        if not lock.shared:  # SQLite: one process, the in-process lock above is enough
            yield
            return
        if self._held is None:  # created on the running loop
            self._held = asyncio.Semaphore(_HELD_AT_ONCE)
        async with self._held:
            delay = 0.005
            while not await asyncio.to_thread(lock.try_acquire):
                await asyncio.sleep(delay)
                delay = min(delay * 2, _LOCK_POLL_MAX_S)
            try:
                yield
            finally:
                await asyncio.to_thread(lock.release)

    async def _answer(self, message: Message, send: Send, fetch: Fetch | None) -> None:
        try:
            if message.voice is not None and self.voice is not None:
                replies = await self._voice_replies(message, self.voice, fetch)
            else:
                loop = asyncio.get_running_loop()
                replies = await loop.run_in_executor(self.engine_pool, self.engine.handle, message)
        except Exception:
            log.exception(
                "the engine failed on a %s message from %s",
                message.channel,
                pseudonym(message.channel, message.user_id),
            )
            hint = (message.language_hint or "en").split("-")[0].lower()
            replies = [Reply(phrase("internal_error", hint if hint in SUPPORTED_LANGUAGES else "en"))]
        for reply in replies:
            if reply.to is None:
                await send(reply)
            else:
                await self._notify(reply)

    async def _voice_replies(self, message: Message, voice: VoiceNotes, fetch: Fetch | None) -> list[Reply]:
        """Fetch the note (never stored, never logged), then transcribe and answer it in the voice pool."""
        if fetch is None:
            return [await asyncio.to_thread(voice.refusal, message, "unavailable")]
        refused = await asyncio.to_thread(voice.screen, message)  # may look up her language, or load the model
        if refused is not None:
            return [refused]
        who = pseudonym(message.channel, message.user_id)
        try:
            audio = await fetch(message.voice)
        except AudioError as exc:
            log.info("voice note from %s refused before download: %s", who, exc.reason)
            return [await asyncio.to_thread(voice.refusal, message, exc.reason)]
        except FetchError as exc:
            log.warning("voice note %s from %s not fetched: %s", _ref(message), who, exc)
            return [await asyncio.to_thread(voice.refusal, message, "not_received")]
        if self._voice_pool is None:
            self._voice_pool = ThreadPoolExecutor(self.voice_workers, thread_name_prefix="voice")
        return await asyncio.get_running_loop().run_in_executor(self._voice_pool, voice.handle, message, audio)

    @property
    def engine_pool(self) -> ThreadPoolExecutor:
        """The engine's own threads (made at the first message; at most `engine_workers`)."""
        if self._engine_pool is None:
            self._engine_pool = ThreadPoolExecutor(self.engine_workers, thread_name_prefix="engine")
        return self._engine_pool

    def close(self) -> None:
        """Let the engine's and the voice pool's threads go once the messages in flight are answered."""
        for pool in (self._engine_pool, self._voice_pool):
            if pool is not None:
                pool.shutdown(wait=True)
        self._engine_pool = self._voice_pool = None

    async def _notify(self, reply: Reply) -> None:
        channel, user_id = reply.to
        if self.notify is None:
            log.info(
                "no way to reach %s on %s from here; she sees it at her next /match",
                pseudonym(channel, user_id),
                channel,
            )
            return
        try:
            await self.notify(channel, user_id, replace(reply, to=None))
        except Exception as exc:  # her own answer is already sent; the other person sees it at her next /match
            log.warning("notification to %s on %s failed: %s", pseudonym(channel, user_id), channel, exc)


def _ref(message: Message) -> str:
    """A voice note named in the logs: a pseudonym of its media id, which would fetch her audio."""
    return pseudonym(message.channel, message.voice.id if message.voice else "")
