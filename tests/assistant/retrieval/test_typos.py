"""Typo tolerance: query terms the BM25 index has never seen are corrected to the closest indexed term."""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant.knowledge.ingest import Ingestor
from assistant.retrieval.search import TYPO_MIN_LENGTH, Retriever
from assistant.text import analyze
from tests.conftest import guide, write


@pytest.fixture
def typo_corpus(tmp_path: Path) -> Path:
    root = tmp_path / "typo-corpus"
    write(
        root / "en" / "loans.md",
        guide(
            "loans",
            "en",
            "Taking a loan",
            {
                "Repayment": "The amount you borrow depends on your repayment capacity. Never borrow to pay "
                "another loan. A first loan is capped at 15000 francs.",
            },
        ),
    )
    write(
        root / "en" / "savings.md",
        guide(
            "savings",
            "en",
            "Saving every month",
            {"Habits": "Put aside as much as you can every month, and keep a draft budget."},
        ),
    )
    write(
        root / "en" / "meetings.md",
        guide(
            "meetings",
            "en",
            "Mentoring meetings",
            {
                "Agenda": "Do not talk too much at the first meeting; share a draft agenda and local crafts. "
                "Mentorship works when both sides prepare."
            },
        ),
    )
    write(
        root / "fr" / "emprunt.md",
        guide(
            "emprunt",
            "fr",
            "Emprunter sans risque",
            {"Trésorerie": "Avant d'emprunter, suivez votre trésorerie chaque semaine."},
        ),
    )
    write(
        root / "fr" / "ventes.md",
        guide("ventes", "fr", "Vendre au marché", {"Clients": "Fidélisez vos clients avec des prix affichés."}),
    )
    write(
        root / "es" / "prestamo.md",
        guide(
            "prestamo",
            "es",
            "Pedir un préstamo",
            {"Requisitos": "Para pedir un préstamo, lleve su cuaderno de ventas al banco."},
        ),
    )
    write(
        root / "es" / "ferias.md",
        guide("ferias", "es", "Ferias", {"Vender": "Las ferias permiten conocer compradores de textiles."}),
    )
    return root


@pytest.fixture
def retriever(hash_runtime, typo_corpus) -> Retriever:
    Ingestor(hash_runtime.settings, hash_runtime.embedder).ingest([typo_corpus])
    return hash_runtime.retriever


def no_correction(monkeypatch) -> None:
    monkeypatch.setattr(Retriever, "_correct", lambda self, term, lang: term)


def test_one_edit_typo_is_corrected_to_the_indexed_stem(retriever):
    assert analyze("borow", "en") == ["borow"]  # the typo is not in the index as such
    assert retriever.query_terms("how much can I borow", "en") == ["much", "borrow"]


def test_correct_spelling_is_left_alone(retriever):
    assert retriever.query_terms("how much can I borrow", "en") == ["much", "borrow"]
    assert retriever.query_terms("borrowing", "en") == ["borrow"]


def test_two_edits_are_allowed_from_eight_letters_only(retriever):
    # A transposition costs two edits: accepted on a long term, refused on a short one.
    assert retriever.query_terms("mentorhsip", "en") == ["mentorship"]
    assert retriever.query_terms("barrov", "en") == ["barrov"]  # two edits from "borrow", six letters
    assert retriever.query_terms("borrov", "en") == ["borrow"]  # one edit


def test_short_terms_are_not_corrected(retriever):
    # "loam" is one edit from the indexed "loan", but four letters is too short to guess.
    assert len("loam") < TYPO_MIN_LENGTH
    assert "loan" in retriever.index.bm25["en"][0].vocab_dict
    assert retriever.query_terms("loam", "en") == ["loam"]


def test_numbers_are_not_corrected(retriever):
    assert "15000" in retriever.index.bm25["en"][0].vocab_dict
    assert retriever.query_terms("16000 francs", "en") == ["16000", "franc"]


def test_a_word_far_from_every_indexed_term_is_kept(retriever):
    assert retriever.query_terms("xylophone", "en") == ["xylophon"]
    assert retriever.search("xylophone", k=3, lang="en", mode="bm25").hits == []


def test_ties_go_to_the_more_frequent_term(retriever):
    # "xraft" is one edit from "craft" (one guide) and "draft" (two guides): the frequent one wins,
    # although "craft" comes first alphabetically. ("graft" is a word: it is not corrected, test_dictionary.py)
    assert retriever.query_terms("xraft", "en") == ["draft"]


def test_bm25_search_with_a_typo_finds_the_right_guide(retriever):
    response = retriever.search("how much can I borow", k=3, lang="en", mode="bm25")
    assert response.hits[0].chunk.doc_id == "loans"
    assert response.hits[0].bm25 > 0


def test_without_correction_the_typo_query_misses_the_guide(retriever, monkeypatch):
    no_correction(monkeypatch)
    assert retriever.query_terms("how much can I borow", "en") == ["much", "borow"]
    response = retriever.search("how much can I borow", k=3, lang="en", mode="bm25")
    # Only "much" matches, and the loans guide does not contain it.
    assert response.hits and "loans" not in {h.chunk.doc_id for h in response.hits}


@pytest.mark.parametrize(
    ("query", "lang", "typo", "fixed", "doc_id"),
    [
        ("comment empruntr", "fr", "empruntr", "emprunt", "emprunt"),  # one letter too many
        ("tresorrie", "fr", "tresorr", "tresorer", "emprunt"),  # one letter missing
        ("un prestamso", "es", "prestams", "prestam", "prestamo"),  # two letters swapped
    ],
)
def test_typos_are_corrected_in_french_and_spanish(retriever, monkeypatch, query, lang, typo, fixed, doc_id):
    assert typo in analyze(query, lang)
    assert fixed in retriever.query_terms(query, lang) and typo not in retriever.query_terms(query, lang)
    assert retriever.search(query, k=1, lang=lang, mode="bm25").hits[0].chunk.doc_id == doc_id
    no_correction(monkeypatch)
    assert doc_id not in {h.chunk.doc_id for h in retriever.search(query, k=3, lang=lang, mode="bm25").hits}


def test_accents_need_no_correction(retriever):
    assert retriever.query_terms("prestamo", "es") == retriever.query_terms("préstamo", "es") == ["prestam"]


def test_each_language_is_corrected_against_its_own_index(retriever):
    # "borow" is close to nothing in the French index, so it stays as typed there.
    assert retriever.query_terms("borow", "fr") == ["borow"]
