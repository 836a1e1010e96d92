"""Splitting long replies under a platform's limit, and the relay's once-per-message guarantee."""

from __future__ import annotations

import asyncio
import re
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest

from assistant.conversation import Engine, Message, Reply
from assistant.core import Assistant
from bots.common import Relay, split_message, utf16_length

ANSWER = (
    "Prepare a loan file with your monthly sales and expenses [1]. Savings groups help women without "
    "collateral [2]. Keep your cash records every week [1][3].\n\nSources:\n[1] Access to credit\n"
    "[2] Savings groups and microfinance\n[3] Bookkeeping for small businesses"
)


@pytest.mark.parametrize("limit", [40, 64, 100, 4096])
def test_parts_fit_and_nothing_is_lost_or_broken(limit):
    text = "\n\n".join([ANSWER] * 40)
    parts = split_message(text, limit)
    assert all(utf16_length(p) <= limit for p in parts)
    assert " ".join(" ".join(parts).split()) == " ".join(text.split())  # every word, in order
    words = set(text.split())
    for part in parts:
        assert set(part.split()) <= words  # no word was cut in two
        assert not re.search(r"\[\d*$", part) and not re.match(r"^\d*\]", part)  # nor a citation marker


def test_a_short_text_is_one_part_and_paragraphs_are_preferred():
    assert split_message("Hello there.", 4096) == ["Hello there."]
    first, second = split_message("A" * 30 + "\n\n" + "B b b " * 6, 45)
    assert first == "A" * 30 and second.startswith("B b")  # cut at the paragraph, not mid-line


def test_emoji_count_twice_for_telegram():
    text = "👍" * 3000  # 6000 UTF-16 units
    parts = split_message(text, 4096)
    assert len(parts) == 2 and all(utf16_length(p) <= 4096 for p in parts)
    assert "".join(parts) == text


def test_a_word_longer_than_the_limit_is_the_only_thing_cut():
    parts = split_message("see https://example.org/" + "x" * 100 + " end", 50)
    assert all(len(p) <= 50 for p in parts) and parts[0] == "see" and parts[-1].endswith("end")


def test_the_relay_answers_a_message_once(corpus_runtime):
    relay = Relay(Engine(Assistant(corpus_runtime)), corpus_runtime.store)
    sent: list[Reply] = []

    async def send(reply: Reply) -> None:
        sent.append(reply)

    async def deliver_five_times() -> list[bool]:
        message = Message("whatsapp", "22177000001", "/help", "wamid.same")
        return await asyncio.gather(*(relay.handle(message, send) for _ in range(5)))

    results = asyncio.run(deliver_five_times())
    assert sorted(results) == [False, False, False, False, True]
    assert len(sent) == 1


def test_an_engine_failure_gets_an_apology_not_silence(corpus_runtime, monkeypatch):
    engine = Engine(Assistant(corpus_runtime))
    monkeypatch.setattr(engine, "handle", lambda message: 1 / 0)
    sent: list[Reply] = []

    async def send(reply: Reply) -> None:
        sent.append(reply)

    asyncio.run(Relay(engine, corpus_runtime.store).handle(Message("web", "u", "hi", "m1", "es-BO"), send))
    assert len(sent) == 1 and sent[0].text.startswith("Lo siento")


def test_one_persons_messages_are_answered_in_the_order_they_arrived(corpus_runtime):
    relay = Relay(Engine(Assistant(corpus_runtime)), corpus_runtime.store)
    sent: list[str] = []

    async def send(reply: Reply) -> None:
        sent.append(reply.text)

    async def burst() -> None:
        commands = ["/help", "/lang", "/profile", "/match"] * 3
        messages = [Message("whatsapp", "22177000777", c, f"wamid.order.{i}", "en") for i, c in enumerate(commands)]
        await asyncio.gather(*(relay.handle(m, send) for m in messages))

    asyncio.run(burst())
    firsts = [text.split("\n")[0][:12] for text in sent]
    assert len(sent) == 12 and firsts[:4] * 3 == firsts


