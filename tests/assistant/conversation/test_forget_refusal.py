"""/forget's confirmation answered with a negated "delete" ("don't delete", "no lo borres nada", "ne supprimez rien")
is a no, in whichever of our languages the question was put; "yes delete", "oui supprime", "sí, borra todo" stay a
yes. A misread no would delete her data, so both directions are pinned, on their own and end to end."""

from __future__ import annotations

import pytest

from assistant.conversation.choices import negates_erasing, typed_choice
from assistant.phrases import phrase
from tests.assistant.conversation.conftest import User, text_of

REFUSALS = ["don't delete", "dont delete it", "do not delete", "please don't delete my data",
            "i don't want you to delete anything", "no borres", "no lo borres nada", "no quiero que borres nada",
            "ne supprime pas", "ne supprimez rien", "non ne efface pas", "n'efface rien", "supprime pas",
            "efface-les pas", "je ne veux pas que tu supprimes"]  # fmt: skip
CONFIRMATIONS = ["yes delete", "ok delete", "oui supprime", "oui efface", "si borra todo", "sí, borra", "si borralo",
                 "vale, bórralo todo", "sí, no hay problema, bórralo", "yes no problem delete it",
                 "oui pas de souci supprime tout"]  # fmt: skip


def forget(lang: str) -> list[tuple[str, str]]:
    return [
        ("forget:confirm", phrase("button_forget_confirm", lang)),
        ("forget:cancel", phrase("button_forget_cancel", lang)),
    ]


@pytest.mark.parametrize("lang", ["fr", "es", "en"])
@pytest.mark.parametrize("typed", REFUSALS)
def test_a_negated_delete_is_a_no_whatever_the_question_language(lang, typed):
    options = forget(lang)
    assert negates_erasing(typed)
    assert typed_choice(typed, options, [i for i, _ in options]) == "forget:cancel"


@pytest.mark.parametrize("lang", ["fr", "es", "en"])
@pytest.mark.parametrize("typed", CONFIRMATIONS)
def test_a_delete_that_is_not_negated_stays_a_yes(lang, typed):
    options = forget(lang)
    assert not negates_erasing(typed)
    assert typed_choice(typed, options, [i for i, _ in options]) == "forget:confirm"


def test_a_negated_delete_is_only_a_no_to_a_question_whose_yes_deletes():
    consent = [("consent:yes", "Yes, I agree"), ("consent:no", "No, thanks")]
    assert typed_choice("don't delete my data", consent) is None  # keeping her data is no refusal of it


def _signed_up_at_forget(engine, lang: str, typed: str, mid_profile: bool) -> User:
    user = User(engine, f"forget-{lang}-{typed}-{mid_profile}", hint=lang)
    user.send("/start")
    user.press(f"lang:{lang}")
    user.press("consent:yes")
    if not mid_profile:
        user.send("/cancel")
    user.send("/forget")
    return user


@pytest.mark.parametrize("mid_profile", [True, False])
@pytest.mark.parametrize(
    ("lang", "typed"),
    [("en", "don't delete"), ("en", "do not delete"), ("es", "no lo borres nada"), ("es", "no borres"),
     ("fr", "ne supprimez rien"), ("fr", "non ne efface pas"), ("fr", "ne supprime pas"), ("en", "dont delete it")],
)  # fmt: skip
def test_her_data_is_kept_after_a_typed_negated_delete(engine, runtime, lang, typed, mid_profile):
    user = _signed_up_at_forget(engine, lang, typed, mid_profile)
    assert text_of(user.send(typed)).startswith(phrase("forget_cancelled", lang))
    assert runtime.store.participant(user.channel, user.user_id) is not None


@pytest.mark.parametrize(("lang", "typed"), [("en", "yes delete"), ("fr", "oui supprime"), ("es", "si borra todo")])
def test_her_data_is_deleted_after_a_typed_yes_delete(engine, runtime, lang, typed):
    user = _signed_up_at_forget(engine, lang, typed, mid_profile=False)
    assert text_of(user.send(typed)) == phrase("forget_done", lang)
    assert runtime.store.participant(user.channel, user.user_id) is None
