"""What she asks of the assistant in words: to delete her data (/forget, confirmed) and to speak another
language (/lang); a question that only names data or a language is still a question."""

from __future__ import annotations

import pytest

from assistant.conversation.requests import (
    asks_for_help,
    asks_for_language,
    asks_to_forget,
    asks_to_join,
    says_thumbs_down,
)
from assistant.conversation.smalltalk import classify
from assistant.phrases import phrase
from tests.assistant.conversation.conftest import User, button_ids, text_of


@pytest.mark.parametrize(
    "text",
    [
        "pls delete all my data", "borra mis datos por favor", "supprimez mes données svp",
        "je veux effacer toutes mes informations", "can you delete my account?", "efface mon profil",
        "puedes borrar todos mis datos?",
    ],
)  # fmt: skip
def test_a_request_to_delete_her_data_is_read(text):
    assert asks_to_forget(text)


@pytest.mark.parametrize(
    "text", ["how do i protect my customers data?", "delete the photos from my phone", "borrar datos del celular"]
)
def test_a_question_about_data_is_not_a_request_to_delete_hers(text):
    assert not asks_to_forget(text)


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("parle moi en francais stp", "fr"), ("parle-moi en français", "fr"), ("háblame en español", "es"),
        ("en español por favor", "es"), ("in english please", "en"), ("speak english please", "en"),
        ("can you speak french?", "fr"), ("respondeme en ingles", "en"),
    ],
)  # fmt: skip
def test_a_request_for_a_language_is_read(text, code):
    assert asks_for_language(text) == code


@pytest.mark.parametrize("text", ["do pairs speak french?", "what language do they speak in rwanda", "english"])
def test_a_question_naming_a_language_is_not_a_request(text):
    assert asks_for_language(text) is None


def test_asking_in_words_to_delete_her_data_asks_her_to_confirm_as_forget_does(engine):
    user = User(engine, "req-forget", hint="es")
    user.send("/lang es")
    replies = user.send("porfa borra todos mis datos")
    assert text_of(replies) == phrase("forget_confirm", "es")
    assert any(i.startswith("forget:confirm") for i in button_ids(replies))


def test_asking_in_words_for_french_switches_every_reply_to_french(engine):
    user = User(engine, "req-lang", hint="en")
    user.send("hi")
    assert text_of(user.send("parle moi en francais stp")).startswith(
        phrase("language_set", "fr", language="français")[:10]
    )
    assert "Avec plaisir" in text_of(user.send("merci je vais essayer"))


def test_a_greeting_of_no_one_language_chooses_none():
    assert classify("salam aleykoum").language is None and classify("nanga def").language is None


@pytest.mark.parametrize("typed", ["thumbs down", "mala respuesta", "mauvaise réponse"])
def test_a_thumbs_down_in_words_is_the_button(engine, typed):
    user = User(engine, f"thumbs-{typed}", hint="en")
    user.send("How do I prepare a loan file to obtain credit?")
    assert text_of(user.send(typed)) == phrase("feedback_why", "en")


@pytest.mark.parametrize(
    ("typed", "lang", "question"),
    [
        ("pq no me respondes bien", "es", "¿Cómo preparo la carpeta de crédito para un préstamo?"),
        ("tu réponds à côté", "fr", "Comment préparer un dossier de prêt pour obtenir un crédit ?"),
        ("that's not what I asked", "en", "How do I prepare a loan file to obtain credit?"),
    ],
)
def test_a_complaint_about_the_answer_is_the_thumbs_down_not_a_question(engine, typed, lang, question):
    """ "pq no me respondes bien" got a guide passage on not lecturing one's partner; it is her 👎 on the last
    answer, whose reasons are asked."""
    user = User(engine, f"complaint-{lang}", hint=lang)
    user.send(question)
    assert text_of(user.send(typed)) == phrase("feedback_why", lang)


