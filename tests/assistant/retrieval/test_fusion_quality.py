"""The fused ranking is never worse than BM25 alone or dense alone on the project's own questions.

The default model (multilingual-e5-small), real FAISS, the real knowledge base and the evaluation
questions. If a change to the analysers, the fusion or the content breaks this, re-measure with
`python -m evals.calibrate_fusion`.
"""

from __future__ import annotations

import pytest

from assistant.config import SUPPORTED_LANGUAGES
from assistant.embeddings import embed_queries
from assistant.retrieval.fusion import dense_weight
from evals.calibrate_fusion import evaluate, load_cases
from tests.conftest import QUESTIONS

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def cases_by_language(kb_runtime):
    cases = [c for c in load_cases(QUESTIONS) if c["answerable"]]
    vectors = embed_queries(kb_runtime.embedder, [c["question"] for c in cases])
    for case, vector in zip(cases, vectors, strict=True):
        case["_vector"] = vector
    return {lang: [c for c in cases if c["language"] == lang] for lang in SUPPORTED_LANGUAGES}


@pytest.mark.parametrize("lang", SUPPORTED_LANGUAGES)
def test_hybrid_at_least_as_good_as_either_side(kb_runtime, cases_by_language, lang):
    cases = cases_by_language[lang]
    bm25 = evaluate(kb_runtime, cases, None, mode="bm25")
    dense = evaluate(kb_runtime, cases, None, mode="dense")
    hybrid = evaluate(kb_runtime, cases, None, mode="hybrid")
    # Within one question moving from first to second place (half its reciprocal rank over the language's cases):
    # a closer bound fails on a single rank swap, as when the place weighting lifted dense alone by one question.
    slack = 0.5 / len(cases)
    for metric in ("ndcg@10", "mrr@10"):
        assert hybrid[metric] >= max(bm25[metric], dense[metric]) - slack, (lang, metric, bm25, dense, hybrid)


def test_weights_follow_the_model_and_language(kb_runtime):
    model = kb_runtime.embedder.name
    assert model == "multilingual-e5-small"
    # Measured: the English-centric MiniLM earns more weight on English than on French or Spanish; the
    # multilingual model earns more than MiniLM everywhere, most where MiniLM was weakest.
    assert dense_weight("all-MiniLM-L6-v2", "en") > dense_weight("all-MiniLM-L6-v2", "fr")
    assert dense_weight("all-MiniLM-L6-v2", "en") > dense_weight("all-MiniLM-L6-v2", "es")
    for lang in SUPPORTED_LANGUAGES:
        assert dense_weight(model, lang) > dense_weight("all-MiniLM-L6-v2", lang)
    assert dense_weight("some-unmeasured-model", "fr") == 0.3
    assert dense_weight(model, "fr", override=0.9) == 0.9
