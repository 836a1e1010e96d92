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
    parse_sector,
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
        ("Wolof, Fon, Yoruba", ["wo", "fon", "yo"]),
        ("dioula et français", ["dyu", "fr"]),
        ("Kinyarwanda na Kiswahili", ["rw", "sw"]),
        ("Tagalog, Cebuano, English", ["tl", "ceb", "en"]),
        ("Filipino and Bisaya", ["fil", "ceb"]),
        ("quechua, aymara y K'iche'", ["qu", "ay", "quc"]),
        ("guaraní y castellano", ["gn", "es"]),
        ("hablo espanol y un poquito de ingles", ["es", "en"]),
        ("español y mam", ["es", "mam"]),
        ("englsh", ["en"]),
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
        ("Dakar", None, "Africa/Dakar"),
        ("la hora de Bolivia", None, "America/La_Paz"),
        ("manila time", None, "Asia/Manila"),
        ("heure de Cotonou", None, "Africa/Porto-Novo"),
        ("El Alto", None, "America/La_Paz"),
        ("Vancouver", None, "America/Vancouver"),
        ("Atlantis", None, None),
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


@pytest.mark.parametrize(
    "text", ["no sé qué poner", "no se", "je sais pas quoi mettre", "jsp", "i don't know", "idk what to put", "ni idea"]
)
def test_not_knowing_what_to_put_is_no_name(text):
    assert parse_name(text) is None


def test_country_stage_modality_availability():
    assert parse_country("Côte d'Ivoire") == {"country": "Côte d’Ivoire", "city": None}
    assert parse_country("75001") is None and parse_country("Atlantis") is None
    assert parse_stage("Une idée") == "idea" and parse_stage("", "stage:early") == "early"
    assert parse_stage("establecida") == "established" and parse_stage("perhaps") is None
    assert parse_stage("", "stage:bogus") is None
    assert parse_modality("Les deux") == "both" and parse_modality("en persona") == "in_person"
    assert parse_modality("", "modality:virtual") == "virtual" and parse_modality("purple") is None
    assert parse_availability("lundi") == "lundi" and parse_availability("no") is None


@pytest.mark.parametrize("text", ["cancel", "/cancel", "Annuler", "CANCELAR", "annuler."])
def test_cancel_words(text):
    assert is_cancel(text)
    assert not is_cancel("cancel my subscription")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("en bolivia, el alto", {"country": "Bolivia", "city": "El Alto"}),
        ("vivo en Guatemala, Xela", {"country": "Guatemala", "city": "Xela"}),
        ("Dakar", {"country": "Senegal", "city": "Dakar"}),
        ("I live in Kigali, Rwanda", {"country": "Rwanda", "city": "Kigali"}),
        ("Cotonou", {"country": "Benin", "city": "Cotonou"}),
        ("Bolivai", {"country": "Bolivia", "city": None}),
        ("costa de marfil", {"country": "Côte d’Ivoire", "city": None}),
    ],
)
def test_country_and_city_from_a_sentence(text, expected):
    assert parse_country(text) == expected


def test_the_country_is_named_in_her_language():
    assert parse_country("bolivia", lang="fr") == {"country": "Bolivie", "city": None}
    assert parse_country("Senegal", lang="es") == {"country": "Senegal", "city": None}


