"""A number typed instead of a button press ("1", "2)", "el 2", "le 2", "option 2", "la segunda", "2️⃣") answers the
question actually waiting, with its buttons in the order shown; a number that question does not have lists its
buttons again, and nothing she answered is lost. Yes and no typed to a confirmation put to her in the middle of
the profile questions answer the confirmation, not the profile question."""

from __future__ import annotations

import pytest

from assistant.conversation.choices import typed_choice
from assistant.conversation.numbered import typed_number
from assistant.phrases import language_label, phrase
from assistant.storage.models import AnswerRecord
from tests.assistant.conversation.conftest import User, button_ids, count, text_of

LANGS = ("es", "fr", "en")
LANGUAGE_ORDER = ("fr", "es", "en")  # the language buttons, in the order shown

NUMBERS = [
    ("1", 1), ("1.", 1), ("2)", 2), ("el 1", 1), ("le 2", 2), ("option 2", 2), ("opción 3", 3), ("la 2 porfa", 2),
    ("2️⃣", 2), ("#3", 3), ("n° 2", 2), ("numéro 2", 2), ("el número 1", 1), ("la segunda", 2), ("le premier", 1),
    ("the first one", 1), ("the 2nd", 2), ("dos", 2), ("l'option 3", 3), ("3 stp", 3),
]  # fmt: skip


@pytest.mark.parametrize(("typed", "n"), NUMBERS)
def test_a_number_as_people_type_it(typed, n):
    assert typed_number(typed) == n


@pytest.mark.parametrize("typed", ["2024", "2 hijos", "dos cosas", "el 2 y el 3", "no", "hola", "option", "en 2"])
def test_a_message_that_says_more_than_a_number_names_none(typed):
    assert typed_number(typed) is None


@pytest.mark.parametrize(("typed", "n"), [("1", 1), ("2)", 2), ("el 3", 3), ("le 2", 2), ("option 1", 1)])
def test_a_number_after_start_chooses_the_language_shown_first_not_the_consent(engine, runtime, typed, n):
    user = User(engine, f"start-{typed}", hint="en")
    user.send("/start")
    replies = user.send(typed)
    code = LANGUAGE_ORDER[n - 1]
    assert replies[0].text == phrase("language_set", code, language=language_label(code, code))
    assert replies[-1].text == phrase("consent_question", code)  # still asked: no consent given or refused
    assert runtime.store.participant(user.channel, user.user_id) is None


@pytest.mark.parametrize("lang", LANGS)
def test_once_the_language_is_chosen_numbers_answer_the_consent(engine, runtime, lang):
    user = User(engine, f"consent-{lang}", hint=lang)
    user.send("/start")
    user.press(f"lang:{lang}")
    assert text_of(user.send("el 1")).startswith(phrase("consent_given", lang))
    assert runtime.store.participant(user.channel, user.user_id) is not None


@pytest.mark.parametrize("lang", LANGS)
def test_a_number_the_question_does_not_have_lists_its_buttons_and_loses_nothing(engine, runtime, lang):
    user = User(engine, f"range-{lang}", hint=lang)
    user.send("/start")
    replies = user.send("7")
    assert replies[-1].text.startswith(phrase("choice_number_range", lang, count=3))
    assert button_ids(replies) == ["lang:fr", "lang:es", "lang:en"]
    user.press(f"lang:{lang}")
    replies = user.send("3")
    assert replies[-1].text.startswith(phrase("choice_number_range", lang, count=2))
    assert button_ids(replies) == ["consent:yes", "consent:no"]
    assert text_of(user.send("1")).startswith(phrase("consent_given", lang))  # the choice stayed open


def onboard_to(user: User, lang: str, step: str) -> None:
    user.send("/start")
    user.press(f"lang:{lang}")
    user.press("consent:yes")
    answers = {"name": "Rosa", "country": "Bolivia", "sector": "textiles", "stage": "1", "offers": "marketing",
               "needs": "clientes", "languages": "español", "timezone": "La Paz"}  # fmt: skip
    for name, answer in answers.items():
        if name == step:
            return
        user.send(answer)


def current_step(user: User) -> str | None:
    return user.engine.load_state(user.channel, user.user_id)[0].get("step")


def saved_profile(runtime, user: User) -> dict:
    return runtime.store.participant(user.channel, user.user_id).profile


@pytest.mark.parametrize(("lang", "typed"), [("es", "el 2"), ("fr", "le 2"), ("en", "option 2")])
def test_a_number_at_the_stage_question_picks_its_button_in_order(engine, runtime, lang, typed):
    user = User(engine, f"stage-{lang}", hint=lang)
    onboard_to(user, lang, "stage")
    assert current_step(user) == "stage"
    user.send(typed)
    assert current_step(user) == "offers"
    assert user.engine.load_state(user.channel, user.user_id)[0]["answers"]["stage"] == "early"


@pytest.mark.parametrize("lang", LANGS)
def test_a_number_the_stage_question_does_not_have_asks_it_again_with_numbers(engine, lang):
    user = User(engine, f"stage-range-{lang}", hint=lang)
    onboard_to(user, lang, "stage")
    replies = user.send("4")
    assert replies[-1].text.startswith(phrase("choice_number_range", lang, count=3))
    assert button_ids(replies) == ["stage:idea", "stage:early", "stage:established"]
    state = user.engine.load_state(user.channel, user.user_id)[0]
    assert state["step"] == "stage" and state["answers"]["sector"]  # what she answered is kept
    user.send("3")
    assert user.engine.load_state(user.channel, user.user_id)[0]["answers"]["stage"] == "established"


