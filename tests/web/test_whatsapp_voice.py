"""Voice notes through the real WhatsApp webhook (signed), with the local Graph API serving the media the
Cloud API way and the scripted transcriber: what was heard, then the answer; a 404 media id, a download that
fails twice then works, one that always fails and an oversized file, each answered politely; text questions
answered while a voice note is still being transcribed."""

from __future__ import annotations

import logging
import threading
import time

import pytest

from assistant.phrases import phrase
from assistant.speech import ScriptedTranscriber, Transcript
from assistant.storage.models import InboundMessage
from testkit.graph_api import FakeGraph
from testkit.loopback import serve
from tests.bots.helpers import text, webhook
from tests.web.whatsapp import QUESTION, Server, audio, whatsapp_settings
from web.app import create_app

NOTE = b"OggS\x00\x02 a voice note, as far as the scripted transcriber cares"
QUESTION_ES = "¿Cómo preparo un expediente de préstamo para obtener un crédito?"


class SlowTranscriber(ScriptedTranscriber):
    """Blocks until `release` is set: a long note being transcribed."""

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self.started, self.release = threading.Event(), threading.Event()

    def transcribe(self, audio: bytes, language: str | None = None, hint: str | None = None) -> Transcript:
        self.started.set()
        assert self.release.wait(180)  # generous: a loaded CI machine answers the typed questions slowly
        return super().transcribe(audio, language, hint)


@pytest.fixture
def transcriber():
    return ScriptedTranscriber(default=Transcript(QUESTION, "en", 6.0, 0.9))


@pytest.fixture
def server(api_runtime, transcriber):
    api_runtime.transcriber = transcriber  # what Runtime.transcriber gives in production
    graph = FakeGraph()
    with serve(graph.app, name="graph") as graph_url:
        settings = whatsapp_settings(api_runtime.settings, f"{graph_url}/v21.0")
        settings = settings.model_copy(update={"asr_max_bytes": 1_000_000})
        with serve(create_app(settings, api_runtime), name="mentor") as url:
            yield Server(url, graph, api_runtime)


def test_a_voice_note_is_echoed_then_answered(server, transcriber):
    number = "15145550101"
    media_id = server.graph.add_media(NOTE)
    started = time.monotonic()
    response = server.post(webhook(audio(number, "wamid.v1", media_id)))
    assert response.status_code == 200 and response.json()["messages"] == 1
    assert time.monotonic() - started < 5  # acknowledged before the fetch and the transcription
    echo, answer = server.graph.wait_for(number, 2)
    assert echo.text == phrase("voice_heard", "en", text=QUESTION)
    assert "Sources:" in answer.text and answer.button_ids[0].startswith("vote:up:")
    assert transcriber.calls == [(NOTE, None)] and server.graph.downloads == 1


@pytest.mark.parametrize("transcriber", [ScriptedTranscriber(default=Transcript(QUESTION_ES, "es", 5.0, 0.9))])
def test_her_language_from_the_chat_goes_to_the_transcriber(server, transcriber):
    number = "59171230000"
    server.post(webhook(text(number, "/lang es", "wamid.l1")))
    server.graph.wait_for(number, 1)
    server.post(webhook(audio(number, "wamid.l2", server.graph.add_media(NOTE))))
    echo, _ = server.graph.wait_for(number, 3)[1:]
    assert transcriber.calls == [(NOTE, "es")] and echo.text == f"🎤 «{QUESTION_ES}»"


def test_an_unknown_media_id_gets_a_polite_reply(server):
    number = "22177000101"  # Senegal: French
    server.post(webhook(audio(number, "wamid.404", "999999999")))
    [reply] = server.graph.wait_for(number, 1)
    assert reply.text == phrase("voice_not_received", "fr")
    assert server.graph.media_requests == 1  # a 404 is not retried


def test_a_download_failing_twice_then_working_is_answered_once(server):
    number = "15145550102"
    server.graph.fail_downloads(500, times=2)
    server.post(webhook(audio(number, "wamid.r1", server.graph.add_media(NOTE))))
    echo, answer = server.graph.wait_for(number, 2)
    assert echo.text.startswith("🎤") and "Sources:" in answer.text
    server.settle(0.5)
    assert server.graph.downloads == 1 and len(server.graph.to(number)) == 2


def test_a_download_that_always_fails_gets_a_polite_reply_and_nothing_is_lost(server, transcriber, caplog):
    number = "22177000102"
    media_id = server.graph.add_media(NOTE)
    server.graph.fail_downloads(503, times=50)
    with caplog.at_level(logging.INFO):
        server.post(webhook(audio(number, "wamid.f1", media_id)))
        [reply] = server.graph.wait_for(number, 1)
    assert reply.text == phrase("voice_not_received", "fr") and transcriber.calls == []
    assert server.count(InboundMessage) == 1  # claimed once: a redelivery is not answered twice
    # httpx's own request lines name URLs; the server keeps that logger at WARNING (NOISY_LOGGERS).
    ours = "\n".join(r.getMessage() for r in caplog.records if not r.name.startswith("httpx"))
    assert "not fetched" in ours and media_id not in ours and number not in ours
    server.post(webhook(text(number, "/help", "wamid.f2")))  # her next message is answered as usual
    assert server.graph.wait_for(number, 2)[-1].text == phrase("help", "fr")


