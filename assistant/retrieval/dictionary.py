"""Whether a word is a word of the language (pyspellchecker's word lists for fr/es/en, offline in the package).

A Spanish diminutive the guides do not use is read as the word it was made from ("prestamito" -> "préstamo",
assistant/retrieval/variants.py), but a real word that only ends like one is not ("visita" is no "visa").

Tried and not kept: leaving such a real word out of typo correction. Correction turns a real word the guides
do not use into one they do ("il va pleuvoir demain à Abidjan ?" became "pouvoir" and "semaine", and the Côte
d'Ivoire guide was quoted about the weather). Left alone, it also let one clean-set unanswerable question
through ("...jai deposer le dossier lundi": its two clauses were then measured apart), under the CI bound on
abstention, while the realistic test split did not move. The lists leave out some common words ("papeles").
"""

from __future__ import annotations

from functools import lru_cache

from spellchecker import SpellChecker

from assistant.text import fold_accents

MIN_LENGTH = 4  # shorter words are SMS spellings and abbreviations as often as words ("c", "pr", "jai")


@lru_cache(maxsize=4)
def _words(lang: str) -> frozenset[str]:
    """The language's words, also without their accents (people type "decalage", "despues")."""
    try:
        checker = SpellChecker(language=lang, distance=1)
    except ValueError:  # a language without a word list: nothing is known, correction as before
        return frozenset()
    words = set(checker.word_frequency.keys())
    return frozenset(words | {fold_accents(w) for w in words})


def is_word(word: str, lang: str) -> bool:
    """Whether `word` (as typed, any case) is a word of `lang` long enough to be told from a typo."""
    return len(word) >= MIN_LENGTH and word.lower() in _words(lang)


def listed(word: str, lang: str) -> bool:
    """Whether `word` is in `lang`'s word list, however short ("est", "on"): for a word's parts, not a typo."""
    return word.lower() in _words(lang)
