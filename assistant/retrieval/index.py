"""The on-disk index: chunk table, vectors, FAISS file and BM25 state, swapped in atomically.

Layout under `<data_dir>/index/`:

    CURRENT                 the name of the live version (replaced atomically with os.replace)
    v-<time>-<id>/          one complete version
        manifest.json       model, counts, and one entry per document (source, hash, chunk range)
        chunks.jsonl        one chunk a line, in vector order
        vectors.npy         float32 [n, dim], loaded with allow_pickle=False
        dense.faiss         exact inner-product index, or HNSW above the configured size
        bm25/<lang>/        bm25s state for the chunks of that language (+ rows.json: chunk positions)
        questions.json      the questions each section answers, with their chunk rows (optional:
        questions.npy       assistant/knowledge/questions.py), and their vectors, in the same order
    .lock                   held by the one ingest allowed at a time

A new version is written into a temporary folder, renamed, and only then named in CURRENT, so a crash at
any moment leaves the previous version usable. Nothing is unpickled. When CURRENT names something that is
not a complete version (garbage, a truncated chunk file), the newest complete version answers instead, and
the newest complete previous version is never deleted. Error messages name versions, never server paths.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import json
import logging
import os
import re
import shutil
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import bm25s
import faiss
import numpy as np

from assistant.errors import IndexCorruptError, NotIndexedError
from assistant.knowledge.chunking import Chunk
from assistant.text import analyze

FORMAT_VERSION = 1
HNSW_M = 32
VERSION_NAME = re.compile(r"v-\d{8}-\d{6}-[0-9a-f]{8}")
REQUIRED_FILES = ("manifest.json", "chunks.jsonl", "vectors.npy", "dense.faiss")
log = logging.getLogger(__name__)


@dataclass
class IndexData:
    """A complete index in memory."""

    chunks: list[Chunk]
    vectors: np.ndarray
    documents: dict[str, dict]  # doc key -> manifest entry
    model: str
    dimension: int
    dense: faiss.Index | None = None
    bm25: dict[str, tuple[bm25s.BM25, np.ndarray]] = field(default_factory=dict)
    version: str = ""
    settings_fingerprint: str = ""
    # The questions each section answers (assistant/knowledge/questions.py): text, chunk row, query vector.
    question_texts: list[str] = field(default_factory=list)
    question_rows: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    question_vectors: np.ndarray | None = None

    _idf: dict[str, dict[str, float]] = field(default_factory=dict)

    def idf(self, lang: str) -> dict[str, float]:
        """Term -> IDF for one language's BM25 index (computed once, from the stored term-document matrix)."""
        if lang not in self._idf:
            table: dict[str, float] = {}
            if lang in self.bm25:
                retriever, rows = self.bm25[lang]
                df = np.diff(np.asarray(retriever.scores["indptr"]))
                n = len(rows)
                for term, tid in retriever.vocab_dict.items():
                    freq = df[tid] if tid < len(df) else 0  # bm25s's padding token has no column
                    table[term] = float(np.log(1 + (n - freq + 0.5) / (freq + 0.5)))
                table["\x00unseen"] = float(np.log(1 + (n + 0.5) / 0.5))
            self._idf[lang] = table
        return self._idf[lang]

    @property
    def languages(self) -> list[str]:
        return sorted({c.lang for c in self.chunks})


def build_dense(vectors: np.ndarray, ann_threshold: int) -> faiss.Index:
    dim = vectors.shape[1]
    if len(vectors) > ann_threshold:
        index = faiss.IndexHNSWFlat(dim, HNSW_M, faiss.METRIC_INNER_PRODUCT)
        index.hnsw.efConstruction = 80
        index.hnsw.efSearch = 64
    else:
        index = faiss.IndexFlatIP(dim)
    if len(vectors):
        index.add(np.ascontiguousarray(vectors, dtype=np.float32))
    return index


