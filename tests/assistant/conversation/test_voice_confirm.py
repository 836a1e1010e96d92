"""A voice note Whisper was unsure of, read as a question, is confirmed with her before it is answered
(assistant/conversation/voice_confirm.py), with the scripted transcriber: yes (typed or pressed) answers it, no
asks her to type, a new question is answered instead; confident notes, onboarding answers and pending choices
spoken are taken as before, and /forget leaves nothing of a transcript that waited."""

from __future__ import annotations

import itertools
import logging

import pytest
from sqlalchemy import select

from assistant.config import VOICE_CONFIRM_CONFIDENCE, Settings
from assistant.conversation import Message, VoiceNotes, VoiceRef
from assistant.conversation.transcripts import as_typed
from assistant.phrases import phrase
from assistant.speech import ScriptedTranscriber, Transcript
from assistant.storage.models import AnswerRecord, Conversation, Participant
from assistant.storage.models import Message as StoredMessage
from tests.assistant.conversation.conftest import User, button_ids, count, text_of

QUESTIONS = {
    "en": "How do I prepare a loan file to obtain credit?",
    "fr": "Comment préparer un dossier de prêt pour obtenir un crédit ?",
    "es": "¿Cómo preparo un expediente de préstamo para obtener un crédito?",
}
UNSURE, SURE = 0.45, 0.9
_ids = itertools.count(1)


def notes_hearing(engine, text: str, language: str = "en", confidence: float = UNSURE, **kwargs) -> VoiceNotes:
    heard = Transcript(text=text, language=language, duration_s=4.0, confidence=confidence)
    return VoiceNotes(engine, ScriptedTranscriber(default=heard), max_seconds=120, **kwargs)


def speak(notes: VoiceNotes, user: User) -> list:
    ref = VoiceRef("media-1", "audio/ogg; codecs=opus", 4.0)
    message = Message(user.channel, user.user_id, "", f"vc-{next(_ids)}", user.hint, media="audio", voice=ref)
    replies = notes.handle(message, b"OggS fake opus")
    assert replies and all(r.text and r.language for r in replies)
    return replies


def state(engine, user: User) -> dict:
    return engine.load_state(user.channel, user.user_id)[0]


def waiting(lang: str) -> str:
    """Her spoken question as it waits: as typed (transcripts.py), the opening "¿" taken off as for a question."""
    return as_typed(QUESTIONS[lang]).lstrip("¿")


def answered(replies: list) -> bool:
    return any(r.answer_id for r in replies)


def ask_unsure(engine, user: User, lang: str = "en") -> list:
    """Her unsure spoken question: the echo, then "is that what you said?" with Yes and No, nothing answered."""
    echo, confirm = speak(notes_hearing(engine, QUESTIONS[lang], lang), user)
    assert echo.text == phrase("voice_heard", lang, text=QUESTIONS[lang])
    assert confirm.text == phrase("voice_confirm", lang) and confirm.language == lang
    assert button_ids([confirm]) == ["heard:yes", "heard:no"]
    assert [b.title for b in confirm.buttons] == [phrase("button_heard_yes", lang), phrase("button_heard_no", lang)]
    return [echo, confirm]


@pytest.mark.parametrize("lang", ["fr", "es", "en"])
def test_an_unsure_spoken_question_is_confirmed_before_it_is_answered(engine, runtime, lang):
    user = User(engine, user_id=f"vc-ask-{lang}", hint=lang)
    ask_unsure(engine, user, lang)
    assert count(runtime, AnswerRecord) == 0  # no guide searched, no answer recorded yet
    assert state(engine, user)["heard"]["text"] == waiting(lang)  # what a typed question would be


@pytest.mark.parametrize(
    "lang, said", [("es", "sí"), ("es", "si"), ("fr", "oui"), ("fr", "Oui !"), ("en", "yes"), ("en", "yep")]
)
def test_her_typed_yes_answers_the_transcript(engine, runtime, lang, said):
    user = User(engine, user_id=f"vc-yes-{said}", hint=lang)
    ask_unsure(engine, user, lang)
    replies = user.send(said)
    assert answered(replies) and count(runtime, AnswerRecord) == 1
    assert replies[0].language == lang  # answered in the language she spoke, whatever the yes was typed in
    assert "heard" not in state(engine, user)


@pytest.mark.parametrize("lang", ["fr", "es", "en"])
def test_her_pressed_yes_answers_the_transcript_as_a_typed_question_would_be(engine, runtime, lang):
    user = User(engine, user_id=f"vc-press-{lang}", hint=lang)
    ask_unsure(engine, user, lang)
    confirmed = user.press("heard:yes")
    typed = User(engine, user_id=f"vc-typed-{lang}", hint=lang).send(QUESTIONS[lang])
    assert text_of(confirmed) == text_of(typed) and answered(confirmed)
    assert count(runtime, AnswerRecord) == 2
    assert phrase("stale_button", lang) in text_of(user.press("heard:yes"))  # once only: then a stale button
    assert count(runtime, AnswerRecord) == 2


@pytest.mark.parametrize("lang, said", [("es", "no"), ("fr", "non"), ("en", "nop"), ("en", "heard:no")])
def test_her_no_asks_her_to_type_or_say_it_again(engine, runtime, lang, said):
    user = User(engine, user_id=f"vc-no-{said}", hint=lang)
    ask_unsure(engine, user, lang)
    replies = user.press(said) if said.startswith("heard:") else user.send(said)
    assert text_of(replies) == phrase("voice_retype", lang)
    assert count(runtime, AnswerRecord) == 0 and "heard" not in state(engine, user)
    assert not answered(user.press("heard:yes"))  # the transcript is gone: a late yes answers nothing
    assert count(runtime, AnswerRecord) == 0


