"""Conversation memory: the last turns per user, and the rule that expands a follow-up for retrieval.

The turns themselves are kept by `assistant.storage.Store` (in the database for a participant who
consented, in process memory otherwise).
A short or anaphoric follow-up ("and in Senegal?", "¿y cómo empiezo?"), or one asking for an example or more
detail ("tu peux me donner un exemple sur l'environnement ?"), is the previous question with what the
follow-up changes: a new place or tool put in place of the previous one ("what is the time difference with
Senegal?" + "and in Guatemala?" = "what is the time difference with Guatemala?"), else the follow-up's words
(a new aspect: "¿y cuánto cuesta?") added to the previous question's (`resolve`). `Resolved.focus` keeps the
follow-up's own words, which the answer must be about: the previous topic again is not an answer.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

_CONNECTIVE = re.compile(
    r"^\W*(and|et|y|e|also|aussi|también|tambien|what about|how about|et pour|et si|y si|y para|"
    r"and what|then|puis|alors|luego|entonces|ok|donc|and then|et apr[eè]s|y despu[eé]s|and after)\b",
    re.IGNORECASE,
)
# Bare "la" is not among them: it is the article far more often than the pronoun ("q es la mentoria reciproca",
# "c'est quoi la tontine" ask something new).
_PRONOUN = re.compile(
    r"\b(it|that|this|them|those|ça|ca|cela|ceci|le faire|la faire|eso|esto|lo|ella|elle|il)\b", re.IGNORECASE
)
SHORT_WORDS = 3
# A place pointed at, not named: "there" (not "is there", "there are"), "là-bas", "allá", "ahí".
_THERE = re.compile(
    r"(?<!\bis )(?<!\bare )(?<!\bwas )(?<!\bwere )(?<!\bbe )\bthere\b(?!\s*(?:is|are|was|were|'s|’s)\b)"
    r"|\bl[àa][- ]bas\b|\ball[áa]\b|\ball[íi]\b|\bah[íi]\b",
    re.IGNORECASE,
)
THERE_TURNS = 3
FOLLOW_UP_CHAIN = 2  # how many earlier turns a follow-up to a follow-up may reach back through
# Asking for an example or more detail is about what was just answered ("un exemple sur l'environnement ?").
_ASKS_MORE = re.compile(
    r"\b(?:exemples?|ejemplos?|examples?|plus de d[ée]tails?|m[aá]s detalles?|more details?|more detail)\b",
    re.IGNORECASE,
)
ASKS_MORE_WORDS = 10
OWN_QUESTION_WORDS = 3  # a follow-up with a new place and this many words of its own is a question of its own
# Words a follow-up uses around a new place ("and in", "et pour le", "y con la"): nothing of its own to ask.
_LINKS = frozenset(
    re.findall(
        r"\S+",
        "and et y e in en au aux a à with avec con pour para for the le la les l el los las about de du des what "
        "how then alors entonces also aussi tambien there la-bas alla",
    )
)


@dataclass(frozen=True, slots=True)
class Turn:
    question: str
    language: str
    answer: str


# Thanks and acknowledgements before a follow-up ("thx! and what did the pilot do there", "super merci !! et
# après ?") do not make it a new question.
_ACKNOWLEDGED = re.compile(
    r"^\W*(?:(?:thanks?(?: you)?|thx|ty|ok(?:ay)?|great|perfect|super|merci(?: beaucoup)?|g[ée]nial|parfait|"
    r"top|gracias|perfecto|excelente|vale|dale|bueno)[\s!.,]*)+(?=\S)",
    re.IGNORECASE,
)


def is_follow_up(text: str) -> bool:
    text = _ACKNOWLEDGED.sub("", text)
    words = text.split()
    if len(words) <= SHORT_WORDS or _CONNECTIVE.match(text):
        return True
    if len(words) <= ASKS_MORE_WORDS and _ASKS_MORE.search(text):  # "tu peux me donner un exemple sur ...?"
        return True
    return len(words) <= 6 and bool(_PRONOUN.search(text))


# Cities people name for their country ("jsuis a Thiès", "paired w a woman in Kigali", "q hora es en Manila"):
# capitals and large towns of the partner countries, less those that are also common words ("La Paz", "El Alto",
# "Antigua", "Sucre"). Canada's are not listed: the Canadian partner's city ("a restaurant in Montréal") is named
# around questions about something else, and read as the place asked it pulled the answer to the country guides.
CITIES: dict[str, tuple[str, ...]] = {
    "senegal": ("dakar", "thiès", "thies", "ziguinchor", "kaolack", "touba", "mbour", "rufisque"),
    "benin": ("cotonou", "porto-novo", "parakou", "abomey-calavi", "abomey", "ouidah", "bohicon"),
    "bolivia": ("cochabamba", "santa cruz de la sierra", "santa cruz", "oruro", "potosí", "potosi", "tarija"),
    "guatemala": ("quetzaltenango", "xela", "huehuetenango", "cobán", "coban", "escuintla"),
    "rwanda": ("kigali", "butare", "musanze", "rubavu", "gisenyi"),
    "cote-divoire": ("abidjan", "yamoussoukro", "bouaké", "bouake", "korhogo", "daloa", "san-pédro"),
    "philippines": ("manila", "manille", "cebu", "davao", "quezon city", "iloilo", "baguio"),
}  # fmt: skip

# Things a follow-up swaps in for the previous question's: the programme's countries and the tools people ask
# about, each with its names in the three languages (matched accent- and case-insensitively, whole words).
ENTITIES = {
    "country": {
        "canada": ("canada", "canadá", "canadienne", "canadiense", "canadian"),
        "senegal": ("senegal", "sénégal", "sénégalaise", "senegalesa", "senegalese") + CITIES["senegal"],
        "benin": ("benin", "bénin", "béninoise", "beninesa") + CITIES["benin"],
        "bolivia": ("bolivia", "bolivie", "bolivienne", "boliviana", "bolivian") + CITIES["bolivia"],
        "guatemala": ("guatemala", "guatémaltèque", "guatemalteca", "guatemalan") + CITIES["guatemala"],
        "rwanda": ("rwanda", "ruanda", "rwandaise", "ruandesa", "rwandan") + CITIES["rwanda"],
        "cote-divoire": ("côte d'ivoire", "cote d'ivoire", "costa de marfil", "ivory coast", "ivoirienne", "ivoirian")
        + CITIES["cote-divoire"],
        "philippines": ("philippines", "filipinas", "philippine", "filipina", "filipino") + CITIES["philippines"],
    },
    "tool": {
        "whatsapp": ("whatsapp",),
        "facebook": ("facebook",),
        "instagram": ("instagram",),
        "tiktok": ("tiktok",),
        "zoom": ("zoom",),
        "chatgpt": ("chatgpt",),
    },
}


@dataclass(frozen=True, slots=True)
class Resolved:
    searched: str  # what to search and measure the evidence on
    focus: str  # what the answer must be about: the follow-up's own words, or the whole question
    follow_up: bool
    swapped: bool = False  # the previous question about a new place or tool (the same passage may answer it)
    kind: str | None = None  # what was swapped in: "country" or "tool"


def _fold(text: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFKD", text.lower()) if not unicodedata.combining(c))


def _mentions(text: str, kind: str) -> list[tuple[str, re.Match[str]]]:
    folded = _fold(text).replace("’", "'")
    found = []
    for entity, names in ENTITIES[kind].items():
        for name in names:
            match = re.search(rf"(?<!\w){re.escape(_fold(name))}(?!\w)", folded)
            if match:
                found.append((entity, match))
                break
    return found


def resolve(text: str, history: list[Turn]) -> Resolved:
    """The message, resolved against the previous question when it is a follow-up."""
    there = _there(text, history)
    if there is not None:
        return there
    if not history or not is_follow_up(text):
        return Resolved(text, text, False)
    previous = history[-1].question
    if len(history) > 1 and is_follow_up(previous):  # a follow-up to a follow-up: the question it stood for
        previous = resolve(previous, history[-FOLLOW_UP_CHAIN - 1 : -1]).searched
    for kind in ENTITIES:
        new = _mentions(text, kind)
        old = [m for m in _mentions(previous, kind) if m[0] not in {e for e, _ in new}]
        if len(new) == 1 and old:
            # The previous question about the new place (or tool); its offsets are the folded text's, which has
            # the same length as the original's for these names' letters.
            _, match = max(old, key=lambda m: m[1].start())  # "between Canada and Senegal": the last one
            folded = _fold(previous).replace("’", "'")
            if len(folded) == len(previous):
                name = text[new[0][1].start() : new[0][1].end()]
                swapped = previous[: match.start()] + name + previous[match.end() :]
                words = _own_words(text, new)
                if len(words) >= OWN_QUESTION_WORDS:  # "and in Guatemala, what does the programme do?"
                    return Resolved(text, text, True)
                return Resolved(swapped + (f" {text}" if words else ""), text, True, swapped=True, kind=kind)
        own = _own_words(text, new) if kind == "country" and len(new) == 1 else []
        if len(own) >= OWN_QUESTION_WORDS and not _CONNECTIVE.match(text) and not _mentions(previous, kind):
            # "il va pleuvoir demain à Cotonou ?" after goals: a new place, a question of its own, no "and"
            return Resolved(text, text, True)
        if kind == "country" and len(new) == 1 and not _mentions(previous, kind) and not _own_words(text, new):
            # "and for canada?" after a question naming no country: the previous question there (kind "country":
            # the evidence must find the previous topic, not only the country's guide).
            return Resolved(f"{previous} {text}", text, True, kind=kind)
    return Resolved(f"{previous} {text}", text, True)


def _own_words(text: str, named: list[tuple[str, re.Match[str]]]) -> list[str]:
    """The follow-up's words other than the place or tool it names and the words linking it ("and for")."""
    rest = _fold(text).replace("’", "'")
    for _, match in sorted(named, key=lambda m: -m[1].start()):
        rest = rest[: match.start()] + " " + rest[match.end() :]
    return [w for w in re.findall(r"\w+", _CONNECTIVE.sub("", rest)) if w not in _LINKS]


def points_there(text: str) -> bool:
    """Whether the message points at a place it does not name ("there", "là-bas", "allá")."""
    return bool(_THERE.search(text)) and not _mentions(text, "country")


def _there(text: str, history: list[Turn]) -> Resolved | None:
    """A question pointing at a place it does not name ("what languages do ppl speak there?", "q hora es allá?")
    is about the last place she named in the last few turns ("paired w a woman in Kigali"): searched with it."""
    if not history or not points_there(text):
        return None
    for turn in reversed(history[-THERE_TURNS:]):
        places = _mentions(turn.question, "country")
        if places:
            return Resolved(f"{text} {' '.join(m.group(0) for _, m in places)}", text, True)
    return None


def retrieval_query(text: str, history: list[Turn]) -> str:
    """The text to search with: the message, resolved against the previous question when it is a follow-up."""
    return resolve(text, history).searched
