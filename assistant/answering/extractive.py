"""The default composer: extractive, passage first, no model download, no key.

An answer is the best passage of one guide, quoted whole and in order:

1. Each retrieved chunk is cut into blocks (assistant/answering/passages.py): sentences, and lists kept with
   their lead-in. A block scores by the question's terms it holds (each weighted by its IDF, the follow-up's
   own words counted three times), with a bonus for figures when the question asks "how many / when / combien /
   cuántos", and a penalty for questions and for lines that describe the guide ("This guide explains...").
   A guide's summary (the first paragraph under its title) is never quoted.
2. The passage: the best-ranked chunk (assistant/answering/ranking.py: its retrieval score, the share of the
   question's weight it covers, the question's phrases it holds in order, its closeness in meaning; a "Why..."
   section rises for a question asking why and falls otherwise, a "What X is" one rises when she asks what X
   is, a section of examples when she asks for examples; the best guide's other retrieved sections compete
   too). When the guide's summary ranks first, her question is about that guide as a whole: its other
   sections come before any other guide's. The answer starts at its first block that
   answers about as well as its best one, and goes on in the guide's order to the phone length
   (`max_chars`), cut at a list item or sentence boundary; a list keeps its lead-in once, with the items that
   fit (those holding the question's words first when not all fit).
3. A second guide is quoted (one block) only when it holds question terms the first passage lacks (a word that
   only frames the question, "comment", "necesito", never counts).
4. A follow-up does not get the passage it was just given again: blocks the previous answer quoted come last.
   When no other passage holds any of her words, the previous passage is quoted again (it said what she asks
   about: "and after it?" after a passage that ended on what to do after the fair), not an unrelated one.
5. Each guide is cited once, with its section's title; the [n] marker closes each quoted block.
6. When her question names something salient that neither the passage nor any other retrieved chunk speaks of
   ("the interest rate at BancoSol"), the answer ends saying it found nothing on that, in her words, and how to
   ask the team (assistant/answering/missing.py); the passage is trimmed to leave it room.

Chunks in the asker's language are preferred; when the only evidence is in another language, the answer
says so in the asker's language and quotes it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from itertools import pairwise

from assistant.answering.citing import render as _render
from assistant.answering.missing import missing_note
from assistant.answering.passages import Block, blocks, split_sentences
from assistant.answering.ranking import (
    MEANING_WORDS,
    Features,
    asks_examples,
    asks_meaning,
    defined_words,
    is_examples_heading,
    is_why_heading,
    pairs,
    phrase_share,
    rank,
)
from assistant.answering.types import Draft
from assistant.phrases import language_label, phrase
from assistant.retrieval.search import SearchHit
from assistant.retrieval.variants import is_frame, is_possessive
from assistant.text import analyze, tokenize

__all__ = ["ExtractiveComposer", "split_sentences"]

# Questions whose answer is a number, a date, a time or a duration: blocks with figures get a bonus.
_QUANTITY = re.compile(
    r"\b(?:how (?:many|much|long|early|often|old)|what (?:percent|year|time|date)|when|until|"
    r"combien|quand|pourcentage|quelle (?:heure|date|durée|annee|année)|jusqu|depuis|"
    r"cu[aá]nt[oa]s?|cu[aá]ndo|porcentaje|qu[eé] hora|hasta)\b",
    re.IGNORECASE,
)
_FIGURE = re.compile(r"\d")
QUANTITY_BONUS = 0.15
# Lines that describe the guide ("This guide explains...") answer nothing.
_META = re.compile(
    r"^(?:this guide|these guides|this page|ce guide|cette fiche|ces guides|esta gu[ií]a|este documento|"
    r"estas gu[ií]as)\b",
    re.IGNORECASE,
)
UNHELPFUL_PENALTY = 0.2
# A section that says why (its heading "Why...", "Pourquoi...", "Por qué...") answers a question asking why,
# not one asking how or what: a "how do we set goals" question gets the section that says how (ranking.py).
_WHY_QUESTION = re.compile(r"\b(?:why|pourquoi|por ?qu[eé]|xq|pq|pk|pcq|porq)\b", re.IGNORECASE)
MAX_CHUNKS = 4
RELATIVE_FLOOR = 0.5  # a chunk scoring under half the best hit is not evidence
START_SHARE = 0.8  # the answering block: the first scoring at least this share of the passage's best
LEAD_SHARE = 0.9  # the blocks before it are kept while they and it fill at most this share of the answer
SECOND_GAIN = 0.25  # a second guide must add this share of the question's weight the first lacks
POSSESSED_WEIGHT = 0.25  # her own thing ("ma boutique") counts this much; calibrated on the calibration split
FOCUS_WEIGHT = 3.0  # a follow-up's own words count this much more than the previous question's
SEEN_PENALTY = 1.0  # a block the previous answer quoted: after every other
MARKER = 5  # " [n]"


@dataclass(slots=True)
class _Scored:
    block: Block
    score: float
    terms: set[str]
    seen: bool = False


@dataclass(slots=True)
class _Candidate:
    """A chunk's blocks scored against the question, the question's term weights, and the chunk's features."""

    blocks: list[_Scored]
    weight: dict[str, float]
    total: float
    features: Features


