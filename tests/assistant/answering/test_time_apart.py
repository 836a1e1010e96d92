"""The hours between two partner countries: arithmetic on what their two guides say, cited."""

from __future__ import annotations

import re
from dataclasses import replace
from types import SimpleNamespace

import pytest

from assistant.answering.service import Answerer
from assistant.answering.time_apart import against_canada, asks_time_difference, between


@pytest.fixture(scope="module")
def answerer(kb_runtime) -> Answerer:
    return Answerer(kb_runtime)


@pytest.mark.parametrize(
    ("question", "language", "expected", "docs"),
    [
        ("q diferencia de hora hay entre bolivia y filipinas?", "es", "12 horas", {"bolivia", "philippines"}),
        ("quel decalage horaire entre le senegal et le rwanda", "fr", "2 heures", {"senegal", "rwanda"}),
        ("how many hours ahead is rwanda from benin", "en", "1 hour ", {"benin", "rwanda"}),
        ("time difference between guatemala and the philippines?", "en", "14 hours", {"guatemala", "philippines"}),
    ],
)
def test_two_partner_countries_get_their_hours_apart_with_both_guides_cited(
    answerer, question, language, expected, docs
):
    answer = answerer.answer(question, language=language)
    assert not answer.abstained and answer.composer == "time-difference"
    first = answer.text.splitlines()[0]
    assert expected in first  # the difference comes first, then the two cited sentences
    assert {c.doc_id.removeprefix("country-") for c in answer.citations} == docs
    assert all(c.language == language for c in answer.citations)
    assert re.search(r"UTC[+−]\d+.*\[1\].*UTC[+−]\d+.*\[2\]", answer.text, re.S)


def test_the_example_hour_is_read_in_the_eastern_country(answerer):
    text = answerer.answer("decalage horaire guatemala philippines", language="fr").text
    assert "9 h (Guatemala) = 23 h (Philippines)" in text


def test_two_countries_with_the_same_hour_are_said_to_share_it(answerer):
    answer = answerer.answer("hay diferencia de hora entre senegal y costa de marfil?", language="es")
    assert answer.text.startswith("Senegal y Costa de Marfil tienen la misma hora todo el año.")  # in her order
    answer = answerer.answer("et entre la cote d'ivoire et le senegal, quel decalage ?", language="fr")
    assert answer.text.startswith("Côte d'Ivoire et Sénégal ont la même heure toute l'année.")


def test_countries_named_in_her_context_count(answerer):
    answer = answerer.answer("je suis au senegal et ma binome est au rwanda. on a combien d'heures de decalage ?")
    assert answer.composer == "time-difference" and "2 heures" in answer.text


@pytest.mark.parametrize(
    "question",
    [
        "quel décalage horaire avec le Maroc et le Sénégal ?",  # not a partner country
        "on se voit a quelle heure avec ma binome au senegal ?",  # when to meet, not the hours apart
        "on vend au senegal et au rwanda, comment exporter ?",  # two countries, no time asked
    ],
)
def test_other_questions_are_left_to_the_guides(answerer, question):
    assert answerer.answer(question, language="fr").composer != "time-difference"


@pytest.mark.parametrize(
    ("question", "language", "opening", "doc"),
    [
        ("decalage horaire entre le senegal et le canada", "fr", "Le Sénégal vit à l'heure UTC+0", "country-senegal"),
        ("c quoi le decalage horaire avec le rwanda", "fr", "Le Rwanda vit à l'heure UTC+2", "country-rwanda"),
        ("whats the time difference w manila?", "en", "The Philippines uses UTC+8", "country-philippines"),
        ("cuantas horas de diferencia con guatemala?", "es", "Guatemala usa la hora UTC−6", "country-guatemala"),
    ],
)
def test_one_partner_country_gets_its_guide_from_its_hour_to_the_example(answerer, question, language, opening, doc):
    """ "combien d'heures de décalage entre Montréal et Dakar ?" got the time-zone guide's clock-change advice,
    and "... avec le Sénégal ?" the overview opening on its capital and currency."""
    answer = answerer.answer(question, language=language)
    assert answer.composer == "time-difference" and answer.text.startswith(opening)
    assert [c.doc_id for c in answer.citations] == [doc]
    assert re.search(r"Canad[aáà].*E(?:xa|xe|je)mpl", answer.text, re.S)  # against Canada, then the example


def test_the_partner_country_may_be_named_by_its_city_around_the_question(answerer):
    answer = answerer.answer("ma binome est a montreal et moi a dakar, on a combien d'heures de decalage?")
    assert answer.composer == "time-difference" and answer.citations[0].doc_id == "country-senegal"
    # asking when to meet, with the time difference only as her reason, is left to the guides
    answer = answerer.answer(
        "I am Grace from Kigali. My partner is in Toronto and we never find a good time because of the time "
        "difference. What hours work best for us?",
        language="en",
    )
    assert answer.composer != "time-difference"
    assert against_canada("what hours work best", "en", answerer.runtime.index, "the time difference, kigali") is None


def test_a_guide_without_a_year_round_hour_gives_no_arithmetic(kb_runtime):
    index = kb_runtime.index
    question = "decalage horaire entre le senegal et le rwanda"
    assert between(question, "fr", index) is not None
    seasonal = [
        replace(c, text=c.text.replace("toute l'année", "en hiver")) if c.doc_id == "country-rwanda" else c
        for c in index.chunks
    ]
    assert between(question, "fr", SimpleNamespace(chunks=seasonal, documents=index.documents)) is None


@pytest.mark.parametrize(
    ("text", "asks"),
    [
        ("quel decalage horaire", True),
        ("combien d'heures d'écart ?", True),
        ("qué hora es allá", True),
        ("what time is it in Kigali", True),
        ("comment fixer le prix", False),
        ("how many hours a week should we meet", False),
    ],
)
def test_asking_the_time_difference(text, asks):
    assert asks_time_difference(text) is asks


def test_santa_cruz_names_bolivia_for_the_hours_apart(answerer):
    """ "a q hora me conecto con mi pareja de benin si yo estoy en santa cruz" got the Canada-morning advice."""
    answer = answerer.answer("a q hora me conecto con mi pareja de benin si yo estoy en santa cruz", language="es")
    assert answer.composer == "time-difference" and "5 horas" in answer.text
