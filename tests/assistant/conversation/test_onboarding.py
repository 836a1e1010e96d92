"""The onboarding answer parsers on their own."""

from __future__ import annotations

import pytest

from assistant.conversation.onboarding import (
    is_cancel,
    parse_availability,
    parse_country,
    parse_languages,
    parse_modality,
    parse_name,
    parse_stage,
    parse_timezone,
)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("français et anglais", ["fr", "en"]),
        ("spanish, english", ["es", "en"]),
        ("Español e inglés", ["es", "en"]),
        ("French", ["fr"]),
        ("francés, wolof y un poco de inglés", ["fr", "wo", "en"]),
        ("anglais, anglais", ["en"]),
        ("", None),
        ("I like cats", None),
        ("42", None),
    ],
)
def test_languages(text, expected):
    assert parse_languages(text) == expected


@pytest.mark.parametrize(
    ("text", "country", "expected"),
    [
        ("America/Toronto", None, "America/Toronto"),
        ("america/toronto", None, "America/Toronto"),
        ("Africa/Dakar", None, "Africa/Dakar"),
        ("UTC-4", None, "UTC-04:00"),
        ("utc −4", None, "UTC-04:00"),
        ("GMT+5:30", None, "UTC+05:30"),
        ("+1", None, "UTC+01:00"),
        ("UTC", None, "UTC"),
        ("UTC+0", None, "UTC"),
        ("Sénégal", None, "Africa/Dakar"),
        ("Perú", None, "America/Lima"),
        ("Mars/Olympus", None, None),
        ("UTC+15", None, None),
        ("UTC-4:20", None, None),
        ("", "Canada", None),
        ("nonsense", None, None),
    ],
)
def test_timezone(text, country, expected):
    assert parse_timezone(text, country=country) == expected


def test_timezone_button_uses_her_country():
    assert parse_timezone("", "tz:country", country="Côte d'Ivoire") == "Africa/Abidjan"
    assert parse_timezone("", "tz:country", country="Nowhere") is None


@pytest.mark.parametrize("text", ["Aminata", "Marie-Claire N'Diaye", "Ana María López", "O'Brien"])
def test_names_accepted(text):
    assert parse_name(text) == text


@pytest.mark.parametrize("text", ["", "  ", "12345", "Jane 2", "?!", "/start", "x" * 101, "a"])
def test_names_refused(text):
    assert parse_name(text) is None


def test_country_stage_modality_availability():
    assert parse_country("Côte d'Ivoire") == "Côte d'Ivoire"
    assert parse_country("75001") is None
    assert parse_stage("Une idée") == "idea" and parse_stage("", "stage:early") == "early"
    assert parse_stage("establecida") == "established" and parse_stage("perhaps") is None
    assert parse_stage("", "stage:bogus") is None
    assert parse_modality("Les deux") == "both" and parse_modality("en persona") == "in_person"
    assert parse_modality("", "modality:virtual") == "virtual" and parse_modality("whatever") is None
    assert parse_availability("lundi") == "lundi" and parse_availability("no") is None


@pytest.mark.parametrize("text", ["cancel", "/cancel", "Annuler", "CANCELAR", "annuler."])
def test_cancel_words(text):
    assert is_cancel(text)
    assert not is_cancel("cancel my subscription")
