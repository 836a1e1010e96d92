"""The `Answerer`: from a question to an `Answer`, grounded or an honest "I don't know".

1. Check the question (empty: `InputError` with a message in the user's language; over-long: truncated
   for retrieval, and the user is told).
2. Pick the answer language: an explicit one wins, then detection, with the user's preference (or the
   conversation's language) breaking ties on short texts; an unsupported language is answered in the
   preference with a note listing the languages the assistant speaks.
3. Understand the message (assistant/answering/understanding.py): SMS spellings written out, greetings and
   filler dropped, the question told apart from its context (searched together, the evidence measured on
   the question as well, and on each weighty clause of a question that joins several asks), a second
   question named at the end of the answer; a message mixing languages is searched in both
   (assistant/answering/mixed.py) and answered in hers. A follow-up is the previous question with what it
   changes (assistant/memory.py), in the conversation's language.
4. Retrieve (the guide of another country than the one she asks about weighs less; a country named
   only around her question, neither: assistant/retrieval/places.py); measure the evidence
   (assistant/answering/evidence.py); below the threshold calibrated for the model (and for the language
   pair, when the best evidence is in another language), her question is searched again alone when its
   context drowned it (her business and town) or the previous topic drags down a follow-up with words of its
   own; still below, abstain, offer staff, and record a content gap.
5. Compose: the LLM when one is configured and it succeeds, else the extractive composer. An answer
   quoted only from guides in another language says so first, and is recorded for staff as a gap of that
   language ("answered only from French").
"""

from __future__ import annotations

import logging
import re
import time

from assistant.answering.closest import closest_note
from assistant.answering.counterpart import in_her_language
from assistant.answering.definitions import with_definition
from assistant.answering.evidence import COVERAGE_ONLY, TOP_HITS, Evidence, calibration, measure
from assistant.answering.extractive import ExtractiveComposer
from assistant.answering.llm import CompositionFailed, LLMComposer, build_chat_model
from assistant.answering.missing import with_other_questions
from assistant.answering.mixed import foreign_words, mixed_coverage
from assistant.answering.scope import out_of_scope
from assistant.answering.siblings import series
from assistant.answering.time_apart import against_canada, between
from assistant.answering.types import Answer, Draft
from assistant.answering.understanding import (
    clauses,
    introduces_herself,
    language_by_words,
    normalise_sms,
    understand,
    without_hesitations,
)
from assistant.answering.vocabulary import unknown_terms, written
from assistant.config import SUPPORTED_LANGUAGES
from assistant.errors import InputError
from assistant.languages import MIN_CONFIDENCE, detect_language
from assistant.memory import Turn, is_follow_up, points_there, resolve
from assistant.phrases import phrase
from assistant.retrieval.places import Places, elsewhere
from assistant.retrieval.search import MAX_QUERY_CHARS
from assistant.runtime import Runtime
from assistant.text import tokenize

