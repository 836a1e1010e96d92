"""The `Answerer`: from a question to an `Answer`, grounded or an honest "I don't know".

1. Check the question (empty: `InputError` with a message in the user's language; over-long: truncated
   for retrieval, and the user is told).
2. Pick the answer language: an explicit one wins, then detection, with the user's preference (or the
   conversation's language) breaking ties on short texts; an unsupported language is answered in the
   preference with a note listing the languages the assistant speaks.
3. Expand a follow-up with the previous question for retrieval (assistant/memory.py).
4. Retrieve; measure the evidence (assistant/answering/evidence.py); below the threshold calibrated for
   the model (and for the language pair, when the best evidence is in another language), abstain, offer
   staff, and record a content gap.
5. Compose: the LLM when one is configured and it succeeds, else the extractive composer. An answer
   quoted only from guides in another language says so first, and is recorded for staff as a gap of that
   language ("answered only from French").
"""

from __future__ import annotations

import logging
import time

from assistant.answering.evidence import calibration, measure
from assistant.answering.extractive import ExtractiveComposer
from assistant.answering.llm import CompositionFailed, LLMComposer, build_chat_model
from assistant.answering.types import Answer
from assistant.config import SUPPORTED_LANGUAGES
from assistant.errors import InputError
from assistant.languages import detect_language
from assistant.memory import Turn, retrieval_query
from assistant.phrases import phrase
from assistant.retrieval.search import MAX_QUERY_CHARS
from assistant.runtime import Runtime

log = logging.getLogger(__name__)
RETRIEVE_K = 8


def evidence_language(hits, language: str, documents) -> str:
    """The language the answer's evidence is in, for the abstention's calibration: another one only when the
    best chunk's guide does not exist in hers (a translated guide that ranked first is judged as hers)."""
    if not hits or hits[0].chunk.lang == language or f"{hits[0].chunk.doc_id}.{language}" in documents:
        return language
    return hits[0].chunk.lang


class Answerer:
    def __init__(self, runtime: Runtime, llm: LLMComposer | None = None, gaps=None, mode: str = "hybrid") -> None:
        """`gaps` records unanswered questions (`record_gap(question, language, scores)`); the runtime's
        `GapGroups` by default (grouped on arrival, in its database). `mode` is the retrieval mode ('hybrid';
        'bm25' and 'dense' for evaluation)."""
        settings = runtime.settings
        self.runtime = runtime
        self.mode = mode
        self.extractive = ExtractiveComposer(settings.answer_max_chars)
        if llm is None and settings.llm:
            llm = LLMComposer(build_chat_model(settings), settings.llm_timeout_s, settings.answer_max_chars)
        self.llm = llm
        self.gaps = gaps if gaps is not None else runtime.gap_groups

    def answer(
        self,
        question: str,
        language: str | None = None,
        preferred: str | None = None,
        history: list[Turn] | None = None,
    ) -> Answer:
        started = time.perf_counter()
        history = history or []
        preferred = preferred or (history[-1].language if history else None)
        question = " ".join((question or "").split())
        language, searched, notes = self._understand(question, language, preferred)
        searched = retrieval_query(searched, history)
        index = self.runtime.index
        retriever = self.runtime.retriever
        hits = retriever.search(searched, k=RETRIEVE_K, lang=language, mode=self.mode).hits
        mix = calibration(index.model, language, evidence_language(hits, language, index.documents))
        threshold = self.runtime.settings.abstain_threshold
        threshold = mix["threshold"] if threshold is None else threshold
        evidence = measure(searched, hits, mix["dense_mix"], retriever.term_weights, retriever.query_terms)
        if not hits or evidence.strength < threshold:
            self.gaps.record_gap(question, language, evidence.to_dict())
            return self._done(
                Answer(
                    question,
                    language,
                    phrase("dont_know", language),
                    True,
                    notes=notes,
                    evidence_strength=evidence.strength,
                    hits=hits,
                    composer="none",
                ),
                started,
            )
        draft = None
        if self.llm is not None:
            try:
                draft = self.llm.compose(searched, language, hits)
            except CompositionFailed as exc:
                log.warning("LLM answer not used, falling back to extractive: %s", exc)
        if draft is None:
            draft = self.extractive.compose(searched, language, hits, retriever.query_terms, retriever.term_weights)
        sources = {c.language for c in draft.citations}
        if sources and language not in sources:  # answered, but only from a guide in another language
            self.gaps.record_gap(question, language, {**evidence.to_dict(), "answered_from": sorted(sources)})
        answer = Answer(
            question,
            language,
            draft.text,
            False,
            draft.citations,
            draft.composer,
            notes,
            evidence_strength=evidence.strength,
            hits=hits,
        )
        return self._done(answer, started)

    @staticmethod
    def _understand(question: str, language: str | None, preferred: str | None) -> tuple[str, str, list[str]]:
        """The answer's language, the text to search (bounded) and the notes to show with the answer."""
        if not question:
            raise InputError(phrase("empty_question", language or preferred or "en"))
        if language is not None and language not in SUPPORTED_LANGUAGES:
            raise InputError(f"unknown language {language!r}: use one of {', '.join(SUPPORTED_LANGUAGES)}")
        notes: list[str] = []
        searched = question
        if len(question) > MAX_QUERY_CHARS:
            searched = question[:MAX_QUERY_CHARS]
        if language is None:
            detection = detect_language(searched, preferred=preferred)
            language = detection.language
            if detection.unsupported:
                notes.append(phrase("unsupported_language", language))
        if len(question) > MAX_QUERY_CHARS:
            notes.append(phrase("question_truncated", language, limit=MAX_QUERY_CHARS))
        return language, searched, notes

    @staticmethod
    def _done(answer: Answer, started: float) -> Answer:
        answer.latency_ms = (time.perf_counter() - started) * 1000
        return answer
