"""Retrieval speed: bare query embedding, search latency over 10,000 chunks, ingest and re-ingest.

Run with `make bench` (or `python -m benchmarks.retrieval`). Everything runs in-process, with the real
bundled model and real FAISS, on this machine, in one run, so the figures compare with each other.

The 10,000-chunk index is made of real knowledge-base sentences recombined; to keep the benchmark to a
minute its vectors are the real vectors of the guide chunks plus small noise, renormalised, instead of
10,000 fresh model passes: search cost does not depend on which unit vectors are stored.
"""

from __future__ import annotations

import argparse
import random
import statistics
import tempfile
import time
from pathlib import Path

import numpy as np

from assistant.config import Settings
from assistant.embeddings import SentenceTransformerEmbedder, embed_queries
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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--chunks", type=int, default=10_000)
    parser.add_argument("--rounds", type=int, default=200)
    args = parser.parse_args()

    embedder = SentenceTransformerEmbedder()
    embed_queries(embedder, ["warm up"])
    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings(data_dir=Path(tmp) / "kb", _env_file=None)
        ingestor = Ingestor(settings, embedder)
        first = ingestor.ingest([ROOT / "knowledge_base" / "guides"])
        again = ingestor.ingest([ROOT / "knowledge_base" / "guides"])
        base = IndexStore(settings.index_dir).load()

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
    rows = [
        ("bare query embedding p50 / p95", f"{embed_p50:.1f} ms / {percentile(embed_ms, 95):.1f} ms"),
        (
            f"search over {len(big.chunks):,} chunks p50 / p95",
            f"{search_p50:.1f} ms / {percentile(search_ms, 95):.1f} ms",
        ),
        ("search p50 / query embedding p50", f"{search_p50 / embed_p50:.2f}x (goal <= 1.5x)"),
        (
            f"first ingest ({first.documents} docs, {first.chunks} chunks)",
            f"{first.seconds:.1f} s, {first.chunks / first.seconds:.1f} chunks/s",
        ),
        (
            "re-ingest, nothing changed",
            f"{again.seconds:.2f} s = {100 * again.seconds / first.seconds:.1f}% of first ingest (goal < 10%)",
        ),
    ]
    width = max(len(r[0]) for r in rows)
    print("\nRetrieval benchmark (real bundled model, real FAISS, in-process)")
    for label, value in rows:
        print(f"  {label:<{width}}  {value}")


if __name__ == "__main__":
    main()
