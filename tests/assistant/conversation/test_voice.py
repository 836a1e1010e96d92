"""Voice notes in the conversation, with the scripted transcriber: what was heard is echoed first, then the
engine answers as if she had typed it; an unusable note gets one polite reply in her language."""

from __future__ import annotations

import itertools
from dataclasses import replace

import pytest
from sqlalchemy import select

from assistant.conversation import Message, VoiceNotes, VoiceRef
from assistant.errors import AudioError
from assistant.phrases import phrase
from assistant.speech import ScriptedTranscriber, Transcript
from assistant.storage.models import AnswerRecord, Conversation, Participant
from assistant.storage.models import Message as StoredMessage
from tests.assistant.conversation.conftest import User, button_ids, count, text_of

QUESTION = "How do I prepare a loan file to obtain credit?"
AUDIO = b"OggS fake opus"
_ids = itertools.count(1)


def heard(text: str, language: str = "en", duration_s: float = 4.0) -> Transcript:
    return Transcript(text=text, language=language, duration_s=duration_s, confidence=0.9)


def speak(notes: VoiceNotes, user: User, audio: bytes = AUDIO, duration_s: float | None = None) -> list:
    ref = VoiceRef("media-1", "audio/ogg; codecs=opus", duration_s)
    message = Message(user.channel, user.user_id, "", f"v-{next(_ids)}", user.hint, media="audio", voice=ref)
    replies = notes.handle(message, audio)
    assert replies and all(r.text and r.language for r in replies)
    return replies


def notes_saying(engine, text: str, language: str = "en", **kwargs) -> VoiceNotes:
    return VoiceNotes(engine, ScriptedTranscriber(default=heard(text, language, **kwargs)), max_seconds=120)


def test_a_spoken_question_is_echoed_then_answered(engine, user, runtime):
    notes = notes_saying(engine, QUESTION)
    echo, answer = speak(notes, user)
    assert echo.text == phrase("voice_heard", "en", text=QUESTION) == f"🎤 “{QUESTION}”"
    assert "Sources:" in answer.text and button_ids([answer])[0].startswith("vote:up:")
    assert notes.transcriber.calls == [(AUDIO, None)]  # her language unknown yet: the likeliest of fr/es/en
    assert count(runtime, AnswerRecord) == 1


def test_her_chosen_language_is_given_to_the_transcriber(engine, user):
    user.send("/start")
    user.press("lang:es")
    notes = notes_saying(engine, "¿Cómo preparo un expediente de préstamo?", "es")
    echo, *_ = speak(notes, user)
    assert notes.transcriber.calls == [(AUDIO, "es")]
    assert echo.text == "🎤 «¿Cómo preparo un expediente de préstamo?»" and echo.language == "es"


def test_a_spoken_answer_to_an_onboarding_question(engine, user, runtime):
    user.send("/start")
    user.press("lang:fr")
    assert phrase("ask_name", "fr") in text_of(user.press("consent:yes"))
    echo, next_question = speak(notes_saying(engine, "Aminata Diallo", "fr"), user)
    assert echo.text == "🎤 « Aminata Diallo »"
    assert phrase("ask_country", "fr") in next_question.text
    assert engine.load_state(user.channel, user.user_id)[0]["answers"]["name"] == "Aminata Diallo"


def test_a_pending_choice_is_chosen_by_voice(engine, runtime):
    user = User(engine, user_id="voice-si", hint="es")
    assert button_ids(user.send("/human"))[-2:] == ["consent:yes", "consent:no"]  # consent asked first
    echo, given, *_ = speak(notes_saying(engine, "Sí.", "es"), user)
    assert echo.text == "🎤 «Sí.»" and given.text == phrase("consent_given", "es")
    assert runtime.store.participant(user.channel, user.user_id).consent


@pytest.mark.parametrize(
    "reason, key",
    [("too_long", "voice_too_long"), ("too_large", "voice_too_long"), ("too_short", "voice_too_short"),
     ("silent", "voice_silent"), ("unintelligible", "voice_unreadable"), ("other_language", "voice_other_language"),
     ("unreadable", "voice_unreadable"), ("unavailable", "voice_unavailable")],
)  # fmt: skip
@pytest.mark.parametrize("lang", ["fr", "es", "en"])
def test_each_unusable_note_gets_the_right_reply_in_her_language(engine, runtime, reason, key, lang):
    user = User(engine, user_id=f"voice-{reason}-{lang}", hint=lang)
    notes = VoiceNotes(engine, ScriptedTranscriber(error=AudioError("no", reason)), max_seconds=120)
    [reply] = speak(notes, user)
    assert reply.text == phrase(key, lang, limit="2 min") and reply.language == lang
    assert "{" not in reply.text
    assert count(runtime, AnswerRecord) == 0 and count(runtime, Participant) == 0


