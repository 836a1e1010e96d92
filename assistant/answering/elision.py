"""French typed without its apostrophes: "combien dheures", "latelier", "cest quoi", "jusqua quand", "quil".

Chat drops the apostrophe of an elided article or pronoun, and the word then matches nothing: "dheures" is no
"heures", "cest quoi une OSIM" does not ask what something is. A token that is no French word, that starts with
an elided word ("c", "d", "j", "l", "m", "n", "s", "t", "qu", "jusqu") before a vowel or an h, and whose rest is
a French word, gets its apostrophe back ("d'heures", "l'atelier", "c'est", "jusqu'a", "qu'il"). A real word is
left as it is ("dune", "lavage"), and so is a name whose rest is no word ("Dakar") or that names a programme
place ("Thies", Thiès: "hies" is a word, and "t'hies" had made her tontine question lose its town).
"""

from __future__ import annotations

from functools import lru_cache

from assistant.memory import ENTITIES
from assistant.retrieval.dictionary import listed
from assistant.text import fold_accents

ELIDED = ("jusqu", "qu", "c", "d", "j", "l", "m", "n", "s", "t")
_VOWELS = frozenset("aeiouyhàâäéèêëîïôöùûü")
MIN_REST = 2  # "lon" is "l'on"; "qua" is left alone (only "jusqu" elides before a one-letter word: "jusqua")


@lru_cache(maxsize=1)
def _places() -> frozenset[str]:
    return frozenset(fold_accents(n.lower()) for names in ENTITIES["country"].values() for n in names)


def restore(token: str) -> str:
    """`token` with its elided word's apostrophe put back, or as it is."""
    low = token.lower()
    if len(low) < 3 or not low.isalpha() or listed(low, "fr") or fold_accents(low) in _places():
        return token
    for head in ELIDED:
        rest = low[len(head) :]
        shortest = 1 if head == "jusqu" else MIN_REST
        if low.startswith(head) and len(rest) >= shortest and rest[0] in _VOWELS and listed(rest, "fr"):
            return f"{token[: len(head)]}'{token[len(head) :]}"
    return token
