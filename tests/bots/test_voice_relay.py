"""The relay's voice path without a platform: the note fetched through the channel's fetcher and answered in
the voice pool, refusals before any download, a fetch that fails; and WhatsApp's media fetcher bounding a
download whose size was not declared."""

from __future__ import annotations

import asyncio
import threading

import httpx
import pytest

from assistant.conversation import Engine, Message, Reply, VoiceNotes, VoiceRef
from assistant.core import Assistant
from assistant.errors import AudioError
from assistant.phrases import phrase
from assistant.speech import ScriptedTranscriber, Transcript
from bots.common import FetchError, Relay
from bots.whatsapp import parse_webhook
from bots.whatsapp_media import WhatsAppMedia
from tests.bots.helpers import webhook

NOTE = b"OggS her note"
REF = VoiceRef("media-42", "audio/ogg; codecs=opus")


def voice_message(message_id: str, ref: VoiceRef = REF) -> Message:
    return Message("whatsapp", "15145550999", "", message_id, None, media="audio", voice=ref)


def run(relay: Relay, message: Message, fetch=None) -> list[Reply]:
    sent: list[Reply] = []

    async def send(reply: Reply) -> None:
        sent.append(reply)

    asyncio.run(relay.handle(message, send, fetch))
    return sent


@pytest.fixture
def engine(corpus_runtime) -> Engine:
    return Engine(Assistant(corpus_runtime))


def relay_with(engine: Engine, transcriber) -> Relay:
    return Relay(engine, engine.store, voice=VoiceNotes(engine, transcriber, 120), voice_workers=2)


def test_the_note_is_fetched_and_transcribed_in_the_voice_pool(engine):
    threads: list[str] = []

    class Recording(ScriptedTranscriber):
        def transcribe(self, audio, language=None, hint=None):
            threads.append(threading.current_thread().name)
            return super().transcribe(audio, language, hint)

    async def fetch(ref: VoiceRef) -> bytes:
        assert ref is REF
        return NOTE

    relay = relay_with(engine, Recording(default=Transcript("/help", "en", 2.0, 0.9)))
    echo, help_text = run(relay, voice_message("v1"), fetch)
    assert echo.text == "🎤 “/help”" and help_text.text == phrase("help", "en")
    assert threads and threads[0].startswith("voice")
    relay.close()


def test_without_a_fetcher_or_a_transcriber_nothing_is_fetched(engine):
    async def fetch(ref: VoiceRef) -> bytes:
        raise AssertionError("must not be fetched")

    assert [r.text for r in run(relay_with(engine, None), voice_message("v2"), fetch)] == [
        phrase("voice_unavailable", "en")
    ]
    relay = relay_with(engine, ScriptedTranscriber(default=Transcript("hi", "en", 1.0, 0.9)))
    assert [r.text for r in run(relay, voice_message("v3"))] == [phrase("voice_unavailable", "en")]


@pytest.mark.parametrize(
    "error, key",
    [(FetchError("HTTP 404"), "voice_not_received"), (AudioError("big", "too_large"), "voice_too_long")],
)
def test_a_fetch_that_fails_gets_a_polite_reply(engine, error, key):
    async def fetch(ref: VoiceRef) -> bytes:
        raise error

    relay = relay_with(engine, ScriptedTranscriber(default=Transcript("hi", "en", 1.0, 0.9)))
    assert [r.text for r in run(relay, voice_message(f"v-{key}"), fetch)] == [phrase(key, "en", limit="2 min")]


def test_a_relay_without_voice_notes_leaves_audio_to_the_engine(engine):
    assert [r.text for r in run(Relay(engine, engine.store), voice_message("v4"))] == [phrase("only_text", "en")]


def test_whatsapp_audio_carries_its_media_id_and_the_voice_flag():
    note = {"mime_type": "audio/ogg; codecs=opus", "sha256": "abc", "id": "1234567890", "voice": True}
    forwarded = {"mime_type": "audio/mpeg", "id": "987"}
    [voice, audio, bare] = parse_webhook(
        webhook(
            {"from": "22177", "id": "wamid.v", "type": "audio", "audio": note},
            {"from": "22177", "id": "wamid.a", "type": "audio", "audio": forwarded},
            {"from": "22177", "id": "wamid.b", "type": "audio", "audio": {}},
        )
    )
    assert voice.media == "audio" and voice.voice == VoiceRef("1234567890", "audio/ogg; codecs=opus", voice=True)
    assert audio.voice.id == "987" and audio.voice.voice is False
    assert bare.voice is None  # no media id: the engine's "only text"
    assert "1234567890" not in repr(voice)  # the id would fetch her audio


def test_a_download_without_a_declared_size_is_cut_off_while_streaming():
    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.path.endswith("/M1"):
            return httpx.Response(200, json={"url": "https://lookaside.example/?mid=M1", "mime_type": "audio/ogg"})

        async def chunks():
            for _ in range(100):
                yield b"\0" * 1000

        return httpx.Response(200, content=chunks())  # streamed: no content-length

    async def fetch() -> bytes:
        async with httpx.AsyncClient(transport=httpx.MockTransport(handler)) as http:
            media = WhatsAppMedia(http, token="t", api_base="https://graph.example/v21.0", max_bytes=10_000)
            return await media.fetch(VoiceRef("M1"))

    with pytest.raises(AudioError) as refused:
        asyncio.run(fetch())
    assert refused.value.reason == "too_large"
