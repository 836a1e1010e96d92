"""A thumbs-down asks why: reasons as buttons or typed, an optional comment, a question that is not a
comment; what she said is stored where staff read it (`negative_feedback`)."""

from __future__ import annotations

import pytest

from assistant.phrases import phrase
from assistant.storage.answers import FEEDBACK_REASONS
from tests.assistant.conversation.conftest import User, button_ids, text_of

QUESTION = "How do I prepare a loan file to obtain credit?"


def thumbs_down(user: User) -> list:
    answer = user.send(QUESTION)
    down = next(i for i in button_ids(answer) if i.startswith("vote:down:"))
    return user.press(down)


def test_a_thumbs_down_offers_every_reason_in_her_language(engine):
    user = User(engine, "fb-fr", hint="fr")
    user.send("/lang fr")
    why = thumbs_down(user)
    assert text_of(why) == phrase("feedback_why", "fr")
    assert [b.title for b in why[0].buttons] == [phrase(f"feedback_reason_{r}", "fr") for r in FEEDBACK_REASONS]
    assert all(b.id.endswith(f":{r}") for b, r in zip(why[0].buttons, FEEDBACK_REASONS, strict=True))


def test_a_pressed_reason_and_a_comment_are_stored_for_staff(user, runtime):
    why = thumbs_down(user)
    too_long = next(i for i in button_ids(why) if i.endswith(":too_long"))
    asked = user.press(too_long)
    assert text_of(asked) == phrase("feedback_ask_comment", "en") and button_ids(asked)[0].endswith(":skip")
    assert text_of(user.send("Just the three steps would do")) == phrase("feedback_comment_saved", "en")
    [item] = runtime.store.negative_feedback()
    assert item["reason"] == "too_long" and item["comment"] == "Just the three steps would do"
    assert "loan file" in text_of(user.send(QUESTION))  # the choice is closed: a question again


def test_skip_closes_without_a_comment(user, runtime):
    why = thumbs_down(user)
    user.press(next(i for i in button_ids(why) if i.endswith(":wrong")))
    [item] = runtime.store.negative_feedback()
    feedback_id = item["id"]
    assert text_of(user.press(f"why:{feedback_id}:skip")) == phrase("vote_thanks", "en")
    assert runtime.store.negative_feedback()[0]["comment"] is None
    assert runtime.store.negative_feedback()[0]["reason"] == "wrong"


@pytest.mark.parametrize(
    ("typed", "reason"),
    [
        ("2", "wrong"),
        ("Too long", "too_long"),
        ("en otro idioma", "language"),
        ("pas ce que j'ai demande", "not_asked"),
    ],
)
def test_a_typed_reason_counts_like_the_button(user, runtime, typed, reason):
    thumbs_down(user)
    assert text_of(user.send(typed)) == phrase("feedback_ask_comment", "en")
    assert runtime.store.negative_feedback()[0]["reason"] == reason


def test_free_text_instead_of_a_reason_is_kept_as_the_comment(user, runtime):
    thumbs_down(user)
    assert text_of(user.send("It talks about Canada, I am in Bolivia")) == phrase("feedback_comment_saved", "en")
    [item] = runtime.store.negative_feedback()
    assert item["reason"] == "other" and item["comment"] == "It talks about Canada, I am in Bolivia"


def test_a_question_while_the_reasons_are_offered_is_answered_and_not_stored_as_a_comment(user, runtime):
    thumbs_down(user)
    replies = user.send("How do savings groups help women without collateral?")
    assert "avings groups" in text_of(replies) and button_ids(replies)[0].startswith("vote:up:")
    assert runtime.store.negative_feedback()[0]["comment"] is None


def test_a_reason_for_feedback_that_is_gone_is_said_politely(user):
    assert text_of(user.press("why:999999:wrong")) == phrase("vote_unknown", "en")
    assert text_of(user.press("why:abc:nonsense")) == phrase("unknown_button", "en")


def test_cancel_closes_the_reasons(user, runtime):
    thumbs_down(user)
    assert text_of(user.send("/cancel")) == phrase("cancelled", "en")
    assert "loan file" in text_of(user.send("loan file"))


def test_a_thumbs_up_asks_nothing(user):
    answer = user.send(QUESTION)
    up = next(i for i in button_ids(answer) if i.startswith("vote:up:"))
    assert text_of(user.press(up)) == phrase("vote_thanks", "en")
    assert "loan file" in text_of(user.send("loan file"))


