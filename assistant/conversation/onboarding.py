"""The onboarding questions: their order, and how each answer is checked and normalised.

Every parser takes the raw text (and the pressed button id, if any) and returns the value to keep, or
None when the answer does not make sense for the question (the engine then asks again). Parsers accept
answers in French, Spanish and English whatever her chosen language.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable

from assistant.config import SUPPORTED_LANGUAGES
from assistant.conversation.freetext import is_only_a_duration, read_modality, read_name, read_stage
from assistant.conversation.places import country_code, country_name, country_zone_code, find_place
from assistant.conversation.sector import read_sector
from assistant.conversation.spoken import parse_languages
from assistant.conversation.timezones import parse_timezone_text
from assistant.phrases import phrase

STEPS: tuple[str, ...] = (
    "name",
    "country",
    "sector",
    "stage",
    "offers",
    "needs",
    "languages",
    "timezone",
    "availability",
    "modality",
)
STAGES: tuple[str, ...] = ("idea", "early", "established")
MODALITIES: tuple[str, ...] = ("virtual", "in_person", "both")
MIN_AVAILABILITY = 5
MAX_SHORT = 100  # name, country
MAX_LONG = 1000  # sector, offers, needs, availability

CANCEL_WORDS = frozenset({"cancel", "/cancel", "annuler", "cancelar", "stop", "/stop"})


def fold(text: str) -> str:
    """Lower case without accents or surrounding punctuation: 'Côte d'Ivoire!' -> "cote d'ivoire"."""
    decomposed = unicodedata.normalize("NFKD", text)
    plain = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(plain.lower().split()).strip(" .!?¡¿,;:")


def is_cancel(text: str) -> bool:
    return fold(text) in CANCEL_WORDS


# What she may call each field after /profile, in any of the three languages (the catalogue's own field
# names are added to these: "/profile país", "/profile fuseau horaire").
_FIELD_WORDS = {
    "name": ("name", "nom", "nombre", "prenom", "first name", "my name"),
    "country": ("country", "pays", "pais", "city", "ville", "ciudad", "where"),
    "sector": ("sector", "secteur", "business", "entreprise", "negocio", "rubro", "activite", "actividad"),
    "stage": ("stage", "stade", "etapa", "etape"),
    "offers": ("offers", "offer", "offre", "offres", "ofrezco", "oferta", "ofertas", "ce que j'offre"),
    "needs": ("needs", "need", "besoin", "besoins", "necesito", "necesidades", "necesidad"),
    "languages": ("languages", "language", "langues", "langue", "idiomas", "idioma", "lenguas"),
    "timezone": ("timezone", "time zone", "time", "fuseau", "fuseau horaire", "heure", "zona horaria", "zona",
                 "hora", "tz"),
    "availability": ("availability", "available", "disponibilite", "disponibilites", "disponibilidad", "horario",
                     "horarios"),
    "modality": ("modality", "modalite", "modalidad", "meetings", "rencontres", "encuentros", "mode", "format"),
}  # fmt: skip


def profile_field(word: str) -> str | None:
    """The onboarding step `/profile <word>` names, in any language: 'pais' -> 'country'; None if none."""
    wanted = fold(word)
    for step in STEPS:
        names = set(_FIELD_WORDS[step]) | {fold(phrase(f"field_{step}", lang)) for lang in SUPPORTED_LANGUAGES}
        if wanted in names:
            return step
    return None


def country_zone(country: str | None) -> str | None:
    """The zone of the country she named ('Sénégal' -> 'Africa/Dakar'); None when it names none."""
    code = country_code(country or "")
    return country_zone_code(code) if code else None


# -- parsers ---------------------------------------------------------------------------------------------

_LETTER = re.compile(r"[^\W\d_]")


def _words_text(text: str, maximum: int, minimum: int = 2) -> str | None:
    """Free text that contains letters, of a sensible length."""
    value = " ".join(text.split())
    if not minimum <= len(value) <= maximum or not _LETTER.search(value) or value.startswith("/"):
        return None
    return value


def parse_name(text: str, button: str | None = None) -> str | None:
    if is_cancel(text) or _words_text(text, MAX_SHORT) is None:
        return None
    return read_name(text)


