"""An engine over the small corpus (hash embedder), and a helper to talk to it as one user."""

from __future__ import annotations

import itertools

import pytest
from sqlalchemy import func, select

from assistant.conversation import Engine, Message, Reply
from assistant.core import Assistant

_ids = itertools.count(1)


@pytest.fixture
def runtime(corpus_runtime):
    """The small corpus, ingested with the hash embedder (tests/conftest.py)."""
    return corpus_runtime


@pytest.fixture
def assistant(runtime) -> Assistant:
    return Assistant(runtime)


@pytest.fixture
def engine(assistant) -> Engine:
    return Engine(assistant)


class User:
    """One person on one channel."""

    def __init__(self, engine: Engine, user_id: str = "u-1", channel: str = "telegram", hint: str | None = None):
        self.engine, self.user_id, self.channel, self.hint = engine, user_id, channel, hint

    def send(self, text: str = "", button: str | None = None) -> list[Reply]:
        message = Message(self.channel, self.user_id, text, str(next(_ids)), self.hint, button)
        replies = self.engine.handle(message)
        assert replies and all(isinstance(r, Reply) and r.text for r in replies)
        return replies

    def press(self, button: str) -> list[Reply]:
        return self.send("", button)


@pytest.fixture
def user(engine) -> User:
    return User(engine)


def text_of(replies: list[Reply]) -> str:
    return "\n".join(r.text for r in replies)


def button_ids(replies: list[Reply]) -> list[str]:
    return [b.id for r in replies for b in r.buttons]


def count(runtime, model) -> int:
    with runtime.database.session() as s:
        return s.scalar(select(func.count()).select_from(model))
