"""Her business sector, read from the sentence she answered with: "je vends du bissap et des jus à Dakar" ->
"bissap et des jus", "tengo un taller de tejidos hace 8 años" -> "tejidos", "I run a small bakery in Kigali"
-> "small bakery".

Her own words are kept (never translated) and only what is not the business is cut: the opening that says
she sells, makes or runs something (`_INTRO`), a generic shop word before what it sells ("boutique de",
"taller de", "shop selling"), a leading article, and, to the end of the clause, a place ("à Dakar", "en El
Alto", "au marché") or how long ("depuis 3 ans", "hace 8 años"). The first clause that names something is
kept, and the bare items listed after it ("couture, broderie"), up to `MAX_SECTOR_WORDS` words. An answer
with nothing left once cut is kept as she wrote it.
"""

from __future__ import annotations

import re

from assistant.conversation.freetext import DURATION
from assistant.conversation.places import find_place, fold

MAX_SECTOR_WORDS = 6
MAX_PLACE_WORDS = 4  # "republique democratique du congo"
_CLAUSE = re.compile(r"[^,;.!?\n]+")
_TOKEN = re.compile(r"[^\W_]+(?:-[^\W_]+)*")

# What opens the sentence before the business, folded. A verb that is only ever "I do" opens it alone
# ("vendo ropa", "tengo un taller"); one that is also a noun or an order needs its "I" ("I make", "je fais";
# "produce and vegetables", "make up artist" are businesses).
_FILLER = r"(?:(?:bueno|pues|bon|alors|euh|eh|well|so|oui|si|yes|ok|okay|et|y|and|moi|yo|nosotras|nosotros) )*"
_FIRST_PERSON = (
    r"vends|vendons|vendo|vendemos|hago|hacemos|produis|produisons|produzco|producimos|fabrique|fabriquons|fabrico|"
    r"fabricamos|elaboro|elaboramos|transformons|transformo|cultivons|travaille|trabajo en|trabajamos|tiens|gere|"
    r"dirige|tengo|tenemos|avons|soy|somos|estoy en|me dedico|nos dedicamos|dedicada|dedicado|abri|empece|"
    r"mi negocio es|mi emprendimiento es|mi negocio|mi emprendimiento|my business is|mon entreprise fait|"
    r"mon entreprise|mon activite|mon business|cest|c est"
)
_WITH_SUBJECT = (
    r"(?:je |j |nous |on |i |we |i m |im |we re )(?:vends|vend|vendons|fais|faisons|produis|fabrique|transforme|"
    r"cultive|travaille|tiens|gere|dirige|ai|avons|suis|sommes|me lance|sell|make|produce|grow|work|run|own|"
    r"manage|have|ve|has|started|opened|selling|making|running|am|are|m|re)"
)
_INTRO = re.compile(
    rf"^{_FILLER}(?:(?:{_WITH_SUBJECT}|{_FIRST_PERSON})"
    r"(?: (?:dans|en|a|al|in|with|con|avec|de|lance|ouvert|cree|ete|been|got))* )+"
)
# A shop word before what it sells: "boutique de pagnes" -> "pagnes".
_CONTAINER = re.compile(
    r"^(?:(?:petite?|pequena|pequeno|small|little|mon|ma|mi|my|propre|propia|own) )*"
    r"(?:boutique|magasin|commerce|entreprise|societe|atelier|business|shop|store|company|stall|workshop|tienda|"
    r"negocio|taller|empresa|emprendimiento|puesto|comercio|activite|actividad) "
    r"(?:de la|de los|de las|del|de|d|des|du|of|selling|que vende|qui vend|en) (?=\w)"
)
_ARTICLE = re.compile(
    r"^(?:(?:du|de la|de l|des|d|le|la|les|l|un|une|el|los|las|lo|una|unos|unas|a|an|the|some|mon|ma|mes|mi|"
    r"mis|my|our|notre|nos|nuestra|nuestro|nuestros|nuestras|petits|de) )+(?=\w)"
)
_PLACE_PREP = frozenset({"a", "au", "aux", "en", "in", "at", "dans", "sur", "desde", "from", "al", "on"})
_TIME_PREP = frozenset({"depuis", "il", "y", "ca", "fait", "hace", "desde", "ya", "for", "since", "about", "ago",
                        "environ", "casi", "almost", "nearly", "plus", "de", "mas", "more", "than", "que"})  # fmt: skip
