"""Cut-offs per model: a measured model gets its own values; one never measured gets a safe default and a
warning (once), never another model's numbers."""

from __future__ import annotations

import logging

import pytest

from assistant.answering import evidence
from assistant.embeddings import thresholds
from assistant.retrieval import fusion


@pytest.fixture(autouse=True)
def fresh_warnings(monkeypatch):
    monkeypatch.setattr(thresholds, "_warned", set())


def test_each_measured_model_has_its_own_cut_offs(caplog):
    measured = thresholds._table()["models"]
    assert {"all-MiniLM-L6-v2", "multilingual-e5-small"} <= set(measured)
    assert set(measured["multilingual-e5-small"]) == set(thresholds.SAFE)
    minilm = thresholds.cutoff("all-MiniLM-L6-v2", "gap_distance")
    e5 = thresholds.cutoff("multilingual-e5-small", "gap_distance")
    assert minilm == 0.45
    assert 0 < e5 < minilm  # e5's cosines crowd near 1: the same grouping needs a much smaller distance
    low, high = thresholds.scale("multilingual-e5-small", "text_scale")
    assert 0.5 < low < high <= 1.0


def test_a_model_never_measured_gets_the_safe_default_and_one_warning(caplog):
    with caplog.at_level(logging.WARNING):
        first = thresholds.cutoff("someone/new-model", "gap_distance")
        again = thresholds.cutoff("someone/new-model", "gap_distance")
    assert first == again == thresholds.SAFE["gap_distance"]
    warnings = [r for r in caplog.records if "never measured" in r.getMessage()]
    assert len(warnings) == 1 and "someone/new-model" in warnings[0].getMessage()


def test_the_abstention_of_an_unknown_model_trusts_no_cosine(caplog):
    with caplog.at_level(logging.WARNING):
        chosen = evidence.calibration("someone/new-model")
    assert chosen == evidence.SAFE and chosen["dense_mix"] == 0.0
    assert "abstention threshold was never measured" in caplog.text
    assert fusion.dense_weight("someone/new-model", "fr") == fusion.DEFAULT_DENSE_WEIGHT
    assert "dense weight was never measured" in caplog.text


def test_the_test_fake_is_not_warned_about(caplog):
    with caplog.at_level(logging.WARNING):
        assert evidence.calibration("hash-256") == evidence.DEFAULT
        thresholds.cutoff("hash-256", "gap_distance")
    assert "never measured" not in caplog.text


def test_evidence_in_another_language_uses_the_pair_calibration(monkeypatch):
    table = {
        "models": {
            "m": {
                "dense_mix": 0.4,
                "threshold": 0.5,
                "pairs": {"es>fr": {"dense_mix": 0.9, "threshold": 0.8, "answer_rate": 0.9}},
            }
        }
    }
    monkeypatch.setattr(evidence, "_table", lambda: table)
    assert evidence.calibration("m") == {"dense_mix": 0.4, "asked_mix": 0.0, "threshold": 0.5}
    assert evidence.calibration("m", "es", "es") == {"dense_mix": 0.4, "asked_mix": 0.0, "threshold": 0.5}
    assert evidence.calibration("m", "es", "fr") == {"dense_mix": 0.9, "asked_mix": 0.0, "threshold": 0.8}
    assert evidence.calibration("m", "en", "fr") == {
        "dense_mix": 0.4,
        "asked_mix": 0.0,
        "threshold": 0.5,
    }  # not measured: main


def test_the_pair_calibration_applies_only_when_her_language_lacks_that_guide():
    from assistant.answering.service import evidence_language
    from assistant.knowledge.chunking import Chunk
    from assistant.retrieval.search import SearchHit

    def hit(doc_id: str, lang: str) -> SearchHit:
        return SearchHit(1, Chunk(f"{doc_id}.{lang}#a-1", doc_id, lang, "t", "h", "text", "s"), 0.9, 0.0, 0.9)

    documents = {"credit.fr": {}, "credit.es": {}, "honey.fr": {}}
    assert evidence_language([hit("credit", "fr")], "es", documents) == "es"  # her version exists
    assert evidence_language([hit("honey", "fr")], "es", documents) == "fr"  # only in French
    assert evidence_language([hit("credit", "es")], "es", documents) == "es"
    assert evidence_language([], "es", documents) == "es"
