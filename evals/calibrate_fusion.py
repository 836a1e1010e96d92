"""Measure the fusion's dense weight per language for the configured embedding model.

    python -m evals.calibrate_fusion [--dataset FILE] [--split calibration|report|all] [--write]

Ingests the knowledge base into a temporary folder, then for each language grid-searches the dense weight
(0 = BM25 alone, 1 = dense alone) on the answerable evaluation questions of the split (the calibration half
by default, so the report half measures the result) by nDCG@10 over document ids, then the factor for chunks in
another language than the question's: the largest that keeps the top hit in her language for at least 95% of
the questions (her guide exists) while finding the right guide first most often when her language's version
of it is left out (it exists only in the others),
prints the table, and with `--write` stores the best weights in assistant/retrieval/fusion_weights.json.
"""

from __future__ import annotations

import argparse
import json
import tempfile
from pathlib import Path

import numpy as np

from assistant.config import SUPPORTED_LANGUAGES, Settings
from assistant.embeddings import embed_queries
from assistant.embeddings.thresholds import THRESHOLDS_FILE
from assistant.retrieval.fusion import WEIGHTS_FILE
from assistant.runtime import Runtime
from evals.metrics import mrr_at, ndcg_at, unique_in_order
from evals.splits import split

ROOT = Path(__file__).resolve().parents[1]
GRID = [round(x, 2) for x in np.arange(0.0, 1.0001, 0.05)]


def load_cases(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def evaluate(runtime: Runtime, cases: list[dict], weight: float | None, mode: str = "hybrid") -> dict[str, float]:
    """Mean nDCG@10 and MRR@10 over `cases` (each with a precomputed `_vector`)."""
    retriever = runtime.retriever
    ndcg, mrr = [], []
    for case in cases:
        hits = retriever.search(
            case["question"],
            k=40,
            lang=case["language"],
            query_vector=case["_vector"],
            mode=mode,
            dense_weight_override=weight,
        ).hits
        ranked = unique_in_order([h.chunk.doc_id for h in hits])
        relevant = set(case["relevant_doc_ids"])
        ndcg.append(ndcg_at(ranked, relevant, 10))
        mrr.append(mrr_at(ranked, relevant, 10))
    return {"ndcg@10": float(np.mean(ndcg)), "mrr@10": float(np.mean(mrr))}


PENALTIES = (0.7, 0.8, 0.9, 1.0)


def penalty_figures(runtime: Runtime, cases: list[dict]) -> dict[float, dict[str, float]]:
    """Per factor: the share of questions whose top hit is in her language, and hit@1 of the right guide once
    her language's version of it is set aside."""
    out = {}
    for penalty in PENALTIES:
        runtime.settings.cross_language_penalty = penalty
        own = found = 0
        for case in cases:
            hits = runtime.retriever.search(
                case["question"], k=40, lang=case["language"], query_vector=case["_vector"]
            ).hits
            own += hits[0].chunk.lang == case["language"]
            relevant = set(case["relevant_doc_ids"])
            others = [h for h in hits if not (h.chunk.doc_id in relevant and h.chunk.lang == case["language"])]
            found += bool(others) and others[0].chunk.doc_id in relevant
        out[penalty] = {"top_hit_in_her_language": own / len(cases), "hit@1_without_her_version": found / len(cases)}
    runtime.settings.cross_language_penalty = None
    return out


def best_penalty(figures: dict[float, dict[str, float]]) -> float:
    kept = [p for p, f in figures.items() if f["top_hit_in_her_language"] >= 0.95] or [min(figures)]
    return max(kept, key=lambda p: (figures[p]["hit@1_without_her_version"], -p))


def prepare(settings: Settings, dataset: Path, part: str = "all") -> tuple[Runtime, dict[str, list[dict]]]:
    runtime = Runtime(settings)
    runtime.ingestor().ingest([ROOT / "knowledge_base" / "guides"])
    cases = [c for c in split(load_cases(dataset), part) if c["answerable"]]
    vectors = embed_queries(runtime.embedder, [c["question"] for c in cases])
    for case, vector in zip(cases, vectors, strict=True):
        case["_vector"] = vector
    return runtime, {lang: [c for c in cases if c["language"] == lang] for lang in SUPPORTED_LANGUAGES}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dataset", type=Path, default=ROOT / "evals" / "datasets" / "questions.jsonl")
    parser.add_argument("--split", default="calibration", choices=("calibration", "report", "all"))
    parser.add_argument("--write", action="store_true", help="store the best weights in fusion_weights.json")
    args = parser.parse_args()
    settings = Settings()
    with tempfile.TemporaryDirectory() as tmp:
        settings = settings.model_copy(update={"data_dir": Path(tmp)})
        runtime, by_lang = prepare(settings, args.dataset, args.split)
        model = runtime.embedder.name
        best: dict[str, float] = {}
        measured: dict[str, dict] = {}
        for lang, cases in by_lang.items():
            scores = {w: evaluate(runtime, cases, w) for w in GRID}
            # Best nDCG; ties go to the weight nearer the middle of the plateau (more robust than an edge).
            top = max(s["ndcg@10"] for s in scores.values())
            plateau = [w for w, s in scores.items() if s["ndcg@10"] >= top - 1e-9]
            best[lang] = plateau[len(plateau) // 2]
            measured[lang] = {
                "bm25": scores[0.0],
                "dense": scores[1.0],
                "hybrid": scores[best[lang]],
                "questions": len(cases),
            }
            print(f"{lang}: n={len(cases)}  " + "  ".join(f"{w:.2f}:{s['ndcg@10']:.3f}" for w, s in scores.items()))
            print(
                f"    best dense weight {best[lang]:.2f}  nDCG@10 bm25 {scores[0.0]['ndcg@10']:.3f}  "
                f"dense {scores[1.0]['ndcg@10']:.3f}  hybrid {scores[best[lang]]['ndcg@10']:.3f}"
            )
        figures = penalty_figures(runtime, [c for cases in by_lang.values() for c in cases])
        penalty = best_penalty(figures)
        for value, f in figures.items():
            print(f"cross-language factor {value:.2f}: {f}" + ("  <- chosen" if value == penalty else ""))
    if args.write:
        thresholds = json.loads(THRESHOLDS_FILE.read_text(encoding="utf-8"))
        thresholds["models"].setdefault(model, {})["cross_language_penalty"] = penalty
        thresholds.setdefault("measurements", {}).setdefault(model, {})["cross_language_penalty"] = {
            str(k): {m: round(v, 3) for m, v in f.items()} for k, f in figures.items()
        }
        THRESHOLDS_FILE.write_text(json.dumps(thresholds, indent=2) + "\n", encoding="utf-8")
        table = json.loads(WEIGHTS_FILE.read_text(encoding="utf-8")) if WEIGHTS_FILE.exists() else {"models": {}}
        table.setdefault("models", {})[model] = best
        table.setdefault("measurements", {})[model] = {
            "dataset": str(args.dataset.relative_to(ROOT)),
            "split": args.split,
            **measured,
        }
        WEIGHTS_FILE.write_text(json.dumps(table, indent=2) + "\n", encoding="utf-8")
        print(f"wrote {WEIGHTS_FILE.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