def test_an_oversized_note_is_refused_without_downloading_it(server, transcriber):
    number = "15145550103"
    server.post(webhook(audio(number, "wamid.big", server.graph.add_media(NOTE, file_size="20000000"))))
    [reply] = server.graph.wait_for(number, 1)
    assert reply.text == phrase("voice_too_long", "en", limit="2 min")
    assert server.graph.downloads == 0 and transcriber.calls == []


def test_a_note_bigger_than_it_said_is_cut_off_while_streaming(server, transcriber):
    number = "15145550104"
    server.post(webhook(audio(number, "wamid.liar", server.graph.add_media(b"\0" * 2_000_000, file_size="1000"))))
    [reply] = server.graph.wait_for(number, 1)
    assert reply.text == phrase("voice_too_long", "en", limit="2 min") and transcriber.calls == []


@pytest.mark.parametrize("transcriber", [SlowTranscriber(default=Transcript(QUESTION, "en", 6.0, 0.9))])
def test_text_questions_are_answered_while_a_voice_note_is_transcribed(server, transcriber):
    talker, typist = "15145550105", "15145550106"
    server.post(webhook(audio(talker, "wamid.s1", server.graph.add_media(NOTE))))
    assert transcriber.started.wait(20)
    server.post(webhook(text(typist, QUESTION, "wamid.s2")))
    [answer] = server.graph.wait_for(typist, 1)  # the voice pool is busy; the text threads are not
    assert "Sources:" in answer.text and server.graph.to(talker) == []
    transcriber.release.set()
    assert len(server.graph.wait_for(talker, 2)) == 2


@pytest.mark.parametrize("transcriber", [SlowTranscriber(default=Transcript(QUESTION, "en", 6.0, 0.9))])
def test_a_burst_of_voice_notes_does_not_stall_text_questions(server, transcriber):
    talkers = [f"1514555020{n}" for n in range(6)]
    for n, talker in enumerate(talkers):  # more notes than the voice pool has threads (MENTOR_ASR_WORKERS=1)
        assert server.post(webhook(audio(talker, f"wamid.b{n}", server.graph.add_media(NOTE)))).status_code == 200
    assert transcriber.started.wait(20)
    typists = ["15145550210", "15145550211", "15145550212"]
    for n, typist in enumerate(typists):
        server.post(webhook(text(typist, QUESTION, f"wamid.t{n}")))
    for typist in typists:
        [answer] = server.graph.wait_for(typist, 1)
        assert "Sources:" in answer.text
    assert all(server.graph.to(talker) == [] for talker in talkers)  # every note still waiting its turn
    transcriber.release.set()
    for talker in talkers:  # then every note is answered, none lost
        assert len(server.graph.wait_for(talker, 2, timeout=60)) == 2


def test_without_a_transcriber_a_voice_note_is_not_even_fetched(server, api_runtime):
    api_runtime.transcriber = None  # MENTOR_ASR_MODEL=off
    number = "50255500107"  # Guatemala: Spanish
    server.post(webhook(audio(number, "wamid.off", server.graph.add_media(NOTE))))
    [reply] = server.graph.wait_for(number, 1)
    assert reply.text == phrase("voice_unavailable", "es") and server.graph.media_requests == 0


@pytest.mark.parametrize("transcriber", [SlowTranscriber(default=Transcript(QUESTION, "en", 6.0, 0.9))])
def test_a_voice_note_is_acknowledged_before_it_is_transcribed(api_runtime, transcriber):
    """Text is acknowledged once answered (a killed worker leaves it to Meta's redelivery); a voice note takes
    seconds to fetch and transcribe, so Meta gets its 200 at once, even with the longest acknowledgement wait."""
    api_runtime.transcriber = transcriber
    graph = FakeGraph()
    with serve(graph.app, name="graph") as graph_url:
        settings = whatsapp_settings(api_runtime.settings, f"{graph_url}/v21.0")
        settings = settings.model_copy(update={"asr_max_bytes": 1_000_000, "webhook_ack_wait_s": 60})
        with serve(create_app(settings, api_runtime), name="mentor") as url:
            server = Server(url, graph, api_runtime)
            talker = "15145550107"
            response = server.post(webhook(audio(talker, "wamid.ack1", graph.add_media(NOTE))))  # 30 s timeout
            assert response.status_code == 200 and not transcriber.release.is_set()
            assert graph.to(talker) == []  # still being transcribed: the 200 did not wait for it
            transcriber.release.set()
            assert len(graph.wait_for(talker, 2)) == 2