def build_bm25(chunks: list[Chunk]) -> dict[str, tuple[bm25s.BM25, np.ndarray]]:
    """One BM25 index per document language, each analysed with that language's stemmer."""
    out = {}
    for lang in sorted({c.lang for c in chunks}):
        rows = np.array([i for i, c in enumerate(chunks) if c.lang == lang], dtype=np.int64)
        corpus = [analyze(f"{chunks[i].title} {chunks[i].heading} {chunks[i].text}", lang) or ["_"] for i in rows]
        retriever = bm25s.BM25()
        retriever.index(corpus, show_progress=False)
        out[lang] = (retriever, rows)
    return out


class IndexStore:
    """Reads and writes index versions under one folder."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self._current_key: tuple | None = None
        self._current_name: str | None = None

    @property
    def current_file(self) -> Path:
        return self.root / "CURRENT"

    def exists(self) -> bool:
        return self.current_file.exists()

    def current_version(self) -> str | None:
        """The live version: the one named in CURRENT, or the newest complete one when CURRENT names garbage.
        Asked on every request, so the file is read again only when its identity changed (a new version is
        published by an atomic rename, which gives a new inode)."""
        try:
            stat = self.current_file.stat()
            key = (stat.st_ino, stat.st_mtime_ns, stat.st_size)
            if key == self._current_key:
                return self._current_name
            named = self.current_file.read_text(encoding="utf-8", errors="replace").strip() or None
        except FileNotFoundError:
            return None
        name = named
        problem = self.problem(named) if named else "CURRENT is empty"
        if problem:
            name = next((v for v in self.versions() if v != named and self.problem(v) is None), named)
            if name != named:
                log.warning("index: CURRENT names an unusable version (%s); using %s", problem, name)
        self._current_key, self._current_name = key, name
        return name

    def has_versions(self) -> bool:
        """Something was indexed here once (a version folder, or a CURRENT file, usable or not)."""
        return self.exists() or bool(self.versions())

    def versions(self) -> list[str]:
        """Every version folder's name, newest first."""
        if not self.root.is_dir():
            return []
        found = [p for p in self.root.iterdir() if VERSION_NAME.fullmatch(p.name) and p.is_dir()]
        # The name holds the second it was written; within one second, the folder's time orders them.
        return [p.name for p in sorted(found, key=lambda p: (p.name[:17], _mtime(p)), reverse=True)]

    def problem(self, name: str) -> str | None:
        """Why version `name` cannot be used (missing, incomplete, truncated), or None when it looks whole."""
        if not VERSION_NAME.fullmatch(name or ""):
            return "not a version name"
        folder = self.root / name
        missing = [f for f in REQUIRED_FILES if not (folder / f).is_file()]
        if missing:
            return f"{name} lacks {', '.join(missing)}"
        try:
            manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
            count = int(manifest["chunks"])
            rows = np.load(folder / "vectors.npy", mmap_mode="r", allow_pickle=False).shape[0]
            with open(folder / "chunks.jsonl", "rb") as handle:
                lines = sum(chunk.count(b"\n") for chunk in iter(lambda: handle.read(1 << 20), b""))
        except (OSError, ValueError, KeyError, TypeError) as exc:
            return f"{name} cannot be read ({exc.__class__.__name__})"
        if manifest.get("format") != FORMAT_VERSION:
            return f"{name} has index format {manifest.get('format')}, not {FORMAT_VERSION}"
        if not rows == lines == count:
            return f"{name} is incomplete ({lines} chunk lines, {rows} vectors, {count} in its manifest)"
        return None

    def manifests(self) -> Iterator[dict]:
        """The readable manifests, newest first: the first says what the index held last (a rebuild, or a
        fallback to an older version, must not lose what only a newer, damaged version held)."""
        for name in self.versions():
            try:
                yield json.loads((self.root / name / "manifest.json").read_text(encoding="utf-8"))
            except (OSError, ValueError):
                continue

    @contextlib.contextmanager
    def write_lock(self) -> Iterator[None]:
        """One writer at a time, across processes."""
        self.root.mkdir(parents=True, exist_ok=True)
        with open(self.root / ".lock", "w") as handle:
            fcntl.flock(handle, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)

    def load_manifest(self) -> dict | None:
        version = self.current_version()
        if version is None:
            return None
        try:
            return json.loads((self.root / version / "manifest.json").read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise IndexCorruptError(
                f"the manifest of index version {version} is unreadable ({exc.__class__.__name__}); "
                "run `mentor ingest` to rebuild"
            ) from exc

    def load(self) -> IndexData:
        """The live version; if it cannot be read, the newest complete version before it (said in the log)."""
        version = self.current_version()
        if version is None:
            raise NotIndexedError()
        try:
            return self._load(version)
        except IndexCorruptError as exc:
            for other in self.versions():
                if other != version and self.problem(other) is None:
                    try:
                        data = self._load(other)
                    except IndexCorruptError:
                        continue
                    log.warning("index: %s; answering from %s until the next ingest", exc, other)
                    self._current_name = other  # until CURRENT changes, this is the live version
                    return data
            raise

    def _load(self, version: str) -> IndexData:
        folder = self.root / version
        try:
            manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
            if manifest.get("format") != FORMAT_VERSION:
                raise IndexCorruptError(
                    f"index format {manifest.get('format')} is not {FORMAT_VERSION}; run `mentor ingest` again"
                )
            with open(folder / "chunks.jsonl", encoding="utf-8") as handle:
                chunks = [Chunk.from_dict(json.loads(line)) for line in handle if line.strip()]
            vectors = np.load(folder / "vectors.npy", allow_pickle=False)
            dense = faiss.read_index(str(folder / "dense.faiss"))
            texts, rows_of, question_vectors = _load_questions(folder)
            bm25 = {}
            for lang in manifest["languages"]:
                sub = folder / "bm25" / lang
                rows = np.array(json.loads((sub / "rows.json").read_text(encoding="utf-8")), dtype=np.int64)
                bm25[lang] = (bm25s.BM25.load(str(sub), allow_pickle=False), rows)
        except IndexCorruptError:
            raise
        except (OSError, ValueError, KeyError, TypeError, RuntimeError) as exc:
            raise IndexCorruptError(
                f"index version {version} cannot be read ({exc.__class__.__name__}); run `mentor ingest` to rebuild it"
            ) from exc
        if len(chunks) != len(vectors) or dense.ntotal != len(chunks):
            raise IndexCorruptError(
                f"index version {version} is inconsistent ({len(chunks)} chunks, {len(vectors)} vectors, "
                f"{dense.ntotal} in FAISS); run `mentor ingest` to rebuild it"
            )
        shape = None if question_vectors is None else question_vectors.shape
        if len(texts) != len(rows_of) or (shape is not None and shape != (len(texts), vectors.shape[1])):
            raise IndexCorruptError(f"index version {version} has questions out of step with their vectors")
        if len(rows_of) and (rows_of.min() < 0 or rows_of.max() >= len(chunks)):
            raise IndexCorruptError(f"index version {version} has questions of chunks it does not hold")
        return IndexData(
            chunks=chunks,
            vectors=vectors,
            documents=manifest["documents"],
            model=manifest["model"],
            dimension=manifest["dimension"],
            dense=dense,
            bm25=bm25,
            version=version,
            settings_fingerprint=manifest.get("settings_fingerprint", ""),
            question_texts=texts,
            question_rows=rows_of,
            question_vectors=question_vectors,
        )

    def write(self, data: IndexData, ann_threshold: int) -> str:
        """Write `data` as a new version and make it current atomically. Returns the version name."""
        self.root.mkdir(parents=True, exist_ok=True)
        self._remove_stale_temporaries()
        tmp = self.root / f"tmp-{uuid.uuid4().hex[:12]}"
        tmp.mkdir()
        try:
            dense = build_dense(data.vectors, ann_threshold)
            bm25 = build_bm25(data.chunks)
            with open(tmp / "chunks.jsonl", "w", encoding="utf-8") as handle:
                for chunk in data.chunks:
                    handle.write(json.dumps(chunk.to_dict(), ensure_ascii=False) + "\n")
            np.save(tmp / "vectors.npy", np.ascontiguousarray(data.vectors, dtype=np.float32), allow_pickle=False)
            faiss.write_index(dense, str(tmp / "dense.faiss"))
            for lang, (retriever, rows) in bm25.items():
                sub = tmp / "bm25" / lang
                sub.mkdir(parents=True)
                retriever.save(str(sub), allow_pickle=False)
                (sub / "rows.json").write_text(json.dumps(rows.tolist()), encoding="utf-8")
            if data.question_texts and data.question_vectors is not None:
                questions = {"texts": data.question_texts, "rows": np.asarray(data.question_rows).tolist()}
                (tmp / "questions.json").write_text(json.dumps(questions, ensure_ascii=False), encoding="utf-8")
                vectors = np.ascontiguousarray(data.question_vectors, dtype=np.float32)
                np.save(tmp / "questions.npy", vectors, allow_pickle=False)
            manifest = {
                "format": FORMAT_VERSION,
                "model": data.model,
                "dimension": data.dimension,
                "settings_fingerprint": data.settings_fingerprint,
                "created": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
                "chunks": len(data.chunks),
                "languages": sorted(bm25),
                "documents": data.documents,
                "questions": len(data.question_texts),
                "questions_fingerprint": questions_fingerprint(data.question_texts, data.question_rows),
            }
            (tmp / "manifest.json").write_text(json.dumps(manifest, ensure_ascii=False, indent=1), encoding="utf-8")
            _fsync_tree(tmp)
            version = f"v-{time.strftime('%Y%m%d-%H%M%S')}-{uuid.uuid4().hex[:8]}"
            os.replace(tmp, self.root / version)
        except BaseException:
            shutil.rmtree(tmp, ignore_errors=True)
            raise
        pointer = self.root / f"CURRENT.{uuid.uuid4().hex[:8]}.tmp"
        pointer.write_text(version + "\n", encoding="utf-8")
        with open(pointer, "rb") as handle:
            os.fsync(handle.fileno())
        os.replace(pointer, self.current_file)
        _fsync_dir(self.root)
        self._remove_old_versions(keep={version})
        return version

    def _remove_stale_temporaries(self) -> None:
        """Left by a crashed ingest; harmless, but they take disk space."""
        for path in self.root.glob("tmp-*"):
            shutil.rmtree(path, ignore_errors=True)
        for path in self.root.glob("CURRENT.*.tmp"):
            path.unlink(missing_ok=True)

    def _remove_old_versions(self, keep: set[str]) -> None:
        """Keep the newest complete older version (a reader that read CURRENT a moment ago can load it, and it
        is a good version to fall back on); the rest go. Incomplete versions before it go too."""
        older = [v for v in self.versions() if v not in keep]
        good = next((v for v in older if self.problem(v) is None), None)
        for name in older:
            if name != good:
                shutil.rmtree(self.root / name, ignore_errors=True)


def questions_fingerprint(texts: list[str], rows) -> str:
    """What changes when a question or the chunk it belongs to does (the ingest then writes a new version)."""
    payload = json.dumps([list(texts), np.asarray(rows, dtype=np.int64).tolist()], ensure_ascii=False)
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()[:16]


def _load_questions(folder: Path) -> tuple[list[str], np.ndarray, np.ndarray | None]:
    """(texts, chunk rows, vectors) of the version's questions; none for a version written without them."""
    if not (folder / "questions.json").exists():
        return [], np.zeros(0, dtype=np.int64), None
    stored = json.loads((folder / "questions.json").read_text(encoding="utf-8"))
    texts = [str(t) for t in stored["texts"]]
    return texts, np.array(stored["rows"], dtype=np.int64), np.load(folder / "questions.npy", allow_pickle=False)


def _mtime(path: Path) -> int:
    try:
        return path.stat().st_mtime_ns
    except OSError:  # removed by a writer a moment ago
        return 0


def _fsync_tree(folder: Path) -> None:
    for path in folder.rglob("*"):
        if path.is_file():
            with open(path, "rb") as handle:
                os.fsync(handle.fileno())
    _fsync_dir(folder)


def _fsync_dir(folder: Path) -> None:
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
