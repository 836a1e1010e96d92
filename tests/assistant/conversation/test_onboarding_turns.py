"""Onboarding answers that answer another question: how long the business has run, given as its sector;
a time zone given as "GMT"; a name given with an honorific ("Mme Diallo")."""

from __future__ import annotations

import pytest

from assistant.conversation.freetext import is_only_a_duration
from assistant.conversation.onboarding import parse_sector, parse_stage
from assistant.phrases import phrase
from tests.assistant.conversation.conftest import User, text_of


def _to_sector(user, lang: str, name: str, country: str) -> None:
    user.send("/start")
    user.press(f"lang:{lang}")
    user.press("consent:yes")
    user.send(name)
    replies = user.send(country)
    assert phrase("ask_sector", lang) in text_of(replies)


def _state(user) -> dict:
    return user.engine.load_state(user.channel, user.user_id)[0]


@pytest.mark.parametrize(
    "text", ["ça fait 3 ans", "ca fait 3 ans", "hace 2 años", "ya tengo 8 años", "for 5 years now", "since 2019",
             "depuis longtemps", "3 ans"],
)  # fmt: skip
def test_a_duration_alone_is_not_a_sector(text):
    assert is_only_a_duration(text) and parse_sector(text) is None


@pytest.mark.parametrize(
    ("text", "sector"), [("couture depuis 3 ans", "couture"), ("restaurant, ça fait 3 ans", "restaurant"),
                         ("textile", "textile"), ("venta de verduras hace 2 años", "venta de verduras"),
                         ("agriculture", "agriculture")],
)  # fmt: skip
def test_a_sector_said_with_its_age_is_a_sector(text, sector):
    assert parse_sector(text) == sector


def test_ca_fait_3_ans_to_the_sector_question_keeps_the_stage_and_asks_the_sector_again(user, runtime):
    _to_sector(user, "fr", "Awa", "Sénégal")
    replies = user.send("ca fait 3 ans")
    said = text_of(replies)
    assert phrase("sector_not_duration", "fr") in said and phrase("ask_sector", "fr") in said
    assert _state(user)["step"] == "sector" and _state(user)["answers"]["stage"] == parse_stage("ca fait 3 ans")
    replies = user.send("couture")
    assert phrase("ask_offers", "fr") in text_of(replies)  # the stage is known: not asked again
    assert _state(user)["answers"]["sector"] == "couture"


def test_a_duration_that_names_no_stage_asks_both_in_turn(user):
    _to_sector(user, "en", "Grace", "Philippines")
    replies = user.send("since 2019")
    assert phrase("sector_not_duration", "en") in text_of(replies)
    assert "stage" not in _state(user)["answers"]
    assert phrase("ask_stage", "en") in text_of(user.send("bakery"))


def test_gmt_typed_as_her_time_zone_is_kept_as_utc(user, runtime):
    _to_sector(user, "fr", "Awa", "Sénégal")
    for text in ("couture", "3 ans", "la couture", "un crédit", "français, wolof"):
        replies = user.send(text)
    assert phrase("ask_timezone", "fr") in text_of(replies)
    replies = user.send("GMT")
    assert phrase("ask_availability", "fr") in text_of(replies)
    assert _state(user)["answers"]["timezone"] == "UTC"


@pytest.mark.parametrize(("lang", "typed", "saved"), [("fr", "Mme Diallo", "Diallo"), ("es", "Doña Rosa", "Rosa"),
                                                      ("en", "Mrs. Smith", "Smith"), ("es", "Sra.", None)])  # fmt: skip
def test_the_name_step_saves_her_name_without_the_honorific(engine, lang, typed, saved):
    user = User(engine, f"title-{lang}-{typed}", hint=lang)
    user.send("/start")
    user.press(f"lang:{lang}")
    user.press("consent:yes")
    replies = user.send(typed)
    state = engine.load_state(user.channel, user.user_id)[0]
    if saved is None:  # asked again
        assert state["step"] == "name" and "name" not in state["answers"]
        assert replies[-1].text.endswith(phrase("ask_name", lang))
    else:
        assert state["answers"]["name"] == saved and state["step"] == "country"
