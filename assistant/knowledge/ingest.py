"""Ingestion: files in, a new index version out, incrementally and crash-safely.

`Ingestor.ingest(paths)` reads every supported file under the given paths, reuses the chunks and vectors
of documents whose bytes did not change (content hash), embeds only what is new (through the on-disk
embedding cache), drops documents whose files disappeared from an ingested folder, and writes a new
index version that replaces the old one atomically. Unreadable files are skipped with a reason; they
never stop the others.
"""

from __future__ import annotations

import hashlib
import json
import logging
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from assistant.config import Settings
from assistant.embeddings import CachedEmbedder, Embedder, embed_passages, load_seed
from assistant.errors import DocumentError, IndexCorruptError, NotFoundError, PathNotFoundError
from assistant.knowledge.chunking import Chunk, Chunker
from assistant.knowledge.documents import SUPPORTED_EXTENSIONS, Document, file_hash, load_document
from assistant.retrieval.index import FORMAT_VERSION, IndexData, IndexStore

log = logging.getLogger(__name__)

Progress = Callable[[str, int, int], None]
EMBED_BATCH = 64


@dataclass
class Skipped:
    path: str
    reason: str


@dataclass
class IngestReport:
    """What an ingest did, for the summary the CLI prints and the API returns."""

    documents: int = 0
    chunks: int = 0
    languages: dict[str, int] = field(default_factory=dict)
    added: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: int = 0
    removed: list[str] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)
    embedded: int = 0
    shipped: int = 0  # passage vectors taken from the shipped ones (knowledge_base/vectors)
    versions: dict[str, list[str]] = field(default_factory=dict)  # added/updated doc id -> languages it exists in
    seconds: float = 0.0
    version: str | None = None

    @property
    def changed(self) -> bool:
        return bool(self.added or self.updated or self.removed)

    def to_dict(self) -> dict:
        return {
            "documents": self.documents,
            "chunks": self.chunks,
            "languages": self.languages,
            "added": self.added,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "removed": self.removed,
            "skipped": [{"path": s.path, "reason": s.reason} for s in self.skipped],
            "embedded": self.embedded,
            "shipped": self.shipped,
            "versions": self.versions,
            "seconds": round(self.seconds, 3),
            "version": self.version,
        }


def settings_fingerprint(settings: Settings, embedder: Embedder) -> str:
    """Anything that changes chunks or vectors; a change means nothing old can be reused."""
    parts = [
        FORMAT_VERSION,
        embedder.name,
        embedder.passage_prompt,
        settings.chunk_tokens,
        settings.chunk_overlap_tokens,
        embedder.max_tokens,
    ]
    return hashlib.sha256(json.dumps(parts).encode()).hexdigest()[:16]


def collect_files(paths: list[Path]) -> list[tuple[Path, Path, bool]]:
    """(file, root, root_is_folder) for every file to consider, in a stable order."""
    missing = [str(p) for p in paths if not p.exists()]
    if missing:
        raise PathNotFoundError(f"path does not exist: {missing[0]}")
    out = []
    for path in paths:
        if path.is_dir():
            root = path.resolve()
            for file in sorted(root.rglob("*")):
                rel = file.relative_to(root)
                if file.is_file() and not any(part.startswith(".") for part in rel.parts):
                    out.append((file, root, True))
        else:
            out.append((path.resolve(), path.resolve().parent, False))
    return out