@pytest.mark.parametrize(
    "text", ["tu ne comprends pas ma question sur le crédit ?", "why do you not answer about loans", "no entiendo"]
)
def test_a_question_or_confusion_is_not_a_complaint(text):
    assert not says_thumbs_down(text)


@pytest.mark.parametrize("text", ["hola otra vez", "hi again", "bonjour encore"])
def test_hello_again_is_a_greeting_not_a_request_to_repeat(text):
    assert classify(text).kind == "greeting"


@pytest.mark.parametrize("text", ["sip", "hola q tal"])
def test_a_spanish_yes_or_hello_is_small_talk_in_spanish_not_a_question(engine, text):
    user = User(engine, f"chat-{text}", hint="en")
    replies = user.send(text)
    assert not any(i.startswith("vote:") for i in button_ids(replies))
    assert text_of(replies).endswith(phrase("talk_next_new", "es"))


def test_thanks_in_spanish_are_answered_in_spanish_when_an_earlier_message_was_taken_for_english(engine):
    user = User(engine, "thanks-es", hint="en")
    user.send("How do I prepare a loan file to obtain credit?")  # no language chosen: English, from this question
    assert text_of(user.send("muchas gracias nomas")).startswith(phrase("talk_thanks", "es", name=""))
    assert "loan" in text_of(user.send("loan file"))  # a stray "gracias" leaves the questions in English


def test_thanks_in_another_language_keep_the_language_she_chose(engine):
    user = User(engine, "thanks-chosen", hint="en")
    user.send("/lang en")
    assert text_of(user.send("muchas gracias")).startswith(phrase("talk_thanks", "en", name=""))


HELP = [
    ("what can you do?", "en"), ("What can you do for me", "en"), ("help", "en"), ("Help!", "en"),
    ("que puedes hacer?", "es"), ("¿Qué puedes hacer?", "es"), ("ayuda", "es"), ("ayuda por favor", "es"),
    ("qu'est-ce que tu sais faire ?", "fr"), ("que pouvez-vous faire ?", "fr"), ("aide", "fr"), ("aide svp", "fr"),
]  # fmt: skip


@pytest.mark.parametrize(("text", "lang"), HELP)
def test_asking_what_the_assistant_does_or_for_help_shows_the_help(engine, text, lang):
    user = User(engine, f"help-{text}", hint="en" if lang != "en" else "fr")
    assert text_of(user.send(text)) == phrase("help", lang)


@pytest.mark.parametrize(
    "text",
    ["can you help me price my soap?", "ayuda con mi negocio", "i need help with my taxes",
     "aide pour mon dossier de crédit", "what can you do with a small budget?"],
)  # fmt: skip
def test_a_request_for_help_with_something_is_a_question(text):
    assert asks_for_help(text) is None and asks_for_help(classify(text).rest or text) is None


def test_help_asked_in_words_during_the_profile_questions_asks_the_question_again(engine):
    user = User(engine, "help-onboarding", hint="es")
    user.send("/lang es")
    user.send("/start")
    user.send("sí")
    replies = user.send("ayuda")
    assert [r.text for r in replies] == [phrase("help", "es"), phrase("ask_name", "es")]


JOIN = [
    ("bonjour je veux m'inscrire au programme", "fr"), ("comment m'inscrire ?", "fr"),
    ("quiero inscribirme", "es"), ("hola, ¿cómo me inscribo al programa?", "es"),
    ("how do I sign up?", "en"), ("how do I join the programme?", "en"),
]  # fmt: skip


@pytest.mark.parametrize(("text", "lang"), JOIN)
def test_asking_how_to_join_points_to_start_in_her_language(engine, text, lang):
    user = User(engine, f"join-{text}", hint="en" if lang != "en" else "es")
    assert text_of(user.send(text)) == phrase("join_with_start", lang)


@pytest.mark.parametrize(
    "text", ["how do I join a savings group?", "quiero participar en una feria", "how do I apply for a loan?"]
)
def test_joining_something_else_is_a_question(text):
    assert asks_to_join(text) is None