@pytest.mark.parametrize(
    ("typed", "key", "lang"),
    [("ok", "talk_ack", "en"), ("gracias", "talk_thanks", "es"), ("merci", "talk_thanks", "fr"),
     ("👍", "talk_ack", "en"), ("thanks!", "talk_thanks", "en"), ("Vale", "talk_ack", "es"),
     ("bye", "talk_goodbye", "en")],
)  # fmt: skip
@pytest.mark.parametrize("stage", ["reason", "comment"])
def test_small_talk_after_a_thumbs_down_is_answered_and_never_stored(user, runtime, typed, key, lang, stage):
    why = thumbs_down(user)
    if stage == "comment":
        user.press(next(i for i in button_ids(why) if i.endswith(":wrong")))
    replies = user.send(typed)  # in the language the small talk is in, as she chose none ("ok" tells none)
    assert text_of(replies).startswith(phrase(key, lang, name="")) and not button_ids(replies)
    [item] = runtime.store.negative_feedback()
    assert item["comment"] is None and item["reason"] == (None if stage == "reason" else "wrong")
    assert "loan file" in text_of(user.send("loan file"))  # the reasons are closed: a question again


def test_confusion_after_a_thumbs_down_says_the_reasons_again(user, runtime):
    thumbs_down(user)
    replies = user.send("I don't understand")
    assert [b.title for b in replies[0].buttons] == [phrase(f"feedback_reason_{r}", "en") for r in FEEDBACK_REASONS]
    assert text_of(user.send("2")) == phrase("feedback_ask_comment", "en")
    assert runtime.store.negative_feedback()[0]["reason"] == "wrong"


@pytest.mark.parametrize(
    ("comment", "asked"),
    [("not clear. How do I prepare a loan file to obtain credit?", "loan file"),
     ("Not what I asked, how do savings groups help women without collateral", "avings groups")],
)  # fmt: skip
@pytest.mark.parametrize("stage", ["reason", "comment"])
def test_a_comment_that_asks_a_new_question_is_stored_and_the_question_answered(user, runtime, comment, asked, stage):
    why = thumbs_down(user)
    if stage == "comment":
        user.press(next(i for i in button_ids(why) if i.endswith(":wrong")))
    replies = user.send(comment)
    assert replies[0].text == phrase("feedback_comment_saved", "en")
    assert asked in text_of(replies[1:]) and any(i.startswith("vote:up:") for i in button_ids(replies))
    [item] = runtime.store.negative_feedback()
    assert item["comment"] == comment


@pytest.mark.parametrize(
    "comment", ["no entendí, ¿cómo hago un presupuesto?", "pas clair. comment calculer mon prix de vente ?"]
)
def test_a_comment_that_asks_in_spanish_or_french_is_stored_and_answered(user, runtime, comment):
    thumbs_down(user)
    replies = user.send(comment)
    assert replies[0].text == phrase("feedback_comment_saved", "en") and len(replies) > 1
    assert runtime.store.negative_feedback()[0]["comment"] == comment


@pytest.mark.parametrize(
    "comment",
    ["too long", "pas clair", "no me sirvió", "no es eso", "not good", "It talks about Canada, I am in Bolivia"],
)
@pytest.mark.parametrize("stage", ["reason", "comment"])
def test_a_plain_reason_is_stored_and_nothing_is_answered(user, runtime, comment, stage):
    """What was wrong, said in words (a negation is a fault found, not an "ok"), is kept and asks nothing."""
    why = thumbs_down(user)
    if stage == "comment" or comment == "too long":  # "too long" is a reason's own label: a comment after one
        user.press(next(i for i in button_ids(why) if i.endswith(":wrong")))
    assert [r.text for r in user.send(comment)] == [phrase("feedback_comment_saved", "en")]
    assert runtime.store.negative_feedback()[0]["comment"] == comment


@pytest.mark.parametrize(
    ("typed", "lang"), [("no me sirvió", "es"), ("pas très utile", "fr"), ("that wasn't helpful", "en")]
)
def test_saying_the_answer_did_not_help_is_its_thumbs_down(engine, runtime, typed, lang):
    """Typed instead of pressing 👎: the reasons are asked, as for the button (it was searched as a question and
    answered with an unrelated passage)."""
    user = User(engine, f"complaint-{lang}", hint=lang)
    user.send(f"/lang {lang}")
    user.send(QUESTION)
    assert text_of(user.send(typed)) == phrase("feedback_why", lang)
    assert text_of(user.send("1")) == phrase("feedback_ask_comment", lang)  # the reason, pressed by its number
    assert len(runtime.store.negative_feedback()) == 1


def test_a_complaint_with_no_answer_to_vote_on_gets_what_the_assistant_does(engine):
    user = User(engine, "complaint-none", hint="es")
    user.send("/lang es")
    assert "Sources" not in text_of(user.send("no me sirvió")) and "Fuentes" not in text_of(user.send("no me sirve"))


@pytest.mark.parametrize("typed", ["gracias, muy útil", "thanks, that helps a lot", "merci, c'est très clair"])
def test_saying_the_answer_helped_is_thanks_not_a_question(engine, typed):
    user = User(engine, "praise", hint="en")
    user.send(QUESTION)
    replies = user.send(typed)
    assert "Sources" not in text_of(replies) and "Fuentes" not in text_of(replies)
    assert not any(i.startswith("vote:") for i in button_ids(replies))
