"""Speech to text behind a small protocol (STAND-IN for the voice branch: the real package replaces it).

Only the contract's names: `Transcript`, the `Transcriber` protocol and `ScriptedTranscriber`, the fake the
tests use. The faster-whisper implementation and `build_transcriber` come with the speech core.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol, runtime_checkable

from assistant.errors import AudioError


@dataclass(frozen=True, slots=True)
class Transcript:
    text: str  # what was heard, whitespace-normalised ("" when nothing intelligible)
    language: str  # "fr" | "es" | "en": the language it was transcribed in
    duration_s: float  # the audio's duration
    confidence: float  # 0..1


@runtime_checkable
class Transcriber(Protocol):
    name: str

    def transcribe(self, audio: bytes, language: str | None = None) -> Transcript: ...


class ScriptedTranscriber:
    """Answers from a table of audio bytes -> transcript (or `default`), or raises `error`; records calls."""

    name = "scripted"

    def __init__(
        self,
        transcripts: dict[bytes, Transcript] | None = None,
        default: Transcript | None = None,
        error: AudioError | None = None,
    ) -> None:
        self.transcripts = dict(transcripts or {})
        self.default = default
        self.error = error
        self.calls: list[tuple[bytes, str | None]] = []

    def transcribe(self, audio: bytes, language: str | None = None) -> Transcript:
        self.calls.append((audio, language))
        if self.error is not None:
            raise self.error
        transcript = self.transcripts.get(audio, self.default)
        if transcript is None:
            raise AudioError("no scripted transcript for this audio", "unreadable")
        return transcript


__all__ = ["ScriptedTranscriber", "Transcriber", "Transcript"]
