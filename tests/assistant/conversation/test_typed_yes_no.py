"""Yes and no as people type them on WhatsApp ("bon ok", "pues sí", "ben oui", "vas-y", "más tarde", "plus tard",
"later") answer the question waiting; a yes typed to a question that asks for words ("yes pls" to "what is your
name?") is no answer and the question comes again; "ok va", "claro que sí", "yeah" are acknowledgements, in no
language they do not belong to."""

from __future__ import annotations

import pytest

from assistant.conversation.choices import typed_choice, yes_or_no_only
from assistant.conversation.smalltalk import classify
from assistant.phrases import phrase
from assistant.storage.models import Feedback
from tests.assistant.conversation.conftest import User, text_of

YES = {
    "es": ["bueno", "pues si", "va pues", "de una", "claro que si", "siii"],
    "fr": ["bon ok", "ben oui", "avec plaisir", "vas-y", "ok va", "oui stp"],
    "en": ["well yes", "yes pls", "of course", "👍", "sure thing"],
}
NO = {
    "es": ["mas tarde", "bueno no", "nop", "no gracias"],
    "fr": ["plus tard", "pas pour l'instant", "bah non", "non merci"],
    "en": ["later", "maybe later", "nope", "not today"],
}
CASES_YES = [(lang, typed) for lang, said in YES.items() for typed in said]
CASES_NO = [(lang, typed) for lang, said in NO.items() for typed in said]


def at_consent(engine, lang: str, typed: str) -> User:
    user = User(engine, f"consent-{lang}-{typed}", hint=lang)
    user.send("/start")
    user.press(f"lang:{lang}")
    return user


@pytest.mark.parametrize(("lang", "typed"), CASES_YES)
def test_a_typed_yes_gives_consent(engine, runtime, lang, typed):
    user = at_consent(engine, lang, typed)
    assert text_of(user.send(typed)).startswith(phrase("consent_given", lang))
    assert runtime.store.participant(user.channel, user.user_id) is not None


@pytest.mark.parametrize(("lang", "typed"), CASES_NO)
def test_a_typed_no_or_not_now_declines_consent(engine, runtime, lang, typed):
    user = at_consent(engine, lang, typed)
    assert text_of(user.send(typed)) == phrase("consent_declined", lang)
    assert runtime.store.participant(user.channel, user.user_id) is None


ANSWERS = {"name": "Rosa", "country": "Bolivia", "sector": "textiles", "stage": "1", "offers": "marketing",
           "needs": "clientes", "languages": "español", "timezone": "La Paz"}  # fmt: skip


def _signed_up_to(user, lang: str, step: str) -> None:
    """/start, her language, consent, and the profile answered up to `step`."""
    user.send("/start")
    user.press(f"lang:{lang}")
    user.press("consent:yes")
    for name, answer in ANSWERS.items():
        if name == step:
            break
        user.send(answer)


@pytest.mark.parametrize(("lang", "typed"), [("es", "dale"), ("fr", "oui stp"), ("en", "yes pls"), ("en", "ok")])
@pytest.mark.parametrize("step", ["name", "sector", "offers", "needs", "availability"])
def test_a_yes_to_a_question_that_asks_for_words_is_no_answer(engine, lang, typed, step):
    user = User(engine, f"step-{lang}-{typed}-{step}", hint=lang)
    _signed_up_to(user, lang, step)
    replies = user.send(typed)
    assert replies[-1].text.endswith(phrase(f"ask_{step}", lang))  # asked again
    state = user.engine.load_state(user.channel, user.user_id)[0]
    assert state["step"] == step and step not in state["answers"]


@pytest.mark.parametrize("typed", ["Mercy", "Rosa", "Dale Carnegie", "si, me llamo Rosa", "thank you", "no se"])
def test_a_name_or_a_sentence_is_not_only_a_yes_or_a_no(typed):
    assert yes_or_no_only(typed) is None


@pytest.mark.parametrize(("typed", "kind"), [("claro que sí", "ack"), ("claro que si", "ack"), ("yeah", "ack"),
                                             ("yep", "ack"), ("of course", "ack"), ("bien sûr", "ack")])  # fmt: skip
def test_agreement_is_an_acknowledgement_not_confusion_nor_a_question(typed, kind):
    assert classify(typed).kind == kind


@pytest.mark.parametrize("typed", ["ok va", "va"])
def test_words_french_and_spanish_share_choose_neither(engine, typed):
    assert classify(typed).language is None
    user = User(engine, f"okva-{typed}", hint="fr")
    user.send("comment fixer le prix de mes produits ?")
    assert user.send(typed)[0].language == "fr"


KEEP = {"es": ["claro que no", "bueno no", "olvídalo"], "fr": ["laisse tomber", "nan", "ok non"],
        "en": ["ok no", "never mind", "yes, not now"]}  # fmt: skip
DELETE = {
    "es": ["sí, no hay problema", "dale"],
    "fr": ["oui pas de souci", "ouais vas-y"],
    "en": ["yes no problem", "👍"],
}


@pytest.mark.parametrize(("lang", "typed"), [(lang, typed) for lang, said in KEEP.items() for typed in said])
def test_a_yes_word_that_ends_in_a_no_never_deletes_her_data(engine, runtime, lang, typed):
    user = at_consent(engine, lang, typed)
    user.press("consent:yes")
    user.send("/cancel")  # the profile questions stopped: /forget's question is the only one waiting
    user.send("/forget")
    assert text_of(user.send(typed)) != phrase("forget_done", lang)
    assert runtime.store.participant(user.channel, user.user_id) is not None


