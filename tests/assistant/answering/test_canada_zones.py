"""Hours apart from a Canadian city outside eastern Canada: her own hour first, from the tz database."""

from __future__ import annotations

import pytest

from assistant.answering.canada_zones import canadian_city, city_line
from assistant.answering.service import Answerer


@pytest.fixture(scope="module")
def answerer(kb_runtime) -> Answerer:
    return Answerer(kb_runtime)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("ma binome est a vancouver", ("Vancouver", "America/Vancouver")),
        ("my partner lives in Calgary, Alberta", ("Calgary", "America/Edmonton")),
        ("mi pareja vive en Colombie-Britannique", ("Colombie-Britannique", "America/Vancouver")),
        ("elle est à Saint-Jean de Terre-Neuve", ("Saint-Jean de Terre-Neuve", "America/St_Johns")),
        ("she is in st. john's", ("St. John's", "America/St_Johns")),
        ("ma binome est a l'ile-du-prince-edouard", ("Ile-du-Prince-Edouard", "America/Halifax")),
    ],
)
def test_canadian_places_outside_the_eastern_zone_are_found_as_she_wrote_them(text, expected):
    assert canadian_city(text) == expected


@pytest.mark.parametrize(
    "text", ["ma binome est a montreal", "my partner is in Toronto", "elle est à Québec", "ottawa", "en Canadá"]
)
def test_eastern_canada_and_canada_alone_get_no_line(text):
    assert canadian_city(text) is None
    assert city_line(text, "rwanda", "Rwanda", 120, "en") is None


def test_winter_and_summer_hours_follow_the_city_clock_changes():
    # Vancouver is UTC-8 in January and UTC-7 in June; Senegal UTC+0 all year.
    line = city_line("vancouver", "senegal", "Sénégal", 0, "fr")
    assert line == (
        "Vancouver n'est pas à l'heure de l'est du Canada : quand il est 9 h à Vancouver, il est 17 h au Sénégal "
        "en janvier et 16 h en juin."
    )


def test_a_province_without_clock_changes_gets_one_hour_all_year():
    # Saskatchewan keeps UTC-6 all year; Bolivia UTC-4.
    line = city_line("Regina", "bolivia", "Bolivia", -4 * 60, "es")
    assert line == (
        "Regina no tiene la hora del este de Canadá: cuando son las 9:00 en Regina, son las 11:00 en Bolivia "
        "todo el año."
    )


def test_an_hour_past_midnight_says_it_is_the_next_day():
    line = city_line("calgary", "philippines", "Philippines", 8 * 60, "en")
    assert "it is 0:00 (the next day) in the Philippines in January and 23:00 in June." in line


def test_half_hour_zones_are_counted():
    line = city_line("st john's", "rwanda", "Rwanda", 120, "en")
    # Newfoundland is UTC-3:30 in January, UTC-2:30 in June.
    assert "it is 14:30 in Rwanda in January and 13:30 in June" in line


@pytest.mark.parametrize(
    ("question", "language", "opening", "guide_sentence"),
    [
        (
            "ma binome est a vancouver et moi a dakar, on a combien d'heures de decalage?",
            "fr",
            "Vancouver n'est pas à l'heure de l'est du Canada : quand il est 9 h à Vancouver, il est 17 h au Sénégal",
            "UTC+0",
        ),
        (
            "my partner is in calgary and im in kigali whats the time difference",
            "en",
            "Calgary is not on eastern Canada's time: when it is 9:00 in Calgary, it is 18:00 in Rwanda in January",
            "UTC+2",
        ),
    ],
)
def test_her_city_hour_comes_before_the_guide_cited_hours(answerer, question, language, opening, guide_sentence):
    answer = answerer.answer(question, language=language)
    first, rest = answer.text.split("\n", 1)
    assert first.startswith(opening)
    assert guide_sentence in rest and "[1]" in rest  # the guide's own hours, cited, still follow
    assert answer.citations and answer.citations[0].doc_id.startswith("country-")


def test_a_partner_in_toronto_gets_the_guide_answer_alone(answerer):
    answer = answerer.answer("my partner is in toronto and im in kigali whats the time difference", language="en")
    assert answer.text.startswith("Rwanda uses UTC+2")
