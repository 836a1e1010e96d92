"""What the guides write: their whole text folded (to tell a place they name from one they never do), and the
words of a message that no guide uses in any language (a thing she names that the guides cannot know)."""

from __future__ import annotations

from assistant.retrieval.dictionary import is_word
from assistant.retrieval.places import folded
from assistant.text import analyze, tokenize

_WRITTEN: list[tuple[object, int, str]] = []  # (the index, its number of chunks, their text folded)


def written(index) -> str:
    """Every guide's text, folded: made again when the index or its chunks change."""
    if not _WRITTEN or _WRITTEN[0][0] is not index or _WRITTEN[0][1] != len(index.chunks):
        text = folded(" ".join(f"{c.title} {c.heading} {c.text}" for c in index.chunks))
        _WRITTEN[:] = [(index, len(index.chunks), text)]
    return _WRITTEN[0][2]


# Words of chat that no guide writes and that name nothing ("ok", "ça", "pa" for "para").
CHAT_WORDS = frozenset({"ok", "okay", "oki", "okey", "ça", "ca", "pa", "pues", "bueno", "alors", "bon", "so", "po"})


def unknown_terms(text: str, language: str, retriever) -> list[str]:
    """The terms of `text` (typo-corrected; words that only frame a question left out: "tu peux me donner...")
    that no guide uses, in her language or any other: a thing named ("Wave", "Tigo"), not a word of her
    language the guides happen not to use ("y cómo se lo digo sin que se enoje", "ok et ça dure combien")."""
    vocabularies = {lang: entry[0].vocab_dict for lang, entry in retriever.index.bm25.items()}
    ordinary = {t for w in tokenize(text) if w in CHAT_WORDS or is_word(w, language) for t in analyze(w, language)}
    unknown = []
    for term in retriever.asked_terms(text, language):
        if term.isdigit() or term in vocabularies.get(language, {}) or term in ordinary:
            continue
        if not any(
            lang != language and all(t in vocab for t in retriever.query_terms(term, lang))
            for lang, vocab in vocabularies.items()
        ):
            unknown.append(term)
    return unknown
