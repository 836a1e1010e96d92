"""Typed answers read against the buttons offered, on their own (the dialogues are in test_talk.py)."""

from __future__ import annotations

import pytest

from assistant.conversation.choices import typed_choice
from assistant.phrases import phrase


def forget(lang: str) -> list[tuple[str, str]]:
    return [
        ("forget:confirm", phrase("button_forget_confirm", lang)),
        ("forget:cancel", phrase("button_forget_cancel", lang)),
    ]


@pytest.mark.parametrize(
    ("lang", "typed", "expected"),
    [("es", "borrar", "forget:confirm"), ("es", "nooo", "forget:cancel"), ("es", "mejor no", "forget:cancel"),
     ("es", "opcion 2", "forget:cancel"), ("fr", "supprimer", "forget:confirm"), ("fr", "ouiii", "forget:confirm"),
     ("fr", "garder", "forget:cancel"), ("en", "keep it", "forget:cancel"), ("en", "yeah sure", "forget:confirm"),
     ("es", "como borro mis datos?", None), ("fr", "je comprends pas", None), ("en", "delete my data?", None)],
)  # fmt: skip
def test_typed_answers_to_the_forget_question(lang, typed, expected):
    options = forget(lang)
    assert typed_choice(typed, options, [i for i, _ in options]) == expected


def test_a_vote_takes_its_emoji_or_label_never_a_yes_or_a_number():
    votes = [("vote:up:a", "👍 Útil"), ("vote:down:a", "👎 No útil")]
    assert typed_choice("👍", votes) == "vote:up:a" and typed_choice("👎", votes) == "vote:down:a"
    assert typed_choice("no util", votes) == "vote:down:a"
    assert typed_choice("si", votes, [i for i, _ in votes]) is None
    assert typed_choice("1", votes, [i for i, _ in votes]) is None


def test_an_answer_two_buttons_could_mean_is_not_guessed():
    two_yes = [("match:accept:1", "Acepto"), ("match:accept:2", "Acepto")]
    assert typed_choice("si", two_yes) is None
