import pytest

from assistant.languages import detect_language


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("comment obtenir un credit pour mon entreprise", "fr"),
        ("quels sont les pays du programme", "fr"),
        ("como consigo un prestamo para mi negocio", "es"),
        ("cuales son los paises del programa", "es"),
        ("how do I prepare the first meeting with my mentor", "en"),
    ],
)
def test_detects_supported_languages_even_without_accents(text, expected):
    assert detect_language(text).language == expected


def test_short_text_keeps_the_users_preference():
    assert detect_language("ok", preferred="es").language == "es"
    assert detect_language("y en Senegal?", preferred="es").language == "es"


def test_unsupported_language_is_recognised_and_answered_in_the_preference():
    detection = detect_language("Como faço para conseguir um empréstimo para minha empresa", preferred="fr")
    assert detection.unsupported
    assert detection.detected == "pt"
    assert detection.language == "fr"


def test_empty_text_falls_back_to_default():
    assert detect_language("   ").language == "en"
    assert not detect_language("   ").unsupported


def test_a_letter_only_one_language_writes_decides_an_unsure_detection():
    # A foreign name makes the detector unsure; "â" is written in French only, among the three.
    assert detect_language("Quel âge a Aya Nakamura").language == "fr"
    assert detect_language("how old is Aya Nakamura").language == "en"
