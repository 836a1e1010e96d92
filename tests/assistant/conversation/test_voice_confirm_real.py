"""The voice-note confirmation with the real Whisper base, on espeak-ng notes (OGG/Opus, as WhatsApp sends): a
question Whisper heard clearly is answered at once; one it garbled (espeak-ng's French, which Whisper base
hears badly: benchmarks/voice_confirm_calibration.py) is put to her first, and her "oui" has it answered."""

from __future__ import annotations

import itertools

import pytest

from assistant.config import VOICE_CONFIRM_CONFIDENCE, Settings
from assistant.conversation import Message, VoiceNotes, VoiceRef
from assistant.phrases import phrase
from assistant.speech import FasterWhisperTranscriber, build_transcriber
from testkit.voice_notes import spoken_note, tools_missing
from tests.assistant.conversation.conftest import User, button_ids

pytestmark = [
    pytest.mark.integration,
    pytest.mark.skipif(tools_missing() is not None, reason=f"voice notes cannot be made: {tools_missing()}"),
]

CLEAR = ("en", "How do I prepare a loan file to obtain credit?")
GARBLED = ("fr", "Bonjour, je voudrais savoir comment obtenir un crédit pour agrandir mon atelier de couture.")
_ids = itertools.count(1)


@pytest.fixture(scope="module")
def whisper(tmp_path_factory) -> FasterWhisperTranscriber:
    settings = Settings(_env_file=None, data_dir=tmp_path_factory.mktemp("speech"), asr_threads=2)
    transcriber = build_transcriber(settings)
    transcriber.load()
    return transcriber


def speak(notes: VoiceNotes, user: User, lang: str, said: str) -> list:
    note = spoken_note(said, lang)
    message = Message(user.channel, user.user_id, "", f"vr-{next(_ids)}", lang, media="audio", voice=VoiceRef("m"))
    return notes.handle(message, note)


def test_a_clear_note_is_answered_and_a_garbled_one_confirmed_first(engine, whisper):
    notes = VoiceNotes(engine, whisper, max_seconds=120)
    lang, said = CLEAR
    heard = whisper.transcribe(spoken_note(said, lang), None, hint=lang)
    assert heard.confidence >= VOICE_CONFIRM_CONFIDENCE, heard
    echo, *replies = speak(notes, User(engine, user_id="vr-clear", hint=lang), lang, said)
    assert echo.text.startswith("🎤") and any(r.answer_id for r in replies)

    lang, said = GARBLED
    heard = whisper.transcribe(spoken_note(said, lang), None, hint=lang)
    assert heard.confidence < VOICE_CONFIRM_CONFIDENCE, heard
    user = User(engine, user_id="vr-garbled", hint=lang)
    echo, confirm = speak(notes, user, lang, said)
    assert echo.text.startswith("🎤") and confirm.text == phrase("voice_confirm", lang)
    assert button_ids([confirm]) == ["heard:yes", "heard:no"]
    assert any(r.answer_id for r in user.send("oui"))
