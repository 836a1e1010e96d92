"""Text analysis for lexical search: per-language tokenising, stop words, Snowball stemming, accent folding.

`analyze(text, lang)` turns text into the terms BM25 indexes. Stemming runs on the accented word (the
Snowball rules expect it), then accents are folded, so "crédito", "credito" and "créditos" meet.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

import Stemmer
from bm25s.stopwords import STOPWORDS_EN_PLUS, STOPWORDS_FRENCH, STOPWORDS_SPANISH

_STEMMER_NAMES = {"fr": "french", "es": "spanish", "en": "english"}
_STOPWORDS = {"fr": STOPWORDS_FRENCH, "es": STOPWORDS_SPANISH, "en": STOPWORDS_EN_PLUS}
_TOKEN = re.compile(r"\w+", re.UNICODE)
# Elisions ("l'entreprise", "d'affaires") split off their article.
_ELISION = re.compile(r"\b(?:[cdjlmnst]|qu|jusqu|lorsqu|puisqu)['’]", re.IGNORECASE)


def fold_accents(text: str) -> str:
    """'Côte d’Ivoire' -> 'Cote d’Ivoire'."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def slugify(text: str, max_length: int = 60) -> str:
    """A readable ASCII slug: 'Avant la réunion !' -> 'avant-la-reunion'."""
    slug = re.sub(r"[^a-z0-9]+", "-", fold_accents(text).lower()).strip("-")
    return slug[:max_length].rstrip("-") or "section"


@lru_cache(maxsize=4)
def _stemmer(lang: str) -> Stemmer.Stemmer:
    return Stemmer.Stemmer(_STEMMER_NAMES.get(lang, "english"))


@lru_cache(maxsize=4)
def _folded_stopwords(lang: str) -> frozenset[str]:
    return frozenset(fold_accents(w.lower()) for w in _STOPWORDS.get(lang, STOPWORDS_EN_PLUS))


def stop_words(lang: str) -> frozenset[str]:
    """`lang`'s stop words, lower-cased and accent-folded."""
    return _folded_stopwords(lang)


def tokenize(text: str) -> list[str]:
    """Lower-cased word tokens, elided articles removed."""
    text = _ELISION.sub(" ", unicodedata.normalize("NFC", text).lower())
    return _TOKEN.findall(text)


def analyze(text: str, lang: str) -> list[str]:
    """Terms for BM25: tokens minus stop words, stemmed for `lang`, accents folded."""
    stop = _folded_stopwords(lang)
    words = [w for w in tokenize(text) if fold_accents(w) not in stop and (len(w) > 1 or w.isdigit())]
    return [fold_accents(stem) for stem in _stemmer(lang).stemWords(words)]
