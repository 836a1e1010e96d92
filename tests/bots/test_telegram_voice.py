"""Voice notes and audio files on Telegram, with python-telegram-bot's real client against the fake Bot API's
`getFile` and file download, and the scripted transcriber: by long polling and through the webhook."""

from __future__ import annotations

import asyncio
import datetime as dtm
import time

import pytest
from fastapi.testclient import TestClient

from assistant.conversation import Engine
from assistant.core import Assistant
from assistant.phrases import phrase
from assistant.speech import ScriptedTranscriber, Transcript
from bots.telegram import build_application
from tests.bots.helpers import SECRET, post_update, webhook_settings
from web.app import create_app

CHAT = 5151
NOTE = b"OggS\x00\x02 her voice note"
QUESTION = "How do I prepare a loan file to obtain credit?"


@pytest.fixture
def transcriber():
    return ScriptedTranscriber(default=Transcript(QUESTION, "en", 5.0, 0.9))


@pytest.fixture
async def polling(fake, runtime, transcriber):
    engine = Engine(Assistant(runtime))
    application = build_application(
        engine, runtime.store, token=fake.token, api_base=fake.url, backoff_s=0.01,
        transcriber=transcriber, max_voice_bytes=1_000_000,
    )  # fmt: skip
    await application.initialize()
    await application.start()
    await application.updater.start_polling(poll_interval=0, timeout=dtm.timedelta(seconds=1))
    try:
        yield application
    finally:
        await asyncio.wait_for(application.updater.stop(), 10)
        await asyncio.wait_for(application.stop(), 10)
        await asyncio.wait_for(application.shutdown(), 10)


@pytest.mark.parametrize("kind", ["voice", "audio"])
async def test_a_voice_note_or_audio_file_is_echoed_then_answered(polling, fake, transcriber, kind):
    file_id = fake.files.add(NOTE, kind)
    fake.voice(CHAT, "en", kind, file_id=file_id, file_size=len(NOTE))
    echo, answer = await fake.wait_sent_async(2)
    assert echo["text"] == phrase("voice_heard", "en", text=QUESTION)
    assert "Sources:" in answer["text"] and "reply_markup" in answer
    assert transcriber.calls == [(NOTE, None)] and fake.files.downloads == 1
    assert [c.params["file_id"] for c in fake.calls_to("getFile")] == [file_id]


async def test_a_download_failing_twice_then_working_is_answered(polling, fake):
    fake.files.fail_downloads(500, times=2)
    fake.voice(CHAT, "en", file_id=fake.files.add(NOTE))
    echo, answer = await fake.wait_sent_async(2)
    assert echo["text"].startswith("🎤") and "Sources:" in answer["text"]
    assert fake.files.downloads == 1


@pytest.mark.parametrize("lang", ["fr", "es", "en"])
async def test_a_download_that_always_fails_gets_a_polite_reply(polling, fake, transcriber, lang):
    fake.files.fail_downloads(502, times=50)
    fake.voice(CHAT, lang, file_id=fake.files.add(NOTE))
    (reply,) = await fake.wait_sent_async(1)
    assert reply["text"] == phrase("voice_not_received", lang) and transcriber.calls == []


async def test_an_unknown_file_id_gets_a_polite_reply_without_retries(polling, fake):
    fake.voice(CHAT, "es", file_id="no-such-file")
    (reply,) = await fake.wait_sent_async(1)
    assert reply["text"] == phrase("voice_not_received", "es")
    assert len(fake.calls_to("getFile")) == 1  # a 400 is not worth asking again


@pytest.mark.parametrize(
    "note", [{"file_size": 5_000_000}, {"duration": 1200}], ids=["over-max-bytes", "twenty-minutes"]
)
async def test_what_the_update_rules_out_is_refused_before_getfile(polling, fake, transcriber, note):
    fake.voice(CHAT, "fr", file_id=fake.files.add(NOTE), **note)
    (reply,) = await fake.wait_sent_async(1)
    assert reply["text"] == phrase("voice_too_long", "fr", limit="2 min")
    assert fake.calls_to("getFile") == [] and transcriber.calls == []


async def test_a_file_getfile_says_is_too_big_is_not_downloaded(polling, fake, transcriber):
    fake.voice(CHAT, "en", file_id=fake.files.add(NOTE, file_size=3_000_000))  # the update gives no size
    (reply,) = await fake.wait_sent_async(1)
    assert reply["text"] == phrase("voice_too_long", "en", limit="2 min")
    assert fake.files.downloads == 0 and transcriber.calls == []


def test_a_voice_note_through_the_webhook(fake, runtime, transcriber):
    runtime.transcriber = transcriber  # what Runtime.transcriber gives in production
    settings = webhook_settings(runtime, fake).model_copy(update={"channel_backoff_s": 0.01})
    with TestClient(create_app(settings, runtime)) as client:
        update = fake.voice_update(CHAT, "en", file_id=fake.files.add(NOTE))
        started = time.monotonic()
        assert post_update(client, update, secret=SECRET).status_code == 200
        assert time.monotonic() - started < 5
        echo, answer = fake.wait_sent(2, timeout=20)
    assert echo["text"] == phrase("voice_heard", "en", text=QUESTION) and "Sources:" in answer["text"]
    assert transcriber.calls == [(NOTE, None)]