def parse_country(text: str, button: str | None = None, lang: str = "en") -> dict | None:
    """'en bolivia, el alto' -> {'country': 'Bolivia', 'city': 'El Alto'} (the country named in `lang`);
    a city alone gives its country ('Dakar'). None when no country is recognised."""
    if _words_text(text, MAX_SHORT) is None:
        return None
    place = find_place(text)
    if place is None or place.country is None:
        return None
    return {"country": country_name(place.country, lang), "city": place.city}


def parse_text(text: str, button: str | None = None) -> str | None:
    return _words_text(text, MAX_LONG, minimum=3)


def parse_sector(text: str, button: str | None = None) -> str | None:
    """What her business does, in her few words ('je vends du bissap à Dakar' -> 'bissap'); 'ça fait 3 ans'
    says how long it has run, not what it does: None."""
    if is_only_a_duration(text) or parse_text(text, button) is None:
        return None
    return read_sector(text)


def parse_availability(text: str, button: str | None = None) -> str | None:
    return _words_text(text, MAX_LONG, minimum=MIN_AVAILABILITY)


_STAGE_WORDS = {
    "idea": ("idea", "idee", "an idea", "une idee", "una idea", "project", "projet", "proyecto", "1"),
    "early": (
        "early", "starting", "start-up", "startup", "just started", "debut", "debutante", "demarrage",
        "en demarrage", "jeune", "jeune entreprise", "inicio", "inicial", "temprana", "comenzando",
        "empezando", "etapa inicial", "2",
    ),
    "established": (
        "established", "etablie", "etabli", "etablie depuis", "consolidee", "en croissance", "establecida",
        "establecido", "consolidada", "consolidado", "growing", "mature", "3",
    ),
}  # fmt: skip
_STAGE_LOOKUP = {word: code for code, words in _STAGE_WORDS.items() for word in words}


def _choice(prefix: str, choices, lookup: dict[str, str], text: str, button: str | None) -> str | None:
    """A button `prefix:<choice>`, or a typed word that names one of `choices`."""
    if button and button.startswith(f"{prefix}:") and button.split(":", 1)[1] in choices:
        return button.split(":", 1)[1]
    return lookup.get(fold(text))


def parse_stage(text: str, button: str | None = None) -> str | None:
    return _choice("stage", STAGES, _STAGE_LOOKUP, text, button) or (None if button else read_stage(text))


_MODALITY_WORDS = {
    "virtual": (
        "virtual", "virtuel", "virtuelle", "online", "en ligne", "a distance", "distance", "remote", "remotely",
        "en linea", "a distancia", "1",
    ),
    "in_person": (
        "in person", "in-person", "face to face", "en personne", "presentiel", "en presentiel", "presencial",
        "en persona", "cara a cara", "2",
    ),
    "both": (
        "both", "les deux", "ambos", "ambas", "las dos", "los dos", "hybrid", "hybride", "hibrido", "hibrida",
        "either", "3",
    ),
}  # fmt: skip
_MODALITY_LOOKUP = {word: code for code, words in _MODALITY_WORDS.items() for word in words}


def parse_modality(text: str, button: str | None = None) -> str | None:
    return _choice("modality", MODALITIES, _MODALITY_LOOKUP, text, button) or (None if button else read_modality(text))


def parse_timezone(text: str, button: str | None = None, country: str | None = None) -> str | None:
    """An IANA name ('America/Toronto', any case), a UTC offset ('UTC-4', 'GMT+5:30', 'GMT'), or a place
    ('Sénégal', 'heure de Dakar' -> 'Africa/Dakar'). Returns the IANA name or 'UTC' / 'UTC±HH:MM'."""
    if button == "tz:country":
        return country_zone(country)
    if button:
        return None
    return parse_timezone_text(text)


PARSERS: dict[str, Callable[..., object]] = {
    "name": parse_name,
    "country": parse_country,
    "sector": parse_sector,
    "stage": parse_stage,
    "offers": parse_text,
    "needs": parse_text,
    "languages": parse_languages,
    "timezone": parse_timezone,
    "availability": parse_availability,
    "modality": parse_modality,
}
