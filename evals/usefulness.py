"""What a user gets from an answer: answer relevance sentence by sentence, and the headline "useful answer".

An answer is cut into sentences (`answer_sentences`: citation markers dropped, one sentence per line item).
A sentence in the assistant's own voice (a phrase of `assistant/phrases.yaml`, such as "here is the passage:")
is framing (`is_framing`): neither relevant nor off-topic. Every other sentence with a content word is content,
and a content sentence is relevant when it is drawn from a relevant passage (`drawn_from`): its words occur in
the passage in that order (extractive answers, trimmed or not), or at least `DRAWN_SUPPORT` of its content terms
do (an answer written in other words). The relevant passages of a case are the sections of its relevant guides
that hold a key fact, or the sections it names (`evals.sections`).

The grounding measures (`grounded_facts`, `content_support`) read the answer without its framing (`guide_text`):
a note naming her words ("I found nothing in the guides about “BancoSol”") is not a claim the evidence must hold.

- `answer_relevance`: share of the content sentences drawn from a relevant passage (None without content).
- `first_sentence_relevant`: whether the first content sentence is; what she reads first on her phone.
- `useful_answer`: not refused, in her language, a key fact present, first sentence relevant.
- `failure_type`: why an answer was not useful (or an unanswerable question was answered), one type per case.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import lru_cache

import yaml

from assistant.phrases import CATALOGUE
from assistant.text import analyze
from evals.metrics import normalise, strip_citations

DRAWN_SUPPORT = 0.8
MIN_PHRASE_WORDS = 3
PLACEHOLDER_WORDS = 12
_SENTENCE_BREAK = re.compile(r"(?<=[.!?…])\s+|\s*\n\s*")
_CITATION_BREAK = re.compile(r"\s*\[\d+(?:\s*[,;]\s*\d+)*\]\s*")
_ITEM_MARK = re.compile(r"^\s*(?:[-*•·–]|\d{1,2}[.)])\s+")
_PLACEHOLDER = re.compile(r"\{[^{}]*\}")

# The failure types, in the order reports show them; each answerable case that is not useful, and each
# unanswerable one that was answered, gets exactly one (the first that applies, in `failure_type`'s order).
FAILURE_TYPES = (
    "wrong_refusal",
    "wrong_guide",
    "key_fact_missing",
    "off_topic",
    "wrong_language",
    "missed_refusal",
    "error",
)
FAILURE_LABELS = {
    "wrong_refusal": "Wrong refusal (a guide answers it)",
    "wrong_guide": "Wrong guide (no sentence from a relevant guide)",
    "key_fact_missing": "Key fact missing",
    "off_topic": "Off-topic sentences (the first sentence is not from a relevant section)",
    "wrong_language": "Wrong language",
    "missed_refusal": "Answered a question the guides do not answer",
    "error": "Error",
}


def answer_sentences(answer: str) -> list[str]:
    """The answer's sentences in order: split at sentence ends, line breaks and citation markers (a cited list
    item ends at its marker, with or without a full stop), list markers ("- ", "• ", "2. ") taken off, empty
    pieces left out."""
    pieces = _SENTENCE_BREAK.split(_CITATION_BREAK.sub("\n", answer))
    return [s for s in (" ".join(_ITEM_MARK.sub("", p).split()) for p in pieces) if s]


@lru_cache(maxsize=4)
def _framing_patterns(lang: str) -> tuple[re.Pattern[str], ...]:
    """Each sentence of each phrase of the catalogue in `lang`, as a pattern over normalised text (a placeholder
    matches 1 to `PLACEHOLDER_WORDS` words). A phrase sentence with fewer than `MIN_PHRASE_WORDS` words of its own
    ("in {place}") is left out: it would match guide sentences."""
    catalogue = yaml.safe_load(CATALOGUE.read_text(encoding="utf-8"))
    patterns = []
    for entry in catalogue.values():
        text = entry.get(lang) if isinstance(entry, dict) else None
        if not isinstance(text, str):
            continue  # the name tables (language_names, ...) are not sentences
        for sentence in answer_sentences(text):
            literal = [normalise(part, lang) for part in _PLACEHOLDER.split(sentence)]
            if sum(len(part.split()) for part in literal) < MIN_PHRASE_WORDS:
                continue
            gap = rf"(?: \S+){{1,{PLACEHOLDER_WORDS}}}"
            body = gap.join(re.escape(f" {part}" if part else "") for part in literal)
            patterns.append(re.compile(f"^{body}$"))
    return tuple(patterns)


def is_framing(sentence: str, lang: str) -> bool:
    """Whether the sentence is one of the assistant's own phrases (in `lang`), not content from a guide."""
    text = " " + normalise(sentence, lang)
    return any(p.match(text) for p in _framing_patterns(lang))