@pytest.mark.parametrize(
    ("lang", "yes", "no"), [("es", "si", "nop"), ("fr", "oui", "non merci"), ("en", "yes", "nope")]
)
def test_a_typed_answer_to_forget_asked_during_the_profile_questions_answers_forget(engine, runtime, lang, yes, no):
    user = User(engine, f"forget-step-{lang}", hint=lang)
    onboard_to(user, lang, "country")
    user.send("/forget")
    replies = user.send(no)
    assert [r.text for r in replies] == [phrase("forget_cancelled", lang), phrase("ask_country", lang)]
    assert current_step(user) == "country"
    user.send("/forget")
    assert text_of(user.send(yes)) == phrase("forget_done", lang)
    assert runtime.store.participant(user.channel, user.user_id) is None


@pytest.mark.parametrize("lang", LANGS)
def test_a_number_or_cancel_to_forget_during_the_profile_questions_answers_forget(engine, runtime, lang):
    user = User(engine, f"forget-num-{lang}", hint=lang)
    onboard_to(user, lang, "sector")
    user.send("/forget")
    assert user.send("2")[0].text == phrase("forget_cancelled", lang)
    user.send("/forget")
    assert user.send({"es": "cancelar", "fr": "annuler", "en": "cancel"}[lang])[0].text == phrase(
        "forget_cancelled", lang
    )
    assert current_step(user) == "sector"  # the profile questions go on
    user.send("/forget")
    assert text_of(user.send("1")) == phrase("forget_done", lang)


@pytest.mark.parametrize("lang", LANGS)
def test_a_number_after_lang_in_the_middle_of_the_questions_picks_the_language(engine, lang):
    user = User(engine, f"lang-step-{lang}", hint=lang)
    onboard_to(user, lang, "stage")
    user.send("/lang")
    replies = user.send("2")
    assert replies[0].text == phrase("language_set", "es", language=language_label("es", "es"))
    assert replies[-1].text == phrase("ask_stage", "es")  # the stage question asked again, not answered
    assert current_step(user) == "stage"


@pytest.mark.parametrize("lang", LANGS)
def test_a_typed_thumbs_up_answers_a_question_with_no_vote(engine, runtime, lang):
    user = User(engine, f"thumb-{lang}", hint=lang)
    user.send("/start")
    user.press(f"lang:{lang}")
    assert text_of(user.send("👍")).startswith(phrase("consent_given", lang))
    options = [("forget:confirm", "Yes"), ("forget:cancel", "No")]
    assert typed_choice("👍", options) == "forget:confirm" and typed_choice("👎", options) == "forget:cancel"


@pytest.mark.parametrize("lang", LANGS)
def test_a_number_the_feedback_reasons_do_not_have_is_no_comment(engine, lang):
    user = User(engine, f"why-{lang}", hint=lang)
    user.press(f"lang:{lang}")
    answer = next(r for r in user.send("How do I prepare a loan file to obtain credit?") if r.answer_id)
    user.press(f"vote:down:{answer.answer_id}")
    replies = user.send("9")
    assert replies[-1].text.startswith(phrase("choice_number_range", lang, count=5))
    assert text_of(user.send("el 2")) == phrase("feedback_ask_comment", lang)


@pytest.mark.parametrize(
    ("lang", "typed"), [("es", "el 2"), ("fr", "option 2"), ("en", "the second one"), ("fr", "le 2")]
)
def test_a_number_in_words_with_no_choice_waiting_asks_what_she_meant_without_passages(engine, runtime, lang, typed):
    user = User(engine, f"lone-{lang}-{typed}", hint=lang)
    user.press(f"lang:{lang}")
    before = count(runtime, AnswerRecord)
    replies = user.send(typed)
    assert text_of(replies) == phrase("lone_number", lang, number=typed)
    assert not button_ids(replies) and count(runtime, AnswerRecord) == before


@pytest.mark.parametrize(
    ("lang", "field", "typed"), [("es", "etapa", "la 3"), ("fr", "stade", "le 3"), ("en", "stage", "3.")]
)
def test_a_number_edits_a_profile_choice_in_the_order_shown(engine, runtime, lang, field, typed):
    user = User(engine, f"edit-{lang}", hint=lang)
    onboard_to(user, lang, "offers")
    user.send("/cancel")  # what she answered is kept
    assert button_ids(user.send(f"/profile {field}")) == ["stage:idea", "stage:early", "stage:established"]
    assert text_of(user.send(typed)).startswith(phrase("field_updated", lang))
    assert saved_profile(runtime, user)["stage"] == "established"


@pytest.mark.parametrize("lang", LANGS)
def test_the_one_time_zone_offered_is_1_and_another_number_is_read_as_a_place(engine, runtime, lang):
    user = User(engine, f"tz-{lang}", hint=lang)
    onboard_to(user, lang, "timezone")
    replies = user.send("2")
    assert not replies[-1].text.startswith(phrase("choice_number_range", lang, count=1))
    assert replies[-1].text.startswith(phrase("invalid_timezone", lang))
    user.send("1")
    assert user.engine.load_state(user.channel, user.user_id)[0]["answers"]["timezone"] == "America/La_Paz"
