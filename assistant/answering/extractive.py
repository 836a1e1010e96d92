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
# Questions whose answer is a number, a date, a time or a duration: sentences with figures get a bonus.
_QUANTITY = re.compile(
    r"\b(?:how (?:many|much|long|early|often|old)|what (?:percent|year|time|date)|when|until|"
    r"combien|quand|pourcentage|quelle (?:heure|date|durée|annee|année)|jusqu|depuis|"
    r"cu[aá]nt[oa]s?|cu[aá]ndo|porcentaje|qu[eé] hora|hasta)\b",
    re.IGNORECASE,
)
_FIGURE = re.compile(r"\d")
QUANTITY_BONUS = 0.15
# Sentences that describe the guide ("This guide explains...") or ask a question answer nothing.
_META = re.compile(r"^(?:this guide|these guides|ce guide|cette fiche|esta gu[ií]a|este documento)\b", re.IGNORECASE)
UNHELPFUL_PENALTY = 0.2
DIVERSITY = 0.1
CHUNK_WEIGHT = 0.45  # a sentence's score: this much its chunk's retrieval score, the rest its own term coverage
MAX_CHUNKS = 4
RELATIVE_FLOOR = 0.5  # a chunk scoring under half the best hit is not evidence
SNIPPET_CHARS = 200
LIST_CHARS = 220  # a list longer than this is split into one sentence per item


def split_sentences(text: str) -> list[str]:
    """Sentences. A line ending in ':' keeps the bullet list that follows it: a short list stays one
    sentence ("7 countries: A; B; C"); items of a long one become sentences of their own, each after
    the lead-in ("Four targets: 150 local partner organisations"), so one item can answer alone."""
    out: list[str] = []
    lead: str | None = None  # the "...:" sentence whose bullets are being collected
    items: list[str] = []

    def close_list() -> None:
        nonlocal lead, items
        if lead is not None:
            joined = f"{lead} {'; '.join(items)}" if items else lead
            if len(joined) <= LIST_CHARS or not items:
                out.append(joined)
            else:
                out.extend(f"{lead} {item}" for item in items)
        lead, items = None, []

    for line in text.splitlines():
        stripped = line.strip()
        if not stripped:
            continue  # a blank line between "...:" and its bullets keeps the list open
        if stripped.startswith("#"):
            close_list()
            continue  # a Markdown heading names a section; it answers nothing
        if _BULLET.match(line) and lead is not None:
            items.append(_BULLET.sub("", stripped).rstrip(" .;"))
            continue
        close_list()
        before = len(out)
        for part in _SENTENCE.split(_BULLET.sub("", stripped)):
            if len(part.strip()) > 2:
                out.append(part.strip())
        if len(out) > before and out[-1].endswith(":"):  # only this line's last sentence can lead a list
            lead = out.pop()
    close_list()
    return out


def _jaccard(a: set[str], b: set[str]) -> float:
    return len(a & b) / len(a | b) if a and b else 0.0


class ExtractiveComposer:
    name = "extractive"

    def __init__(self, max_chars: int = 600) -> None:
        self.max_chars = max_chars

    def compose(self, question: str, language: str, hits: list[SearchHit], terms_of=None, weights=None) -> Draft:
        """`terms_of(question, lang)` analyses the question (the retriever's, with typo correction);
        `weights(lang, terms)` gives each term's importance (IDF), so rare question words count most."""
        best = max((h.score for h in hits), default=0.0)
        useful = [h for h in hits if h.score > 0 and h.score >= RELATIVE_FLOOR * best]
        # The asker's language is preferred only where it has a competitive hit; otherwise quote the others.
        same = [h for h in useful if h.chunk.lang == language]
        evidence = (same or useful)[:MAX_CHUNKS]
        candidates = _candidates(question, evidence, terms_of or analyze, weights)
        chosen = self._choose(candidates, evidence)
        text, citations = self._render(chosen, evidence)
        if not same and evidence:
            others = sorted({h.chunk.lang for h in evidence})
            label = ", ".join(language_label(code, language) for code in others)
            text = f"{phrase('only_other_language', language, languages=label)}\n{text}"
        return Draft(text=text, citations=citations, composer=self.name)

    def _choose(self, candidates: list[tuple], evidence: list[SearchHit]) -> list[tuple[int, int, str]]:
        """The best sentences within the length budget, near-duplicates dropped, in guide order."""
        candidates.sort(key=lambda c: -c[0])
        best_score = candidates[0][0] if candidates else 0.0
        chosen: list[tuple[int, int, str]] = []
        chosen_words: list[set[str]] = []
        length = 0
        while candidates:
            # Sentences from a guide already quoted lose a little, so a second guide that also answers
            # gets its turn (the asker sees both sources) before a third sentence of the first.
            quoted = {evidence[r].chunk.doc_id for r, _, _ in chosen}

            def adjusted(j: int, quoted=quoted) -> float:
                return candidates[j][0] - (DIVERSITY if evidence[candidates[j][1]].chunk.doc_id in quoted else 0.0)

            pick = max(range(len(candidates)), key=adjusted)
            score, rank, position, sentence, words = candidates.pop(pick)
            if any(_jaccard(words, other) > 0.6 for other in chosen_words):
                continue
            if chosen and length + len(sentence) + 5 > self.max_chars:
                continue
            chosen.append((rank, position, sentence))
            chosen_words.append(words)
            length += len(sentence) + 5
            if length >= self.max_chars * 0.8 or (chosen and score < best_score * 0.5):
                break
        chosen.sort()
        return chosen

    def _render(self, chosen: list[tuple[int, int, str]], evidence: list[SearchHit]) -> tuple[str, list[Citation]]:
        """The chosen sentences with their source numbers, and one citation per quoted chunk."""
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
        return " ".join(pieces), citations


def _candidates(question: str, evidence: list[SearchHit], terms_of, weights) -> list[tuple]:
    """Every sentence of the evidence scored by its chunk's rank and how much of the question it covers."""
    wants_figure = bool(_QUANTITY.search(question))
    top = max((h.score for h in evidence), default=1.0) or 1.0
    candidates = []
    for rank, hit in enumerate(evidence):
        terms = sorted(set(terms_of(question, hit.chunk.lang)))
        weight = dict(zip(terms, weights(hit.chunk.lang, terms) if weights else [1.0] * len(terms), strict=True))
        total = sum(weight.values()) or 1.0
        for position, sentence in enumerate(split_sentences(hit.chunk.text)):
            words = set(analyze(sentence, hit.chunk.lang))
            coverage = sum(w for t, w in weight.items() if t in words) / total
            score = CHUNK_WEIGHT * (hit.score / top) + (1 - CHUNK_WEIGHT) * coverage - 0.02 * position - 0.03 * rank
            if wants_figure and _FIGURE.search(sentence):
                score += QUANTITY_BONUS
            if _META.match(sentence) or sentence.endswith("?"):
                score -= UNHELPFUL_PENALTY
            candidates.append((score, rank, position, sentence, words))
    return candidates


def citation(n: int, hit: SearchHit) -> Citation:
    text = " ".join(hit.chunk.text.split())
    snippet = text if len(text) <= SNIPPET_CHARS else text[:SNIPPET_CHARS].rsplit(" ", 1)[0] + "…"
    return Citation(n, hit.chunk.doc_id, hit.chunk.chunk_id, hit.chunk.title, hit.chunk.lang, snippet)