class Ingestor:
    """Builds and updates the index under `settings.index_dir`."""

    def __init__(self, settings: Settings, embedder: Embedder) -> None:
        self.settings = settings
        self.embedder = embedder
        self.index_store = IndexStore(settings.index_dir)
        self.chunker = Chunker(
            embedder.count_tokens,
            embedder.max_tokens,
            target_tokens=settings.chunk_tokens,
            overlap_tokens=settings.chunk_overlap_tokens,
        )

    def ingest(self, paths: list[Path], progress: Progress | None = None) -> IngestReport:
        started = time.perf_counter()
        progress = progress or (lambda stage, done, total: None)
        files = collect_files(paths)
        report = IngestReport()
        fingerprint = settings_fingerprint(self.settings, self.embedder)
        with self.index_store.write_lock():
            old_docs, old_chunks, old_vectors = self._previous(fingerprint)
            by_source = {entry["source"]: key for key, entry in old_docs.items()}
            docs: dict[str, dict] = {k: v for k, v in old_docs.items()}
            roots = {str(root) for _, root, is_folder in files if is_folder}
            roots.update(str(p.resolve()) for p in paths if p.is_dir())
            fresh, seen_sources = self._read(files, old_docs, by_source, docs, report, progress)
            self._drop_vanished(docs, fresh, roots, seen_sources, by_source, report)
            if not report.changed and old_docs and self.index_store.exists():
                self._fill_totals(report, docs)
                report.seconds = time.perf_counter() - started
                return report
            chunks, vectors = self._assemble(docs, fresh, old_docs, old_chunks, old_vectors, report, progress)
            data = IndexData(
                chunks=chunks,
                vectors=vectors,
                documents=docs,
                model=self.embedder.name,
                dimension=self.embedder.dimension,
                settings_fingerprint=fingerprint,
            )
            progress("writing", 0, 1)
            report.version = self.index_store.write(data, self.settings.ann_threshold)
            progress("writing", 1, 1)
        self._fill_totals(report, docs)
        report.seconds = time.perf_counter() - started
        return report

    def _read(
        self, files, old_docs: dict, by_source: dict, docs: dict, report: IngestReport, progress: Progress
    ) -> tuple[dict[str, tuple[Document, list[Chunk]]], set[str]]:
        """Read and chunk every new or changed file; `docs` and `report` are updated as they go."""
        fresh: dict[str, tuple[Document, list[Chunk]]] = {}
        seen_sources: set[str] = set()
        for i, (path, root, _) in enumerate(files):
            progress("reading", i, len(files))
            source = str(path)
            seen_sources.add(source)
            try:
                raw = path.read_bytes()
            except OSError as exc:
                report.skipped.append(Skipped(source, f"cannot read file: {exc.strerror or exc}"))
                continue
            old_key = by_source.get(source)
            if old_key and old_docs[old_key]["file_hash"] == file_hash(raw) and old_key not in fresh:
                report.unchanged += 1
                continue
            try:
                document = load_document(path, root)
            except DocumentError as exc:
                report.skipped.append(Skipped(source, str(exc)))
                continue
            if document.key in fresh:
                first = fresh[document.key][0].source
                report.skipped.append(Skipped(source, f"same id and language as {first} ({document.key})"))
                continue
            if old_key and old_key != document.key:
                docs.pop(old_key, None)  # the file now declares another id or language
                report.removed.append(old_key)
            chunks = self.chunker.chunk(document)
            if not chunks:
                report.skipped.append(Skipped(source, "no text to index after cleaning"))
                continue
            (report.updated if document.key in docs else report.added).append(document.key)
            fresh[document.key] = (document, chunks)
            docs[document.key] = _entry(document, root, len(chunks))
        progress("reading", len(files), len(files))
        return fresh, seen_sources

    @staticmethod
    def _drop_vanished(
        docs: dict, fresh: dict, roots: set[str], seen_sources: set[str], by_source: dict, report: IngestReport
    ) -> None:
        """Forget documents whose file is gone from an ingested folder (or now declares another key)."""
        for key, entry in list(docs.items()):
            if key in fresh:
                continue
            source = entry["source"]
            in_scope = any(_is_under(source, root) for root in roots)
            if in_scope and source not in seen_sources:
                docs.pop(key)
                report.removed.append(key)
            elif in_scope and source in seen_sources and by_source.get(source) != key:
                docs.pop(key)

    def remove(self, doc_id: str) -> list[str]:
        """Remove every language version of `doc_id` (or one, given as `doc_id.lang`)."""
        fingerprint = None
        with self.index_store.write_lock():
            manifest = self.index_store.load_manifest()
            if manifest is None:
                raise NotFoundError("the index is empty: nothing to remove")
            fingerprint = manifest.get("settings_fingerprint", "")
            old_docs, old_chunks, old_vectors = self._previous(fingerprint)
            keys = [k for k, e in old_docs.items() if k == doc_id or e["doc_id"] == doc_id]
            if not keys:
                raise NotFoundError(f"no document with id {doc_id!r} in the index (see `mentor kb list`)")
            docs = {k: v for k, v in old_docs.items() if k not in keys}
            report = IngestReport()
            chunks, vectors = self._assemble(docs, {}, old_docs, old_chunks, old_vectors, report, None)
            data = IndexData(
                chunks=chunks,
                vectors=vectors,
                documents=docs,
                model=manifest["model"],
                dimension=manifest["dimension"],
                settings_fingerprint=fingerprint,
            )
            self.index_store.write(data, self.settings.ann_threshold)
        return sorted(keys)

    def _previous(self, fingerprint: str) -> tuple[dict, list[Chunk], np.ndarray | None]:
        """The current version's documents, chunks and vectors, if they can be reused."""
        try:
            manifest = self.index_store.load_manifest()
            if manifest is None or manifest.get("settings_fingerprint") != fingerprint:
                return {}, [], None
            data = self.index_store.load()
        except IndexCorruptError as exc:
            log.warning("previous index unusable, rebuilding from scratch: %s", exc)
            return {}, [], None
        return data.documents, data.chunks, data.vectors

    def _assemble(self, docs, fresh, old_docs, old_chunks, old_vectors, report, progress):
        """Chunks and vectors for every document, in a stable order; only fresh chunks are embedded."""
        new_chunks = [c for key in sorted(fresh) for c in fresh[key][1]]
        new_vectors = self._embed(new_chunks, report, progress)
        offsets = {}
        position = 0
        for key in sorted(fresh):
            offsets[key] = position
            position += len(fresh[key][1])
        chunks: list[Chunk] = []
        parts: list[np.ndarray] = []
        for key in sorted(docs):
            entry = docs[key]
            if key in fresh:
                start, count = offsets[key], len(fresh[key][1])
                chunks.extend(fresh[key][1])
                parts.append(new_vectors[start : start + count])
            else:
                old = old_docs[key]
                start, count = old["start"], old["count"]
                chunks.extend(old_chunks[start : start + count])
                parts.append(old_vectors[start : start + count])
            entry["start"] = len(chunks) - count
            entry["count"] = count
        dim = self.embedder.dimension if old_vectors is None else old_vectors.shape[1]
        vectors = np.concatenate(parts) if parts else np.zeros((0, dim), dtype=np.float32)
        return chunks, vectors

    def _embed(self, chunks: list[Chunk], report: IngestReport, progress: Progress | None) -> np.ndarray:
        if not chunks:
            return np.zeros((0, self.embedder.dimension), dtype=np.float32)
        seed = load_seed(self.settings.embedding_seed_dir, self.embedder)
        cached = CachedEmbedder(self.embedder, self.settings.cache_dir, seed)
        try:
            texts = [c.embedding_text() for c in chunks]
            parts = []
            for start in range(0, len(texts), EMBED_BATCH):
                if progress:
                    progress("embedding", start, len(texts))
                parts.append(embed_passages(cached, texts[start : start + EMBED_BATCH]))
            if progress:
                progress("embedding", len(texts), len(texts))
            report.embedded = cached.misses
            report.shipped = cached.seeded
        finally:
            cached.close()
        return np.concatenate(parts)

    def _fill_totals(self, report: IngestReport, docs: dict[str, dict]) -> None:
        report.documents = len(docs)
        report.chunks = sum(e["count"] for e in docs.values())
        report.languages = dict(sorted(Counter(e["lang"] for e in docs.values()).items()))
        touched = {docs[key]["doc_id"] for key in report.added + report.updated if key in docs}
        report.versions = {doc_id: versions(docs.values(), doc_id) for doc_id in sorted(touched)}