def _block_score(block: Block, words: set[str], weight: dict[str, float], total: float, wants_figure: bool) -> float:
    score = sum(w for t, w in weight.items() if t in words) / total
    if wants_figure and _FIGURE.search(block.text()):
        score += QUANTITY_BONUS
    if _META.match(block.lead) or (not block.items and block.lead.endswith("?")):
        score -= UNHELPFUL_PENALTY
    return score


class ExtractiveComposer:
    name = "extractive"

    def __init__(self, max_chars: int = 600) -> None:
        self.max_chars = max_chars

    def compose(
        self,
        question: str,
        language: str,
        hits: list[SearchHit],
        terms_of=None,
        weights=None,
        focus: str | None = None,
        seen: str = "",
        asked: str | None = None,
        known=None,
    ) -> Draft:
        """`terms_of(question, lang)` analyses the question (the retriever's, with typo correction);
        `weights(lang, terms)` gives each term's importance (IDF); `focus`, a follow-up's own words, which
        weigh more than the rest of the question; `seen`, the answer she was just given: a follow-up asks
        for something else, so what it quoted is the last choice (and counts for nothing in a passage's score).
        `asked`, her question's own words (no greeting, no context; a follow-up's own words): what it names that
        no found text holds is said at the end (assistant/answering/missing.py), `known(word)` telling whether
        any guide uses a word."""
        terms_of = terms_of or analyze
        same, evidence = _evidence(hits, language)
        seen = " ".join(seen.split())
        quoted = self._quote(question, evidence, terms_of, weights, focus, seen, self.max_chars)
        if quoted is None:  # everything was quoted just before: say it again rather than nothing
            return self.compose(question, language, hits, terms_of, weights, focus, asked=asked, known=known)
        text, citations = _render(quoted)
        note = missing_note(asked, language, quoted, hits, terms_of, weights, known) if same else None
        if note and len(text) + len(note) + 2 > self.max_chars:  # the passage makes room for it
            quoted = _make_room(quoted, len(text) + len(note) + 2 - self.max_chars, question, terms_of, weights)
            if quoted is None:
                note = None  # one block fills the answer: the passage matters more
            else:
                text, citations = _render(quoted)
        if note:
            text = f"{text}\n\n{note}"
        if not same and evidence:
            others = sorted({h.chunk.lang for h in evidence})
            names = [language_label(code, language) for code in others]
            label = f"{', '.join(names[:-1])} {_AND[language]} {names[-1]}" if len(names) > 1 else names[0]
            text = f"{phrase('only_other_language', language, languages=label)}\n{text}"
        return Draft(text=text, citations=citations, composer=self.name)

    def _quote(
        self, question: str, bodies: list[SearchHit], terms_of, weights, focus: str | None, seen: str, budget: int
    ) -> list[tuple[SearchHit, list[str]]] | None:
        """The quoted pieces of each guide: the best chunk's passage, then maybe one block of a second guide;
        None when every block was quoted just before (`seen`)."""
        asks_why = bool(_WHY_QUESTION.search(question) or (focus and _WHY_QUESTION.search(focus)))
        scored = [self._score(question, focus, h, terms_of, weights, seen) for h in bodies]
        if not scored:
            return []
        meaning = asks_meaning(question) or bool(focus and asks_meaning(focus))
        examples = asks_examples(question) or bool(focus and asks_examples(focus))
        ranked = _rank(bodies, scored, asks_why, meaning, examples)
        top = bodies[ranked[0]]
        if _opens_guide(top) and not any(b.score > 0 for b in scored[ranked[0]].blocks):
            # The guide's summary matched best: she asks about that guide as a whole ("how do we end our
            # pairing?"). The summary is never quoted; the passage comes from that guide's other sections first.
            ranked = sorted(ranked, key=lambda i: bodies[i].chunk.doc_id != top.chunk.doc_id)
        first, pieces, used = ranked[0], [], 0
        for i in ranked:  # the best chunk with something not quoted just before
            if seen and not any(s.score > 0 for s in scored[i].blocks):
                continue  # a follow-up's new passage must say something of what she asks, else quote again
            pieces, used = self._passage(scored[i].blocks, budget, bodies[i].chunk.lang)
            if pieces:
                first = i
                break
        if not pieces and seen:
            return None
        quoted = [(bodies[first], pieces)]
        second = _second_guide(bodies, scored, ranked, first, bool(pieces), budget - used)
        if second is not None:
            quoted.append(second)
        return quoted

    @staticmethod
    def _score(question: str, focus: str | None, hit: SearchHit, terms_of, weights, seen: str = "") -> _Candidate:
        lang = hit.chunk.lang
        ordered = _without_meaning_words(terms_of(question, lang), question, focus, lang)
        terms = sorted(set(ordered))
        own = set(terms_of(focus, lang)) if focus else set()
        hers = _possessed(question, lang, terms_of) - own
        base = weights(lang, terms) if weights else [1.0] * len(terms)
        weight = {
            t: w * (FOCUS_WEIGHT if t in own else POSSESSED_WEIGHT if t in hers else 1.0)
            for t, w in zip(terms, base, strict=True)
        }
        total = sum(weight.values()) or 1.0
        wants_figure = bool(_QUANTITY.search(question) or (focus and _QUANTITY.search(focus)))
        out = []
        summary = _opens_guide(hit)
        heading = analyze(hit.chunk.heading, lang)
        sequence = list(heading)  # the section's terms in order, for the question's phrases
        for block in blocks(hit.chunk.text):
            if summary and block.paragraph == 0:
                continue  # the guide's summary ("What the programme does in Rwanda, how...") answers nothing
            if block.fragment:
                continue  # a sentence the chunking cut: its whole is quoted from the chunk that holds its start
            if seen and block.lead in seen:
                out.append(_Scored(block, -SEEN_PENALTY, set(), seen=True))
                continue
            analysed = analyze(block.text(), lang)
            sequence += analysed
            words = set(analysed)
            out.append(_Scored(block, _block_score(block, words, weight, total, wants_figure), words & set(weight)))
        # The chunk's own coverage: its section heading and all its blocks, so a section named for the
        # question ("What reciprocal mentoring means") and a passage that answers across sentences both count.
        found = set(heading).union(*(s.terms for s in out))
        features = Features(
            coverage=sum(w for t, w in weight.items() if t in found) / total,
            phrase=phrase_share(pairs(ordered), weight, sequence),
            why=is_why_heading(hit.chunk.heading),
            defines=defined_words(hit.chunk.heading, lang, set(weight)),
            examples=is_examples_heading(hit.chunk.heading),
        )
        return _Candidate(out, weight, total, features)

    def _passage(self, scored: list[_Scored], budget: int, lang: str) -> tuple[list[str], int]:
        """The quoted pieces, in the guide's order from the first block that answers, within `budget`."""
        if not scored:
            return [], 0
        best = max(s.score for s in scored)
        top = next(i for i, s in enumerate(scored) if s.score == best)
        target = next((i for i, s in enumerate(scored) if best > 0 and s.score >= best * START_SHARE), top)
        if _length(scored[target : top + 1]) > budget:  # the best block would not fit after the earlier one
            target = top
        # From the passage's start when the answering block still fits in the first part of the answer (the
        # section's opening sentences say what the rest is about), else from the answering block.
        start = target
        while start > 0 and _length(scored[start - 1 : target + 1]) <= budget * LEAD_SHARE:
            start -= 1
        pieces: list[str] = []
        used = 0
        for s in scored[start:]:
            if (
                s.score <= -SEEN_PENALTY
                or _META.match(s.block.lead)
                or (not s.block.items and s.block.lead.endswith("?"))
            ):
                continue
            room = budget - used - MARKER
            text = s.block.text()
            if len(text) > room and s.block.items:
                text = _fit_list(s, room, lang)
            if len(text) > room:
                if pieces:
                    break
                text = text[: max(room, 40)].rsplit(" ", 1)[0] + "…"  # one over-long sentence, cut at a word
            if not text:
                break
            pieces.append(text)
            used += len(text) + MARKER
        return pieces, used


