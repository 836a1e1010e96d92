"""The hours from a Canadian city outside eastern Canada, for an answer about hours apart.

The guides give each partner country's hours against eastern Canada (Montréal, Ottawa, Toronto) and say that
elsewhere in Canada one adjusts ("Pacific time is 3 hours behind Eastern time"). A woman in Vancouver asking
"my partner is in Kigali, what's the time difference?" was given Rwanda's hours against Montréal and left to
do the arithmetic, three hours off. So when she names a Canadian city or province outside the eastern zone,
the answer opens with the hour there: "Vancouver is not on eastern Canada's time: when it is 9:00 in Vancouver,
it is 19:00 in Rwanda in January and 18:00 in June." The partner country's hour is its guide's year-round UTC
offset; the city's hour in January and in June comes from the tz database (`zoneinfo`), which knows each
zone's clock changes (Saskatchewan keeps one hour all year).

Only places whose zone differs from eastern Canada's are listed, by their names in the three languages
(accents, case and hyphens ignored); eastern cities keep the guide's own answer as it is.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from assistant.phrases import phrase
from assistant.retrieval.places import folded

_PACIFIC, _MOUNTAIN, _CENTRAL = "America/Vancouver", "America/Edmonton", "America/Winnipeg"
_ATLANTIC, _NEWFOUNDLAND = "America/Halifax", "America/St_Johns"
# Folded names (accents, hyphens and apostrophes as `folded` leaves them) -> IANA zone.
ZONES: dict[str, str] = {
    **dict.fromkeys(("vancouver", "victoria", "surrey", "burnaby", "kelowna", "british columbia",
                     "colombie-britannique", "colombie britannique", "columbia britanica"), _PACIFIC),
    **dict.fromkeys(("calgary", "edmonton", "red deer", "lethbridge", "alberta", "yellowknife"), _MOUNTAIN),
    **dict.fromkeys(("regina", "saskatoon", "saskatchewan"), "America/Regina"),
    **dict.fromkeys(("winnipeg", "brandon", "manitoba"), _CENTRAL),
    **dict.fromkeys(("halifax", "moncton", "fredericton", "charlottetown", "nova scotia", "nouvelle-ecosse",
                     "nouvelle ecosse", "nueva escocia", "new brunswick", "nouveau-brunswick", "nouveau brunswick",
                     "nuevo brunswick", "prince edward island", "ile-du-prince-edouard", "ile du prince edouard",
                     "isla del principe eduardo"), _ATLANTIC),
    **dict.fromkeys(("st. john's", "st john's", "saint-jean de terre-neuve", "terre-neuve", "terre neuve",
                     "newfoundland", "terranova"), _NEWFOUNDLAND),
    **dict.fromkeys(("whitehorse", "yukon"), "America/Whitehorse"),
}  # fmt: skip
_NAMES = re.compile(r"(?<!\w)(" + "|".join(re.escape(n) for n in sorted(ZONES, key=len, reverse=True)) + r")(?![\w'])")
EXAMPLE_HOUR = 9  # in her Canadian city
WINTER, SUMMER = datetime(2026, 1, 15, 12), datetime(2026, 6, 15, 12)
# The partner country after "it is 19:00 ...": French needs the country's article.
_IN_FRENCH = {
    "senegal": "au Sénégal",
    "benin": "au Bénin",
    "bolivia": "en Bolivie",
    "guatemala": "au Guatemala",
    "rwanda": "au Rwanda",
    "cote-divoire": "en Côte d'Ivoire",
    "philippines": "aux Philippines",
}
_NEXT_DAY = {"fr": " (le lendemain)", "es": " (del día siguiente)", "en": " (the next day)"}


def canadian_city(text: str) -> tuple[str, str] | None:
    """(the place as she wrote it, its zone) for the first Canadian city or province outside eastern Canada
    that `text` names; None when it names none."""
    found = _NAMES.search(folded(text))
    if found is None:
        return None
    return _as_written(text, found.group(1)), ZONES[found.group(1)]


def city_line(text: str, partner: str, partner_name: str, minutes: int, language: str) -> str | None:
    """The sentence giving the partner country's hour when it is 9:00 in the Canadian city `text` names (in
    January and in June, or all year when they do not differ); None when it names none. `minutes`: the
    partner country's year-round offset from UTC, as its guide says it."""
    found = canadian_city(text)
    if found is None:
        return None
    city, zone = found
    there = _there(partner, partner_name, language)
    winter, summer = (_their_hour(zone, minutes, day, language) for day in (WINTER, SUMMER))
    start = clock(EXAMPLE_HOUR * 60, language)
    if winter == summer:
        return phrase("canada_city_hours_all_year", language, city=city, start=start, time=winter, there=there)
    return phrase("canada_city_hours", language, city=city, start=start, winter=winter, summer=summer, there=there)


def _their_hour(zone: str, minutes: int, day: datetime, language: str) -> str:
    offset = ZoneInfo(zone).utcoffset(day) or timedelta(0)
    at = EXAMPLE_HOUR * 60 + minutes - int(offset.total_seconds() // 60)
    text = clock(at % (24 * 60), language)
    return text + _NEXT_DAY[language] if at >= 24 * 60 else text


def _there(partner: str, name: str, language: str) -> str:
    if language == "fr":
        return _IN_FRENCH.get(partner, f"en {name}")
    if language == "en" and partner == "philippines":
        return "in the Philippines"
    return f"{'en' if language == 'es' else 'in'} {name}"


def clock(minutes: int, language: str) -> str:
    """9:00, 21:30; in French 9 h, 21 h 30 (the hours-apart answers' clock times)."""
    hours, minutes = divmod(minutes, 60)
    if language == "fr":
        return f"{hours} h" + (f" {minutes:02d}" if minutes else "")
    return f"{hours}:{minutes:02d}"


def _as_written(text: str, name: str) -> str:
    """The place as she typed it, capitalised when she typed it in lower case."""
    words = len(name.split())
    tokens = re.findall(r"[^\W\d_][\w.'’-]*", text)
    for start in range(len(tokens)):
        piece = " ".join(tokens[start : start + words])
        if folded(piece) == name:
            return piece if not piece.islower() else _capitalised(piece)
    return _capitalised(name)


def _capitalised(name: str) -> str:
    """'st. john's' -> "St. John's", 'ile-du-prince-edouard' -> 'Ile-du-Prince-Edouard'."""
    return re.sub(r"(?<![\w'’])(?!(?:du|de|des|del|la)\b)\w", lambda m: m.group().upper(), name)
