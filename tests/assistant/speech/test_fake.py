"""ScriptedTranscriber keeps the transcriber contract and answers from its script, recording each call."""

from __future__ import annotations

import pytest

from assistant.errors import AudioError, InputError
from assistant.speech import ScriptedTranscriber, Transcript
from tests.assistant.speech.contract import TranscriberContract

HELLO = Transcript(text="hello how do I get a loan", language="en", duration_s=2.5, confidence=0.9)


class TestScriptedTranscriber(TranscriberContract):
    @pytest.fixture
    def transcriber(self):
        return ScriptedTranscriber(default=HELLO)

    @pytest.fixture
    def spoken(self):
        return b"OggS any bytes"


def test_it_answers_from_its_script_and_records_the_calls():
    bonjour = Transcript(text="bonjour", language="fr", duration_s=1.0, confidence=0.8)
    fake = ScriptedTranscriber({b"note-1": bonjour}, default=HELLO)
    assert fake.transcribe(b"note-1", "fr") is bonjour
    assert fake.transcribe(b"other") is HELLO
    assert fake.calls == [(b"note-1", "fr"), (b"other", None)]


def test_unscripted_audio_without_a_default_is_unreadable():
    with pytest.raises(AudioError) as caught:
        ScriptedTranscriber().transcribe(b"note")
    assert caught.value.reason == "unreadable"


def test_a_scripted_error_is_raised_for_every_note():
    fake = ScriptedTranscriber(default=HELLO, error=AudioError("too long", reason="too_long"))
    with pytest.raises(AudioError) as caught:
        fake.transcribe(b"note", "es")
    assert caught.value.reason == "too_long"
    assert fake.calls == [(b"note", "es")]


def test_audio_error_is_an_input_error_with_a_known_reason():
    assert issubclass(AudioError, InputError)
    assert set(AudioError.REASONS) == {
        "too_long", "too_short", "too_large", "silent", "unintelligible", "other_language", "unreadable", "unavailable"
    }  # fmt: skip
    with pytest.raises(ValueError):
        AudioError("what", reason="loud")