def test_a_new_question_typed_instead_is_answered_and_the_transcript_dropped(engine, runtime):
    user = User(engine, user_id="vc-new", hint="en")
    ask_unsure(engine, user)
    replies = user.send("How do savings groups help women without collateral?")
    assert answered(replies) and phrase("voice_confirm", "en") not in text_of(replies)
    assert "heard" not in state(engine, user) and count(runtime, AnswerRecord) == 1
    assert not answered(user.send("yes"))  # the yes no longer confirms the note
    assert count(runtime, AnswerRecord) == 1


def test_small_talk_keeps_the_question_open(engine, runtime):
    user = User(engine, user_id="vc-talk", hint="en")
    ask_unsure(engine, user)
    user.send("thanks")
    assert state(engine, user)["heard"]["text"] == waiting("en")
    assert answered(user.send("yes")) and count(runtime, AnswerRecord) == 1


@pytest.mark.parametrize("lang", ["fr", "es", "en"])
def test_a_confident_note_is_answered_straight_away(engine, runtime, lang):
    user = User(engine, user_id=f"vc-sure-{lang}", hint=lang)
    echo, *replies = speak(notes_hearing(engine, QUESTIONS[lang], lang, SURE), user)
    assert echo.text == phrase("voice_heard", lang, text=QUESTIONS[lang])
    assert answered(replies) and "heard:yes" not in button_ids(replies)
    assert count(runtime, AnswerRecord) == 1 and "heard" not in state(engine, user)


def test_the_threshold_is_a_setting(engine, runtime):
    assert Settings(_env_file=None).voice_confirm_confidence == VOICE_CONFIRM_CONFIDENCE
    user = User(engine, user_id="vc-setting", hint="en")
    just_under = VOICE_CONFIRM_CONFIDENCE - 0.01
    assert "heard:yes" in button_ids(speak(notes_hearing(engine, QUESTIONS["en"], confidence=just_under), user))
    never = notes_hearing(engine, QUESTIONS["en"], confidence=just_under, confirm_below=0.0)
    assert answered(speak(never, User(engine, user_id="vc-never", hint="en")))
    at = notes_hearing(engine, QUESTIONS["en"], confidence=VOICE_CONFIRM_CONFIDENCE)
    assert answered(speak(at, User(engine, user_id="vc-at", hint="en")))


def test_an_unsure_onboarding_answer_is_taken_as_before(engine):
    user = User(engine, user_id="vc-onboarding", hint="fr")
    user.send("/start")
    user.press("lang:fr")
    assert phrase("ask_name", "fr") in text_of(user.press("consent:yes"))
    echo, next_question = speak(notes_hearing(engine, "Aminata Diallo", "fr"), user)
    assert echo.text == "🎤 « Aminata Diallo »" and phrase("ask_country", "fr") in next_question.text
    assert state(engine, user)["answers"]["name"] == "Aminata Diallo" and "heard" not in state(engine, user)


def test_an_unsure_spoken_answer_to_a_pending_choice_is_taken_as_before(engine, runtime):
    user = User(engine, user_id="vc-choice", hint="es")
    assert button_ids(user.send("/human"))[-2:] == ["consent:yes", "consent:no"]
    echo, given, *_ = speak(notes_hearing(engine, "Sí.", "es"), user)
    assert echo.text == "🎤 «Sí.»" and given.text == phrase("consent_given", "es")
    assert runtime.store.participant(user.channel, user.user_id).consent


def test_a_choice_waiting_before_the_note_waits_again_after_it(engine, runtime):
    user = User(engine, user_id="vc-forget-open", hint="en")
    user.send("/forget")
    ask_unsure(engine, user)
    replies = user.press("heard:yes")
    assert answered(replies) and button_ids(replies)[-2:] == ["forget:confirm", "forget:cancel"]


def test_forget_leaves_nothing_of_a_transcript_waiting(engine, runtime):
    user = User(engine, user_id="vc-forget", hint="en")
    user.send("/start")
    user.press("lang:en")
    user.press("consent:yes")
    user.send("/cancel")
    ask_unsure(engine, user)
    with runtime.database.session() as s:  # with her consent it waits in her conversation row, like a step
        assert waiting("en") in str(s.scalars(select(Conversation.state)).all())
    user.send("/forget")
    assert "heard" not in state(engine, user)
    user.press("forget:confirm")
    for model in (Participant, Conversation, StoredMessage, AnswerRecord):
        assert count(runtime, model) == 0, model
    assert state(engine, user) == {"lang": "en", "lang_chosen": True}
    assert not answered(user.press("heard:yes"))


def test_forget_before_consent_leaves_nothing_in_memory(engine, runtime):
    user = User(engine, user_id="vc-forget-volatile", hint="es")
    ask_unsure(engine, user, "es")
    assert state(engine, user)["heard"]["text"] == waiting("es")  # in process memory only
    assert count(runtime, Conversation) == 0 and count(runtime, StoredMessage) == 0
    user.send("/forget")
    user.press("forget:confirm")
    assert waiting("es") not in str(state(engine, user)) and not answered(user.press("heard:yes"))


def test_the_transcript_is_never_logged(engine, caplog):
    caplog.set_level(logging.DEBUG)
    user = User(engine, user_id="vc-log", hint="fr")
    ask_unsure(engine, user, "fr")
    user.send("oui")
    assert caplog.records and "dossier de prêt" not in caplog.text
