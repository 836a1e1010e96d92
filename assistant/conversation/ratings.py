"""A self-rating from 1 to 5 read from what she typed: "2", "2 · un poco", "poco", "beaucoup", "a lot", "trois",
"no sé qué es eso".

The diagnostic's buttons are "1 · nuevo" ... "5 · experta"; she may type the number, the button's words, or
her own words for the level, in French, Spanish or English, with typos and without accents. "I don't know
what that is" is the lowest level (the area is new to her): `read_rating` says so with `unknown=True`, and
the diagnostic tells her which level it noted.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from rapidfuzz import fuzz

from assistant.conversation.smalltalk import normalise

# Her words for each level, folded (lower case, no accents, no apostrophes); the buttons' own words too.
LEVEL_WORDS: dict[int, tuple[str, ...]] = {
    1: ("nuevo", "nueva", "nouveau", "nouvelle", "new", "nada", "nothing", "rien", "cero", "zero", "ninguno",
        "ninguna", "para nada", "pas du tout", "not at all", "none", "muy poco", "tres peu", "very little",
        "casi nada", "presque rien", "hardly", "jamais", "nunca", "never", "aucune", "novata", "novice"),
    2: ("un poco", "poco", "poquito", "un peu", "peu", "a little", "little", "a bit", "bit", "basico", "basica",
        "basic", "debutante", "beginner", "algo", "no mucho", "pas beaucoup", "not much", "pas trop",
        "not really", "no tanto"),
    3: ("me defiendo", "defiendo", "ca va", "i manage", "manage", "regular", "mas o menos", "moyen",
        "moyennement", "average", "so so", "comme ci comme ca", "normal", "medio", "intermedio",
        "intermediate", "bof"),
    4: ("con soltura", "soltura", "a laise", "laise", "confident", "confiante", "confiant",
        "comfortable", "comoda", "comodo",
        "bien", "bastante", "bastante bien",
        "assez bien", "plutot bien", "good", "quite good", "pretty good", "well", "fairly", "avanzada",
        "avance", "avancee", "advanced"),
    5: ("experta", "experto", "experte", "expert", "mucho", "muchisimo", "beaucoup", "a lot", "lots", "very well",
        "muy bien", "tres bien", "tres bon", "podria ensenarlo", "je pourrais lenseigner", "i could teach it",
        "domino", "master", "maitrise", "excellent", "excelente"),
}  # fmt: skip
# "I don't know what that is": the area is new to her.
UNKNOWN_WORDS = (
    "no se", "no lo se", "ni idea", "no tengo idea", "no conozco", "no lo conozco", "que es eso", "no entiendo",
    "je sais pas", "je ne sais pas", "jsais pas", "chais pas", "aucune idee", "je connais pas", "je ne connais pas",
    "cest quoi", "i dont know", "i do not know", "dont know", "idk", "no idea", "never heard", "what is that",
    "jamais entendu", "nunca escuche", "nunca he oido",
)  # fmt: skip
NUMBER_WORDS = {
    1: ("uno", "una", "un", "une", "one"), 2: ("dos", "deux", "two"), 3: ("tres", "trois", "three"),
    4: ("cuatro", "quatre", "four"), 5: ("cinco", "cinq", "five"),
}  # fmt: skip
MAX_WORDS = 8  # longer messages are questions, not ratings
MAX_OTHER_WORDS = 3  # "pues la verdad poco" is a rating; "how do I manage my cash flow" a question
_SIMILARITY = 80  # a word of five letters or more with one typo ("expret") still names its level
_FUZZY_MIN = 5


@dataclass(frozen=True)
class Rating:
    level: int
    unknown: bool = False  # she said she does not know the area: noted as the lowest level


def _words(text: str) -> list[str]:
    return [re.sub(r"(.)\1{2,}", r"\1", w) for w in re.findall(r"[a-z0-9]+", normalise(text))]


def _found(words: list[str], phrase: str) -> int:
    """2 when `phrase` is among her words as it is, 1 when (five letters and more) with a small typo, else 0."""
    size = len(phrase.split())
    windows = [" ".join(words[start : start + size]) for start in range(len(words) - size + 1)]
    if phrase in windows:
        return 2
    if len(phrase) >= _FUZZY_MIN and any(fuzz.ratio(w, phrase) >= _SIMILARITY for w in windows):
        return 1
    return 0


def read_rating(text: str) -> Rating | None:
    """The level 1-5 she meant, or None when the text names no level or several."""
    words = _words(text)
    if not words or len(words) > MAX_WORDS:
        return None
    digits = {int(w) for w in words if w.isdigit()}
    if digits:  # "2", "2 · un poco", "4/5": one digit from 1 to 5 and nothing else numeric
        out_of = len(words) >= 2 and words[-1] == "5" and len(digits) == 2
        digits -= {5} if out_of else set()
        return Rating(digits.pop()) if len(digits) == 1 and 1 <= next(iter(digits)) <= 5 else None
    if len(words) == 1:
        for level, names in NUMBER_WORDS.items():
            if words[0] in names:
                return Rating(level)
    if any(_found(words, p) for p in UNKNOWN_WORDS):
        return Rating(1, unknown=True)
    if "?" in text:  # a question about the area, answered before the rating is asked again
        return None
    # the phrase found as typed, then the longest, decides: "no mucho" (2) over "mucho" (5), "un poco" (2) over
    # "muy poco" (1) with a typo
    best: tuple[tuple[int, int], set[int]] = ((0, 0), set())
    for level, phrases in LEVEL_WORDS.items():
        for phrase in phrases:
            if how := _found(words, phrase):
                rank = (how, len(phrase.split()))
                if rank > best[0]:
                    best = (rank, {level})
                elif rank == best[0]:
                    best[1].add(level)
    if len(best[1]) != 1 or len(words) - best[0][1] > MAX_OTHER_WORDS:
        return None
    return Rating(best[1].pop())
