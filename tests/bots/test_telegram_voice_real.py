"""A real voice note end to end on Telegram: espeak-ng speech encoded as OGG/Opus, served by the local Bot
API's `getFile` and file download, through the real webhook (secret-token header) of a server on loopback,
transcribed by the bundled Whisper base and answered from the guides. Her language is not chosen yet: the
Telegram app's language is the transcriber's prior, and the reply comes in the language heard."""

from __future__ import annotations

import httpx
import pytest

from assistant.config import Settings
from assistant.speech import build_transcriber
from testkit.loopback import serve
from testkit.voice_notes import spoken_note, tools_missing, words
from tests.bots.helpers import SECRET, webhook_settings
from web.app import create_app

pytestmark = [
    pytest.mark.integration,
    pytest.mark.skipif(tools_missing() is not None, reason=f"voice notes cannot be made: {tools_missing()}"),
]

# (her language, what she says, words the transcript must hold)
NOTES = [
    ("fr", "Je cherche une formation sur la communication stratégique.", {"formation", "communication", "strategique"}),
    ("es", "Hola, ¿cómo preparo una carpeta de crédito para mi negocio?", {"credito", "negocio"}),
    ("en", "Hello, how do we plan our meetings across time zones?", {"plan", "time", "zones"}),
]
SOURCES = {"fr": "Sources", "es": "Fuentes", "en": "Sources"}


@pytest.fixture(scope="module")
def whisper(tmp_path_factory):
    transcriber = build_transcriber(Settings(_env_file=None, data_dir=tmp_path_factory.mktemp("asr"), asr_threads=2))
    transcriber.load()
    return transcriber


@pytest.fixture
def server(kb_runtime, whisper, fake, monkeypatch):
    monkeypatch.setattr(kb_runtime, "transcriber", whisper, raising=False)
    # Every note answered at once: espeak-ng's French and Spanish are heard with less confidence than a spoken
    # question is confirmed under (tests/web/test_whatsapp_voice_real.py and test_voice_confirm_real.py confirm).
    update = {"channel_backoff_s": 0.01, "voice_confirm_confidence": 0.0}
    settings = webhook_settings(kb_runtime, fake).model_copy(update=update)
    with serve(create_app(settings, kb_runtime), name="mentor") as url:
        yield url


def test_spoken_questions_are_heard_and_answered_from_the_guides(server, fake):
    # One server for the three notes: python-telegram-bot's application is started once per process in
    # production, and a second one in the same test process does not pick up its webhook updates.
    for n, (lang, said, key_words) in enumerate(NOTES):
        note = spoken_note(said, lang)
        update = fake.voice_update(20000 + n, lang, file_id=fake.files.add(note), duration=4, file_size=len(note))
        response = httpx.post(
            f"{server}/webhooks/telegram", json=update, headers={"X-Telegram-Bot-Api-Secret-Token": SECRET}, timeout=30
        )
        assert response.status_code == 200
        echo, answer = fake.wait_sent(2 * n + 2, timeout=300)[2 * n :]
        assert echo["chat"]["id"] == answer["chat"]["id"] == 20000 + n
        assert echo["text"].startswith("🎤")
        assert key_words <= set(words(echo["text"])), (lang, echo["text"])
        assert SOURCES[lang] in answer["text"] and "reply_markup" in answer, (lang, answer["text"])
    assert fake.files.downloads == len(NOTES)
