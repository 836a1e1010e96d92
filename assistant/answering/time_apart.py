"""The hours between two partner countries, from what their two guides say.

Each partner country's guide says its fixed hour ("Bolivia vive en UTC−4 todo el año…", "Les Philippines
vivent à l'heure UTC+8 toute l'année…"), and the guides give each country's hours against eastern Canada. No
guide gives the hours between two partner countries, which a South-South pair needs ("q diferencia de hora
hay entre bolivia y filipinas?"): retrieval found the Canada table and answered about Canada. So a question
asking the time difference that names exactly two partner countries, neither of them Canada, is answered by
arithmetic on those two cited sentences: the difference first, with an example hour, then each guide's
sentence quoted with its marker. A country whose guide does not say a fixed, year-round hour (Canada changes
its clocks, and has six time zones) is left to the guides: `between` returns None and the question is
searched as any other.

A question asking the time difference with one partner country only ("on a combien d'heures de décalage avec
le Sénégal ?", "ma binôme est à Dakar, quel décalage ?"), Canada or none beside it, gets that country's guide
from its year-round hour to the end of that paragraph: its hours against eastern Canada in winter and in
summer, and the guide's example (`against_canada`); when she names a Canadian city outside the eastern zone
("Vancouver", "Calgary"), the hour there comes first (assistant/answering/canada_zones.py). Searched, it found
the time-zone guide's general advice or the first-meeting step whose example names Dakar, or the country's
overview opening on its capital.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from babel import Locale

from assistant.answering.canada_zones import city_line, clock
from assistant.answering.citing import render
from assistant.answering.passages import blocks
from assistant.answering.types import Draft
from assistant.memory import ENTITIES
from assistant.phrases import phrase
from assistant.retrieval.places import elsewhere, folded, guide_place, named
from assistant.retrieval.search import SearchHit

# Asking how many hours apart two places are, accents folded ("decalage horaire", "diferencia de hora",
# "how many hours ahead", "qué hora es en...").
_ASKS = re.compile(
    r"\b(?:decalage|difference d'heure|difference horaire|heures? d'ecart|heures? de (?:decalage|difference)"
    r"|quelle heure|fuseaux? horaires?|diferencia (?:de )?horas?|diferencia horaria|desfase|horas? de diferencia"
    r"|horas? de adelanto|husos? horarios?|que hora|time difference|time zones?|hours? (?:ahead|behind|apart)"
    r"|what time|time gap)\b"
)
# A sentence giving a fixed hour: "UTC−4 todo el año", "UTC+1 (West Africa Time) all year".
_FIXED = re.compile(r"UTC\s?([+−-])\s?(\d{1,2})(?::(\d{2}))?[^.:;]*?(?:all year|toute l'ann[ée]e|todo el a[ñn]o)")
_TERRITORY = {
    "senegal": "SN",
    "benin": "BJ",
    "bolivia": "BO",
    "guatemala": "GT",
    "rwanda": "RW",
    "cote-divoire": "CI",
    "philippines": "PH",
}
_GUIDES_NAME = {("es", "cote-divoire"): "Costa de Marfil"}
_UNITS = {"fr": ("heure", "heures"), "es": ("hora", "horas"), "en": ("hour", "hours")}
EXAMPLE_HOUR = 9  # the example: 9:00 in the western country


# Asking how many hours apart, not what hour to meet ("what time is good to meet?", "a qué hora le escribo?").
_HOURS_APART = re.compile(
    r"\b(?:decalage|difference d'heure|difference horaire|heures? d'ecart|heures? de (?:decalage|difference)"
    r"|diferencia (?:de )?horas?|diferencia horaria|desfase|horas? de diferencia|horas? de adelanto"
    r"|time difference|hours? (?:ahead|behind|apart)|time gap)\b"
)


@dataclass(frozen=True, slots=True)
class _Fixed:
    place: str
    minutes: int  # its offset from UTC
    hit: SearchHit
    sentence: str
    after: tuple[str, ...] = ()  # the paragraph's next sentences (the hours against Canada, an example)


def asks_time_difference(text: str) -> bool:
    return bool(_ASKS.search(folded(text)))


def between(question: str, language: str, index) -> tuple[Draft, list[SearchHit]] | None:
    """The answer to a time-difference question naming two partner countries, with the chunks it quotes; None
    when it is not one, or when either guide does not say a fixed hour in `language`."""
    places = named(question)
    if len(places) != 2 or not all(p in _TERRITORY for p in places) or not asks_time_difference(question):
        return None
    fixed = [_fixed_hour(place, language, index) for place in places]
    if None in fixed:
        return None
    folded_question = folded(question)
    first_named = {
        p: min((i for n in ENTITIES["country"][p] if (i := folded_question.find(folded(n))) >= 0), default=0)
        for p in places
    }
    west, east = sorted(fixed, key=lambda f: (f.minutes, first_named[f.place]))  # type: ignore[union-attr]
    lead = _difference(west, east, language)
    text, citations = render([(west.hit, [west.sentence]), (east.hit, [east.sentence])])
    return Draft(f"{lead}\n{text}", citations, "time-difference"), [west.hit, east.hit]


def against_canada(question: str, language: str, index, around: str = "") -> tuple[Draft, list[SearchHit]] | None:
    """The answer to a time-difference question naming one partner country (and Canada, or no other place), in
    the question or `around` it: its guide's year-round hour and what follows it in that paragraph; None when it
    is not one. The question itself must ask the hours apart: "we never find a time because of the time
    difference. What hours work best?" asks when to meet."""
    places = named(f"{around} {question}")
    partners = places & _TERRITORY.keys()
    if len(partners) != 1 or places - partners - {"canada"} or not _HOURS_APART.search(folded(question)):
        return None
    if elsewhere(f"{around} {question}"):
        return None  # "avec le Maroc et le Sénégal ?": a country no guide gives the hours of
    fixed = _fixed_hour(next(iter(partners)), language, index)
    if fixed is None:
        return None
    text, citations = render([(fixed.hit, [fixed.sentence, *fixed.after])])
    # She is in Vancouver or Calgary, not in eastern Canada as the guide's hours are: her own hour first.
    place = fixed.place
    line = city_line(f"{around} {question}", place, _name(place, language), fixed.minutes, language)
    return Draft(f"{line}\n{text}" if line else text, citations, "time-difference"), [fixed.hit]


