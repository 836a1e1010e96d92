"""Measure when to say "I don't know": the evidence mix and threshold, for the configured embedding model.

    python -m evals.calibrate_abstention [--dataset FILE] [--write]

Ingests the knowledge base into a temporary folder, measures the evidence of every evaluation question,
and grid-searches the dense/coverage mix and the threshold. It keeps the setting that abstains on at least
85% of unanswerable questions while answering at least 90% of answerable ones with the best balanced
accuracy (or the best balanced accuracy if no setting meets both), prints the figures, and with `--write`
stores them in assistant/answering/abstention.json.
"""

from __future__ import annotations

import argparse
import json
import tempfile
from pathlib import Path

import numpy as np

from assistant.answering.evidence import CALIBRATION_FILE, measure
from assistant.config import Settings
from assistant.memory import retrieval_query
from assistant.runtime import Runtime
from evals.calibrate_fusion import ROOT, load_cases


def features(runtime: Runtime, cases: list[dict]) -> list[tuple[float, float, bool]]:
    retriever = runtime.retriever
    out = []
    for case in cases:
        query = retrieval_query(case["question"], [])
        hits = retriever.search(query, k=8, lang=case["language"]).hits
        evidence = measure(query, hits, 0.5, retriever.term_weights, retriever.query_terms)
        out.append((evidence.dense, evidence.coverage, case["answerable"]))
    return out


def rates(rows, mix: float, threshold: float) -> dict[str, float]:
    strength = np.array([mix * max(d, 0) + (1 - mix) * c for d, c, _ in rows])
    answerable = np.array([a for _, _, a in rows])
    abstain = strength < threshold
    abstain_recall = float(abstain[~answerable].mean())  # unanswerable ones we abstain on
    answered = float((~abstain[answerable]).mean())  # answerable ones we answer
    precision = float((~answerable[abstain]).mean()) if abstain.any() else 1.0
    return {
        "abstain_recall": abstain_recall,
        "abstain_precision": precision,
        "answer_rate": answered,
        "balanced": (abstain_recall + answered) / 2,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dataset", type=Path, default=ROOT / "evals" / "datasets" / "questions.jsonl")
    parser.add_argument("--write", action="store_true")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        runtime = Runtime(Settings().model_copy(update={"data_dir": Path(tmp)}))
        runtime.ingestor().ingest([ROOT / "knowledge_base" / "guides"])
        rows = features(runtime, load_cases(args.dataset))
        model = runtime.embedder.name
    best = None
    for mix in np.round(np.arange(0, 1.0001, 0.1), 2):
        for threshold in np.round(np.arange(0.05, 0.95, 0.01), 2):
            r = rates(rows, float(mix), float(threshold))
            meets = r["abstain_recall"] >= 0.85 and r["answer_rate"] >= 0.90
            key = (meets, r["balanced"])
            if best is None or key > best[0]:
                best = (key, float(mix), float(threshold), r)
    (meets, _), mix, threshold, r = best
    print(f"dense mix {mix:.1f}, threshold {threshold:.2f}  (both goals met: {meets})")
    print(f"  abstains on {r['abstain_recall']:.1%} of unanswerable questions (abstention recall)")
    print(f"  abstention precision {r['abstain_precision']:.1%}; answers {r['answer_rate']:.1%} of answerable ones")
    if args.write:
        table = json.loads(CALIBRATION_FILE.read_text(encoding="utf-8")) if CALIBRATION_FILE.exists() else {}
        table.setdefault("models", {})[model] = {
            "dense_mix": mix,
            "threshold": threshold,
            "dataset": str(args.dataset.relative_to(ROOT)),
            **{k: round(v, 4) for k, v in r.items()},
        }
        CALIBRATION_FILE.write_text(json.dumps(table, indent=2) + "\n", encoding="utf-8")
        print(f"wrote {CALIBRATION_FILE.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
