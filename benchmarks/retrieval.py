"""Retrieval speed for each embedding model: bare query embedding, search over 10,000 chunks, ingest, start-up.

Run with `make bench` (or `python -m benchmarks.retrieval`, `--models all-MiniLM-L6-v2` for one). Everything
runs in-process, with the real models (multilingual-e5-small, the default, and the bundled all-MiniLM-L6-v2)
and real FAISS, on this machine, in one run, so the figures compare with each other. The first ingest is
measured from an empty cache without the shipped vectors (what a guide's change costs, and what a fresh
clone would cost without them), and for a model that has shipped vectors also with them (what `make run`
does on a fresh clone). Start-up (model load, checksum included, and one query) and resident memory are
measured in a fresh process per model, since the model is all that process holds.

The 10,000-chunk index is made of real knowledge-base sentences recombined; to keep the benchmark to a
minute its vectors are the real vectors of the guide chunks plus small noise, renormalised, instead of
10,000 fresh model passes: search cost does not depend on which unit vectors are stored.
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

from assistant.config import Settings
from assistant.embeddings import build_embedder, embed_queries
from assistant.knowledge.chunking import Chunk
from assistant.knowledge.ingest import Ingestor
from assistant.retrieval.index import IndexData, IndexStore
from assistant.retrieval.search import Retriever

ROOT = Path(__file__).resolve().parents[1]
QUERIES = [
    "comment obtenir un crédit pour ma boutique",
    "¿cuántos países participan en el programa?",
    "what should we discuss at the first meeting",
    "como preparar una mision corta de experticia",
    "quelles sont les cinq conditions de l'impact collectif",
    "how do time zones affect virtual meetings with Rwanda",
    "green business ideas for a small farm",
    "comment terminer un binôme de mentorat",
]
MODELS = "multilingual-e5-small,all-MiniLM-L6-v2"
STARTUP = """
import json, resource, sys, time
started = time.perf_counter()
from assistant.config import Settings
from assistant.embeddings import build_embedder, embed_queries
embedder = build_embedder(Settings(embedding_model=sys.argv[1], _env_file=None))
embed_queries(embedder, ["comment obtenir un crédit"])
seconds = time.perf_counter() - started
print(json.dumps({"seconds": seconds, "rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1000}))
"""


def percentile(values: list[float], q: float) -> float:
    return float(np.percentile(np.array(values), q))


def bench_query_embedding(embedder, rounds: int) -> list[float]:
    times = []
    for i in range(rounds):
        query = QUERIES[i % len(QUERIES)]
        start = time.perf_counter()
        embed_queries(embedder, [query])
        times.append((time.perf_counter() - start) * 1000)
    return times


def synthetic_index(base: IndexData, size: int, seed: int = 7) -> IndexData:
    rng = random.Random(seed)
    noise = np.random.default_rng(seed)
    sentences: dict[str, list[str]] = {}
    for chunk in base.chunks:
        sentences.setdefault(chunk.lang, []).extend(s for s in chunk.text.split(". ") if len(s) > 20)
    chunks, rows = [], []
    for n in range(size):
        source = base.chunks[n % len(base.chunks)]
        text = ". ".join(rng.sample(sentences[source.lang], 4))
        chunks.append(
            Chunk(
                f"synthetic-{n}.{source.lang}#part-1",
                f"synthetic-{n}",
                source.lang,
                source.title,
                source.heading,
                text,
                "synthetic",
            )
        )
        rows.append(n % len(base.chunks))
    vectors = base.vectors[rows] + noise.normal(0, 0.02, (size, base.vectors.shape[1])).astype(np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    return IndexData(
        chunks=chunks, vectors=vectors.astype(np.float32), documents={}, model=base.model, dimension=base.dimension
    )


def startup(model: str) -> dict:
    """Import, load (checksum included) and one query in a fresh process: seconds and peak RSS."""
    done = subprocess.run([sys.executable, "-c", STARTUP, model], cwd=ROOT, capture_output=True, text=True, check=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def ingest_seconds(embedder, folder: Path, seeded: bool, kb: Path):
    settings = Settings(data_dir=folder, _env_file=None, embedding_seed_dir=None)
    if seeded:
        settings = Settings(data_dir=folder, _env_file=None)
    ingestor = Ingestor(settings, embedder)
    first = ingestor.ingest([kb])
    return first, ingestor, settings


def bench_model(model: str, args: argparse.Namespace) -> list[tuple[str, str]]:
    embedder = build_embedder(Settings(embedding_model=model, _env_file=None))
    embed_queries(embedder, ["warm up"])
    with tempfile.TemporaryDirectory() as tmp:
        first, ingestor, settings = ingest_seconds(embedder, Path(tmp) / "kb", False, args.kb)
        again = ingestor.ingest([args.kb])
        base = IndexStore(settings.index_dir).load()
        shipped, _, _ = ingest_seconds(embedder, Path(tmp) / "shipped", True, args.kb)

        big_settings = Settings(data_dir=Path(tmp) / "big", _env_file=None)
        store = IndexStore(big_settings.index_dir)
        store.write(synthetic_index(base, args.chunks), big_settings.ann_threshold)
        big = store.load()
        retriever = Retriever(big, embedder, big_settings)
        for query in QUERIES:
            retriever.search(query, k=5)

        embed_ms = bench_query_embedding(embedder, args.rounds)
        search_ms = []
        for i in range(args.rounds):
            start = time.perf_counter()
            retriever.search(QUERIES[i % len(QUERIES)], k=5)
            search_ms.append((time.perf_counter() - start) * 1000)

    embed_p50 = statistics.median(embed_ms)
    search_p50 = statistics.median(search_ms)
    fresh = startup(model)
    return [
        ("bare query embedding p50 / p95", f"{embed_p50:.1f} ms / {percentile(embed_ms, 95):.1f} ms"),
        (
            f"search over {len(big.chunks):,} chunks p50 / p95",
            f"{search_p50:.1f} ms / {percentile(search_ms, 95):.1f} ms",
        ),
        ("search p50 / query embedding p50", f"{search_p50 / embed_p50:.2f}x (goal <= 1.5x)"),
        (
            f"first ingest, nothing cached ({first.documents} docs, {first.chunks} chunks)",
            f"{first.seconds:.1f} s, {first.chunks / first.seconds:.1f} chunks/s",
        ),
        (
            "first ingest with the shipped vectors",
            f"{shipped.seconds:.1f} s ({shipped.shipped} shipped, {shipped.embedded} embedded)"
            if shipped.shipped
            else "none shipped for this model",
        ),
        (
            "re-ingest, nothing changed",
            f"{again.seconds:.2f} s = {100 * again.seconds / first.seconds:.1f}% of first ingest (goal < 10%)",
        ),
        ("start-up: import, load, one query (fresh process)", f"{fresh['seconds']:.2f} s"),
        ("resident memory of that process", f"{fresh['rss_mb']:.0f} MB"),
    ]


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--chunks", type=int, default=10_000)
    parser.add_argument("--rounds", type=int, default=200)
    parser.add_argument("--models", default=MODELS, help=f"Comma-separated (default {MODELS}).")
    parser.add_argument(
        "--kb", type=Path, default=ROOT / "knowledge_base" / "guides", help="Guides to ingest (a smoke run: fewer)."
    )
    args = parser.parse_args(argv)
    models = [m.strip() for m in args.models.split(",") if m.strip()]
    table = {model: bench_model(model, args) for model in models}
    labels = [label for label, _ in table[models[0]]]
    width = max(len(label) for label in labels)
    print("\nRetrieval benchmark (real models, real FAISS, in-process)")
    print(f"  {'':<{width}}  " + "  ".join(f"{m:<34}" for m in models))
    for n, label in enumerate(labels):
        print(f"  {label:<{width}}  " + "  ".join(f"{table[m][n][1]:<34}" for m in models))


if __name__ == "__main__":
    main()
