"""The closest section named on a refusal that fell just short (assistant/answering/closest.py): unit cases on
built hits, then the real answerer on the real guides."""

from __future__ import annotations

import pytest

from assistant.answering.closest import NEAR, closest_note
from assistant.answering.service import Answerer
from assistant.knowledge.chunking import Chunk
from assistant.phrases import phrase
from assistant.retrieval.search import SearchHit


def hit(lang: str, heading: str, title: str = "Access to credit", rank: int = 1) -> SearchHit:
    chunk = Chunk(f"credit.{lang}#s-{rank}", "credit", lang, title, heading, "Some text.", "credit.md")
    return SearchHit(rank, chunk, 1.0 / rank, 1.0, 0.8)


def test_a_refusal_just_short_names_the_best_section_in_her_language():
    hits = [hit("fr", "Préparer un dossier", "L'accès au crédit"), hit("en", "Preparing a loan file", rank=2)]
    note = closest_note(hits, "en", strength=0.60, threshold=0.62)
    assert note == phrase("closest_section", "en", heading="Preparing a loan file", title="Access to credit")
    assert "“Preparing a loan file” (Access to credit)" in note


def test_a_refusal_far_from_answering_names_nothing():
    assert closest_note([hit("en", "Preparing a loan file")], "en", strength=0.62 - NEAR - 0.01, threshold=0.62) is None


def test_no_section_in_her_language_among_the_best_hits_names_nothing():
    hits = [hit("fr", "Préparer un dossier", rank=i) for i in (1, 2, 3)] + [hit("es", "Preparar", rank=4)]
    assert closest_note(hits, "es", strength=0.61, threshold=0.62) is None
    assert closest_note([], "es", strength=0.61, threshold=0.62) is None


def test_the_opening_section_names_the_guide_once():
    note = closest_note([hit("es", "El acceso al crédito", "El acceso al crédito")], "es", 0.6, 0.62)
    assert note == phrase("closest_guide", "es", title="El acceso al crédito")
    assert note.count("El acceso al crédito") == 1


@pytest.mark.integration
def test_the_answerer_names_the_section_and_typing_its_heading_shows_it(kb_runtime, monkeypatch):
    answerer = Answerer(kb_runtime)
    question = "how do I prepare a loan file?"
    answered = answerer.answer(question, language="en")
    assert not answered.abstained
    strength = answered.evidence_strength
    monkeypatch.setattr(kb_runtime.settings, "abstain_threshold", strength + NEAR / 2)
    near = answerer.answer(question, language="en")
    assert near.abstained and not near.citations
    assert near.text.startswith(phrase("dont_know", "en"))
    best = next(h for h in near.hits if h.chunk.lang == "en")
    assert f"“{best.chunk.heading}”" in near.text
    monkeypatch.setattr(kb_runtime.settings, "abstain_threshold", strength + 2 * NEAR)
    assert answerer.answer(question, language="en").text == phrase("dont_know", "en")
    monkeypatch.undo()
    shown = answerer.answer(best.chunk.heading, language="en")
    assert not shown.abstained and shown.citations[0].doc_id == best.chunk.doc_id
