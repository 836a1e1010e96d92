"""Voice-note bytes -> 16 kHz mono samples, bounded: too large, too long, empty or undecodable is an AudioError.

PyAV (FFmpeg's libraries, a faster-whisper dependency) decodes OGG/Opus as WhatsApp and Telegram send it,
and anything else FFmpeg knows. The duration is measured from the decoded samples, not the container's
header, which a sender controls; decoding stops as soon as the note passes the limit, so a 20-minute note
is refused after decoding its first `max_seconds` rather than the whole of it.
"""

from __future__ import annotations

import io

import numpy as np

from assistant.errors import AudioError

SAMPLE_RATE = 16_000


def decode(audio: bytes, max_seconds: float, max_bytes: int) -> np.ndarray:
    """The note's samples as float32 in [-1, 1] at 16 kHz mono."""
    if not audio:
        raise AudioError("the voice note is empty", reason="unreadable")
    if len(audio) > max_bytes:
        raise AudioError(f"the voice note is {len(audio):,} bytes, over {max_bytes:,}", reason="too_large")
    # Lazy: PyAV loads FFmpeg's libraries, which only voice notes need.
    import av

    limit = int(max_seconds * SAMPLE_RATE)
    try:
        with av.open(io.BytesIO(audio), mode="r", metadata_errors="ignore") as container:
            if not container.streams.audio:
                raise AudioError("the file has no audio stream", reason="unreadable")
            resampler = av.AudioResampler(format="s16", layout="mono", rate=SAMPLE_RATE)
            frames = _valid_frames(container.decode(audio=0), av.error.InvalidDataError)
            blocks = _decode_blocks(frames, resampler, limit)
    except av.FFmpegError as exc:
        raise AudioError(f"the voice note cannot be decoded: {exc}", reason="unreadable") from exc
    samples = np.concatenate(blocks) if blocks else np.zeros(0, dtype=np.int16)
    if samples.size == 0:
        raise AudioError("the voice note holds no audio", reason="unreadable")
    return samples.astype(np.float32) / 32768.0


def duration_s(samples: np.ndarray) -> float:
    return samples.size / SAMPLE_RATE


def _decode_blocks(frames, resampler, limit: int) -> list[np.ndarray]:
    """Resample frame by frame, stopping with "too_long" once past `limit` samples."""
    blocks: list[np.ndarray] = []
    total = 0
    for frame in frames:
        for out in resampler.resample(frame):
            block = out.to_ndarray().reshape(-1)
            blocks.append(block)
            total += block.size
        if total > limit:
            raise AudioError(f"the voice note is longer than {limit / SAMPLE_RATE:.0f} s", reason="too_long")
    blocks.extend(out.to_ndarray().reshape(-1) for out in resampler.resample(None))
    if sum(block.size for block in blocks) > limit:
        raise AudioError(f"the voice note is longer than {limit / SAMPLE_RATE:.0f} s", reason="too_long")
    return blocks


def _valid_frames(frames, invalid: type[Exception]):
    """Skip frames FFmpeg says are damaged (as faster-whisper does): a few bad packets do not lose a note."""
    while True:
        try:
            yield next(frames)
        except StopIteration:
            return
        except invalid:
            continue