def test_the_refusal_says_the_configured_limit(engine):
    user = User(engine, user_id="voice-limit", hint="fr")
    notes = VoiceNotes(engine, ScriptedTranscriber(error=AudioError("no", "too_long")), max_seconds=90)
    assert text_of(speak(notes, user)) == phrase("voice_too_long", "fr", limit="90 s")


@pytest.mark.parametrize("hint", ["fr", "es", "en"])
def test_without_her_choice_the_channel_hint_is_the_transcribers_prior(engine, hint):
    user = User(engine, user_id=f"voice-prior-{hint}", hint=f"{hint}-419" if hint == "es" else hint)
    notes = notes_saying(engine, QUESTION)
    speak(notes, user)
    assert notes.transcriber.calls == [(AUDIO, None)] and notes.transcriber.hints == [hint]
    user.send(f"/lang {hint}")
    speak(notes, user)  # her choice is the language itself, no prior needed
    assert notes.transcriber.calls[-1] == (AUDIO, hint) and notes.transcriber.hints[-1] is None


def test_without_a_channel_hint_there_is_no_prior(engine):
    notes = notes_saying(engine, QUESTION)
    speak(notes, User(engine, user_id="voice-no-hint", hint="de"))
    assert notes.transcriber.hints == [None]


def test_without_consent_the_transcript_is_not_stored(engine, runtime):
    user = User(engine, user_id="voice-no-consent", hint="en")
    _echo, answer = speak(notes_saying(engine, QUESTION), user)
    assert "Sources:" in answer.text
    with runtime.database.session() as s:
        stored = " ".join(s.scalars(select(StoredMessage.text)).all())
    assert QUESTION not in stored and count(runtime, Participant) == 0


def test_her_chosen_language_wins_over_the_channel_hint_in_a_refusal(engine):
    user = User(engine, user_id="voice-lang", hint="en")
    user.send("/lang fr")
    notes = VoiceNotes(engine, ScriptedTranscriber(error=AudioError("no", "silent")), max_seconds=120)
    assert text_of(speak(notes, user)) == phrase("voice_silent", "fr")


def test_nothing_heard_or_too_long_is_refused_politely(engine, user):
    assert text_of(speak(notes_saying(engine, "  "), user)) == phrase("voice_silent", "en")
    long_note = notes_saying(engine, QUESTION, duration_s=600)
    assert text_of(speak(long_note, user)) == phrase("voice_too_long", "en", limit="2 min")
    said_long = notes_saying(engine, QUESTION)
    assert text_of(speak(said_long, user, duration_s=1200)) == phrase("voice_too_long", "en", limit="2 min")
    assert said_long.transcriber.calls == []  # the payload said 20 minutes: not even transcribed
    assert text_of(speak(said_long, user, audio=b"")) == phrase("voice_unreadable", "en")


@pytest.mark.parametrize("lang", ["fr", "es", "en"])
def test_without_a_transcriber_she_is_asked_to_type(engine, lang):
    notes = VoiceNotes(engine, None, max_seconds=120)
    assert not notes.available
    [reply] = speak(notes, User(engine, user_id=f"voice-off-{lang}", hint=lang))
    assert reply.text == phrase("voice_unavailable", lang)


def test_after_forget_nothing_of_a_transcribed_note_remains(engine, user, runtime):
    user.send("/start")
    user.press("lang:en")
    user.press("consent:yes")
    speak(notes_saying(engine, "Rosa Quispe"), user)  # her name, by voice
    user.send("/cancel")  # the rest of onboarding later
    speak(notes_saying(engine, QUESTION), user)
    with runtime.database.session() as s:
        stored = " ".join(s.scalars(select(StoredMessage.text)).all())
    assert QUESTION in stored  # with her consent the transcript is kept like typed text
    user.send("/forget")
    user.press("forget:confirm")
    for model in (Participant, Conversation, StoredMessage, AnswerRecord):
        assert count(runtime, model) == 0, model
    assert engine.load_state(user.channel, user.user_id)[0] == {"lang": "en", "lang_chosen": True}  # only that


def test_screen_refuses_before_any_download_what_the_payload_already_rules_out(engine, user):
    notes = notes_saying(engine, QUESTION)
    ref = VoiceRef("media-2", "audio/ogg", duration_s=1200.0)
    long_note = Message(user.channel, user.user_id, "", "v-screen", None, media="audio", voice=ref)
    assert notes.screen(long_note).text == phrase("voice_too_long", "en", limit="2 min")
    assert notes.screen(replace(long_note, voice=replace(ref, duration_s=30.0))) is None
    assert VoiceNotes(engine, None, 120).screen(long_note).text == phrase("voice_unavailable", "en")
