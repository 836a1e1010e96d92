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
from functools import cached_property
from pathlib import Path

import numpy as np

from assistant.config import Settings
from assistant.embeddings import CachedEmbedder, Embedder, embed_passages, embed_queries, load_seed
from assistant.errors import DocumentError, IndexCorruptError, NotFoundError, PathNotFoundError
from assistant.knowledge.chunking import Chunk, Chunker
from assistant.knowledge.documents import (
    SUPPORTED_EXTENSIONS,
    Document,
    DocumentLimits,
    file_hash,
    load_document,
)
from assistant.knowledge.questions import section_questions
from assistant.knowledge.report import IngestReport, Replaced, Skipped
from assistant.knowledge.sources import FileEntry, is_under, kept_sources, shown
from assistant.retrieval.index import FORMAT_VERSION, IndexData, IndexStore

log = logging.getLogger(__name__)

Progress = Callable[[str, int, int], None]
EMBED_BATCH = 64


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
        self.limits = DocumentLimits(settings.ingest_max_document_chars, settings.ingest_max_docx_xml_mb)

    def ingest(self, paths: list[Path], progress: Progress | None = None) -> IngestReport:
        started = time.perf_counter()
        progress = progress or (lambda stage, done, total: None)
        files = collect_files(paths)
        given = {str(path) for path, _, _ in files}  # what the per-ingest bound counts (not a rebuild's extras)
        report = IngestReport()
        fingerprint = settings_fingerprint(self.settings, self.embedder)
        with self.index_store.write_lock():
            old_docs, old_chunks, old_vectors = self._previous(fingerprint, report)
            folders = [str(p.resolve()) for p in paths if p.is_dir()]
            files = kept_sources(self.index_store, files, folders, old_docs, report.rebuilt, self._fallback())
            by_source = {entry["source"]: key for key, entry in old_docs.items()}
            docs: dict[str, dict] = {k: v for k, v in old_docs.items()}
            roots = {str(root) for _, root, is_folder in files if is_folder}
            roots.update(folders)
            fresh, seen_sources = self._read(files, old_docs, by_source, docs, report, progress, given)
            self._drop_vanished(docs, fresh, roots, seen_sources, by_source, report)
            if not report.changed and old_docs and self.index_store.exists():
                questions = section_questions(old_chunks, docs)
                stored = (self.index_store.load_manifest() or {}).get("questions_fingerprint")
                report.questions_changed = stored != questions.fingerprint()
                if not report.questions_changed:
                    report.questions, report.question_problems = len(questions.texts), questions.problems
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
            self._add_questions(data, report, progress)
            progress("writing", 0, 1)
            report.version = self.index_store.write(data, self.settings.ann_threshold)
            progress("writing", 1, 1)
        self._fill_totals(report, docs)
        report.seconds = time.perf_counter() - started
        return report

    def _read(
        self, files, old_docs: dict, by_source: dict, docs: dict, report: IngestReport, progress: Progress, given
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
                report.skipped.append(Skipped(source, f"cannot read file: {exc.strerror or exc}", shown(path, root)))
                continue
            old_key = by_source.get(source)
            if old_key and old_docs[old_key]["file_hash"] == file_hash(raw) and old_key not in fresh:
                report.unchanged += 1
                continue
            try:
                document, chunks = self._chunked(path, root, fresh, given)
            except DocumentError as exc:
                report.skipped.append(Skipped(source, str(exc), shown(path, root)))
                continue
            if old_key and old_key != document.key:
                docs.pop(old_key, None)  # the file now declares another id or language
                report.removed.append(old_key)
            previous = docs.get(document.key)
            if previous is not None and previous["source"] != source:
                report.replaced.append(
                    Replaced(document.key, shown(previous["source"], previous["root"]), shown(path, root))
                )
            (report.updated if previous is not None else report.added).append(document.key)
            fresh[document.key] = (document, chunks)
            docs[document.key] = _entry(document, root, len(chunks))
        progress("reading", len(files), len(files))
        return fresh, seen_sources

    def _chunked(self, path: Path, root: Path, fresh: dict, given: set[str]) -> tuple[Document, list[Chunk]]:
        """One file's document and chunks, or `DocumentError` saying why it is not indexed (the bound per
        ingest counts the files given, not the held documents a rebuild reads again)."""
        settings = self.settings
        document = load_document(path, root, self.limits)
        if document.key in fresh:
            first = fresh[document.key][0]
            raise DocumentError(
                f"same id and language as {shown(first.source, root)} ({document.key}), which is "
                "indexed: give this file another name, or its own id in front matter"
            )
        chunks = self.chunker.chunk(document)
        if not chunks:
            raise DocumentError("no text to index after cleaning")
        if len(chunks) > settings.ingest_max_document_chunks:
            raise DocumentError(
                f"makes {len(chunks)} chunks, over the limit of {settings.ingest_max_document_chunks} per "
                "document (MENTOR_INGEST_MAX_DOCUMENT_CHUNKS): split it into several guides"
            )
        total = sum(len(c) for d, c in fresh.values() if d.source in given)
        if str(path) in given and total + len(chunks) > settings.ingest_max_job_chunks:
            raise DocumentError(
                f"would bring this ingest to {total + len(chunks)} chunks, over the limit of "
                f"{settings.ingest_max_job_chunks} per ingest (MENTOR_INGEST_MAX_JOB_CHUNKS): upload it separately"
            )
        return document, chunks

    @staticmethod
    def _drop_vanished(
        docs: dict, fresh: dict, roots: set[str], seen_sources: set[str], by_source: dict, report: IngestReport
    ) -> None:
        """Forget documents whose file is gone from an ingested folder (or now declares another key)."""
        for key, entry in list(docs.items()):
            if key in fresh:
                continue
            source = entry["source"]
            in_scope = any(is_under(source, root) for root in roots)
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
            report = IngestReport()
            old_docs, old_chunks, old_vectors = self._previous(fingerprint, report)
            if report.rebuilt:  # removing from an index that cannot be read would write an empty one
                raise IndexCorruptError(f"the index cannot be changed ({report.rebuilt}): run `mentor ingest` first")
            keys = [k for k, e in old_docs.items() if k == doc_id or e["doc_id"] == doc_id]
            if not keys:
                raise NotFoundError(f"no document with id {doc_id!r} in the index (see `mentor kb list`)")
            docs = {k: v for k, v in old_docs.items() if k not in keys}
            chunks, vectors = self._assemble(docs, {}, old_docs, old_chunks, old_vectors, report, None)
            data = IndexData(
                chunks=chunks,
                vectors=vectors,
                documents=docs,
                model=manifest["model"],
                dimension=manifest["dimension"],
                settings_fingerprint=fingerprint,
            )
            self._add_questions(data, report, None)
            self.index_store.write(data, self.settings.ann_threshold)
        return sorted(keys)

    def _previous(self, fingerprint: str, report: IngestReport) -> tuple[dict, list[Chunk], np.ndarray | None]:
        """The live version's documents, chunks and vectors, if they can be reused; else `report.rebuilt`
        says why every held document is read again."""
        if not self.index_store.has_versions():
            return {}, [], None
        try:
            manifest = self.index_store.load_manifest()
            if manifest is None:
                report.rebuilt = "no usable CURRENT version"
            elif manifest.get("settings_fingerprint") != fingerprint:
                report.rebuilt = "the embedding model or the chunk settings changed"
            else:
                data = self.index_store.load()
                if data.settings_fingerprint == fingerprint:
                    return data.documents, data.chunks, data.vectors
                report.rebuilt = "the live version is damaged and the one before it was built differently"
        except IndexCorruptError as exc:
            report.rebuilt = f"the live version is damaged: {exc}"
        log.warning("the index cannot be reused (%s): every document it holds is read again", report.rebuilt)
        return {}, [], None

    def _fallback(self) -> list[FileEntry]:
        """What a rebuild reads when no manifest says what the index held: uploads and the guides folder."""
        uploads = self.settings.data_dir / "uploads"
        found: list[FileEntry] = []
        if uploads.is_dir():
            found += [(f.resolve(), uploads.resolve(), False) for f in sorted(uploads.iterdir()) if _upload(f)]
        if self.settings.kb_dir.is_dir():
            found += collect_files([self.settings.kb_dir])
        return found

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

    @cached_property
    def _seed(self):
        """The shipped vectors, read once per ingestor (the passages and the questions both look there)."""
        return load_seed(self.settings.embedding_seed_dir, self.embedder)

    def _add_questions(self, data: IndexData, report: IngestReport, progress: Progress | None) -> None:
        """The questions each guide section answers, embedded as queries (through the cache and the shipped
        vectors, like the passages), into `data`; files left out are named in the report."""
        questions = section_questions(data.chunks, data.documents)
        report.questions, report.question_problems = len(questions.texts), questions.problems
        for problem in questions.problems:
            log.warning("questions left out: %s", problem)
        if not questions.texts:
            return
        cached = CachedEmbedder(self.embedder, self.settings.cache_dir, self._seed)
        try:
            parts = []
            for start in range(0, len(questions.texts), EMBED_BATCH):
                if progress:
                    progress("embedding questions", start, len(questions.texts))
                parts.append(embed_queries(cached, questions.texts[start : start + EMBED_BATCH]))
        finally:
            cached.close()
        data.question_texts = questions.texts
        data.question_rows = np.asarray(questions.rows, dtype=np.int64)
        data.question_vectors = np.concatenate(parts)

    def _embed(self, chunks: list[Chunk], report: IngestReport, progress: Progress | None) -> np.ndarray:
        if not chunks:
            return np.zeros((0, self.embedder.dimension), dtype=np.float32)
        cached = CachedEmbedder(self.embedder, self.settings.cache_dir, self._seed)
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


def _upload(path: Path) -> bool:
    return path.is_file() and not path.name.startswith(".") and path.suffix.lower() in SUPPORTED_EXTENSIONS


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
