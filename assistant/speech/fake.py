"""`ScriptedTranscriber`: the fake transcriber unit tests use, answering from a table instead of a model."""

from __future__ import annotations

import threading

from assistant.errors import AudioError
from assistant.speech.types import Transcript


class ScriptedTranscriber:
    """Returns the transcript scripted for the exact bytes, else `default`; raises `error` when one is given.

    With neither a match nor a default the audio counts as unreadable, as a real model would say of bytes it
    cannot decode. Every call is recorded in `.calls` as (audio, language), thread-safely, and its prior in
    `.hints`.
    """

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
        self.hints: list[str | None] = []
        self._lock = threading.Lock()

    def transcribe(self, audio: bytes, language: str | None = None, hint: str | None = None) -> Transcript:
        with self._lock:
            self.calls.append((audio, language))
            self.hints.append(hint)
        if self.error is not None:
            raise self.error
        if not audio:
            raise AudioError("the voice note is empty", reason="unreadable")
        found = self.transcripts.get(audio, self.default)
        if found is None:
            raise AudioError("no transcript scripted for this audio", reason="unreadable")
        return found
