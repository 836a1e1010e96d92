"""Mixed-language messages: "necesito help con mi pricing", "je veux vendre online, any tips?".

A word of her message that her language's guides never use but another language's guides do ("pricing" in a
Spanish message: the English guides say "price") is a word of that other language. Such a message is also
searched in that language (`foreign_languages`), and its evidence counts a word as found when the guides of
the word's own language hold it (`mixed_coverage`), so switching languages mid-sentence does not make a guide
that answers look like it does not. She is answered in her language, from her language's guides first.
"""

from __future__ import annotations

from assistant.retrieval.search import SearchHit
from assistant.text import analyze, tokenize

MIN_FOREIGN_WORDS = 1


def _vocab(index, lang: str):
    entry = index.bm25.get(lang)
    return entry[0].vocab_dict if entry else {}


def foreign_words(text: str, lang: str, index) -> dict[str, list[str]]:
    """other language -> the words of `text` only that language's guides use (stop words of hers left out)."""
    mine = _vocab(index, lang)
    out: dict[str, list[str]] = {}
    for word in dict.fromkeys(tokenize(text)):
        stems = analyze(word, lang)
        if not stems or all(s in mine for s in stems) or word.isdigit():
            continue
        for other in index.bm25:
            if other == lang:
                continue
            theirs = _vocab(index, other)
            other_stems = analyze(word, other)
            if other_stems and all(s in theirs for s in other_stems):
                out.setdefault(other, []).append(word)
                break
    return {k: v for k, v in out.items() if len(v) >= MIN_FOREIGN_WORDS}


def mixed_coverage(text: str, lang: str, hits: list[SearchHit], weights) -> float:
    """Share of the message's words (IDF-weighted in her language) found in the top hits of the word's language:
    her words in her language's hits, a foreign word in its own language's hits."""
    found: dict[str, set[str]] = {}
    for hit in hits:
        found.setdefault(hit.chunk.lang, set()).update(
            analyze(f"{hit.chunk.title} {hit.chunk.heading} {hit.chunk.text}", hit.chunk.lang)
        )
    total = covered = 0.0
    for word in dict.fromkeys(tokenize(text)):
        stems = analyze(word, lang)
        if not stems:
            continue
        weight = max(weights(lang, stems)) if weights else 1.0
        total += weight
        if any(set(analyze(word, other)) <= terms and analyze(word, other) for other, terms in found.items()):
            covered += weight
    return covered / total if total else 0.0
