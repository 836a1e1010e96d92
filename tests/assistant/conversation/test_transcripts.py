"""A voice note's transcript read as she would have typed it: the hesitations of speech ("euh", "um", "este",
"o sea", "you know", "tu vois") are not part of her name, her yes, or the question searched; what she is shown
is what was heard."""

from __future__ import annotations

import pytest

from assistant.conversation.transcripts import as_typed
from assistant.phrases import phrase
from tests.assistant.conversation.conftest import User, button_ids
from tests.assistant.conversation.test_voice import notes_saying, speak


@pytest.mark.parametrize(
    ("heard", "typed"),
    [("Euh, bon, Awa Diop.", "Awa Diop."), ("Um, so, yes.", "Yes."), ("Este, o sea, sí.", "Sí."),
     ("Este, mira, no sé cómo calcular el precio, me entiendes. Eh, cómo pongo el precio a mis productos.",
      "No sé cómo calcular el precio. Cómo pongo el precio a mis productos."),
     ("Uh, hello. Um, so, I'm looking for a mentor, like, someone who knows, you know, marketing.",
      "Hello. I'm looking for a mentor, someone who knows, marketing."),
     ("Bon, euh, je cherche un crédit, tu vois, pour acheter une machine.",
      "Je cherche un crédit, pour acheter une machine."),
     ("O sea, tengo un taller en El Alto y este, quiero vender más.",
      "Tengo un taller en El Alto y, quiero vender más.")],
)  # fmt: skip
def test_hesitations_and_markers_set_off_by_punctuation_are_taken_out(heard, typed):
    assert as_typed(heard) == typed


@pytest.mark.parametrize(
    "heard",
    ["Este negocio es mío, ¿cómo lo registro?", "I like it, so I can sell more.", "Bon prix, bueno para vender.",
     "Je vends du bissap à Dakar.", "You know the guide on credit?"],
)  # fmt: skip
def test_the_same_words_inside_her_sentence_are_kept(heard):
    assert as_typed(heard) == heard


@pytest.mark.parametrize("heard", ["Euh, bon...", "So, like, um.", "Hmm."])
def test_a_note_of_nothing_but_hesitations_is_kept_as_heard(heard):
    assert as_typed(heard) == heard


def test_a_spoken_name_is_saved_without_the_hesitations_before_it(engine):
    user = User(engine, user_id="voice-euh-name", hint="fr")
    user.send("/start")
    user.press("lang:fr")
    user.press("consent:yes")
    echo, next_question = speak(notes_saying(engine, "Euh, bon, Awa Diop.", "fr"), user)
    assert echo.text == "🎤 « Euh, bon, Awa Diop. »"  # what was heard, as heard
    assert engine.load_state(user.channel, user.user_id)[0]["answers"]["name"] == "Awa Diop"  # was "Euh"
    assert phrase("ask_country", "fr") in next_question.text


@pytest.mark.parametrize(("lang", "heard"), [("es", "Este, o sea, sí."), ("en", "Um, so, yes.")])
def test_a_spoken_yes_after_hesitations_answers_the_choice(engine, runtime, lang, heard):
    user = User(engine, user_id=f"voice-hesitant-yes-{lang}", hint=lang)
    assert button_ids(user.send("/human"))[-2:] == ["consent:yes", "consent:no"]
    _, given, *_ = speak(notes_saying(engine, heard, lang), user)
    assert given.text == phrase("consent_given", lang)
    assert runtime.store.participant(user.channel, user.user_id).consent