def test_a_message_stuck_for_one_person_delays_nobody_else(corpus_runtime, monkeypatch):
    """Locks are per person: with 600 others writing while her message is stuck (a long voice note), every
    one of them is answered, whatever their ids (a striped lock table made some wait behind her), and no
    lock is left behind."""
    engine = Engine(Assistant(corpus_runtime))
    answer, release = engine.handle, threading.Event()

    def handle(message):
        if message.user_id == "22177000999":
            release.wait(60)
        return answer(message)

    monkeypatch.setattr(engine, "handle", handle)
    relay = Relay(engine, corpus_runtime.store, engine_workers=4)
    sent: list[str] = []

    async def send(reply: Reply) -> None:
        sent.append(reply.text)

    async def one_stuck_and_many_others() -> None:
        stuck = asyncio.ensure_future(relay.handle(Message("whatsapp", "22177000999", "/help", "wamid.stuck"), send))
        others = [Message("whatsapp", f"22177{i:06d}", "/lang", f"wamid.other.{i}", "en") for i in range(600)]
        try:
            await asyncio.wait_for(asyncio.gather(*(relay.handle(m, send) for m in others)), 120)
            assert len(sent) == 600 and not stuck.done()
        finally:
            release.set()
            await stuck

    asyncio.run(one_stuck_and_many_others())
    relay.close()
    assert len(sent) == 601 and relay._locks == {}


def test_a_message_begun_by_a_worker_that_died_is_answered_on_redelivery(corpus_runtime):
    """A worker that claimed the id and died before answering leaves it undone: the redelivery is answered,
    once; a message whose replies were sent is not answered again."""
    store = corpus_runtime.store
    relay = Relay(Engine(Assistant(corpus_runtime)), store)
    sent: list[Reply] = []

    async def send(reply: Reply) -> None:
        sent.append(reply)

    assert store.begin_inbound("whatsapp", "wamid.orphan") == "new"  # the worker that died got this far
    message = Message("whatsapp", "22177000555", "/help", "wamid.orphan")
    assert asyncio.run(relay.handle(message, send)) is True
    assert len(sent) == 1
    assert store.begin_inbound("whatsapp", "wamid.orphan") == "done"
    assert asyncio.run(relay.handle(message, send)) is False
    assert len(sent) == 1


def test_a_send_that_raises_leaves_the_message_to_its_redelivery(corpus_runtime):
    store = corpus_runtime.store
    relay = Relay(Engine(Assistant(corpus_runtime)), store)
    message = Message("whatsapp", "22177000556", "/help", "wamid.broken-send")

    async def broken(reply: Reply) -> None:
        raise RuntimeError("the process is going down")

    with pytest.raises(RuntimeError):
        asyncio.run(relay.handle(message, broken))
    sent: list[Reply] = []

    async def send(reply: Reply) -> None:
        sent.append(reply)

    assert asyncio.run(relay.handle(message, send)) is True and len(sent) == 1


def test_many_people_at_once_on_postgresql_stay_inside_the_connection_pool():
    """Each person's lock holds a connection: 60 people writing at once to one worker must not take the
    whole pool (30) and leave none for claiming their messages."""
    import time

    from assistant.storage import Database, Store
    from tests.pg import own_database

    class SlowEngine:  # the conversation engine is not what this is about: a reply after 50 ms
        def handle(self, message: Message) -> list[Reply]:
            time.sleep(0.05)
            return [Reply(f"ok {message.message_id}")]

    with own_database() as url:
        database = Database(url)
        database.migrate()
        store = Store(database)
        relay = Relay(SlowEngine(), store)
        sent: list[str] = []

        async def send(reply: Reply) -> None:
            sent.append(reply.text)

        async def everyone() -> list[bool]:
            messages = [Message("whatsapp", f"2217700{n:04d}", "hi", f"wamid.pool.{n}") for n in range(60)]
            return await asyncio.wait_for(asyncio.gather(*(relay.handle(m, send) for m in messages)), 60)

        try:
            assert asyncio.run(everyone()) == [True] * 60
            assert sorted(sent) == sorted(f"ok wamid.pool.{n}" for n in range(60))
        finally:
            database.dispose()


