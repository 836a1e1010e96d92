"""The default composer: extractive, no model download, no key.

It takes the sentences of the retrieved chunks that best support an answer, scored by the chunk's fused
retrieval score (lexical and embedding evidence) and by how many of the question's terms the sentence
holds, drops near-duplicates, keeps the answer short enough for a phone, and cites each sentence [n].
Chunks in the asker's language are preferred; when the only evidence is in another language, the
answer says so in the asker's language and quotes it.
"""

from __future__ import annotations

import re

from assistant.answering.types import Citation, Draft
from assistant.phrases import language_label, phrase
from assistant.retrieval.search import SearchHit
from assistant.text import analyze

_SENTENCE = re.compile(r"(?<=[.!?])\s+(?=[\"«¿¡(A-ZÀ-ÖØ-Þ0-9])|\n+")
_BULLET = re.compile(r"^\s*(?:[-*•]|\d+[.)])\s+")
MAX_CHUNKS = 4
RELATIVE_FLOOR = 0.5  # a chunk scoring under half the best hit is not evidence
SNIPPET_CHARS = 200


def split_sentences(text: str) -> list[str]:
    """Sentences; a line ending in ':' keeps the bullet list that follows it ("7 countries: A; B; C")."""
    out: list[str] = []
    open_list = False
    for line in text.splitlines():
        stripped = line.strip()
        if not stripped:
            open_list = False
            continue
        if _BULLET.match(line) and open_list and out:
            item = _BULLET.sub("", stripped).rstrip(".;")
            out[-1] = f"{out[-1]} {item}" if out[-1].endswith(":") else f"{out[-1]}; {item}"
            continue
        for part in _SENTENCE.split(_BULLET.sub("", stripped)):
            if len(part.strip()) > 2:
                out.append(part.strip())
        open_list = bool(out) and out[-1].endswith(":")
    return out


def _jaccard(a: set[str], b: set[str]) -> float:
    return len(a & b) / len(a | b) if a and b else 0.0


class ExtractiveComposer:
    name = "extractive"

    def __init__(self, max_chars: int = 600) -> None:
        self.max_chars = max_chars

    def compose(self, question: str, language: str, hits: list[SearchHit]) -> Draft:
        best = max((h.score for h in hits), default=0.0)
        useful = [h for h in hits if h.score > 0 and h.score >= RELATIVE_FLOOR * best]
        # The asker's language is preferred only where it has a competitive hit; otherwise quote the others.
        same = [h for h in useful if h.chunk.lang == language]
        evidence = (same or useful)[:MAX_CHUNKS]
        top = max((h.score for h in evidence), default=1.0) or 1.0
        candidates = []
        for rank, hit in enumerate(evidence):
            terms = set(analyze(question, hit.chunk.lang))
            for position, sentence in enumerate(split_sentences(hit.chunk.text)):
                words = set(analyze(sentence, hit.chunk.lang))
                coverage = len(terms & words) / len(terms) if terms else 0.0
                score = 0.55 * (hit.score / top) + 0.45 * coverage - 0.02 * position - 0.03 * rank
                candidates.append((score, rank, position, sentence, words))
        candidates.sort(key=lambda c: -c[0])
        chosen: list[tuple[int, int, str]] = []
        chosen_words: list[set[str]] = []
        length = 0
        for score, rank, position, sentence, words in candidates:
            if any(_jaccard(words, other) > 0.6 for other in chosen_words):
                continue
            if chosen and length + len(sentence) + 5 > self.max_chars:
                continue
            chosen.append((rank, position, sentence))
            chosen_words.append(words)
            length += len(sentence) + 5
            if length >= self.max_chars * 0.8 or (chosen and score < candidates[0][0] * 0.5):
                break
        chosen.sort()
        numbers: dict[int, int] = {}
        citations: list[Citation] = []
        pieces = []
        for rank, _, sentence in chosen:
            if rank not in numbers:
                numbers[rank] = len(numbers) + 1
                citations.append(citation(numbers[rank], evidence[rank]))
            if len(sentence) > self.max_chars:
                sentence = sentence[: self.max_chars].rsplit(" ", 1)[0] + "…"
            pieces.append(f"{sentence} [{numbers[rank]}]")
        text = " ".join(pieces)
        if not same and evidence:
            others = sorted({h.chunk.lang for h in evidence})
            label = ", ".join(language_label(code, language) for code in others)
            text = f"{phrase('only_other_language', language, languages=label)}\n{text}"
        return Draft(text=text, citations=citations, composer=self.name)


def citation(n: int, hit: SearchHit) -> Citation:
    text = " ".join(hit.chunk.text.split())
    snippet = text if len(text) <= SNIPPET_CHARS else text[:SNIPPET_CHARS].rsplit(" ", 1)[0] + "…"
    return Citation(n, hit.chunk.doc_id, hit.chunk.chunk_id, hit.chunk.title, hit.chunk.lang, snippet)
