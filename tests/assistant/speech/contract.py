"""The contract every `Transcriber` keeps, as a mixin: the fake's tests and the real model's tests inherit it.

A subclass provides two fixtures: `transcriber` and `spoken` (a note of English speech it can transcribe).
"""

from __future__ import annotations

import pytest

from assistant.errors import AudioError
from assistant.speech import SPEECH_LANGUAGES, Transcriber, Transcript


class TranscriberContract:
    def test_it_is_a_transcriber_with_a_name(self, transcriber):
        assert isinstance(transcriber, Transcriber)
        assert isinstance(transcriber.name, str) and transcriber.name

    def test_a_note_gives_a_transcript_in_the_language_asked(self, transcriber, spoken):
        heard = transcriber.transcribe(spoken, "en")
        assert isinstance(heard, Transcript)
        assert heard.language == "en"
        assert heard.text and heard.text == " ".join(heard.text.split())
        assert heard.duration_s > 0
        assert 0.0 <= heard.confidence <= 1.0

    def test_without_a_language_it_picks_one_of_the_three(self, transcriber, spoken):
        assert transcriber.transcribe(spoken, None).language in SPEECH_LANGUAGES

    def test_empty_audio_is_unreadable(self, transcriber):
        with pytest.raises(AudioError) as caught:
            transcriber.transcribe(b"", "fr")
        assert caught.value.reason == "unreadable"
        assert caught.value.code == "audio_unusable"
