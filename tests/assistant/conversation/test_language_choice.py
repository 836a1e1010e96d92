"""Her answer to the language choice typed rather than pressed ("fr", "español", "english"), and /start's
question shown again, in the language she writes in, once and without an earlier answer's votes (any
pending confirmation too)."""

from __future__ import annotations

import pytest

from assistant.conversation.requests import names_language
from assistant.phrases import language_label, phrase
from tests.assistant.conversation.conftest import User, button_ids, text_of

TYPED = [
    ("fr", "fr"), ("FR", "fr"), ("francais", "fr"), ("français", "fr"), ("French", "fr"), ("anglais", "en"),
    ("es", "es"), ("espanol", "es"), ("español", "es"), ("spanish", "es"), ("en", "en"), ("english", "en"),
    ("ingles", "en"), ("inglés", "en"), ("en français", "fr"),
]  # fmt: skip


@pytest.mark.parametrize(("typed", "code"), TYPED)
def test_a_language_typed_at_the_start_chooses_it_as_its_button_does(engine, typed, code):
    user = User(engine, f"start-{typed}", hint="en")
    user.send("/start")
    replies = user.send(typed)
    assert text_of(replies).startswith(phrase("language_set", code, language="")[:8])
    assert replies[-1].text == phrase("consent_question", code)
    assert button_ids(replies) == ["consent:yes", "consent:no"]


@pytest.mark.parametrize(("typed", "code"), [("es", "es"), ("fr", "fr"), ("english", "en"), ("Español", "es")])
def test_a_language_typed_after_lang_chooses_it(engine, typed, code):
    user = User(engine, f"lang-{typed}", hint="en" if code != "en" else "fr")
    user.send("/lang")
    assert text_of(user.send(typed)) == phrase("language_set", code, language=language_label(code, code))


@pytest.mark.parametrize("text", ["fr", "english", "es", "en 2024"])
def test_a_language_name_alone_with_no_choice_shown_is_no_choice(engine, text):
    user = User(engine, f"nochoice-{text}", hint="en")
    said = text_of(user.send(text))
    assert all(not said.startswith(phrase("language_set", c, language="")[:8]) for c in ("fr", "es", "en"))


@pytest.mark.parametrize("text", ["french fries", "es muy caro", "en mi pais", "frances y yo"])
def test_a_message_that_merely_starts_with_a_language_names_none(text):
    assert names_language(text) is None


def test_the_start_question_is_shown_again_in_the_language_she_writes_in(engine):
    user = User(engine, "start-hola", hint="en")
    user.send("/start")
    replies = user.send("hola")
    assert phrase("choose_language", "es") in replies[-1].text
    assert phrase("consent_question", "es") in replies[-1].text
    assert button_ids(replies)[-2:] == ["consent:yes", "consent:no"]


def test_the_start_question_waits_once_and_without_an_earlier_answers_votes(engine):
    user = User(engine, "start-questions", hint="es")
    user.send("/start")
    user.send("¿cómo saco un crédito?")
    replies = user.send("¿cómo fijo mis precios?")
    waiting = replies[-1]
    assert waiting.text.count(phrase("choice_still_open", "es")) == 1
    assert not [b for b in waiting.buttons if b.id.startswith("vote:")]
    assert text_of(user.send("sí")).startswith(phrase("consent_given", "es"))


def test_a_confirmation_waiting_through_two_questions_is_shown_once_with_its_own_buttons(engine):
    user = User(engine, "forget-questions", hint="en")
    user.send("/forget")
    user.send("How do I prepare a loan file to obtain credit?")
    waiting = user.send("How do I prepare a loan file to obtain credit?")[-1]
    assert waiting.text == phrase("choice_still_open", "en") + "\n\n" + phrase("forget_confirm", "en")
    assert [b.id for b in waiting.buttons] == ["forget:confirm", "forget:cancel"]


@pytest.mark.parametrize(("typed", "lang"), [("sí", "es"), ("oui", "fr"), ("yes", "en")])
def test_a_typed_yes_to_the_start_question_consents_in_the_language_it_is_in(engine, runtime, typed, lang):
    user = User(engine, f"start-yes-{typed}", hint="en" if lang != "en" else "fr")
    user.send("/start")
    replies = user.send(typed)
    assert text_of(replies).startswith(phrase("consent_given", lang))
    assert runtime.store.participant(user.channel, user.user_id).preferred_language == lang
