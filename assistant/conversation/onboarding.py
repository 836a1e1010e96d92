"""The onboarding questions: their order, and how each answer is checked and normalised.

Every parser takes the raw text (and the pressed button id, if any) and returns the value to keep, or
None when the answer does not make sense for the question (the engine then asks again). Parsers accept
answers in French, Spanish and English whatever her chosen language.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from functools import cache
from zoneinfo import ZoneInfo, available_timezones

from assistant.config import SUPPORTED_LANGUAGES
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


# -- countries and their default time zone --------------------------------------------------------------

_COUNTRY_ZONES: dict[str, tuple[str, ...]] = {
    "America/Toronto": ("canada", "canada (quebec)", "quebec"),
    "Europe/Paris": ("france",),
    "Europe/Madrid": ("spain", "espagne", "espana"),
    "Europe/London": ("united kingdom", "uk", "royaume-uni", "reino unido", "england", "angleterre"),
    "Europe/Brussels": ("belgium", "belgique", "belgica"),
    "Europe/Zurich": ("switzerland", "suisse", "suiza"),
    "America/New_York": ("united states", "usa", "etats-unis", "estados unidos", "eeuu", "us"),
    "America/Mexico_City": ("mexico", "mexique"),
    "America/Guatemala": ("guatemala",),
    "America/Tegucigalpa": ("honduras",),
    "America/El_Salvador": ("el salvador", "salvador"),
    "America/Managua": ("nicaragua",),
    "America/Costa_Rica": ("costa rica",),
    "America/Panama": ("panama",),
    "America/Bogota": ("colombia", "colombie"),
    "America/Lima": ("peru", "perou"),
    "America/La_Paz": ("bolivia", "bolivie"),
    "America/Guayaquil": ("ecuador", "equateur"),
    "America/Santiago": ("chile", "chili"),
    "America/Argentina/Buenos_Aires": ("argentina", "argentine"),
    "America/Asuncion": ("paraguay",),
    "America/Montevideo": ("uruguay",),
    "America/Caracas": ("venezuela",),
    "America/Santo_Domingo": ("dominican republic", "republique dominicaine", "republica dominicana"),
    "America/Havana": ("cuba",),
    "America/Port-au-Prince": ("haiti",),
    "America/Sao_Paulo": ("brazil", "bresil", "brasil"),
    "Africa/Dakar": ("senegal",),
    "Africa/Abidjan": ("cote d'ivoire", "ivory coast", "costa de marfil"),
    "Africa/Bamako": ("mali",),
    "Africa/Ouagadougou": ("burkina faso", "burkina"),
    "Africa/Niamey": ("niger",),
    "Africa/Conakry": ("guinea", "guinee"),
    "Africa/Lome": ("togo",),
    "Africa/Porto-Novo": ("benin",),
    "Africa/Douala": ("cameroon", "cameroun", "camerun"),
    "Africa/Kinshasa": ("democratic republic of the congo", "drc", "rdc", "republique democratique du congo"),
    "Africa/Brazzaville": ("congo", "republic of the congo", "republique du congo"),
    "Africa/Libreville": ("gabon",),
    "Africa/Ndjamena": ("chad", "tchad"),
    "Africa/Kigali": ("rwanda",),
    "Africa/Bujumbura": ("burundi",),
    "Indian/Antananarivo": ("madagascar",),
    "Africa/Casablanca": ("morocco", "maroc", "marruecos"),
    "Africa/Algiers": ("algeria", "algerie", "argelia"),
    "Africa/Tunis": ("tunisia", "tunisie", "tunez"),
    "Africa/Nouakchott": ("mauritania", "mauritanie"),
    "Africa/Malabo": ("equatorial guinea", "guinee equatoriale", "guinea ecuatorial"),
    "Africa/Nairobi": ("kenya",),
    "Africa/Lagos": ("nigeria",),
    "Africa/Accra": ("ghana",),
    "Asia/Manila": ("philippines", "filipinas"),
    "Asia/Ho_Chi_Minh": ("vietnam", "viet nam"),
}
COUNTRY_ZONE: dict[str, str] = {name: zone for zone, names in _COUNTRY_ZONES.items() for name in names}


def country_zone(country: str | None) -> str | None:
    return COUNTRY_ZONE.get(fold(country or ""))


# -- parsers ---------------------------------------------------------------------------------------------

_LETTER = re.compile(r"[^\W\d_]")


def _words_text(text: str, maximum: int, minimum: int = 2) -> str | None:
    """Free text that contains letters, of a sensible length."""
    value = " ".join(text.split())
    if not minimum <= len(value) <= maximum or not _LETTER.search(value) or value.startswith("/"):
        return None
    return value


def parse_name(text: str, button: str | None = None) -> str | None:
    value = _words_text(text, MAX_SHORT)
    if value is None or any(c.isdigit() for c in value) or is_cancel(value):
        return None
    if not re.fullmatch(r"[^\W\d_]+(?:[\s'’.-]+[^\W\d_]+)*\.?", value):
        return None
    return value


def parse_country(text: str, button: str | None = None) -> str | None:
    value = _words_text(text, MAX_SHORT)
    if value is None or any(c.isdigit() for c in value):
        return None
    if not re.fullmatch(r"[^\W\d_]+(?:[\s'’().,-]+[^\W\d_]+)*\)?\.?", value):
        return None
    return value


def parse_text(text: str, button: str | None = None) -> str | None:
    return _words_text(text, MAX_LONG, minimum=3)


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
    return _choice("stage", STAGES, _STAGE_LOOKUP, text, button)


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
    return _choice("modality", MODALITIES, _MODALITY_LOOKUP, text, button)


_LANGUAGE_WORDS = {
    "fr": ("fr", "francais", "francaise", "french", "frances", "francesa"),
    "es": ("es", "espagnol", "spanish", "espanol", "castellano", "castillan"),
    "en": ("en", "anglais", "english", "ingles", "inglesa"),
    "pt": ("pt", "portugais", "portuguese", "portugues"),
    "ar": ("ar", "arabe", "arabic"),
    "wo": ("wolof",),
    "qu": ("quechua", "quichua", "kichwa"),
    "ay": ("aymara",),
    "gn": ("guarani",),
    "ht": ("creole", "kreyol", "haitian"),
    "sw": ("swahili", "kiswahili"),
    "ln": ("lingala",),
    "bm": ("bambara",),
    "ff": ("peul", "fula", "fulfulde", "pulaar"),
    "it": ("italien", "italian", "italiano"),
    "de": ("allemand", "german", "aleman"),
    "zh": ("chinois", "chinese", "chino", "mandarin"),
}
_LANGUAGE_LOOKUP = {word: code for code, words in _LANGUAGE_WORDS.items() for word in words}
_LIST_GLUE = frozenset(
    {"et", "and", "y", "e", "ou", "or", "o", "aussi", "also", "tambien", "un", "peu", "a", "bit", "little", "poco",
     "de", "del", "some", "basic", "basique", "basico", "i", "speak", "je", "parle", "hablo", "le", "el", "l'"}
)  # fmt: skip


def parse_languages(text: str, button: str | None = None) -> list[str] | None:
    """'français et anglais' -> ['fr', 'en']; 'spanish, english' -> ['es', 'en']. None if none is recognised
    or a word is neither a language nor list glue (so a sentence about something else is asked again)."""
    words = re.split(r"[^\w'-]+", fold(text))
    found: list[str] = []
    for word in filter(None, words):
        code = _LANGUAGE_LOOKUP.get(word)
        if code is None:
            if word in _LIST_GLUE:
                continue
            return None
        if code not in found:
            found.append(code)
    return found or None


@cache
def _zones() -> dict[str, str]:
    return {name.lower(): name for name in available_timezones()}


_OFFSET = re.compile(r"^(?:utc|gmt)?\s*([+-])\s*(\d{1,2})(?:[:h]?(\d{2}))?$")


def parse_timezone(text: str, button: str | None = None, country: str | None = None) -> str | None:
    """An IANA name ('America/Toronto', any case), a UTC offset ('UTC-4', 'GMT+5:30'), or a country
    ('Sénégal' -> 'Africa/Dakar'). Returns the IANA name or 'UTC±HH:MM'."""
    if button == "tz:country":
        return country_zone(country)
    raw = " ".join(text.split()).replace("−", "-")
    if not raw:
        return None
    zone = _zones().get(raw.lower().replace(" ", "_"))
    if zone is not None:
        ZoneInfo(zone)  # loadable, not just listed
        return zone
    folded = fold(raw)
    if folded in ("utc", "gmt", "utc+0", "utc-0", "gmt+0"):
        return "UTC"
    match = _OFFSET.match(folded)
    if match:
        sign, hours, minutes = match.group(1), int(match.group(2)), int(match.group(3) or 0)
        total = (hours * 60 + minutes) * (1 if sign == "+" else -1)
        if minutes not in (0, 30, 45) or not -12 * 60 <= total <= 14 * 60:
            return None
        if total == 0:
            return "UTC"
        return f"UTC{sign}{hours:02d}:{minutes:02d}"
    return country_zone(raw)


PARSERS: dict[str, Callable[..., object]] = {
    "name": parse_name,
    "country": parse_country,
    "sector": parse_text,
    "stage": parse_stage,
    "offers": parse_text,
    "needs": parse_text,
    "languages": parse_languages,
    "timezone": parse_timezone,
    "availability": parse_availability,
    "modality": parse_modality,
}
