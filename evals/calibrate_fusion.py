"""Measure the fusion's dense weight per language for the configured embedding model.

    python -m evals.calibrate_fusion [--dataset FILE] [--realistic FILE] [--split calibration|report|all]
                                     [--data-dir DIR] [--per-language] [--write]

Ingests the knowledge base into a temporary folder (or `--data-dir`), then for each language grid-searches the
dense weight (0 = BM25 alone, 1 = dense alone; one weight for all languages, the best of their mean curve, unless
`--per-language`) on the answerable evaluation questions of the split (the
calibration half by default, so the report half measures the result) by nDCG@10 over document ids. With
`--realistic`, the realistic set's messages of the same split count as much as the clean questions: each set's
mean nDCG@10 is averaged. The clean questions alone favoured the dense side (0.75 to 0.85), and messages as
people type them, long and chatty, are where e5-small's vectors are weakest. Each question is searched as the
answerer searches it (SMS spellings written out, greetings dropped: `understand`). Then the factor for chunks in
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

from assistant.answering.understanding import understand
from assistant.config import SUPPORTED_LANGUAGES, Settings
from assistant.embeddings import embed_queries
from assistant.embeddings.thresholds import THRESHOLDS_FILE
from assistant.retrieval.fusion import WEIGHTS_FILE
from assistant.runtime import Runtime
from evals.dataset import conversations, load_dataset, select_split
from evals.metrics import mrr_at, ndcg_at, unique_in_order
from evals.splits import split

ROOT = Path(__file__).resolve().parents[1]
GRID = [round(x, 2) for x in np.arange(0.0, 1.0001, 0.05)]


def load_cases(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def realistic_messages(path: Path, part: str) -> list[dict]:
    """The realistic set's single messages and conversations' first turns of the split (its own split rule: the
    clean set's "report" half is the realistic set's "test"); a follow-up is searched as the previous question
    with what it changes, not as typed."""
    chosen = select_split(load_dataset(path), {"report": "test"}.get(part, part))
    return [talk[0] for talk in conversations(chosen)]


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


def prepare(
    settings: Settings, dataset: Path, part: str = "all", realistic: Path | None = None
) -> tuple[Runtime, dict[str, list[dict]]]:
    runtime = Runtime(settings)
    runtime.ingestor().ingest([ROOT / "knowledge_base" / "guides"])
    cases = [{**c, "_set": "clean"} for c in split(load_cases(dataset), part) if c["answerable"]]
    if realistic is not None:
        cases += [{**c, "_set": "realistic"} for c in realistic_messages(realistic, part) if c["answerable"]]
    for case in cases:
        case["question"] = understand(case["question"], case["language"]).searched
    vectors = embed_queries(runtime.embedder, [c["question"] for c in cases])
    for case, vector in zip(cases, vectors, strict=True):
        case["_vector"] = vector
    return runtime, {lang: [c for c in cases if c["language"] == lang] for lang in SUPPORTED_LANGUAGES}


def evaluate_sets(runtime: Runtime, cases: list[dict], weight: float | None) -> dict[str, float]:
    """`evaluate` per set (clean, realistic), and their mean: each set counts as much, whatever its size."""
    sets = sorted({c["_set"] for c in cases})
    per = {name: evaluate(runtime, [c for c in cases if c["_set"] == name], weight) for name in sets}
    out = {m: float(np.mean([per[name][m] for name in sets])) for m in ("ndcg@10", "mrr@10")}
    return {**out, **{f"{name}_ndcg@10": per[name]["ndcg@10"] for name in sets}}


def plateau_middle(scores: dict[float, dict[str, float]]) -> float:
    """The best nDCG's weight; ties go to the weight nearer the middle of the plateau (more robust than an edge)."""
    top = max(s["ndcg@10"] for s in scores.values())
    plateau = [w for w, s in scores.items() if s["ndcg@10"] >= top - 1e-9]
    return plateau[len(plateau) // 2]


def choose_weights(runtime: Runtime, by_lang: dict[str, list[dict]], per_language: bool = False):
    """(weight per language, measurements). One weight for every language, the best of their mean curve, unless
    `per_language`: about 50 questions a language, the curves differ by less than their noise."""
    curves = {lang: {w: evaluate_sets(runtime, cases, w) for w in GRID} for lang, cases in by_lang.items()}
    mean = {w: {"ndcg@10": float(np.mean([c[w]["ndcg@10"] for c in curves.values()]))} for w in GRID}
    shared = plateau_middle(mean)
    best, measured = {}, {}
    for lang, scores in curves.items():
        best[lang] = plateau_middle(scores) if per_language else shared
        measured[lang] = {
            "bm25": scores[0.0],
            "dense": scores[1.0],
            "hybrid": scores[best[lang]],
            "questions": len(by_lang[lang]),
        }
        print(f"{lang}: n={len(by_lang[lang])}  " + "  ".join(f"{w:.2f}:{s['ndcg@10']:.3f}" for w, s in scores.items()))
        print(
            f"    dense weight {best[lang]:.2f}  nDCG@10 bm25 {scores[0.0]['ndcg@10']:.3f}  "
            f"dense {scores[1.0]['ndcg@10']:.3f}  hybrid {scores[best[lang]]['ndcg@10']:.3f}"
        )
    print("all languages: " + "  ".join(f"{w:.2f}:{s['ndcg@10']:.3f}" for w, s in mean.items()))
    return best, measured


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dataset", type=Path, default=ROOT / "evals" / "datasets" / "questions.jsonl")
    parser.add_argument("--realistic", type=Path, default=None, help="the realistic set, counted as much as the clean")
    parser.add_argument("--split", default="calibration", choices=("calibration", "report", "all"))
    parser.add_argument("--data-dir", type=Path, default=None, help="an ingested data folder to reuse")
    parser.add_argument("--per-language", action="store_true", help="a weight per language (default: one for all)")
    parser.add_argument("--write", action="store_true", help="store the best weights in fusion_weights.json")
    args = parser.parse_args()
    settings = Settings()
    with tempfile.TemporaryDirectory() as tmp:
        settings = settings.model_copy(update={"data_dir": args.data_dir or Path(tmp)})
        runtime, by_lang = prepare(settings, args.dataset, args.split, args.realistic)
        model = runtime.embedder.name
        best, measured = choose_weights(runtime, by_lang, args.per_language)
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
            "dataset": str(args.dataset.resolve().relative_to(ROOT)),
            "split": args.split,
            **({"realistic": str(args.realistic.resolve().relative_to(ROOT))} if args.realistic else {}),
            "per_language": args.per_language,
            **measured,
        }
        WEIGHTS_FILE.write_text(json.dumps(table, indent=2) + "\n", encoding="utf-8")
        print(f"wrote {WEIGHTS_FILE.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
