"""The same section in her language: every guide has the same sections, in the same order, in each language.

A question written in one language while she reads another (she chose French in the web chat, then typed her
question in Spanish) finds the Spanish guide's sections: its words are Spanish. Quoting them under a French note
that "the guide on this exists only in Spanish" was false: the French guide has the same section. So a hit in
another language whose guide exists in hers is read as her guide's section at the same position (its first
chunk), with the same scores; a guide that does not exist in her language stays as it was found, and the
answer says so.
"""

from __future__ import annotations

from dataclasses import replace

from assistant.retrieval.search import SearchHit

_SECTIONS: list[tuple[object, int, dict]] = []  # (the index, its number of chunks, doc_key -> [(heading, chunk)])


def sections_of(index) -> dict:
    """doc_key -> its sections in order, each (heading, first chunk); made again when the index changes."""
    if not _SECTIONS or _SECTIONS[0][0] is not index or _SECTIONS[0][1] != len(index.chunks):
        sections: dict[str, list] = {}
        for chunk in index.chunks:
            found = sections.setdefault(chunk.doc_key, [])
            if not found or found[-1][0] != chunk.heading:
                found.append((chunk.heading, chunk))
        _SECTIONS[:] = [(index, len(index.chunks), sections)]
    return _SECTIONS[0][2]


def in_her_language(hits: list[SearchHit], language: str, index) -> list[SearchHit]:
    """`hits`, each one in another language replaced by its guide's section at the same position in `language`
    when that guide exists in it (the same section met twice kept once, at its best rank)."""
    sections = sections_of(index)
    out: list[SearchHit] = []
    kept: set[str] = set()
    for hit in hits:
        chunk = hit.chunk
        if chunk.lang != language:
            theirs, hers = sections.get(chunk.doc_key, []), sections.get(f"{chunk.doc_id}.{language}", [])
            position = next((n for n, (heading, _) in enumerate(theirs) if heading == chunk.heading), None)
            if position is not None and len(hers) == len(theirs):
                hit = replace(hit, chunk=hers[position][1])
        if hit.chunk.chunk_id not in kept:
            kept.add(hit.chunk.chunk_id)
            out.append(hit)
    return out
