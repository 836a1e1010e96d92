"""Search highlighting for the console: the words of a result that match the query's terms (case, accents
and inflection ignored) are wrapped in `<mark>`, in an escaped snippet around the first match."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from markupsafe import Markup, escape

from assistant import Retriever, SearchHit, analyze, fold_accents

SNIPPET_CHARS = 320
_WORD = re.compile(r"\w+", re.UNICODE)


@lru_cache(maxsize=65536)
def _word_keys(word: str, lang: str) -> frozenset[str]:
    """What a word is matched on: its analysed term, with and without accents (stop words have none)."""
    return frozenset(analyze(word, lang) + analyze(fold_accents(word), lang))


class Highlighter:
    """Marks the words of a text that match the query's terms (case, accents and inflection ignored)."""

    def __init__(self, retriever: Retriever, query: str) -> None:
        self.retriever = retriever
        self.query = query
        self._terms: dict[str, frozenset[str]] = {}

    def terms(self, lang: str) -> frozenset[str]:
        if lang not in self._terms:
            words = set(self.retriever.query_terms(self.query, lang))  # typo-corrected, as the search did
            for word in _WORD.findall(self.query):
                words |= _word_keys(word.lower(), lang)
            self._terms[lang] = frozenset(words)
        return self._terms[lang]

    def matches(self, word: str, lang: str) -> bool:
        return bool(_word_keys(word.lower(), lang) & self.terms(lang))

    def snippet(self, text: str, lang: str, length: int = SNIPPET_CHARS) -> Markup:
        """About `length` characters around the first match, HTML-escaped, matches wrapped in <mark>."""
        text = " ".join(text.split())
        words = list(_WORD.finditer(text))
        first = next((m.start() for m in words if self.matches(m.group(), lang)), 0)
        start = 0 if first < length // 3 else _word_start(text, first - length // 3)
        end = min(len(text), start + length)
        if end < len(text):
            end = max(text.rfind(" ", start, end), start + length // 2)
        out: list[Markup] = [Markup("…") if start > 0 else Markup("")]
        position = start
        for match in _WORD.finditer(text, start, end):
            out.append(escape(text[position : match.start()]))
            word = match.group()
            out.append(Markup("<mark>{}</mark>").format(word) if self.matches(word, lang) else escape(word))
            position = match.end()
        out.append(escape(text[position:end]))
        if end < len(text):
            out.append(Markup("…"))
        return Markup("").join(out)


def _word_start(text: str, index: int) -> int:
    space = text.rfind(" ", 0, index)
    return space + 1 if space >= 0 else 0


@dataclass(slots=True)
class ResultView:
    rank: int
    doc_id: str
    title: str
    heading: str
    language: str
    score: float
    snippet: Markup


def result_views(retriever: Retriever, query: str, hits: list[SearchHit]) -> list[ResultView]:
    highlighter = Highlighter(retriever, query)
    return [
        ResultView(
            hit.rank,
            hit.chunk.doc_id,
            hit.chunk.title,
            hit.chunk.heading,
            hit.chunk.lang,
            round(hit.score, 3),
            highlighter.snippet(hit.chunk.text, hit.chunk.lang),
        )
        for hit in hits
    ]