log = logging.getLogger(__name__)
RETRIEVE_K = 8
FOLLOW_UP_WORDS = 5  # a follow-up this short keeps the conversation's language...
SURE = 0.95  # ...unless the detector is this sure of another one
LONE_NUMBER = re.compile(r"[\W_]*\d[\W\d_]*")  # "2", "2.", "#3", "(1)", "2️⃣": no word to search for
FOLLOW_UP_OWN_TERMS = 2  # a follow-up with this many content terms of its own is judged on them too
MIN_CLAUSE_TERMS = 1  # a clause measured apart holds this many of the question's terms...
MIN_CLAUSE_SHARE = 0.4  # ...and this share of their weight


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
        """The answer to `question` (steps 1 to 5 above), in `language` when given; `preferred` (else the
        conversation's language) breaks ties in detection; `history`, the conversation's previous turns."""
        started = time.perf_counter()
        history = history or []
        preferred = preferred or (history[-1].language if history else None)
        question = " ".join((question or "").split())
        follow_up = bool(history) and is_follow_up(question)
        if follow_up:  # "y por facebook?" continues in the language she just asked in, not the session's first
            preferred = history[-1].language
        language, searched, notes = self._understand(question, language, preferred, follow_up)
        message = understand(searched, language)
        # A message that is not a follow-up as a whole ("i wanna sell online, fb page muna. tips?") is not one
        # because its question sentence alone is short ("tips?"): its context says what it is about.
        # Thanks before a follow-up ("merci ! et avec le Rwanda ?") do not make it a new question; context does.
        follow_up = follow_up or (bool(history) and not message.context and is_follow_up(message.question))
        resolved = resolve(message.question, history if follow_up or points_there(message.question) else [])
        if out_of_scope(resolved.focus if resolved.follow_up else message.question):  # a visa, a flight: not theirs
            return self._done(self._abstain(question, language, notes, Evidence(0.0, 0.0, 0.0), [], searched), started)
        if (apart := self._hours_apart(question, language, notes, message, resolved)) is not None:
            return self._done(apart, started)  # two partner countries' hours: arithmetic on their guides
        searched, also, focus = self._queries(message, resolved, language)
        index, retriever = self.runtime.index, self.runtime.retriever
        vector = retriever.encode_query(searched)  # once, for the search in her language and any other
        # The places she asks about, and those she only names around her question ("I'm from Rwanda. ...?").
        places = Places.of(resolved.searched, "" if resolved.follow_up else " ".join(message.context))
        hits = retriever.search(
            searched, k=RETRIEVE_K, lang=language, mode=self.mode, query_vector=vector, places=places
        ).hits
        evidence, threshold = self._evidence(
            index, retriever, searched, language, hits, vector, message, resolved, also
        )
        if hits and evidence.strength < threshold and self._may_stand_alone(message, resolved, language):
            alone = self._search_alone(message, language, places)  # her question without what drowned it
            if alone is not None:
                hits, evidence, threshold, searched = alone
                resolved, focus = resolve(message.question, []), None
        if not hits or evidence.strength < threshold:
            return self._done(self._abstain(question, language, notes, evidence, hits, searched, threshold), started)
        # A follow-up gets a passage it was not just given (a new tool too: "y por facebook?" after Instagram);
        # a new country may get the same one (the time-zone table).
        seen = history[-1].answer if resolved.follow_up and resolved.kind != "country" else ""
        asked = focus if resolved.follow_up else message.question
        if not any(h.chunk.lang == language for h in hits[:TOP_HITS]):  # her guide's same sections, where it has them
            hits = in_her_language(hits, language, self.runtime.index)
        hits = with_definition(asked or question, language, hits, self.runtime.index, retriever.query_terms)
        draft = self._draft(retriever, question, searched, language, hits, resolved.follow_up, focus, seen, asked)
        return self._done(self._answered(question, language, notes, draft, message, evidence, hits, searched), started)

    def _answered(self, question, language, notes, draft: Draft, message, evidence, hits, searched) -> Answer:
        sources = {c.language for c in draft.citations}
        if sources and language not in sources:  # answered, but only from a guide in another language
            self.gaps.record_gap(question, language, {**evidence.to_dict(), "answered_from": sorted(sources)})
        return Answer(
            question,
            language,
            with_other_questions(draft.text, message.others, language, self.runtime.retriever),
            False,
            draft.citations,
            draft.composer,
            notes,
            evidence_strength=evidence.strength,
            hits=hits,
            searched=searched,
            evidence=evidence.to_dict(),
        )

    def _hours_apart(self, question: str, language: str, notes: list[str], message, resolved) -> Answer | None:
        """The hours between two partner countries she names (assistant/answering/time_apart.py), or None."""
        around = "" if resolved.follow_up else " ".join(message.context)  # "je suis au Sénégal, elle au Rwanda"
        index, asked = self.runtime.index, resolved.searched
        apart = between(f"{around} {asked}", language, index) or against_canada(asked, language, index, around)
        if apart is None:
            return None
        draft, quoted = apart
        answer = Answer(question, language, draft.text, False, draft.citations, draft.composer, notes)
        answer.evidence_strength, answer.hits, answer.searched = 1.0, quoted, resolved.searched
        return answer

    def _abstain(
        self, question: str, language: str, notes: list[str], evidence: Evidence, hits, searched: str, threshold=None
    ) -> Answer:
        """The honest "I don't know", the question recorded as a content gap, and the closest section named when the
        evidence fell just short of `threshold` (assistant/answering/closest.py); a message that only says who she
        is asks nothing the guides lack: she is asked her question instead."""
        introduction = introduces_herself(question, language)
        text = phrase("ask_your_question" if introduction else "dont_know", language)
        if not introduction:
            self.gaps.record_gap(question, language, evidence.to_dict())
            near = closest_note(hits, language, evidence.strength, threshold) if threshold is not None else None
            text = f"{text}\n\n{near}" if near else text
        return Answer(
            question,
            language,
            text,
            True,
            notes=notes,
            evidence_strength=evidence.strength,
            hits=hits,
            composer="none",
            searched=searched,
            evidence=evidence.to_dict(),
        )

    def _queries(self, message, resolved, language: str) -> tuple[str, tuple[str, ...], str | None]:
        """What to search, the other texts the evidence is measured on, and a follow-up's own words (`focus`):
        a follow-up searches the previous question with what it changes; a message with context searches it
        all, the evidence measured on the question too (with the context's words some guide uses), and on each
        clause of a question that joins several and carries `MIN_CLAUSE_SHARE` of its weight (a long question
        must not look weaker than its main ask alone)."""
        if resolved.follow_up:  # the previous question as she typed it: its SMS spellings written out too
            return without_hesitations(normalise_sms(resolved.searched, language)), (), resolved.focus
        also = (message.question,) if message.question != message.searched else ()
        if message.context:  # the context's words no guide uses (her name, her town) say nothing either way
            words = tokenize(" ".join(message.context))
            known = [w for w in words if self.runtime.retriever.knows(w)]
            also += (" ".join([*known, message.question]),)
        also += self._weighty_clauses(message.question, language)
        return message.searched, also, None

    def _weighty_clauses(self, question: str, language: str) -> tuple[str, ...]:
        """The clauses of `question` that hold at least `MIN_CLAUSE_TERMS` of its measured terms and
        `MIN_CLAUSE_SHARE` of their weight."""
        parts = clauses(question)
        if not parts:
            return ()
        retriever = self.runtime.retriever
        terms = set(retriever.asked_terms(question, language))
        total = sum(retriever.term_weights(language, sorted(terms))) if terms else 0.0
        kept = []
        for part in parts:
            own = sorted(set(retriever.asked_terms(part, language)) & terms)
            weighty = total and sum(retriever.term_weights(language, own)) >= MIN_CLAUSE_SHARE * total
            if len(own) >= MIN_CLAUSE_TERMS and weighty:
                kept.append(part)
        return tuple(kept)

    def _may_stand_alone(self, message, resolved, language: str) -> bool:
        """Whether her question, under the threshold, may be searched alone (and answered from that search when
        its evidence is strong enough): her context drowned it ("j'ai un salon de coiffure à Abidjan, j'ai 4
        employées... je n'arrive pas à déléguer": the country guides came first), or the previous topic drags
        down a follow-up that asks something else. A message answered with its context keeps that answer (the
        context often says which section: "je préside un groupement de femmes"). So: it came with context, or
        it is a follow-up with at least `FOLLOW_UP_OWN_TERMS` words of its own, none of them one no guide uses,
        and no country or tool it swaps in ("and in Guatemala?" stays the previous question about Guatemala)."""
        if not resolved.follow_up:
            return bool(message.context)
        retriever = self.runtime.retriever
        if resolved.swapped or points_there(message.question) or unknown_terms(message.question, language, retriever):
            return False  # a new country or tool, a place pointed at, or something no guide mentions ("et Wave ?")
        own = set(retriever.asked_terms(message.question, language))
        return len(own) >= FOLLOW_UP_OWN_TERMS

    def _search_alone(self, message, language: str, places: Places):
        """(hits, evidence, threshold, searched) for her question searched without its context, when that
        evidence reaches its threshold; None otherwise."""
        retriever = self.runtime.retriever
        question = message.question
        vector = retriever.encode_query(question)
        hits = retriever.search(
            question, k=RETRIEVE_K, lang=language, mode=self.mode, query_vector=vector, places=places
        ).hits
        if not hits:
            return None
        alone = resolve(question, [])
        evidence, threshold = self._evidence(
            self.runtime.index, retriever, question, language, hits, vector, message, alone, ()
        )
        return (hits, evidence, threshold, question) if evidence.strength >= threshold else None

    def _evidence(
        self, index, retriever, searched: str, language: str, hits, vector, message, resolved, also
    ) -> tuple[Evidence, float]:
        """The evidence for the hits, and the threshold it must reach (calibrated for the model and the language
        pair, unless the settings fix it)."""
        listed = any(h.asked is not None for h in hits[:TOP_HITS])
        mix = calibration(index.model, language, evidence_language(hits, language, index.documents), listed)
        threshold = self.runtime.settings.abstain_threshold
        threshold = mix["threshold"] if threshold is None else threshold
        evidence = measure(searched, hits, mix, retriever.term_weights, retriever.asked_terms, also)
        if resolved.follow_up and not resolved.swapped and hits:
            # A new aspect ("and the bank's phone number in Kigali?"): the previous topic's words must not carry
            # it; a follow-up with words of its own is judged on those too.
            own = sorted(set(retriever.query_terms(resolved.focus, language)))
            if len(own) >= FOLLOW_UP_OWN_TERMS:
                focus_only = measure(resolved.focus, hits, COVERAGE_ONLY, retriever.term_weights, retriever.asked_terms)
                coverage = (evidence.coverage + focus_only.coverage) / 2
                evidence = Evidence.of(evidence.dense, coverage, mix, evidence.asked)
        if resolved.follow_up and resolved.kind == "country" and hits:  # not a tool: "y por facebook?"
            # "y en guatemala?" after "cual es el iva en bolivia?" (or "and for canada?" after a question naming
            # no country): the new country's guide holds the country, so the previous question's topic, without
            # any place, must be found in the hits too.
            spoken = {w.lower() for w in tokenize(resolved.focus)}
            topic = " ".join(w for w in tokenize(resolved.searched) if w.lower() not in spoken)
            if set(retriever.asked_terms(topic, language)):
                covered = measure(topic, hits, COVERAGE_ONLY, retriever.term_weights, retriever.asked_terms).coverage
                if covered < evidence.coverage:
                    evidence = Evidence.of(evidence.dense, covered, mix, evidence.asked)
        foreign = foreign_words(message.question, language, index)
        if foreign and hits:  # a mixed-language message: searched in the other language(s) too
            extra = [
                h
                for other in foreign
                for h in retriever.search(searched, k=TOP_HITS, lang=other, query_vector=vector).hits
            ]
            top = hits[:TOP_HITS] + [h for h in extra if h.chunk.lang != language]
            coverage = mixed_coverage(message.question, language, top, retriever.term_weights)
            if coverage > evidence.coverage:
                evidence = Evidence.of(evidence.dense, coverage, mix, evidence.asked)
        asked_elsewhere = not resolved.follow_up and elsewhere(message.question, written(index))
        if asked_elsewhere or (
            resolved.follow_up
            and (elsewhere(resolved.focus, written(index)) or unknown_terms(resolved.focus, language, retriever))
        ):
            # "and in Peru?", "et au Maroc ?": the previous question about a country outside the programme or
            # something no guide mentions in any language (a word some guide happens to use, "mal", "marco",
            # does not make Mali or Morocco a programme country); the previous topic's words would carry the
            # evidence, so the follow-up's own new words decide. So does a question asked about such a country
            # ("quel décalage horaire avec le Maroc ?"; not one she only names around it, "I'm from Kenya").
            evidence = Evidence.of(evidence.dense, 0.0, COVERAGE_ONLY)
        return evidence, threshold

    def _draft(
        self,
        retriever,
        question: str,
        searched: str,
        language: str,
        hits,
        follow_up: bool,
        focus: str | None,
        seen: str,
        asked: str | None = None,
    ) -> Draft:
        """The composed answer: the LLM's when one is configured and it succeeds, else the extractive one."""
        if self.llm is not None:
            try:
                # Her whole message (a follow-up resolved): a model reads context and several questions itself.
                draft = self.llm.compose(searched if follow_up else question[:MAX_QUERY_CHARS], language, hits)
                if draft is not None:
                    return draft
            except CompositionFailed as exc:
                log.warning("LLM answer not used, falling back to extractive: %s", exc)
        draft = self.extractive.compose(
            searched,
            language,
            hits,
            retriever.query_terms,
            retriever.term_weights,
            focus=focus,
            seen=seen,
            asked=asked,
            known=retriever.knows,
        )
        return series(draft, asked or question, language, self.runtime.index, retriever.asked_terms) or draft

    @staticmethod
    def _understand(
        question: str, language: str | None, preferred: str | None, follow_up: bool = False
    ) -> tuple[str, str, list[str]]:
        """The answer's language, the text to search (bounded) and the notes to show with the answer. A short
        follow-up ("and in Guatemala?", "y instagram?") stays in the conversation's language unless it is
        clearly written in another language she speaks."""
        if not question:
            raise InputError(phrase("empty_question", language or preferred or "en"))
        if LONE_NUMBER.fullmatch(question):  # an option's number with no choice waiting: say so, no passages
            raise InputError(phrase("lone_number", language or preferred or "en", number=question.strip()))
        if language is not None and language not in SUPPORTED_LANGUAGES:
            raise InputError(f"unknown language {language!r}: use one of {', '.join(SUPPORTED_LANGUAGES)}")
        notes: list[str] = []
        searched = question
        if len(question) > MAX_QUERY_CHARS:
            searched = question[:MAX_QUERY_CHARS]
        if language is None:
            detection = detect_language(searched, preferred=preferred)
            language = detection.language
            short = len(searched.split()) <= FOLLOW_UP_WORDS
            other = detection.detected != preferred and not (
                detection.detected in SUPPORTED_LANGUAGES and detection.confidence >= SURE
            )
            if follow_up and short and preferred in SUPPORTED_LANGUAGES and other:
                language = preferred
            elif detection.confidence < MIN_CONFIDENCE or (
                detection.detected is None and preferred not in SUPPORTED_LANGUAGES
            ):
                # The detector could not tell, or guessed weakly ("soy de el alto, vendo chompas... como vendo por
                # whatsapp o facebook?" reads 0.29 English for its brand and place names): her function words decide.
                language = language_by_words(searched) or language
            elif detection.unsupported:
                notes.append(phrase("unsupported_language", language))
        if len(question) > MAX_QUERY_CHARS:
            notes.append(phrase("question_truncated", language, limit=MAX_QUERY_CHARS))
        return language, searched, notes

    @staticmethod
    def _done(answer: Answer, started: float) -> Answer:
        answer.latency_ms = (time.perf_counter() - started) * 1000
        return answer
