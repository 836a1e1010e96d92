"""Places in a question, and the guides written about one place: a country guide answers for its own country.

Each programme country has a guide of its own (front matter `countries: [senegal]`; the other guides say
`[all]`). Such a guide holds the same kind of section as its neighbours ("Languages in Guatemala", "Languages in
Rwanda"), so a question about one country ("and for Canada?", "what language do they speak in Rwanda") must
not be answered from another country's guide because its words match as well, and the guide of the country
asked about is the one that knows it best. So a chunk of a one-country guide is weighed by `place_factor`:

- the question names this place: `ASKED_PLACE` (no bonus: a question that names its country is often about a
  topic of another guide, "which groups does the programme work with in Senegal", and a bonus of 1.1 moved
  two clean-set questions to the country's guide while it moved nothing on the realistic calibration split);
- the question names places, not this one: `OTHER_PLACE`;
- otherwise (no place asked about; her country named only around her question, "I'm Grace from Rwanda. ..."):
  unchanged. A place named only as context gets no bonus: her country's guide must win on what it says (and
  it often does say what she asks: the meeting hours between Kigali and Toronto).

Places are found by the names of `assistant.memory.ENTITIES["country"]` (names, demonyms, in the three
languages; accents and case ignored) and their cities ("Kigali" is Rwanda). Countries outside
the programme are found by their CLDR names (Babel) in
the three languages (`elsewhere`): a follow-up that swaps in one the guides never write ("et au Maroc ?") is
about a country no guide covers, even where its name looks like a guide's word ("Mali", "mal").
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache

from babel import Locale
from babel.core import get_global

from assistant.config import SUPPORTED_LANGUAGES
from assistant.memory import ENTITIES

ASKED_PLACE = 1.0
OTHER_PLACE = 0.8


@dataclass(frozen=True, slots=True)
class Places:
    """The places a message names in its question (`asked`) and only in its context (`context`)."""

    asked: frozenset[str] = field(default_factory=frozenset)
    context: frozenset[str] = field(default_factory=frozenset)

    @classmethod
    def of(cls, question: str, context: str = "") -> Places:
        asked = named(question)
        return cls(asked, named(context) - asked)


def _fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.lower().replace("’", "'"))
    return "".join(c for c in decomposed if not unicodedata.combining(c))


@lru_cache(maxsize=1)
def _pattern() -> tuple[re.Pattern[str], dict[str, str]]:
    names = {_fold(name): place for place, spellings in ENTITIES["country"].items() for name in spellings}
    alternatives = "|".join(re.escape(n) for n in sorted(names, key=len, reverse=True))
    return re.compile(rf"(?<!\w)(?:{alternatives})(?!\w)"), names


def named(text: str) -> frozenset[str]:
    """The places `text` names ("ma binôme canadienne" names canada)."""
    pattern, names = _pattern()
    return frozenset(names[m.group(0)] for m in pattern.finditer(_fold(text)))


@lru_cache(maxsize=1)
def _elsewhere() -> re.Pattern[str]:
    """The world's countries by their CLDR names in the three languages, less the programme's."""
    _, ours = _pattern()
    zoned = get_global("territory_zones")
    names = {
        _fold(name)
        for lang in SUPPORTED_LANGUAGES
        for code, name in Locale(lang).territories.items()
        if len(code) == 2 and code.isalpha() and code in zoned  # a country, not "European Union"
    }
    names = {n for n in names if n not in ours and not named(n) and len(n) > 3}
    alternatives = "|".join(re.escape(n) for n in sorted(names, key=len, reverse=True))
    return re.compile(rf"(?<!\w)(?:{alternatives})(?!\w)")


def elsewhere(text: str, written: str = "") -> list[str]:
    """The countries outside the programme that `text` names ("et au Maroc ?", "and in Kenya?"), folded, less
    those `written` names (the guides' text: they mention France and Congo; "reunión" is a Spanish word)."""
    found = [m.group(0) for m in _elsewhere().finditer(_fold(text))]
    return [n for n in found if not re.search(rf"(?<!\w){re.escape(n)}(?!\w)", written)]


def folded(text: str) -> str:
    """`text` lower-cased, without accents (as places are matched)."""
    return _fold(text)


def guide_place(metadata: dict | None) -> str | None:
    """The one place a guide is about (its front matter's `countries`), None for a guide about all of them."""
    countries = (metadata or {}).get("countries") or []
    return countries[0] if len(countries) == 1 and countries[0] != "all" else None


def place_factor(place: str | None, places: Places) -> float:
    """The weight of a chunk from a guide about `place` (None: about no one place) for a message naming `places`."""
    if place is None:
        return 1.0
    if place in places.asked:
        return ASKED_PLACE
    return OTHER_PLACE if places.asked else 1.0