def _entry(document: Document, root: Path, count: int) -> dict:
    return {
        "doc_id": document.doc_id,
        "lang": document.lang,
        "title": document.title,
        "source": document.source,
        "root": str(root),
        "file_hash": document.content_hash,
        "format": document.format,
        "metadata": document.metadata,
        "start": 0,
        "count": count,
    }


def _is_under(source: str, root: str) -> bool:
    return source == root or source.startswith(root.rstrip("/") + "/")


def versions(entries, doc_id: str) -> list[str]:
    """The languages a document exists in (its language versions share the doc id)."""
    return sorted({e["lang"] for e in entries if e["doc_id"] == doc_id})


def list_documents(store: IndexStore) -> list[dict]:
    """The documents in the current index, sorted by id and language, each with the languages its id exists in."""
    manifest = store.load_manifest()
    if manifest is None:
        return []
    entries = manifest["documents"]
    by_id: dict[str, set[str]] = {}
    for entry in entries.values():
        by_id.setdefault(entry["doc_id"], set()).add(entry["lang"])
    return [
        {
            "key": key,
            **{k: entry[k] for k in ("doc_id", "lang", "title", "format", "source", "count")},
            "languages": sorted(by_id[entry["doc_id"]]),
        }
        for key, entry in sorted(entries.items())
    ]


__all__ = ["SUPPORTED_EXTENSIONS", "IngestReport", "Ingestor", "PathNotFoundError", "list_documents"]
