"""Fixtures the Telegram tests share: the small corpus runtime and a local Bot API on loopback."""

from __future__ import annotations

import pytest

from testkit.loopback import serve
from testkit.telegram_api import FakeTelegram


@pytest.fixture
def runtime(corpus_runtime):
    """The small corpus, ingested with the hash embedder (tests/conftest.py)."""
    return corpus_runtime


@pytest.fixture
def fake():
    telegram = FakeTelegram()
    with serve(telegram, name="fake-telegram") as url:
        telegram.url = url
        yield telegram