def _without_meaning_words(terms: list[str], question: str, focus: str | None, lang: str) -> list[str]:
    """A question asking what something means ("what does reciprocal mentoring mean") without "mean": a rare
    word in the guides, it made any section saying "means" cover her question (the "defines" bonus of
    `ranking.value` stands for it)."""
    if not (asks_meaning(question) or (focus and asks_meaning(focus))):
        return terms
    framing = set(analyze(MEANING_WORDS, lang))
    return [t for t in terms if t not in framing] or terms


def _possessed(question: str, lang: str, terms_of) -> set[str]:
    """The terms of the words right after "my", "mis", "ma"...: her own things ("ma boutique", "my bakery"),
    the setting of what she asks rather than what she asks about."""
    words = tokenize(question)
    return {t for before, word in pairwise(words) if is_possessive(before, lang) for t in terms_of(word, lang)}


_AND = {"fr": "et", "es": "y", "en": "and"}


def _evidence(hits: list[SearchHit], language: str) -> tuple[list[SearchHit], list[SearchHit]]:
    """The useful hits in the asker's language, and the chunks to quote from: the best few (hers when there
    are any), with the best guide's other retrieved sections, since the right section of the right guide may
    rank under another guide's chunks."""
    best = max((h.score for h in hits), default=0.0)
    useful = [h for h in hits if h.score > 0 and h.score >= RELATIVE_FLOOR * best]
    same = [h for h in useful if h.chunk.lang == language]
    pool = same or useful
    evidence = pool[:MAX_CHUNKS]
    if evidence:
        evidence += [h for h in pool[MAX_CHUNKS:] if h.chunk.doc_id == evidence[0].chunk.doc_id]
    return same, evidence


