"""The contract every `Embedder` keeps, as one test class that each implementation's tests inherit.

A subclass provides the `embedder` fixture and says what the model can be expected to know:
`knows_meaning` (a paraphrase is closer than an unrelated sentence) and `multilingual` (a question in
Spanish is closer to its French translation than to an unrelated French sentence).
"""

from __future__ import annotations

import numpy as np
import pytest

from assistant.embeddings import Embedder, embed_passages, embed_queries

TEXTS = [
    "Comment préparer un dossier de prêt pour la banque ?",
    "¿Cómo vendo mis textiles en una feria?",
    "How do I register a trademark?",
    "café, crédit, año, niño — 👍",
    "x",
]


def cosine(a: np.ndarray, b: np.ndarray) -> float:
    return float(a @ b / (np.linalg.norm(a) * np.linalg.norm(b)))


class EmbedderContract:
    knows_meaning = True
    multilingual = False

    @pytest.fixture
    def embedder(self) -> Embedder:
        raise NotImplementedError("a subclass provides the embedder under test")

    def test_it_is_an_embedder_with_its_attributes(self, embedder):
        assert isinstance(embedder, Embedder)
        assert isinstance(embedder.name, str) and embedder.name
        assert isinstance(embedder.dimension, int) and embedder.dimension > 0
        assert isinstance(embedder.max_tokens, int) and embedder.max_tokens > 16
        assert isinstance(embedder.query_prompt, str) and isinstance(embedder.passage_prompt, str)

    def test_no_text_gives_an_empty_matrix_of_the_right_width(self, embedder):
        vectors = embedder.embed_batch([])
        assert vectors.shape == (0, embedder.dimension)
        assert vectors.dtype == np.float32

    def test_rows_are_unit_float32_vectors_in_input_order(self, embedder):
        vectors = embedder.embed_batch(TEXTS)
        assert vectors.shape == (len(TEXTS), embedder.dimension)
        assert vectors.dtype == np.float32
        np.testing.assert_allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-4)
        alone = np.stack([embedder.embed_batch([t])[0] for t in TEXTS])
        np.testing.assert_allclose(vectors, alone, atol=1e-4)  # a batch changes nothing, order kept
        assert not np.allclose(vectors[0], vectors[1])

    def test_the_same_text_gives_the_same_vector(self, embedder):
        first, second = embedder.embed_batch([TEXTS[1]]), embedder.embed_batch([TEXTS[1]])
        np.testing.assert_array_equal(first, second)

    def test_queries_and_passages_have_the_model_width(self, embedder):
        assert embed_queries(embedder, TEXTS[:2]).shape == (2, embedder.dimension)
        assert embed_passages(embedder, TEXTS[:3]).shape == (3, embedder.dimension)

    def test_a_text_longer_than_the_model_limit_still_embeds(self, embedder):
        long = "Les groupes d'épargne aident les femmes sans garantie. " * 200
        assert embedder.count_tokens(long) > embedder.max_tokens
        vector = embed_passages(embedder, [long])[0]
        assert np.isfinite(vector).all()
        assert abs(float(np.linalg.norm(vector)) - 1.0) < 1e-4

    def test_token_counts_grow_with_the_text(self, embedder):
        short, longer = embedder.count_tokens("crédit"), embedder.count_tokens("crédit pour mon entreprise au Sénégal")
        assert isinstance(short, int) and 0 < short < longer
        assert embedder.count_tokens("crédit " * 40) > longer

    def test_a_paraphrase_is_closer_than_an_unrelated_sentence(self, embedder):
        if not self.knows_meaning:
            pytest.skip("this embedder knows no meaning (a deterministic fake)")
        question, paraphrase, unrelated = embed_queries(
            embedder,
            [
                "How can I get a loan for my shop?",
                "How do I obtain credit for my small business?",
                "The weather is nice.",
            ],
        )
        assert cosine(question, paraphrase) > cosine(question, unrelated) + 0.05

    def test_a_translation_is_closer_than_an_unrelated_sentence(self, embedder):
        if not self.multilingual:
            pytest.skip("an English-centric model: no promise across languages")
        spanish, french, unrelated = embed_queries(
            embedder,
            [
                "¿Cómo puedo obtener un crédito para mi negocio?",
                "Comment obtenir un crédit pour mon entreprise ?",
                "Comment s'habiller pour un mariage en été ?",
            ],
        )
        assert cosine(spanish, french) > 0.85
        assert cosine(spanish, french) > cosine(spanish, unrelated) + 0.05
