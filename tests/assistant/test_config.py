"""Settings: every one documented in .env.example, and the list-valued ones parsed from plain text."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from assistant.config import Settings
from tests.conftest import ROOT


def test_env_example_lists_every_setting():
    listed = {
        line.split("=", 1)[0].removeprefix("MENTOR_").lower()
        for line in (ROOT / ".env.example").read_text().splitlines()
        if line.startswith("MENTOR_")
    }
    assert set(Settings.model_fields) - listed == set()
    assert listed - set(Settings.model_fields) == set()


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("", []),
        ("https://staff.example.org", ["https://staff.example.org"]),
        ("https://a.org, http://localhost:5173/", ["https://a.org", "http://localhost:5173"]),
        ('["https://a.org"]', ["https://a.org"]),
    ],
)
def test_cors_origins_from_the_environment(monkeypatch, raw, expected):
    monkeypatch.setenv("MENTOR_CORS_ORIGINS", raw)
    assert Settings(_env_file=None).cors_origins == expected


@pytest.mark.parametrize("raw", ["*", "staff.example.org", "https://a.org/path", "ftp://a.org"])
def test_a_bad_cors_origin_is_refused_by_name(monkeypatch, raw):
    monkeypatch.setenv("MENTOR_CORS_ORIGINS", raw)
    with pytest.raises(ValidationError, match="is not an origin"):
        Settings(_env_file=None)


def test_the_default_database_is_sqlite_under_the_data_dir(tmp_path):
    settings = Settings(data_dir=tmp_path, _env_file=None)
    assert settings.database == f"sqlite:///{tmp_path.resolve() / 'mentor.db'}"
    assert Settings(data_dir=tmp_path, database_url="postgresql+psycopg://x@h/db", _env_file=None).database.startswith(
        "postgresql"
    )
