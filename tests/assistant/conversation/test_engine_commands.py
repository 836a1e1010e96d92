"""The commands that act on her data and her conversation: /forget, /human (and staff handing it back),
/profile."""

from __future__ import annotations

import pytest

from assistant.conversation.onboarding import STEPS
from assistant.phrases import phrase
from assistant.storage.models import AnswerRecord, Conversation, Feedback, Message, Participant
from tests.assistant.conversation.conftest import button_ids, count, text_of
from tests.assistant.conversation.test_engine import FLOWS, QUESTION, consent, state


def test_forget_confirm_deletes_everything(user, runtime):
    consent(user)
    for text, button in FLOWS["en"][0]:
        user.send(text, button)
    replies = user.send(QUESTION)
    user.press(replies[0].buttons[0].id)
    assert count(runtime, Participant) == 1 and count(runtime, Message) == 2 and count(runtime, Feedback) == 1
    replies = user.send("/forget")
    assert button_ids(replies) == ["forget:confirm", "forget:cancel"]
    assert text_of(user.press("forget:confirm")) == phrase("forget_done", "en")
    assert runtime.store.participant(user.channel, user.user_id) is None
    for model in (Participant, Conversation, Message, Feedback):
        assert count(runtime, model) == 0, model
    assert state(user.engine, user) == {"lang": "en", "lang_chosen": True}  # her language only, in memory


@pytest.mark.parametrize(("lang", "typed"), [("es", "si, borrar"), ("fr", "oui"), ("en", "yes")])
def test_a_typed_forget_confirmation_deletes_her_data_while_staff_have_the_conversation(user, runtime, lang, typed):
    consent(user, lang)
    user.send("/cancel")
    user.send("/human")
    assert text_of(user.send("hello? anyone?")) == phrase("human_relayed", lang)  # a message for the team
    assert button_ids(user.send("/forget")) == ["forget:confirm", "forget:cancel"]
    assert text_of(user.send(typed)) == phrase("forget_done", lang)  # her choice, not a message for the team
    assert runtime.store.participant(user.channel, user.user_id) is None
    for model in (Participant, Conversation, Message):
        assert count(runtime, model) == 0, model


def test_forget_cancel_keeps_everything(user, runtime):
    consent(user, "es")
    user.send("María")
    user.send("/forget")
    replies = user.press("forget:cancel")
    assert [r.text for r in replies] == [phrase("forget_cancelled", "es"), phrase("ask_country", "es")]
    assert runtime.store.participant(user.channel, user.user_id) is not None
    assert state(user.engine, user)["step"] == "country"  # onboarding carries on where it was, asked again


def test_human_flags_the_conversation(user, runtime):
    consent(user)
    assert not runtime.store.handed_to_staff(user.channel, user.user_id)
    assert text_of(user.send("/human")) == phrase("human_handed", "en", hours=24)
    assert runtime.store.handed_to_staff(user.channel, user.user_id)
    with runtime.database.session() as s:
        assert s.query(Conversation).one().handed_to_staff


def test_after_human_her_messages_wait_for_staff_and_a_staff_reply_is_kept(user, runtime):
    consent(user)
    user.send("/cancel")  # no onboarding now
    user.send(QUESTION)  # answered by the assistant: a turn staff will see
    user.send("/human")
    answers_before = count(runtime, AnswerRecord)
    assert text_of(user.send("Can someone call me about my loan?")) == phrase("human_relayed", "en")
    assert count(runtime, AnswerRecord) == answers_before  # the bot did not answer it
    [waiting] = runtime.store.handoffs()
    assert [m["role"] for m in waiting["messages"]] == ["user", "assistant", "user"]
    assert waiting["messages"][-1]["text"] == "Can someone call me about my loan?"
    person = runtime.store.staff_reply(waiting["participant_id"], "Yes, I will call you tomorrow.")
    assert (person.channel, person.external_id) == (user.channel, user.user_id)
    assert [m["text"] for m in runtime.store.staff_messages(user.channel, user.user_id)] == [
        "Yes, I will call you tomorrow."
    ]
    # Commands still work while a person has the conversation, and /cancel gives it back to the assistant.
    assert phrase("help", "en") in text_of(user.send("/help"))
    assert text_of(user.send("/cancel")) == phrase("human_released", "en")
    assert runtime.store.handoffs() == []
    assert button_ids(user.send(QUESTION))[0].startswith("vote:up:")  # answered again


def test_staff_can_hand_the_conversation_back_and_onboarding_resumes(user, runtime):
    consent(user)  # onboarding starts: the first question is her name
    user.send("/human")
    assert text_of(user.send("Ana")) == phrase("human_relayed", "en")  # to staff, not taken as her name
    [waiting] = runtime.store.handoffs()
    runtime.store.release_handoff(waiting["participant_id"])
    assert phrase("ask_country", "en") in text_of(user.send("Ana"))  # onboarding resumes where it was
    assert runtime.store.handoffs() == []


def test_profile_shows_and_edits_one_field(user, runtime):
    consent(user)
    for text, button in FLOWS["en"][0]:
        user.send(text, button)
    shown = text_of(user.send("/profile"))
    assert "Jane Smith" in shown and "Toronto (it is " in shown and phrase("modality_virtual", "en") in shown
    assert "America/" not in shown
    replies = user.send("/profile country")
    assert phrase("ask_country", "en") in text_of(replies)
    assert phrase("invalid_country", "en") in text_of(user.send("123"))
    replies = user.send("Mexico")
    assert phrase("field_updated", "en") in text_of(replies) and "Mexico" in text_of(replies)
    stored = runtime.store.participant(user.channel, user.user_id)
    assert stored.country == "Mexico" and stored.name == "Jane Smith" and stored.profile["modality"] == "virtual"
    fields = ", ".join(phrase(f"field_{f}", "en").lower() for f in STEPS)
    assert phrase("profile_unknown_field", "en", fields=fields) == text_of(user.send("/profile shoe"))


def test_profile_mid_onboarding_shows_what_she_answered_and_asks_the_question_again(user, runtime):
    """/profile during the questions showed "—" for the name she had just given, and the question she was at
    was not asked again."""
    consent(user)
    user.send("Jane")
    replies = user.send("/profile")
    assert "Jane" in text_of(replies) and phrase("ask_country", "en") in text_of(replies)
    assert runtime.store.participant(user.channel, user.user_id).name in (None, "")  # kept when the questions end
    user.send("Canada, Toronto")
    assert "Toronto" in text_of(user.send("/profile"))
