"""An answer's quoted pieces, rendered: each closed by its guide's [n] marker, each guide cited once."""

from __future__ import annotations

from assistant.answering.types import Citation
from assistant.retrieval.search import SearchHit

SNIPPET_CHARS = 200


def render(quoted: list[tuple[SearchHit, list[str]]]) -> tuple[str, list[Citation]]:
    """Each guide's pieces with its number; one citation per guide, with the section's title."""
    citations: list[Citation] = []
    numbers: dict[str, int] = {}
    out = []
    for hit, pieces in quoted:
        doc = hit.chunk.doc_id
        if doc not in numbers:
            numbers[doc] = len(numbers) + 1
            citations.append(citation(numbers[doc], hit))
        out.extend(f"{_closed(piece)} [{numbers[doc]}]" for piece in pieces)
    return " ".join(out), citations


def _closed(piece: str) -> str:
    """A quoted list ends as a sentence does: its items lost their own "." ("...; 13 en hiver." before [1])."""
    return piece if piece.endswith((".", "!", "?", "…", ":", ";", "»", '"', ")")) else f"{piece}."


def citation(n: int, hit: SearchHit) -> Citation:
    text = " ".join(hit.chunk.text.split())
    snippet = text if len(text) <= SNIPPET_CHARS else text[:SNIPPET_CHARS].rsplit(" ", 1)[0] + "…"
    heading = hit.chunk.heading
    title = hit.chunk.title if not heading or heading == hit.chunk.title else f"{hit.chunk.title} — {heading}"
    return Citation(n, hit.chunk.doc_id, hit.chunk.chunk_id, title, hit.chunk.lang, snippet)
