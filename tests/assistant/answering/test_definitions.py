"""A question asking what something is gets the section that says so ("Qué es la mentoría recíproca"), even when
retrieval ranked it under sections that only use the words."""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant.answering.definitions import with_definition
from assistant.answering.service import Answerer
from assistant.knowledge.ingest import Ingestor
from tests.conftest import guide, write


@pytest.fixture
def retriever(hash_runtime, tmp_path: Path):
    root = tmp_path / "definitions-corpus"
    sections = {
        "Qué es la tontina": "Una tontina es un grupo de ahorro: cada miembro aporta un monto fijo.",
        "Cómo empezar una tontina": "Para empezar una tontina, reúnan a cinco personas de confianza.",
        "Qué significa el ahorro": "El ahorro es guardar una parte de lo que se gana.",
    }
    write(root / "es" / "tontina.md", guide("tontina", "es", "Las tontinas", sections))
    write(root / "en" / "tontine.md", guide("tontine", "en", "Tontines", {"What a tontine is": "A savings group."}))
    Ingestor(hash_runtime.settings, hash_runtime.embedder).ingest([root])
    return hash_runtime.retriever


def _hits(retriever, heading: str):
    response = retriever.search("tontina", k=10, lang="es", mode="bm25")
    return [h for h in response.hits if h.chunk.heading == heading]


def test_the_section_saying_what_it_is_is_put_among_the_first(retriever):
    hits = _hits(retriever, "Cómo empezar una tontina")
    out = with_definition("que es una tontina?", "es", hits, retriever.index, retriever.query_terms)
    assert [h.chunk.heading for h in out] == ["Cómo empezar una tontina", "Qué es la tontina"]


def test_nothing_is_added_when_she_does_not_ask_what_it_is_or_a_hit_says_it(retriever):
    hits = _hits(retriever, "Cómo empezar una tontina")
    assert with_definition("como empiezo una tontina", "es", hits, retriever.index, retriever.query_terms) == hits
    both = hits + _hits(retriever, "Qué es la tontina")
    assert with_definition("que es una tontina", "es", both, retriever.index, retriever.query_terms) == both


def test_a_section_defining_something_she_does_not_name_is_not_added(retriever):
    hits = _hits(retriever, "Cómo empezar una tontina")
    out = with_definition("que es un microcredito", "es", hits, retriever.index, retriever.query_terms)
    assert out == hits


@pytest.mark.integration
@pytest.mark.parametrize(
    ("question", "language", "opening"),
    [
        ("q es la mentoria reciproca", "es", "En la mentoría recíproca, dos mujeres emprendedoras aportan"),
        ("c koi le mentorat reciproque", "fr", "Dans le mentorat réciproque, deux femmes entrepreneures"),
        ("what does reciprocal mentoring mean", "en", "In reciprocal mentoring, two women entrepreneurs"),
        # "Qué significa la mentoría" (youth mentoring, collective impact) names fewer of her words
        (
            "q significa mentoria reciproca? yo pensaba q la canadiense me iba a enseñar a mi nomas",
            "es",
            "En la mentoría recíproca, dos mujeres emprendedoras aportan",
        ),
    ],
)
def test_what_reciprocal_mentoring_is_is_answered_by_its_definition(kb_runtime, question, language, opening):
    """Before: the money section ("…es un intercambio… no de dinero"), the classic-mentoring comparison, and
    "Respect between equals" ("mean" made any section saying "means" cover the question)."""
    answer = Answerer(kb_runtime).answer(question, language)
    assert not answer.abstained and answer.text.startswith(opening), answer.text
