"""The real Whisper base on notes made at test time (espeak-ng -> OGG/Opus 16 kHz mono, as WhatsApp sends).

Few and short (the model is loaded once for the module): key words heard in fr/es/en, the language found
without a hint, and every refusal (corrupt, empty, too long, a real 20-minute note refused by its duration,
a tap too short to be a note, silence, speech played backwards, a language other than fr/es/en).
"""

from __future__ import annotations

import subprocess

import pytest

from assistant.config import VOICE_CONFIRM_CONFIDENCE, Settings
from assistant.errors import AudioError
from assistant.speech import FasterWhisperTranscriber, build_transcriber
from testkit.voice_notes import silence_note, spoken_note, tone_note, tools_missing, words
from tests.assistant.speech.contract import TranscriberContract

pytestmark = [
    pytest.mark.integration,
    pytest.mark.skipif(tools_missing() is not None, reason=f"voice notes cannot be made: {tools_missing()}"),
]

NOTES = {
    "fr": ("Bonjour, je cherche une formation sur la gestion.", {"bonjour", "formation", "gestion"}),
    "es": ("Hola, quisiera saber cómo pedir un crédito para mi negocio de costura.", {"saber", "credito", "costura"}),
    "en": ("Hello, how do I handle time zones with my mentor?", {"time", "zones", "mentor"}),
}


@pytest.fixture(scope="module")
def whisper(tmp_path_factory) -> FasterWhisperTranscriber:
    settings = Settings(_env_file=None, data_dir=tmp_path_factory.mktemp("speech"), asr_threads=2)
    transcriber = build_transcriber(settings)
    transcriber.load()
    assert transcriber.status == "ready"
    return transcriber


# How each note is read. With espeak-ng 1.51+dfsg-10+deb12u2, Whisper base hears its Castilian voice at 150 words a
# minute as Italian ("it", fr/es/en 0.07); the Latin American voice (the programme's Bolivia and Guatemala) a little
# slower is heard as Spanish, as a person's note is.
SPEAKING = {"es": {"voice": "es-419", "words_per_minute": 130}}


@pytest.fixture(scope="module")
def notes() -> dict[str, bytes]:
    return {
        language: spoken_note(text, language, **SPEAKING.get(language, {})) for language, (text, _) in NOTES.items()
    }


class TestWhisperContract(TranscriberContract):
    @pytest.fixture
    def transcriber(self, whisper):
        return whisper

    @pytest.fixture
    def spoken(self, notes):
        return notes["en"]


@pytest.mark.parametrize("language", ["fr", "es", "en"])
def test_the_key_words_are_heard_in_each_language(whisper, notes, language):
    heard = whisper.transcribe(notes[language], language)
    assert heard.language == language
    assert NOTES[language][1] <= set(words(heard.text)), heard.text
    assert 2 < heard.duration_s < 10


@pytest.mark.parametrize("language", ["es", "en"])
def test_without_a_hint_the_language_is_found(whisper, notes, language):
    # French from espeak-ng is found 7 times in 10 (benchmarks/speech.py), so only es and en are pinned here.
    assert whisper.transcribe(notes[language], None).language == language


def test_a_corrupt_ogg_is_unreadable(whisper, notes):
    note = notes["en"]
    for broken in (b"OggS" + bytes(range(256)) * 40, note[:120]):
        with pytest.raises(AudioError) as caught:
            whisper.transcribe(broken, "en")
        assert caught.value.reason == "unreadable"


def test_a_zero_length_file_is_unreadable(whisper):
    with pytest.raises(AudioError) as caught:
        whisper.transcribe(b"")
    assert caught.value.reason == "unreadable"


def test_a_note_over_the_limit_is_too_long(whisper, notes, monkeypatch):
    monkeypatch.setattr(whisper, "max_seconds", 2.0)
    with pytest.raises(AudioError) as caught:
        whisper.transcribe(notes["en"], "en")
    assert caught.value.reason == "too_long"


def test_a_real_twenty_minute_note_is_refused_by_its_duration(whisper):
    # Decoding stops once past 120 s (benchmarks/speech.py times it): nothing is transcribed.
    with pytest.raises(AudioError) as caught:
        whisper.transcribe(_twenty_minutes_of_hum(), "fr")
    assert caught.value.reason == "too_long"


def test_a_note_over_the_byte_limit_is_too_large(whisper, notes, monkeypatch):
    monkeypatch.setattr(whisper, "max_bytes", 1000)
    with pytest.raises(AudioError) as caught:
        whisper.transcribe(notes["fr"], "fr")
    assert caught.value.reason == "too_large"


def test_a_tap_on_the_microphone_is_too_short(whisper):
    with pytest.raises(AudioError) as caught:
        whisper.transcribe(tone_note(0.3), None)
    assert caught.value.reason == "too_short"


@pytest.mark.parametrize("language", ["es", "en"])
def test_speech_played_backwards_is_never_answered_as_heard(whisper, language):
    """Refused as unintelligible or another language; or, at the edge (the Spanish note came out at confidence
    0.364 on one machine, just over MIN_CONFIDENCE, with another espeak-ng build), heard so unsurely that it is put
    to her before anything is answered (assistant/conversation/voice_confirm.py)."""
    said = NOTES[language][0]
    try:
        transcript = whisper.transcribe(spoken_note(said, language, backwards=True), language)
    except AudioError as caught:
        assert caught.reason in {"unintelligible", "other_language"}
    else:
        assert transcript.confidence < VOICE_CONFIRM_CONFIDENCE, transcript


@pytest.mark.parametrize(
    ("voice", "said"),
    [("nl", "Welke papieren heb ik nodig om koffie naar Canada te exporteren?"),
     ("ht", "Ki papye mwen bezwen pou ekspòte kafe nan Kanada?")],
)  # fmt: skip
def test_a_note_in_another_language_is_refused_as_such(whisper, voice, said):
    # Dutch and Haitian Creole were not looked at to choose the thresholds (benchmarks/speech_calibration.py).
    with pytest.raises(AudioError) as caught:
        whisper.transcribe(spoken_note(said, voice, voice=voice), None, hint="fr")
    assert caught.value.reason == "other_language"


def test_silence_is_silent(whisper):
    with pytest.raises(AudioError) as caught:
        whisper.transcribe(silence_note(4), None)
    assert caught.value.reason == "silent"


def _twenty_minutes_of_hum() -> bytes:
    """20 minutes of low noise as OGG/Opus, encoded at the fastest setting (about 2 s instead of 8)."""
    return subprocess.run(
        [
            "ffmpeg",
            "-loglevel",
            "error",
            "-nostdin",
            "-f",
            "lavfi",
            "-i",
            "anoisesrc=d=1200:c=pink:r=16000:a=0.01",
            "-ac",
            "1",
            "-c:a",
            "libopus",
            "-b:a",
            "12k",
            "-compression_level",
            "0",
            "-f",
            "ogg",
            "pipe:1",
        ],
        check=True,
        capture_output=True,
    ).stdout
