"""The configurations an evaluation compares, each a pipeline from a question to an `Outcome`.

- `hybrid`: ours, as configured (BM25 + dense vectors fused per language, calibrated abstention, the
  configured composer).
- `bm25`, `dense`: the same answering with one retriever alone (the abstention and the composer unchanged).
- `langchain-naive`: a plain LangChain pipeline as a peer reference: the documents' text split by
  `RecursiveCharacterTextSplitter(chunk_size=1000, chunk_overlap=200)`, the same embedding model, a
  LangChain `FAISS` vector store, similarity top-k over every language. It never abstains (a plain
  pipeline has no evidence threshold) and its top 4 chunks (LangChain's default k) are answered from by
  the same extractive composer, so the comparison isolates chunking and retrieval.

A pipeline is asked one message at a time, with the earlier turns of its conversation (`history`, the
questions and the answers this same pipeline gave); the assistant's own pipelines resolve a follow-up with them,
the LangChain reference has no conversation memory and ignores them.

Every pipeline can be restricted to the documents of one language (`restricted(lang)`), which is how the
cross-language figures (Spanish questions over a French-only knowledge base) are measured.

A configuration may name another embedding model after an `@` (`hybrid@all-MiniLM-L6-v2`): the same
pipeline over an index built with that model, so one run shows what the model buys and what the pipeline
buys side by side.
"""

from __future__ import annotations

import hashlib
import json
import time
import warnings
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

import numpy as np
from langchain_core.embeddings import Embeddings

from assistant.answering.evidence import calibration
from assistant.answering.extractive import ExtractiveComposer
from assistant.answering.service import RETRIEVE_K, Answerer
from assistant.embeddings import CachedEmbedder, Embedder, embed_passages, embed_queries, load_seed
from assistant.errors import InputError
from assistant.knowledge.chunking import Chunk
from assistant.knowledge.documents import DocumentError, load_document
from assistant.knowledge.ingest import collect_files, settings_fingerprint
from assistant.languages import detect_language
from assistant.memory import Turn, retrieval_query
from assistant.retrieval.fusion import cross_language_penalty, dense_weight
from assistant.retrieval.index import IndexData, build_bm25, build_dense
from assistant.retrieval.search import Retriever, SearchHit
from assistant.runtime import Runtime
from assistant.text import analyze
from evals.metrics import unique_in_order
from evals.outcome import Outcome

CONFIGS = ("hybrid", "bm25", "dense", "langchain-naive")
RANKED = 40  # chunks searched for the document ranking; enough for 10 distinct documents
LANGCHAIN_CHUNK = 1000
LANGCHAIN_OVERLAP = 200
LANGCHAIN_K = 4


class NoGaps:
    """Evaluation questions are not content gaps: nothing is recorded."""

    def record_gap(self, question: str, language: str, scores: dict) -> None:
        return None


def digest(value) -> str:
    return "sha256:" + hashlib.sha256(json.dumps(value, sort_keys=True, default=str).encode()).hexdigest()


def _version(package: str) -> str:
    try:
        return version(package)
    except PackageNotFoundError:
        return "absent"


class SlicedRuntime(Runtime):
    """A runtime over the chunks of one language of another runtime's index (nothing re-embedded)."""

    def __init__(self, base: Runtime, lang: str) -> None:
        super().__init__(base.settings, base.embedder)
        full = base.index
        keep = [i for i, c in enumerate(full.chunks) if c.lang == lang]
        chunks = [full.chunks[i] for i in keep]
        vectors = full.vectors[keep]
        self._slice = IndexData(
            chunks=chunks,
            vectors=vectors,
            documents={k: v for k, v in full.documents.items() if k.endswith(f".{lang}")},
            model=full.model,
            dimension=full.dimension,
            dense=build_dense(vectors, base.settings.ann_threshold),
            bm25=build_bm25(chunks),
            version=f"{full.version}-{lang}",
        )
        if full.question_vectors is not None:  # the slice's sections keep their questions, rows renumbered
            row_of = {old: new for new, old in enumerate(keep)}
            picked = [j for j, row in enumerate(full.question_rows.tolist()) if row in row_of]
            self._slice.question_texts = [full.question_texts[j] for j in picked]
            self._slice.question_rows = np.array([row_of[int(full.question_rows[j])] for j in picked], dtype=np.int64)
            self._slice.question_vectors = full.question_vectors[picked]
        self._sliced_retriever = Retriever(self._slice, base.embedder, base.settings, base.query_encoder)

    @property
    def index(self) -> IndexData:
        return self._slice

    @property
    def retriever(self) -> Retriever:
        return self._sliced_retriever


