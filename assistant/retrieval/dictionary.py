"""Whether a word is a word of the language: typo correction must not turn a real word into a guide's word.

A query word the guides never use is corrected to the closest indexed term (one or two edits), so "deleguer"
finds "déléguer" and "prestmo" finds "préstamo". Applied to a real word the guides simply do not use, the same
correction invents a match: "il va pleuvoir demain à Abidjan ?" became "pouvoir" and "semaine", and the
Côte d'Ivoire guide was quoted about the weather. A word of the language's dictionary (pyspellchecker's word
lists, built from subtitles and kept offline in the package) is left as it is: a word the guides do not use,
which the evidence counts as missing. The lists leave out some common words ("papeles"); those are corrected
as before.
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
