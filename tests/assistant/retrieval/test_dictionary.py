"""Typo correction leaves a real word alone: "pleuvoir" is no typo of "pouvoir"."""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant.knowledge.ingest import Ingestor
from assistant.retrieval.dictionary import is_word
from assistant.retrieval.search import Retriever
from tests.conftest import guide, write


@pytest.fixture
def retriever(hash_runtime, tmp_path: Path) -> Retriever:
    root = tmp_path / "dictionary-corpus"
    write(
        root / "fr" / "temps.md",
        guide("temps", "fr", "Le temps", {"Semaine": "Vous pouvez déléguer une tâche par semaine."}),
    )
    Ingestor(hash_runtime.settings, hash_runtime.embedder).ingest([root])
    return hash_runtime.retriever


def test_words_of_the_language_are_known_with_or_without_accents():
    assert is_word("pleuvoir", "fr") and is_word("demain", "fr") and is_word("Demain", "fr")
    assert is_word("tomorrow", "en") and is_word("nadie", "es")
    assert is_word("deja", "fr")  # "déjà" typed without its accents
    assert is_word("deleguer", "fr")  # "déléguer" without its accents
    assert not is_word("delleguer", "fr") and not is_word("prestmo", "es")  # typos
    assert not is_word("jai", "fr")  # too short to tell from an SMS spelling


def test_a_real_word_the_guides_do_not_use_is_not_corrected_into_one_they_use(retriever):
    terms = retriever.query_terms("il va pleuvoir demain", "fr")
    assert "pouvoir" not in terms and "semain" not in terms
    assert {"pleuvoir", "demain"} <= set(terms)


def test_a_typo_is_still_corrected(retriever):
    assert "delegu" in retriever.query_terms("comment delleguer", "fr")