class OursPipeline:
    """The assistant's own answering, with the retriever in one mode."""

    def __init__(self, runtime: Runtime, mode: str, name: str, llm=None) -> None:
        self.runtime = runtime
        self.mode = mode
        self.name = name
        self.answerer = Answerer(runtime, llm=llm, gaps=NoGaps(), mode=mode)

    @property
    def description(self) -> str:
        what = {
            "hybrid": "ours: BM25 and dense vectors fused per language",
            "bm25": "BM25 alone (per-language stemming), same answering",
            "dense": "dense vectors alone (FAISS), same answering",
        }[self.mode]
        composer = "LLM with extractive fallback" if self.answerer.llm else "extractive answers"
        return f"{what}, calibrated abstention, {composer}; model {self.runtime.embedder.name}"

    def fingerprint(self) -> dict:
        settings = self.runtime.settings
        model = self.runtime.index.model
        return {
            "pipeline": "ours",
            "mode": self.mode,
            "index": settings_fingerprint(settings, self.runtime.embedder),
            "dense_weights": {lang: dense_weight(model, lang, settings.dense_weight) for lang in ("fr", "es", "en")},
            "abstention": calibration(model),
            "abstain_threshold": settings.abstain_threshold,
            "cross_language_penalty": cross_language_penalty(model, settings.cross_language_penalty),
            "answer_max_chars": settings.answer_max_chars,
            "retrieve_k": RETRIEVE_K,
            "llm": settings.llm,
        }

    def run(self, question: str, history: list[Turn] | None = None) -> Outcome:
        answer = self.answerer.answer(question, history=history or [])
        # The document ranking for the retrieval metrics: the same search, deeper than the answer needs.
        ranked = self.runtime.retriever.search(
            answer.searched or retrieval_query(question, history or []), k=RANKED, lang=answer.language, mode=self.mode
        ).hits
        by_id = {h.chunk.chunk_id: h.chunk.text for h in answer.hits}
        return Outcome(
            retrieved_doc_ids=unique_in_order([h.chunk.doc_id for h in ranked]),
            context_chunk_ids=[h.chunk.chunk_id for h in answer.hits],
            answer=answer.full_text,
            language=answer.language,
            abstained=answer.abstained,
            citations=[c.to_dict() for c in answer.citations],
            evidence={c.chunk_id: by_id.get(c.chunk_id, "") for c in answer.citations},
            latency_ms=answer.latency_ms,
        )

    def restricted(self, lang: str) -> OursPipeline:
        return OursPipeline(SlicedRuntime(self.runtime, lang), self.mode, self.name, self.answerer.llm)


