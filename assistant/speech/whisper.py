"""`FasterWhisperTranscriber`: Whisper (CTranslate2 int8 on the CPU) behind the `Transcriber` protocol.

One model per process, loaded on first use (or by `load()` at start-up). A note is decoded and bounded
(assistant.speech.audio; under half a second -> "too_short"), its speech found by faster-whisper's bundled
Silero VAD (an ONNX file in the wheel, no network; no speech -> "silent"), its language weighed by Whisper
over its 99 languages, then transcribed with beam search in her language, or in the likeliest of fr/es/en
when it is not known (Whisper's pick over all 99 is unreliable on short notes, but its probabilities
restricted to the programme's three are usually right), her channel's guess counting as a prior. A
transcript Whisper is unsure of is "unintelligible", or "other_language" when fr, es and en were unlikely
too (neither signal alone is enough: Whisper base gives espeak-ng's Spanish to Latin at times, and
translates German into fluent English). The thresholds were measured on espeak-ng notes
(benchmarks/speech_calibration.py): calibrated on one set of languages and sentences, checked on another.
Transcriptions run at most `workers` at once (CTranslate2 replicas, `num_workers`); further callers wait
their turn.
"""

from __future__ import annotations

import logging
import math
import threading
from collections.abc import Callable

import numpy as np

from assistant.errors import AudioError
from assistant.speech.audio import SAMPLE_RATE, decode, duration_s
from assistant.speech.types import SPEECH_LANGUAGES, Transcript

log = logging.getLogger(__name__)

# Measured on espeak-ng notes with Whisper base (benchmarks/speech_calibration.py): fr/es/en notes, the same
# notes reversed (speech-like but unintelligible) and notes in other languages, calibrated on half of them.
MIN_SECONDS = 0.5  # shorter is a tap on the microphone, not a note
MIN_CONFIDENCE = 0.36  # mean token probability under which Whisper is guessing: "unintelligible"
OTHER_LANGUAGE_SHARE = 0.3  # fr+es+en probability under which, with a transcript it is unsure of ...
OTHER_LANGUAGE_CONFIDENCE = 0.5  # ... (under this), the note is in another language
PRIOR_WEIGHT = 3.0  # her channel's guess counts this many times over the other two of fr/es/en