def _fixed_hour(place: str, language: str, index) -> _Fixed | None:
    """Her language's sentence of the place's guide that says its year-round hour, with the rest of its
    paragraph (read on into the section's next chunk when the chunking cut the paragraph there)."""
    chunks = index.chunks
    for n, chunk in enumerate(chunks):
        if chunk.lang != language:
            continue
        if guide_place(index.documents.get(chunk.doc_key, {}).get("metadata")) != place:
            continue
        found_blocks = blocks(chunk.text)
        for m, block in enumerate(found_blocks):
            found = _FIXED.search(block.lead)
            if not found or block.items:
                continue
            sign = -1 if found.group(1) in "−-" else 1
            minutes = sign * (int(found.group(2)) * 60 + int(found.group(3) or 0))
            after = [b.lead for b in found_blocks[m + 1 :] if b.paragraph == block.paragraph and not b.items]
            last = block.paragraph == found_blocks[-1].paragraph
            following = chunks[n + 1] if n + 1 < len(chunks) else None
            if (
                last
                and following is not None
                and (following.doc_key, following.heading) == (chunk.doc_key, chunk.heading)
            ):
                after += [
                    b.lead for b in blocks(following.text) if not b.paragraph and not b.items and b.lead not in after
                ]
            return _Fixed(place, minutes, SearchHit(1, chunk, 1.0, 0.0, 0.0), block.lead, tuple(after))
    return None


def _name(place: str, language: str) -> str:
    """The country's name as the programme's guides write it (CLDR's, but Spanish says "Costa de Marfil")."""
    if (language, place) in _GUIDES_NAME:
        return _GUIDES_NAME[language, place]
    return Locale(language).territories[_TERRITORY[place]].replace("’", "'")


def _difference(west: _Fixed, east: _Fixed, language: str) -> str:
    a, b = _name(west.place, language), _name(east.place, language)
    gap = east.minutes - west.minutes
    if not gap:
        return phrase("same_hour", language, a=a, b=b)
    hours, minutes = divmod(gap, 60)
    one, many = _UNITS[language]
    span = f"{hours} {one if hours == 1 else many}" + (f" {minutes} min" if minutes else "")
    start_at = EXAMPLE_HOUR * 60
    start = clock(start_at, language)
    return phrase("hours_apart", language, west=a, east=b, span=span, start=start, time=clock(start_at + gap, language))