class LangChainNaive:
    """Recursive character splitting 1,000/200, the same embedding model, LangChain's FAISS store, top-k."""

    name = "langchain-naive"

    @property
    def description(self) -> str:
        return (
            "peer reference: LangChain RecursiveCharacterTextSplitter 1000/200, same model, FAISS top-4, "
            f"no language preference, never abstains, extractive answers; model {self.embedder.name}"
        )

    def __init__(
        self, kb: Path, embedder: Embedder, cache_dir: Path, answer_max_chars: int, store=None, seed_dir=None
    ) -> None:
        self.kb = kb
        self.embedder = embedder
        self.cache_dir = cache_dir
        self.seed_dir = seed_dir
        self.composer = ExtractiveComposer(answer_max_chars)
        self.answer_max_chars = answer_max_chars
        self.only: str | None = None
        self.vector_store = store if store is not None else self._build()

    def _build(self):
        from langchain_core.documents import Document as LCDocument
        from langchain_text_splitters import RecursiveCharacterTextSplitter

        with warnings.catch_warnings():
            # langchain-community warns on import that it is being split into smaller packages; its FAISS
            # store is still the one a plain LangChain pipeline uses.
            warnings.simplefilter("ignore", DeprecationWarning)
            from langchain_community.vectorstores import FAISS

        splitter = RecursiveCharacterTextSplitter(chunk_size=LANGCHAIN_CHUNK, chunk_overlap=LANGCHAIN_OVERLAP)
        documents = []
        for path, root, _ in collect_files([self.kb]):
            try:
                document = load_document(path, root)
            except DocumentError:
                continue  # the ingest report of the main index already names skipped files
            meta = {"doc_id": document.doc_id, "lang": document.lang, "title": document.title}
            documents.append(LCDocument(page_content=document.body, metadata=meta))
        pieces = splitter.split_documents(documents)
        counters: dict[str, int] = {}
        for piece in pieces:
            key = f"{piece.metadata['doc_id']}.{piece.metadata['lang']}"
            counters[key] = counters.get(key, 0) + 1
            piece.metadata["chunk_id"] = f"{key}#lc-{counters[key]}"
        if not pieces:
            raise InputError(f"no readable documents under {self.kb} for the langchain-naive configuration")
        passages = CachedEmbedder(self.embedder, self.cache_dir, load_seed(self.seed_dir, self.embedder))
        return FAISS.from_documents(pieces, _SameModel(self.embedder, passages))

    def fingerprint(self) -> dict:
        return {
            "pipeline": "langchain-naive",
            "splitter": ["RecursiveCharacterTextSplitter", LANGCHAIN_CHUNK, LANGCHAIN_OVERLAP],
            "k": LANGCHAIN_K,
            "model": self.embedder.name,
            "answer_max_chars": self.answer_max_chars,
            "versions": {p: _version(p) for p in ("langchain-community", "langchain-text-splitters", "faiss-cpu")},
        }

    def run(self, question: str, history: list[Turn] | None = None) -> Outcome:
        started = time.perf_counter()
        language = detect_language(question).language
        only = {"filter": {"lang": self.only}, "fetch_k": self.vector_store.index.ntotal} if self.only else {}
        found = self.vector_store.similarity_search_with_score(question, k=RANKED, **only)
        hits = []
        for rank, (doc, distance) in enumerate(found, start=1):
            meta = doc.metadata
            chunk = Chunk(meta["chunk_id"], meta["doc_id"], meta["lang"], meta["title"], "", doc.page_content, "")
            # FAISS returns squared L2 distances of unit vectors: cosine = 1 - d/2.
            cosine = 1.0 - float(distance) / 2.0
            hits.append(SearchHit(rank, chunk, cosine, 0.0, cosine))
        context = hits[:LANGCHAIN_K]
        draft = self.composer.compose(question, language, context, analyze)
        by_id = {h.chunk.chunk_id: h.chunk.text for h in context}
        return Outcome(
            retrieved_doc_ids=unique_in_order([h.chunk.doc_id for h in hits]),
            context_chunk_ids=[h.chunk.chunk_id for h in context],
            answer=draft.text,
            language=language,
            abstained=False,
            citations=[c.to_dict() for c in draft.citations],
            evidence={c.chunk_id: by_id.get(c.chunk_id, "") for c in draft.citations},
            latency_ms=(time.perf_counter() - started) * 1000,
        )

    def restricted(self, lang: str) -> LangChainNaive:
        other = LangChainNaive(self.kb, self.embedder, self.cache_dir, self.answer_max_chars, store=self.vector_store)
        other.only = lang
        return other


class _SameModel(Embeddings):
    """The assistant's embedding model behind LangChain's `Embeddings` interface (same prompts, same vectors).
    Passages may come from the on-disk cache; queries are always embedded, so latency is comparable with ours."""

    def __init__(self, embedder: Embedder, passages: Embedder | None = None) -> None:
        self.embedder = embedder
        self.passages = passages or embedder

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        return embed_passages(self.passages, list(texts)).tolist()

    def embed_query(self, text: str) -> list[float]:
        return embed_queries(self.embedder, [text])[0].tolist()


def parse_config(name: str) -> tuple[str, str | None]:
    """('hybrid', None) for 'hybrid'; ('dense', 'all-MiniLM-L6-v2') for 'dense@all-MiniLM-L6-v2'."""
    base, _, model = name.partition("@")
    if base not in CONFIGS or (_ and not model.strip()):
        raise InputError(
            f"unknown configuration {name!r}: use one of {', '.join(CONFIGS)}, optionally @<embedding model>"
        )
    return base, model.strip() or None


def build(name: str, runtime: Runtime, kb: Path, llm=None):
    """The pipeline called `name` (without its `@model`) over `runtime`'s index (already ingested from `kb`)."""
    name = parse_config(name)[0]
    if name in ("hybrid", "bm25", "dense"):
        return OursPipeline(runtime, name, name, llm=llm)
    if name == "langchain-naive":
        settings = runtime.settings
        return LangChainNaive(
            kb, runtime.embedder, settings.cache_dir, settings.answer_max_chars, seed_dir=settings.embedding_seed_dir
        )
    raise InputError(f"unknown configuration {name!r}: use one of {', '.join(CONFIGS)}")