def test_a_burst_of_voice_notes_on_postgresql_keeps_nobody_elses_question_waiting():
    """With PostgreSQL each person's lock across workers holds a connection, and a worker holds at most
    `_HELD_AT_ONCE` of them. Twelve people's voice notes, all waiting for a busy voice pool, must not take them
    all: three typed questions from others are answered while every note still waits."""
    from assistant.conversation.types import VoiceRef
    from assistant.storage import Database, Store
    from bots.common import _HELD_AT_ONCE
    from tests.pg import own_database

    release = threading.Event()

    class Engine:
        def handle(self, message: Message) -> list[Reply]:
            return [Reply(f"text {message.message_id}")]

    class StuckVoice:  # every transcription waits until the typed questions are answered
        def screen(self, message: Message) -> Reply | None:
            return None

        def handle(self, message: Message, audio: bytes) -> list[Reply]:
            release.wait(60)
            return [Reply(f"voice {message.message_id}")]

    async def fetch(ref: VoiceRef) -> bytes:
        return b"OggS"

    notes = 12
    assert notes > _HELD_AT_ONCE
    with own_database() as url:
        database = Database(url)
        database.migrate()
        relay = Relay(Engine(), Store(database), voice=StuckVoice(), voice_workers=2)
        sent: list[str] = []

        async def send(reply: Reply) -> None:
            sent.append(reply.text)

        async def voice_burst_then_text() -> None:
            voice = [
                Message("whatsapp", f"2217701{n:04d}", "", f"wamid.v{n}", voice=VoiceRef(f"media-{n}"))
                for n in range(notes)
            ]
            waiting = [asyncio.ensure_future(relay.handle(m, send, fetch)) for m in voice]
            await asyncio.sleep(0.3)  # the notes are all in: some at the voice pool, the rest waiting their turn
            typed = [Message("whatsapp", f"2217702{n:04d}", "hi", f"wamid.t{n}") for n in range(3)]
            try:
                await asyncio.wait_for(asyncio.gather(*(relay.handle(m, send, fetch) for m in typed)), 20)
                assert sorted(sent) == ["text wamid.t0", "text wamid.t1", "text wamid.t2"]
            finally:
                release.set()
                await asyncio.gather(*waiting)

        try:
            asyncio.run(voice_burst_then_text())
            assert sorted(t for t in sent if t.startswith("voice")) == sorted(f"voice wamid.v{n}" for n in range(notes))
        finally:
            relay.close()
            database.dispose()


def test_the_engine_runs_in_the_relays_own_bounded_pool(corpus_runtime, monkeypatch):
    engine = Engine(Assistant(corpus_runtime))
    answer = engine.handle
    running, most, threads = 0, 0, set()
    guard = threading.Lock()

    def handle(message):
        nonlocal running, most
        with guard:
            running += 1
            most = max(most, running)
            threads.add(threading.current_thread().name)
        try:
            time.sleep(0.05)  # long enough for the others to pile up behind the pool's bound
            return answer(message)
        finally:
            with guard:
                running -= 1

    monkeypatch.setattr(engine, "handle", handle)
    relay = Relay(engine, corpus_runtime.store, engine_workers=3)
    sent: list[Reply] = []

    async def send(reply: Reply) -> None:
        sent.append(reply)

    async def twelve_people_and_a_busy_default_pool() -> None:
        loop = asyncio.get_running_loop()
        loop.set_default_executor(ThreadPoolExecutor(1))
        release = threading.Event()
        blocker = loop.run_in_executor(None, release.wait)  # asyncio's own pool is taken for the whole time
        messages = [Message("whatsapp", f"2217700{i:04d}", "/help", f"wamid.pool.{i}", "en") for i in range(12)]
        try:  # through asyncio's default pool they would wait for ever: fail instead
            await asyncio.wait_for(asyncio.gather(*(relay.handle(m, send) for m in messages)), 60)
        finally:
            release.set()
            await blocker

    asyncio.run(twelve_people_and_a_busy_default_pool())
    relay.close()
    assert len(sent) == 12 and most == 3  # all answered, never more than three at once
    assert threads and all(name.startswith("engine") for name in threads)


def test_the_server_sizes_the_engine_pool_from_its_settings(corpus_runtime):
    from fastapi.testclient import TestClient

    from web.app import create_app

    settings = corpus_runtime.settings.model_copy(update={"engine_workers": 5})
    with TestClient(create_app(settings, corpus_runtime)) as client:
        relay = client.app.state.channels.relay
        assert relay.engine_workers == 5
        response = client.post("/chat/api/messages", json={"text": "/help"})
        assert response.status_code == 200 and relay.engine_pool._max_workers == 5
