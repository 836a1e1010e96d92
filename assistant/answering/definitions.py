"""A question asking what something is gets the section that says so, even when retrieval ranked it low.

"q es la mentoria reciproca" searched "mentoria reciproca", which every section of that guide (and a money
section of another: "La mentoría recíproca es un intercambio… no de dinero") holds: the section "Qué es la
mentoría recíproca" came tenth, out of the passages the answer is made from, and the money sentence was
quoted. The ranking already prefers a section that says what her subject is (`ranking.defines`: a heading
"What X is", "Qu'est-ce que X", "Qué es X" whose X she names); this puts that section among the candidates
when none of them is one. When several headings qualify ("Qué significa la mentoría" for "mentoría"), the one
that names most of her words is taken. Her language's guides only, a section's first chunk only.
"""

from __future__ import annotations

from assistant.answering.ranking import asks_meaning, defined_words
from assistant.retrieval.search import SearchHit


def with_definition(question: str, language: str, hits: list[SearchHit], index, terms_of) -> list[SearchHit]:
    """`hits`, with the section saying what her subject is put second when she asks what it is and no
    hit is such a section naming as many of her words ("Qué significa la mentoría" for "q significa mentoria
    reciproca" gives way to "Qué es la mentoría recíproca"); `terms_of(question, lang)` analyses her question
    as retrieval does."""
    if not hits or not asks_meaning(question):
        return hits
    terms = set(terms_of(question, language))
    # A hit that already says what her subject is, naming as many of her words as any section does, stays.
    named = max((defined_words(h.chunk.heading, language, terms) for h in hits if h.chunk.lang == language), default=0)
    best = None
    for chunk in index.chunks:
        if chunk.lang != language or not chunk.chunk_id.endswith("-1"):
            continue
        count = defined_words(chunk.heading, language, terms)
        if count > named:
            best, named = chunk, count
    if best is None:
        return hits
    top = hits[0]  # second in line, so that it is among the few passages an answer is made from
    return [top, SearchHit(rank=2, chunk=best, score=top.score, bm25=0.0, dense=top.dense), *hits[1:]]