class FasterWhisperTranscriber:
    """`locate()` gives the model folder (or a faster-whisper model name when `download` is allowed)."""

    def __init__(
        self,
        locate: Callable[[], str],
        *,
        name: str = "whisper-base",
        max_seconds: float = 120.0,
        max_bytes: int = 10_000_000,
        threads: int = 0,
        workers: int = 1,
        beam_size: int = 5,
        download: bool = False,
        download_root: str | None = None,
    ) -> None:
        self.name = name
        self.max_seconds = max_seconds
        self.max_bytes = max_bytes
        self._locate = locate
        self._options = {"cpu_threads": threads, "num_workers": workers}
        self._beam_size = beam_size
        self._download = download
        self._download_root = download_root
        self._model = None
        self._source: str | None = None  # the folder (or hub name) once found
        self._failure: AudioError | None = None
        self._load_lock = threading.Lock()
        self._slots = threading.BoundedSemaphore(workers)

    @property
    def status(self) -> str:
        """'not loaded', 'ready' or 'unavailable: <reason>' (what /readyz shows)."""
        if self._failure is not None:
            return f"unavailable: {self._failure}"
        return "ready" if self._model is not None else "not loaded"

    def fail(self, error: AudioError) -> None:
        """Mark the model unavailable (a start-up check found why): said once here, never retried per note."""
        with self._load_lock:
            self._fail(error)

    def prepare(self) -> None:
        """Find the model without loading it: for the bundled one, assemble it and verify its checksum (1-3 s
        the first time, a stat later). `mentor serve` calls this at start-up, so a broken model is said then."""
        with self._load_lock:
            if self._source is None and self._failure is None:
                try:
                    self._source = self._locate()
                except AudioError as exc:
                    self._fail(exc)

    def load(self):
        """The model, loaded once; a failure is remembered (and logged once) rather than retried per note."""
        self.prepare()
        with self._load_lock:
            if self._model is None and self._failure is None:
                try:
                    self._model = self._open(self._source)
                except AudioError as exc:
                    self._fail(exc)
            if self._failure is not None:
                raise self._failure
            return self._model

    def transcribe(self, audio: bytes, language: str | None = None, hint: str | None = None) -> Transcript:
        model = self.load()
        samples = decode(audio, self.max_seconds, self.max_bytes)
        with self._slots:
            return self._transcribe(model, samples, language, hint)

    def _fail(self, error: AudioError) -> None:
        if self._failure is None:
            self._failure = error
            log.warning("voice notes get the text-only reply: %s", error)

    def _open(self, source: str):
        try:
            # Lazy: faster-whisper loads CTranslate2 and ONNX Runtime (about 0.3 s), only for voice notes.
            from faster_whisper import WhisperModel
        except ImportError as exc:
            raise AudioError(f"faster-whisper is not installed: {exc}", reason="unavailable") from exc
        try:
            return WhisperModel(
                source,
                device="cpu",
                compute_type="int8",
                local_files_only=not self._download,
                download_root=self._download_root,
                **self._options,
            )
        except Exception as exc:  # CTranslate2 and the hub raise plain RuntimeError/OSError/ValueError
            raise AudioError(f"the speech model {source!r} cannot be loaded: {exc}", reason="unavailable") from exc

    def _transcribe(self, model, samples: np.ndarray, language: str | None, hint: str | None) -> Transcript:
        duration = duration_s(samples)
        if duration < MIN_SECONDS:
            raise AudioError(f"a {duration:.2f} s note", reason="too_short")
        speech = _speech_only(samples)
        if speech.size == 0:
            raise AudioError("no speech in the voice note", reason="silent")
        probabilities = _language_probabilities(model, speech)
        if language not in SPEECH_LANGUAGES:
            language = likeliest_language(probabilities, hint)
        segments, _info = model.transcribe(
            speech, language=language, beam_size=self._beam_size, vad_filter=False, condition_on_previous_text=False
        )
        texts, logprob, tokens = [], 0.0, 0
        for segment in segments:
            texts.append(segment.text)
            logprob += segment.avg_logprob * len(segment.tokens)
            tokens += len(segment.tokens)
        text = " ".join(" ".join(texts).split())
        confidence = math.exp(logprob / tokens) if tokens else 0.0
        _judge(text, confidence, probabilities)
        return Transcript(text=text, language=language, duration_s=round(duration, 3), confidence=round(confidence, 4))


def _speech_only(samples: np.ndarray) -> np.ndarray:
    """The note's speech, silences between removed (Silero VAD, as faster-whisper's `vad_filter` does)."""
    from faster_whisper.vad import VadOptions, collect_chunks, get_speech_timestamps  # loaded with the model

    chunks = get_speech_timestamps(samples, VadOptions(), sampling_rate=SAMPLE_RATE)
    if not chunks:
        return np.zeros(0, dtype=np.float32)
    pieces, _ = collect_chunks(samples, chunks, sampling_rate=SAMPLE_RATE)
    return np.concatenate(pieces)


def _judge(text: str, confidence: float, probabilities: dict[str, float]) -> None:
    """AudioError for a transcript not worth answering: another language, or Whisper guessing."""
    if not text:
        return  # nothing heard: the conversation says so ("silent")
    share = sum(probabilities.get(code, 0.0) for code in SPEECH_LANGUAGES)
    if share < OTHER_LANGUAGE_SHARE and confidence < OTHER_LANGUAGE_CONFIDENCE:
        top = max(probabilities, key=probabilities.get)
        why = f"it sounds like {top!r} (fr/es/en {share:.2f}, confidence {confidence:.2f})"
        raise AudioError(why, reason="other_language")
    if confidence < MIN_CONFIDENCE:
        raise AudioError(f"Whisper was guessing (confidence {confidence:.2f})", reason="unintelligible")


def _language_probabilities(model, speech: np.ndarray) -> dict[str, float]:
    """Whisper's probability of each of its languages over the first 30 s of speech."""
    _language, _probability, probabilities = model.detect_language(audio=speech)
    return dict(probabilities)


def likeliest_language(probabilities: dict[str, float], hint: str | None = None) -> str:
    """The likeliest of fr/es/en, the channel's guess `hint` weighted PRIOR_WEIGHT times."""

    def score(code: str) -> float:
        return probabilities.get(code, 0.0) * (PRIOR_WEIGHT if code == hint else 1.0)

    return max(SPEECH_LANGUAGES, key=score)
