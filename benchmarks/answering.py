"""Answer latency in-process on realistic messages: understanding, retrieval, evidence and the extractive composer.

Run with `python -m benchmarks.answering`. The knowledge base is ingested into a temporary folder (its passage
vectors come from the shipped ones), then every message of the realistic set (evals/datasets/realistic.jsonl,
both splits; a conversation's turns with the turns before them) is answered twice: the first pass warms the
caches (vocabularies, accent tables), the second is timed. Printed: p50 and p95 of the whole answer, and of the
part spent embedding the query (the model's share, which a busy machine inflates most). The goal is a p95
under 60 ms on a quiet machine; on a shared one, compare figures of the same run only.
"""

from __future__ import annotations

import statistics
import tempfile
import time
from pathlib import Path

from assistant.answering.service import Answerer
from assistant.config import Settings
from assistant.memory import Turn
from assistant.runtime import Runtime
from evals.dataset import conversations, load_dataset
from evals.pipelines import NoGaps

ROOT = Path(__file__).resolve().parents[1]


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def main(argv: list[str] | None = None) -> None:
    talks = conversations(load_dataset(ROOT / "evals" / "datasets" / "realistic.jsonl"))
    with tempfile.TemporaryDirectory() as tmp:
        runtime = Runtime(Settings(data_dir=Path(tmp), _env_file=None))
        runtime.ingestor().ingest([ROOT / "knowledge_base" / "guides"])
        retriever = runtime.retriever
        encode = retriever.encode_query
        spent: list[float] = []

        def timed_encode(text):
            started = time.perf_counter()
            try:
                return encode(text)
            finally:
                spent.append((time.perf_counter() - started) * 1000)

        retriever.encode_query = timed_encode
        answerer = Answerer(runtime, gaps=NoGaps())
        totals: list[float] = []
        embeds: list[float] = []
        for timed in (False, True):
            for talk in talks:
                history: list[Turn] = []
                for item in talk:
                    spent.clear()
                    answer = answerer.answer(item["question"], history=history)
                    if timed:
                        totals.append(answer.latency_ms)
                        embeds.append(sum(spent))
                    history.append(Turn(item["question"], answer.language, answer.text))
    print(f"answering, {len(totals)} realistic messages, in-process ({runtime.embedder.name}):")
    print(f"  whole answer  p50 {statistics.median(totals):6.1f} ms   p95 {_percentile(totals, 0.95):6.1f} ms")
    print(f"  query embed   p50 {statistics.median(embeds):6.1f} ms   p95 {_percentile(embeds, 0.95):6.1f} ms")


if __name__ == "__main__":
    main()
