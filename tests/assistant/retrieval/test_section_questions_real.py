"""The bundled guides' section questions with the real model: every section holds its questions in the index, and
retrieval and evidence read them (multilingual-e5-small, the shipped vectors)."""

from __future__ import annotations

import random

import pytest

from assistant.knowledge.questions import read_questions
from tests.conftest import ROOT

pytestmark = pytest.mark.integration
FOLDER = ROOT / "knowledge_base" / "questions"


def test_every_section_of_the_bundled_guides_holds_its_questions(kb_runtime):
    index = kb_runtime.index
    listed = {(index.chunks[row].doc_key, index.chunks[row].heading) for row in index.question_rows.tolist()}
    sections = {(c.doc_key, c.heading) for c in index.chunks if c.heading != c.title}  # not a guide's summary
    assert sections <= listed
    assert index.question_vectors.shape == (len(index.question_texts), index.dimension)


def test_a_section_s_own_question_finds_it_with_its_closest_question_near_one(kb_runtime):
    """Wiring, not quality: a question from the files, asked as written, comes back to its section (its guide among
    the top three) with that question's cosine as the hit's closest one."""
    chosen = random.Random(7).sample(sorted(FOLDER.rglob("*.yaml")), 6)
    for path in chosen:
        heading, questions = next(iter(read_questions(path).items()))
        lang = path.parent.name
        hits = kb_runtime.retriever.search(questions[0], k=3, lang=lang).hits
        assert path.stem in {h.chunk.doc_id for h in hits}, (path.name, questions[0])
        own = next(h for h in hits if h.chunk.doc_id == path.stem)
        if own.chunk.heading == heading:
            assert own.asked == pytest.approx(1.0, abs=0.01)


def test_the_answer_reports_the_closest_question_in_its_evidence(kb_runtime):
    from assistant.answering.service import Answerer
    from evals.pipelines import NoGaps

    answer = Answerer(kb_runtime, gaps=NoGaps()).answer("how do we set goals together with my partner?")
    assert not answer.abstained and answer.evidence["asked"] > 0.8
