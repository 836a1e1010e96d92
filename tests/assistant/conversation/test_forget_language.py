"""After /forget, the reply to her next message is still in her language: only the language is kept, in
process memory, like a language chosen before consent; nothing about her is stored."""

from __future__ import annotations

import pytest

from assistant.phrases import phrase
from tests.assistant.conversation.conftest import User, text_of


def _state(user) -> dict:
    return user.engine.load_state(user.channel, user.user_id)[0]


@pytest.mark.parametrize("lang", ["fr", "es"])
def test_after_forget_the_next_reply_is_in_her_language_and_nothing_else_is_kept(engine, runtime, lang):
    user = User(engine, f"u-forget-{lang}", hint="en-US")  # her phone says English; she chose another language
    user.send("/start")
    user.press(f"lang:{lang}")
    user.press("consent:yes")
    user.send("Awa")
    user.send("/forget")
    assert text_of(user.press("forget:confirm")) == phrase("forget_done", lang)
    assert runtime.store.participant(user.channel, user.user_id) is None
    assert _state(user) == {"lang": lang, "lang_chosen": True}  # the language alone, in process memory
    assert text_of(user.send("/help")) == phrase("help", lang)
    assert phrase("start_greeting", lang) in text_of(user.send("/start"))
    assert runtime.store.participant(user.channel, user.user_id) is None  # nothing stored until she consents
