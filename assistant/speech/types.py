"""What transcription gives and the protocol every transcriber follows (the real Whisper one and the fake).

A leaf of the speech package: the implementations and the conversation's voice notes import these names.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol, runtime_checkable

# Voice notes are transcribed in one of the programme's languages: detection picks the likeliest of these.
SPEECH_LANGUAGES: tuple[str, ...] = ("fr", "es", "en")


@dataclass(frozen=True, slots=True)
class Transcript:
    """What was heard in one voice note.

    `confidence` is Whisper's mean token probability over the transcript (exp of the token-weighted mean
    log-probability), 0..1: about 0.8+ on clear speech, under 0.5 when it is guessing.
    """

    text: str  # whitespace-normalised; "" when nothing intelligible
    language: str  # "fr" | "es" | "en": the language it was transcribed in
    duration_s: float  # the audio's duration, from its decoded samples
    confidence: float


@runtime_checkable
class Transcriber(Protocol):
    """Audio bytes (OGG/Opus, or anything PyAV decodes) -> Transcript; AudioError for audio it cannot use."""

    name: str

    def transcribe(self, audio: bytes, language: str | None = None, hint: str | None = None) -> Transcript:
        """`language`: her preferred language when known; None: the likeliest of fr/es/en, `hint` (her
        channel's guess) weighing in as a prior. AudioError("other_language") for a note in none of them."""
        ...
