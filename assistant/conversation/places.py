"""Where she lives and what time it is there: countries, cities and time zones from what she types.

Country names come from CLDR through Babel (in French, Spanish and English, accents and small typos
forgiven), zones from the tz database (`zoneinfo`), and places.yaml adds the cities of the programme's
countries that are not zone cities ("El Alto", "Cotonou"). A zone is shown to her as a city in her
language and its local time ("La Paz, 14:05"), never as an IANA name.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone
from functools import cache
from pathlib import Path
from zoneinfo import ZoneInfo, available_timezones

import yaml
from babel import Locale
from babel.core import get_global
from babel.dates import get_timezone_location
from rapidfuzz.distance import OSA

from assistant.config import SUPPORTED_LANGUAGES

DATA = Path(__file__).with_name("places.yaml")
_REGIONS = frozenset({"Africa", "America", "Asia", "Atlantic", "Australia", "Europe", "Indian", "Pacific"})
MAX_WORDS_IN_NAME = 4  # "republique democratique du congo"


def fold(text: str) -> str:
    """'Côte d’Ivoire' -> 'cote divoire': lower case, no accents, no apostrophes, single spaces."""
    decomposed = unicodedata.normalize("NFKD", text)
    plain = "".join(c for c in decomposed if not unicodedata.combining(c)).lower()
    plain = re.sub(r"['’`´]", "", plain)
    return " ".join(re.findall(r"[a-z0-9]+", plain))


@dataclass(frozen=True, slots=True)
class Place:
    country: str | None  # ISO 3166 alpha-2
    city: str | None  # as she wrote it, capitalised
    zone: str | None  # the IANA zone the city or the country gives


@cache
def _data() -> dict:
    return yaml.safe_load(DATA.read_text(encoding="utf-8"))


@cache
def _territory_zones() -> dict[str, list[str]]:
    return {code: list(zones) for code, zones in get_global("territory_zones").items() if len(code) == 2}


@cache
def _countries() -> dict[str, str]:
    """Folded country name -> code, from CLDR's names in the three languages and places.yaml."""
    names: dict[str, str] = {}
    for lang in SUPPORTED_LANGUAGES:
        for code, name in Locale(lang).territories.items():
            if len(code) == 2 and code.isalpha() and code in _territory_zones():
                names.setdefault(fold(name), code)
    names.update({fold(k): v for k, v in _data()["countries"].items()})
    return names


@cache
def _cities() -> dict[str, tuple[str | None, str | None]]:
    """Folded city -> (country code, zone): every zone's city (and its name in the three languages), and
    places.yaml's cities."""
    owner = {zone: code for code, zones in _territory_zones().items() for zone in zones}
    cities: dict[str, tuple[str | None, str | None]] = {}
    zones = sorted((z for z in available_timezones() if z.split("/", 1)[0] in _REGIONS), key=lambda z: z not in owner)
    for zone in zones:  # zones of a country first ("Toronto" is America/Toronto, not an old alias of it)
        cities.setdefault(fold(zone.rsplit("/", 1)[1].replace("_", " ")), (owner.get(zone), zone))
    for zone in zones:  # then the city names in the three languages ("Manille", "Ciudad de México")
        for lang in SUPPORTED_LANGUAGES:
            try:
                name = get_timezone_location(zone, locale=lang, return_city=True)
            except (LookupError, ValueError):
                continue
            cities.setdefault(fold(name), (owner.get(zone), zone))
    for city, value in _data()["cities"].items():
        country, zone = (value, None) if isinstance(value, str) else value
        cities[fold(city)] = (country, zone)
    return cities


def country_zone_code(country: str | None) -> str | None:
    """The zone of a country code: its only one, or the primary one places.yaml names."""
    if not country:
        return None
    zones = _territory_zones().get(country, [])
    if len(zones) == 1:
        return zones[0]
    return _data()["primary_zones"].get(country) or (zones[0] if zones else None)


def _lookup(words: list[str], table: dict) -> tuple[int, int, object] | None:
    """The longest run of `words` naming an entry of `table` (one typo forgiven in a long word): (start,
    end, value)."""
    for size in range(min(MAX_WORDS_IN_NAME, len(words)), 0, -1):
        for start in range(len(words) - size + 1):
            key = " ".join(words[start : start + size])
            if key in table:
                return start, start + size, table[key]
    for start, word in enumerate(words):
        if len(word) >= 5:
            close = [v for k, v in table.items() if " " not in k and abs(len(k) - len(word)) <= 1
                     and OSA.distance(word, k, score_cutoff=1) <= 1]  # fmt: skip
            if len({str(v) for v in close}) == 1:
                return start, start + 1, close[0]
    return None


def country_code(text: str) -> str | None:
    """'Bolivie' -> 'BO'; 'costa de marfil' -> 'CI'; None when the text names no country."""
    found = _lookup(fold(text).split(), _countries())
    return found[2] if found else None


def country_name(code: str, lang: str) -> str:
    """'BO' in her language: 'Bolivie' for a French reader."""
    return Locale(lang if lang in SUPPORTED_LANGUAGES else "en").territories.get(code, code)


def find_place(text: str) -> Place | None:
    """A country and maybe a city in what she wrote: 'en bolivia, el alto' -> (BO, 'El Alto', La_Paz);
    'Dakar' -> (SN, 'Dakar', Africa/Dakar). None when neither is there."""
    words = fold(text).split()
    country = _lookup(words, _countries())
    rest = words
    if country is not None:
        rest = [*words[: country[0]], "|", *words[country[1] :]]
    city = _lookup(rest, _cities())
    code = country[2] if country else None
    if city is None:
        return Place(code, None, country_zone_code(code)) if code else None
    city_country, zone = city[2]
    if code and city_country and city_country != code:  # "Canada, Paris": a city of another country
        return Place(code, None, country_zone_code(code))
    code = code or city_country
    shown = " ".join(rest[city[0] : city[1]])
    return Place(code, _title(text, shown), zone or country_zone_code(code))


def _title(text: str, folded: str) -> str:
    """The city as she wrote it (accents kept), capitalised when she typed it in lower case."""
    for match in re.finditer(r"[^\W\d_]+(?:[\s'’-]+[^\W\d_]+)*", text):
        words = match.group().split()
        for start in range(len(words)):
            for end in range(len(words), start, -1):
                piece = " ".join(words[start:end])
                if fold(piece) == folded:
                    return piece if not piece.islower() else piece.title()
    return folded.title()


def zone_time(zone: str, now: datetime | None = None, lang: str = "en") -> str:
    """The local time in `zone` ('UTC-04:00' too), as HH:MM, or as French writes it: '01 h 36'."""
    now = now or datetime.now(UTC)
    match = re.fullmatch(r"UTC([+-])(\d{2}):(\d{2})", zone)
    if match:
        sign = 1 if match.group(1) == "+" else -1
        tz = timezone(sign * timedelta(hours=int(match.group(2)), minutes=int(match.group(3))))
    else:
        tz = ZoneInfo(zone)
    return now.astimezone(tz).strftime("%H h %M" if lang == "fr" else "%H:%M")


def zone_city(zone: str, lang: str) -> str:
    """The city a zone is named after, in her language ('Asia/Manila' -> 'Manille'); an offset as is."""
    if "/" not in zone:
        return zone
    try:
        return get_timezone_location(zone, locale=lang if lang in SUPPORTED_LANGUAGES else "en", return_city=True)
    except (LookupError, ValueError):
        return zone.rsplit("/", 1)[1].replace("_", " ")
