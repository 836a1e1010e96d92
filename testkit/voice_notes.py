"""Voice notes made at test time: espeak-ng speech, silence or a tone, as OGG/Opus 16 kHz mono like WhatsApp's.

Shared by the speech tests and the speech benchmark (and any channel test that needs a real note). Needs
the `espeak-ng` and `ffmpeg` programs (`apt-get install espeak-ng ffmpeg`; `.ci/run` installs them);
`tools_missing()` says which is absent, for a clear skip. Also the word folding transcripts are compared in.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import tempfile
from pathlib import Path

from assistant.text import fold_accents

VOICES = {"fr": "fr", "es": "es", "en": "en-us"}
# WhatsApp voice notes are Opus in OGG, mono; 16 kHz keeps them the size of the real thing.
_OPUS = ["-ac", "1", "-ar", "16000", "-c:a", "libopus", "-b:a", "24k", "-f", "ogg"]


def tools_missing() -> str | None:
    """Why notes cannot be made here (a skip reason), or None."""
    missing = [tool for tool in ("espeak-ng", "ffmpeg") if shutil.which(tool) is None]
    if missing:
        return f"{' and '.join(missing)} not installed (apt-get install -y espeak-ng ffmpeg)"
    return None


def spoken_note(
    text: str, language: str, words_per_minute: int = 150, voice: str | None = None, backwards: bool = False
) -> bytes:
    """`text` read by espeak-ng in `language` (fr/es/en; `voice`: any espeak-ng voice instead), as OGG/Opus;
    `backwards`: played in reverse, speech-like sounds that mean nothing."""
    with tempfile.TemporaryDirectory() as folder:
        wav = Path(folder) / "speech.wav"
        subprocess.run(
            ["espeak-ng", "-v", voice or VOICES[language], "-s", str(words_per_minute), "-w", str(wav), text],
            check=True,
            capture_output=True,
        )
        return _ffmpeg(["-i", str(wav), *(["-af", "areverse"] if backwards else [])])


def silence_note(seconds: float) -> bytes:
    return _ffmpeg(["-f", "lavfi", "-i", f"anullsrc=r=16000:cl=mono:d={seconds}"])


def tone_note(seconds: float, frequency: int = 440) -> bytes:
    return _ffmpeg(["-f", "lavfi", "-i", f"sine=frequency={frequency}:sample_rate=16000:duration={seconds}"])


def words(text: str) -> list[str]:
    """Lower-case, accent-folded words, punctuation dropped: how transcripts are compared."""
    return re.findall(r"[a-z0-9]+", fold_accents(text).lower())


def _ffmpeg(inputs: list[str]) -> bytes:
    done = subprocess.run(
        ["ffmpeg", "-loglevel", "error", "-nostdin", *inputs, *_OPUS, "pipe:1"], check=True, capture_output=True
    )
    return done.stdout