def content_sentences(answer: str, lang: str) -> list[str]:
    """The answer's sentences that carry content: not framing, with at least one content term."""
    return [s for s in answer_sentences(answer) if analyze(s, lang) and not is_framing(s, lang)]


def guide_text(answer: str, lang: str) -> str:
    """The answer without the assistant's own sentences (`is_framing`), one sentence a line: what the grounding
    measures (`evals.metrics.grounded_facts`, `content_support`) check against the evidence."""
    return "\n".join(s for s in answer_sentences(answer) if not is_framing(s, lang))


@lru_cache(maxsize=4096)
def _passage(passage: str, lang: str) -> tuple[str, frozenset[str]]:
    return f" {normalise(strip_citations(passage), lang)} ", frozenset(analyze(passage, lang))


def drawn_from(sentence: str, passage: str, lang: str) -> bool:
    """Whether the sentence comes from the passage: its normalised words occur there in order, or at least
    `DRAWN_SUPPORT` of its distinct content terms occur there. False for a sentence without content terms."""
    terms = set(analyze(sentence, lang))
    words = normalise(sentence, lang)
    if not terms or not words:
        return False
    text, passage_terms = _passage(passage, lang)
    if f" {words} " in text:
        return True
    return len(terms & passage_terms) / len(terms) >= DRAWN_SUPPORT


def _relevant_flags(answer: str, passages: Sequence[str], lang: str) -> list[bool]:
    return [any(drawn_from(s, p, lang) for p in passages) for s in content_sentences(answer, lang)]


def answer_relevance(answer: str, passages: Sequence[str], lang: str) -> float | None:
    """Share of the answer's content sentences drawn from one of the relevant passages; None without content."""
    flags = _relevant_flags(answer, passages, lang)
    return sum(flags) / len(flags) if flags else None


def first_sentence_relevant(answer: str, passages: Sequence[str], lang: str) -> bool:
    """Whether the answer's first content sentence is drawn from a relevant passage (False without content)."""
    sentences = content_sentences(answer, lang)
    return bool(sentences) and any(drawn_from(sentences[0], p, lang) for p in passages)


def useful_answer(abstained: bool, language_ok: bool, key_fact_present: bool, first_relevant: bool) -> bool:
    """The headline: she got an answer, in her language, with a key fact, that opens on the point."""
    return not abstained and language_ok and key_fact_present and first_relevant


def failure_type(
    answerable: bool,
    abstained: bool,
    language_ok: bool,
    from_relevant_guide: bool,
    key_fact_present: bool,
    first_relevant: bool,
) -> str | None:
    """The one failure type of a case (None when the answer was useful, or the refusal right). The order says
    which explains it best: a refusal or another language first, then a wrong guide (nothing drawn from a
    relevant guide), a missing key fact, an off-topic opening."""
    if not answerable:
        return None if abstained else "missed_refusal"
    if abstained:
        return "wrong_refusal"
    if not language_ok:
        return "wrong_language"
    if not from_relevant_guide:
        return "wrong_guide"
    if not key_fact_present:
        return "key_fact_missing"
    if not first_relevant:
        return "off_topic"
    return None