def _rank(
    bodies: list[SearchHit], scored: list[_Candidate], asks_why: bool, meaning: bool = False, examples: bool = False
) -> list[int]:
    """The chunks' indexes, best first (assistant/answering/ranking.py); a follow-up stays with the guide just
    quoted (the rest of its passage) before another guide."""
    quoted_before = {bodies[i].chunk.doc_id for i, c in enumerate(scored) if any(b.seen for b in c.blocks)}
    for hit, candidate in zip(bodies, scored, strict=True):
        candidate.features.quoted_before = hit.chunk.doc_id in quoted_before
    dense = [h.dense for h in bodies]
    return rank([h.score for h in bodies], [c.features for c in scored], asks_why, dense, meaning, examples)


def _second_guide(
    bodies: list[SearchHit], scored: list[_Candidate], ranked: list[int], first: int, quoted_any: bool, room: int
) -> tuple[SearchHit, list[str]] | None:
    """One block of the next-ranked other guide, when it holds enough of the question's weight the first
    passage lacks and fits in the `room` left."""
    weight, total = scored[first].weight, scored[first].total
    covered = set().union(*(s.terms for s in scored[first].blocks)) if quoted_any else set()
    # A word that only frames her question ("comment", "how", "necesito") never calls for a second guide.
    lang = bodies[first].chunk.lang
    covered |= {t for t in weight if is_frame(t, lang)}
    for i in ranked[1:]:
        if bodies[i].chunk.doc_id == bodies[first].chunk.doc_id or not scored[i].blocks:
            continue
        extra = max(scored[i].blocks, key=lambda s: s.score)
        gain = sum(w for t, w in weight.items() if t in extra.terms and t not in covered) / total
        text = extra.block.text()
        if gain >= SECOND_GAIN and len(text) + MARKER <= room and extra.score > 0:
            return bodies[i], [text]
        return None
    return None


def _make_room(quoted, excess: int, question: str, terms_of, weights):
    """The quoted pieces less the last ones until `excess` characters are freed, sparing the passage's first
    piece and those holding the most of the question's weight (its answer, wherever it stands); those go last,
    the first piece never. None when that would leave nothing."""
    lang = quoted[0][0].chunk.lang
    terms = sorted(set(terms_of(question, lang)))
    weight = dict(zip(terms, weights(lang, terms) if weights else [1.0] * len(terms), strict=True))
    pieces = [(g, i, p) for g, (_, ps) in enumerate(quoted) for i, p in enumerate(ps)]
    value = {(g, i): sum(weight.get(t, 0.0) for t in set(analyze(p, lang))) for g, i, p in pieces}
    best = max(value.values())
    order = sorted(pieces[1:], key=lambda x: (value[(x[0], x[1])] >= best > 0, -x[0], -x[1]))
    dropped: set[tuple[int, int]] = set()
    for g, i, p in order:
        if excess <= 0:
            break
        dropped.add((g, i))
        excess -= len(p) + MARKER + 1
    if excess > 0:
        return None
    kept = [(hit, [p for i, p in enumerate(ps) if (g, i) not in dropped]) for g, (hit, ps) in enumerate(quoted)]
    return [(hit, ps) for hit, ps in kept if ps]


def _length(scored: list[_Scored]) -> int:
    return sum(len(s.block.text()) + MARKER for s in scored)


def _fit_list(scored: _Scored, room: int, lang: str) -> str:
    """The lead-in with the items that fit: the items holding the question's words first, shown in order."""
    block = scored.block
    held = [len(scored.terms & set(analyze(item, lang))) for item in block.items]
    order = sorted(range(len(block.items)), key=lambda i: (-held[i], i))
    kept: list[int] = []
    for i in order:
        trial = sorted([*kept, i])
        if len(block.text([block.items[j] for j in trial])) <= room:
            kept = trial
    return block.text([block.items[j] for j in kept]) if kept else ""


def _opens_guide(hit: SearchHit) -> bool:
    """The first chunk of a guide's opening section (the text under its title), whose first paragraph is the
    guide's summary: what the guide is about, not an answer."""
    return hit.chunk.heading == hit.chunk.title and hit.chunk.chunk_id.endswith("-1")