@pytest.mark.parametrize(
    ("text", "expected"),
    [("me llamo rosa", "Rosa"), ("hola, soy Rosa Mamani", "Rosa Mamani"), ("Je m'appelle Awa.", "Awa"),
     ("my name is Grace", "Grace"), ("moi c'est Fatou Sow", "Fatou Sow"), ("grace uwase", "Grace Uwase")],
)  # fmt: skip
def test_names_without_the_introduction(text, expected):
    assert parse_name(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [("ok, Rosa", "Rosa"), ("si, Rosa", "Rosa"), ("Rosa pues", "Rosa"), ("Rosa 😊", "Rosa"), ("oui c'est Awa", "Awa"),
     ("ok Fatou", "Fatou"), ("Awa merci", "Awa"), ("Awa Diop stp", "Awa Diop"), ("yes, Grace", "Grace"),
     ("Grace here", "Grace"), ("my name is Mercy", "Mercy"), ("Mercy", "Mercy"), ("Grace thanks", "Grace")],
)  # fmt: skip
def test_a_yes_before_her_name_and_a_courtesy_after_it_are_no_part_of_it(text, expected):
    assert parse_name(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [("ya tengo 8 años con mi taller", "established"), ("empecé hace 6 meses", "early"),
     ("es solo una idea por ahora", "idea"), ("todavía no he empezado", "idea"), ("depuis 5 ans", "established"),
     ("on vient de commencer", "early"), ("I have been running it for 10 years", "established"),
     ("just started last year", "early"), ("perhaps", None), ("not started yet, still planning", "idea"),
     ("no he empezado, es un proyecto", "idea"), ("je n'ai pas encore commencé", "idea")],
)  # fmt: skip
def test_stage_from_a_sentence(text, expected):
    assert parse_stage(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [("virtual nomás, por whatsapp", "virtual"), ("en persona o por zoom", "both"), ("par téléphone", "virtual"),
     ("prefiero vernos en persona", "in_person"), ("peu importe", "both"), ("sometimes", None)],
)  # fmt: skip
def test_modality_from_a_sentence(text, expected):
    assert parse_modality(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [("je vends du bissap et des jus a dakar", "bissap et des jus"),
     ("tengo un taller de tejidos hace 8 años", "tejidos"), ("vendo chompas de alpaca en El Alto", "chompas de alpaca"),
     ("I run a small bakery in Kigali", "small bakery"), ("j'ai une boutique de pagnes au marché Sandaga", "pagnes"),
     ("mi negocio es una tienda de abarrotes en La Paz", "abarrotes"), ("I am a tailor", "tailor"),
     ("Je travaille dans la transformation du manioc", "transformation du manioc"),
     ("je vends du tissu en gros au marché de Dakar, et je cherche des clientes", "tissu en gros"),
     ("moi je fais la vente de poissons fumés à Mbour depuis 2015", "vente de poissons fumés"),
     ("fabrico jabones artesanales y velas aromáticas con hierbas naturales de la región",
      "jabones artesanales y velas aromáticas"),
     ("huile d'arachide", "huile d'arachide"), ("couture, broderie et teinture", "couture, broderie et teinture"),
     ("Transformation de céréales locales", "Transformation de céréales locales"),
     ("produce and vegetables", "produce and vegetables"), ("make up artist", "make up artist"),
     ("je vends", "je vends"),
     ("je fais des jus locaux bissap bouye gingembre en bouteille", "jus locaux bissap bouye gingembre")],
)  # fmt: skip
def test_the_sector_is_her_business_words_without_the_sentence_around_them(text, expected):
    """Her own words, untranslated: the opening ("je vends", "tengo un taller de"), articles, the place and
    how long cut off, a few words at most; an answer with nothing else is kept whole."""
    assert parse_sector(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [("Mme Diallo", "Diallo"), ("Madame Aminata", "Aminata"), ("Doña Rosa", "Rosa"), ("Señora Quispe", "Quispe"),
     ("Mrs. Smith", "Smith"), ("Dr Ana López", "Ana López"), ("Sra. Mamani", "Mamani"), ("M. Diallo", "Diallo"),
     ("Dra. Ana López", "Ana López"), ("Mrs.Smith", "Smith"), ("me llamo Doña Rosa Quispe", "Rosa Quispe"),
     ("soy la señora Quispe", "Quispe"), ("je suis Mme Diallo", "Diallo"), ("ok, Madame Aminata Diallo merci",
     "Aminata Diallo"), ("Atty. Reyes", "Reyes"), ("Don Pedro", "Don Pedro"), ("Adja Ndiaye", "Adja Ndiaye")],
)  # fmt: skip
def test_an_honorific_or_title_is_no_part_of_her_name(text, expected):
    assert parse_name(text) == expected


@pytest.mark.parametrize("text", ["Mme", "Madame", "Sra.", "Doña", "Mrs.", "Dr", "la señora", "Miss"])
def test_a_name_that_is_only_an_honorific_is_no_name(text):
    assert parse_name(text) is None