_TRAILING = frozenset({"et", "y", "and", "ou", "o", "or", "de", "del", "du", "des", "of", "con", "avec", "with",
                       "que", "qui", "la", "le", "les", "el", "los", "las", "the", "a", "an", "un", "une",
                       "una", "en", "au", "aux", "pour", "par", "sur", "dans", "in", "at", "for", "on", "to",
                       "por", "para"})  # fmt: skip
# Where she sells, not what: "au marché", "en la feria", "at the market" end the business words like a city.
_MARKET = frozenset(
    {
        "marche",
        "marches",
        "mercado",
        "mercados",
        "feria",
        "ferias",
        "market",
        "markets",
        "foire",
        "foires",
        "fair",
        "fairs",
        "quartier",
        "barrio",
        "zona",
        "ville",
        "ciudad",
        "city",
        "town",
    }
)
_PLACE_ARTICLE = frozenset({"le", "la", "les", "el", "los", "las", "the", "un", "une", "una", "a"})
_SUBJECT = frozenset({"je", "j", "moi", "nous", "i", "im", "we", "yo", "nosotras", "nosotros", "she", "elle", "ella"})
_YEAR = re.compile(r"^(?:19|20)\d\d$")


def read_sector(text: str) -> str:
    """The business words of her answer (her spelling, at most MAX_SECTOR_WORDS words); her whole answer
    when nothing is left once the opening, places and durations are cut."""
    shown: list[str] = []
    left = MAX_SECTOR_WORDS
    for clause in _CLAUSE.finditer(text):
        kept, bare = _business_words(clause.group(), left)
        if not kept:
            continue
        if shown and (not bare or len(kept.split()) > left):
            break  # "..., et je cherche des clientes": another sentence, not more of the business
        shown.append(kept)
        left -= len(kept.split())
        if left <= 0:
            break
    return ", ".join(shown) if shown else " ".join(text.split())


def _business_words(clause: str, most: int) -> tuple[str, bool]:
    """(the clause's business words as she wrote them, up to `most`; whether she wrote it bare: no opening
    nor shop word cut)."""
    tokens = list(_TOKEN.finditer(clause))
    folded = [fold(t.group()) or t.group().lower() for t in tokens]
    opening = _cut(_INTRO, folded)
    for pattern in (_ARTICLE, _CONTAINER):  # "un taller de": the article, then the shop word
        opening += _cut(pattern, folded[opening:])
    start = opening + _cut(_ARTICLE, folded[opening:])
    end = min(_stop(folded, start), start + most)
    while end > start and folded[end - 1] in _TRAILING:
        end -= 1
    bare = start == _cut(_ARTICLE, folded) and not _SUBJECT & set(folded)
    if end <= start:
        return "", bare
    return clause[tokens[start].start() : tokens[end - 1].end()], bare


def _cut(pattern: re.Pattern, words: list[str]) -> int:
    """How many of `words` the pattern takes at their start."""
    found = pattern.match(" ".join(words) + " ")
    return len(found.group().split()) if found else 0


def _stop(words: list[str], start: int) -> int:
    """Where the business words end: at a place ("a dakar") or a duration ("depuis 3 ans", "since 2019")."""
    for i in range(start, len(words)):
        if words[i] in _PLACE_PREP and _place_at(words, i + 1):
            return i
        if DURATION.match(" ".join(words[i : i + 2])) or _YEAR.match(words[i]):
            while i > start and words[i - 1] in _TIME_PREP:
                i -= 1
            return i
    return len(words)


def _place_at(words: list[str], i: int) -> bool:
    """Whether a place starts at words[i]: a city or country ("El Alto"), or a market ("le marché")."""
    after = i
    while after < len(words) and words[after] in _PLACE_ARTICLE:
        after += 1
    if after < len(words) and words[after] in _MARKET:
        return True
    return any(find_place(" ".join(words[i : i + size])) for size in range(1, MAX_PLACE_WORDS + 1) if i < len(words))