@pytest.mark.parametrize(("lang", "typed"), [(lang, typed) for lang, said in DELETE.items() for typed in said])
def test_a_yes_with_no_trouble_in_it_confirms(engine, runtime, lang, typed):
    user = at_consent(engine, lang, typed)
    user.press("consent:yes")
    user.send("/cancel")  # the profile questions stopped: /forget's question is the only one waiting
    user.send("/forget")
    assert text_of(user.send(typed)) == phrase("forget_done", lang)
    assert runtime.store.participant(user.channel, user.user_id) is None


@pytest.mark.parametrize(
    ("lang", "step", "typed", "kept"),
    [("es", "sector", "si, vendo ropa", "ropa"), ("es", "sector", "tejidos pues", "tejidos"),
     ("fr", "offers", "oui, la couture", "la couture"), ("fr", "offers", "bon ben le marketing", "le marketing"),
     ("en", "availability", "weekends pls", "weekends"), ("en", "needs", "ok more buyers thanks", "more buyers")],
)  # fmt: skip
def test_a_yes_before_an_answer_and_a_courtesy_after_it_are_no_part_of_it(engine, lang, step, typed, kept):
    user = User(engine, f"trim-{lang}-{typed}", hint=lang)
    _signed_up_to(user, lang, step)
    user.send(typed)
    assert user.engine.load_state(user.channel, user.user_id)[0]["answers"][step] == kept


@pytest.mark.parametrize(
    ("lang", "typed", "reason"),
    [("es", "muy largo", "too_long"), ("es", "otro idioma", "language"), ("fr", "trop long stp", "too_long"),
     ("fr", "inexacte", "wrong"), ("en", "too long pls", "too_long"), ("en", "its wrong", "wrong")],
)  # fmt: skip
def test_a_reason_typed_in_her_own_words_is_that_reason_not_a_comment(engine, runtime, lang, typed, reason):
    user = User(engine, f"reason-{lang}-{typed}", hint=lang)
    user.press(f"lang:{lang}")
    answer = next(r for r in user.send("How do I prepare a loan file to obtain credit?") if r.answer_id)
    user.press(f"vote:down:{answer.answer_id}")
    assert text_of(user.send(typed)) == phrase("feedback_ask_comment", lang)
    with runtime.database.session() as s:
        feedback = s.query(Feedback).one()
        assert (feedback.reason, feedback.comment) == (reason, None)


@pytest.mark.parametrize(
    ("typed", "lang"), [("vas-y", "fr"), ("ben oui", "fr"), ("de una", "es"), ("claro que sí", "es"), ("yep", "en")]
)
def test_a_typed_yes_to_the_start_question_consents_in_the_language_it_is_in(engine, typed, lang):
    user = User(engine, f"start-lang-{typed}", hint="en" if lang != "en" else "fr")
    user.send("/start")
    assert text_of(user.send(typed)).startswith(phrase("consent_given", lang))


GIVEN = {"es": ["si gracias", "sisi", "yess"], "fr": ["oui merci", "ouii", "wi"], "en": ["yes thanks", "yea", "k"]}
DECLINED = {"es": ["no acepto", "noo", "nel"], "fr": ["non j'accepte pas", "je n'accepte pas", "nn"],
            "en": ["no, i do not agree", "i don't agree", "noo"]}  # fmt: skip


@pytest.mark.parametrize(("lang", "typed"), [(lang, typed) for lang, said in GIVEN.items() for typed in said])
def test_a_yes_typed_with_the_words_of_the_no_button_is_a_yes(engine, runtime, lang, typed):
    user = at_consent(engine, lang, typed)  # "si gracias" is no "No, gracias"
    assert text_of(user.send(typed)).startswith(phrase("consent_given", lang))


@pytest.mark.parametrize(("lang", "typed"), [(lang, typed) for lang, said in DECLINED.items() for typed in said])
def test_a_no_typed_with_the_words_of_the_yes_button_never_consents(engine, runtime, lang, typed):
    user = at_consent(engine, lang, typed)  # "no acepto" is no "Sí, acepto"
    assert text_of(user.send(typed)) == phrase("consent_declined", lang)
    assert runtime.store.participant(user.channel, user.user_id) is None


@pytest.mark.parametrize(
    ("lang", "typed", "expected"),
    [("es", "si conservar", "forget:cancel"), ("es", "no borrar", "forget:cancel"), ("es", "gracias", None),
     ("fr", "oui garder", "forget:cancel"), ("fr", "non supprimer", "forget:cancel"), ("fr", "merci", None),
     ("en", "yes keep it", "forget:cancel"), ("en", "do not delete", "forget:cancel"), ("en", "thanks", None)],
)  # fmt: skip
def test_the_words_of_a_button_decide_unless_she_negates_them(lang, typed, expected):
    options = [(i, phrase(f"button_{i.replace(':', '_')}", lang)) for i in ("forget:confirm", "forget:cancel")]
    assert typed_choice(typed, options, [i for i, _ in options]) == expected


@pytest.mark.parametrize(("lang", "typed"), [("es", "ya lo hice"), ("fr", "c'est fait"), ("en", "done")])
def test_saying_it_is_done_answers_did_you_do_it(lang, typed):
    options = [
        ("path:check:m:yes", phrase("button_check_yes", lang)),
        ("path:check:m:no", phrase("button_check_not_yet", lang)),
    ]
    assert typed_choice(typed, options, [i for i, _ in options]) == "path:check:m:yes"
