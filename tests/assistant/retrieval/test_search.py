"""Hybrid search: language preference, fallback, modes and bad input (fast, hash embedder)."""

from __future__ import annotations

import pytest

from assistant.errors import InputError
from assistant.knowledge.ingest import Ingestor
from assistant.retrieval.index import IndexStore
from assistant.retrieval.search import MAX_QUERY_CHARS, Retriever


@pytest.fixture
def retriever(hash_runtime, small_corpus) -> Retriever:
    Ingestor(hash_runtime.settings, hash_runtime.embedder).ingest([small_corpus])
    return hash_runtime.retriever


def test_french_query_prefers_french_chunks(retriever):
    response = retriever.search("comment préparer un dossier de prêt pour obtenir un crédit", k=3)
    assert response.language == "fr"
    assert response.hits[0].chunk.chunk_id == "credit.fr#preparer-un-dossier-de-pret-1"


def test_english_query_prefers_english_chunks(retriever):
    response = retriever.search("how do I prepare a loan file to obtain credit", k=3)
    assert response.language == "en"
    assert response.hits[0].chunk.chunk_id == "credit.en#preparing-a-loan-file-1"


def test_explicit_language_overrides_detection(retriever):
    response = retriever.search("microfinance", k=2, lang="fr")
    assert response.language == "fr"
    assert response.hits[0].chunk.lang == "fr"


def test_falls_back_to_other_languages_when_the_query_language_has_no_hit(retriever):
    # Nothing in French talks about trade fairs; the Spanish guide does, and it is returned.
    response = retriever.search("salons commerciaux ferias quinua textiles", k=3, lang="fr")
    assert response.hits[0].chunk.doc_id == "ferias"


def test_accents_and_inflections_do_not_matter(retriever):
    with_accents = retriever.search("crédits épargne", k=1, lang="fr", mode="bm25")
    without = retriever.search("credit epargne", k=1, lang="fr", mode="bm25")
    assert with_accents.hits[0].chunk.chunk_id == without.hits[0].chunk.chunk_id


def test_scores_are_ranked_and_k_is_respected(retriever):
    response = retriever.search("credit", k=4)
    scores = [h.score for h in response.hits]
    assert scores == sorted(scores, reverse=True)
    assert len(response.hits) == 4
    assert [h.rank for h in response.hits] == [1, 2, 3, 4]


def test_json_shape_matches_the_contract(retriever):
    data = retriever.search("credit", k=2).to_dict()
    assert set(data) == {"query", "language", "results"}
    assert set(data["results"][0]) == {"rank", "chunk_id", "doc_id", "title", "language", "score", "text"}


@pytest.mark.parametrize("query", ["", "   ", "\n\t"])
def test_empty_query_is_a_clear_error(retriever, query):
    with pytest.raises(InputError, match="empty"):
        retriever.search(query)


def test_unknown_language_is_a_clear_error(retriever):
    with pytest.raises(InputError, match="unknown language 'de'"):
        retriever.search("credit", lang="de")


def test_overlong_query_is_truncated_not_fatal(retriever):
    response = retriever.search("credit " * 1000, k=1)
    assert len(response.query) <= MAX_QUERY_CHARS
    assert response.hits


def test_approximate_index_above_threshold_gives_the_same_top_hit(hash_runtime, small_corpus):
    settings = hash_runtime.settings.model_copy(update={"ann_threshold": 1})
    Ingestor(settings, hash_runtime.embedder).ingest([small_corpus])
    data = IndexStore(settings.index_dir).load()
    assert "HNSW" in type(data.dense).__name__
    hit = Retriever(data, hash_runtime.embedder, settings).search("savings groups microfinance", k=1, mode="dense")
    assert hit.hits[0].chunk.chunk_id == "credit.en#savings-groups-1"
