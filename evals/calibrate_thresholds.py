"""Measure every cosine cut-off for an embedding model: gap grouping, matching's text similarities.

    python -m evals.calibrate_thresholds [--model multilingual-e5-small] [--write]

The cut-offs were tuned on all-MiniLM-L6-v2 (the reference). For another model each is carried over by
quantile matching on pairs of the programme's own texts: the evaluation questions (two questions, as gaps
are) and the demo cohort's profiles (an offers text and a needs text, two goals, two sectors). A cut-off
that leaves a share p of MiniLM's pairs above it becomes the cosine that leaves the same share p of the
model's pairs above it. The outcome each cut-off serves is then measured for both models, on the split the
values were not derived from: gap grouping as the pairwise F1 against the questions' guides (two questions
about the same guide, in any language, are one topic). `--write` stores the values in
assistant/embeddings/thresholds.json (the matching report and pathway quality: `mentor eval matching`,
`mentor pathway quality`).
"""

from __future__ import annotations

import argparse
import json
from itertools import combinations
from pathlib import Path

import numpy as np

from assistant.config import BUNDLED_MODEL, DEFAULT_MODEL, Settings
from assistant.embeddings import build_embedder, embed_queries
from assistant.embeddings.thresholds import THRESHOLDS_FILE
from assistant.gaps import cluster_labels
from assistant.matching.profiles import load_profiles
from assistant.matching.taxonomy import default_taxonomy
from evals.calibrate_fusion import ROOT, load_cases
from evals.splits import split

# MiniLM's cut-offs, tuned on it before this script existed.
REFERENCE = {
    "gap_distance": 0.45,
    "text_scale": [0.2, 0.7],
    "goals_scale": [0.1, 0.6],
    "sector_scale": [0.2, 0.8],
    "close_goals": 0.55,
}


def pair_cosines(left: np.ndarray, right: np.ndarray | None = None) -> np.ndarray:
    """Cosines of every pair: i<j within `left`, or every row of `left` with every row of `right`."""
    if right is None:
        sims = left @ left.T
        return sims[np.triu_indices(len(left), k=1)]
    return (left @ right.T).ravel()


def carry(value: float, reference: np.ndarray, target: np.ndarray) -> float:
    """The cosine that leaves the same share of `target` pairs above it as `value` leaves of `reference`."""
    share_above = float((reference >= value).mean())
    return round(float(np.quantile(target, 1.0 - share_above)), 3)


def texts(cases: list[dict], profiles) -> dict[str, list[str]]:
    return {
        "questions": [c["question"] for c in cases],
        "offers": [p.offers_text for p in profiles if p.offers_text],
        "needs": [p.needs_text for p in profiles if p.needs_text],
        "goals": [" ".join(p.goals) for p in profiles if p.goals],
        "sectors": sorted({p.sector.replace("-", " ") for p in profiles if p.sector}),
    }


def pairs_of(embedder, groups: dict[str, list[str]]) -> dict[str, np.ndarray]:
    vec = {name: embed_queries(embedder, items) for name, items in groups.items()}
    return {
        "gap_distance": pair_cosines(vec["questions"]),
        "text_scale": pair_cosines(vec["offers"], vec["needs"]),
        "goals_scale": pair_cosines(vec["goals"]),
        "sector_scale": pair_cosines(vec["sectors"]),
        "close_goals": pair_cosines(vec["goals"]),
    }


def carried(reference: dict[str, np.ndarray], target: dict[str, np.ndarray]) -> dict:
    out = {}
    for name, value in REFERENCE.items():
        if name == "gap_distance":
            out[name] = round(1.0 - carry(1.0 - value, reference[name], target[name]), 3)
        elif isinstance(value, list):
            out[name] = [carry(v, reference[name], target[name]) for v in value]
        else:
            out[name] = carry(value, reference[name], target[name])
    return out


def grouping_f1(embedder, cases: list[dict], distance: float) -> dict[str, float]:
    """Pairwise precision, recall and F1 of the gap grouping against the questions' first guide."""
    vectors = embed_queries(embedder, [c["question"] for c in cases])
    labels = cluster_labels(vectors, distance)
    truth = [c["relevant_doc_ids"][0] for c in cases]
    same_true = same_found = both = 0
    cross_true = cross_both = 0
    for i, j in combinations(range(len(cases)), 2):
        t, f = truth[i] == truth[j], labels[i] == labels[j]
        same_true += t
        same_found += f
        both += t and f
        if cases[i]["language"] != cases[j]["language"] and t:
            cross_true += 1
            cross_both += f
    precision = both / same_found if same_found else 1.0
    recall = both / same_true if same_true else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {
        "precision": round(float(precision), 3),
        "recall": round(float(recall), 3),
        "f1": round(float(f1), 3),
        "cross_language_recall": round(float(cross_both / cross_true if cross_true else 0.0), 3),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", default=DEFAULT_MODEL)
    parser.add_argument("--dataset", type=Path, default=ROOT / "evals" / "datasets" / "questions.jsonl")
    parser.add_argument("--profiles", type=Path, default=ROOT / "knowledge_base" / "demo_cohort.jsonl")
    parser.add_argument("--write", action="store_true")
    args = parser.parse_args()
    cases = load_cases(args.dataset)
    calibration, held_out = split(cases, "calibration"), [c for c in split(cases, "report") if c["answerable"]]
    profiles, _ = load_profiles(args.profiles, default_taxonomy())
    groups = texts(calibration, profiles)
    reference_model = build_embedder(Settings(embedding_model=BUNDLED_MODEL, _env_file=None))
    target_model = build_embedder(Settings(embedding_model=args.model, _env_file=None))
    values = carried(pairs_of(reference_model, groups), pairs_of(target_model, groups))
    print(f"{target_model.name}: {json.dumps(values)}")
    outcome = {
        BUNDLED_MODEL: grouping_f1(reference_model, held_out, REFERENCE["gap_distance"]),
        target_model.name: grouping_f1(target_model, held_out, values["gap_distance"]),
    }
    for model, figures in outcome.items():
        print(f"gap grouping on the report split ({len(held_out)} questions), {model}: {figures}")
    if args.write:
        table = json.loads(THRESHOLDS_FILE.read_text(encoding="utf-8")) if THRESHOLDS_FILE.exists() else {}
        table.setdefault("models", {})[BUNDLED_MODEL] = REFERENCE
        table["models"][target_model.name] = values
        table.setdefault("measurements", {})[target_model.name] = {
            "method": "quantile matching against all-MiniLM-L6-v2 on the calibration split and the demo cohort",
            "dataset": str(args.dataset.relative_to(ROOT)),
            "gap_grouping_report_split": outcome,
        }
        THRESHOLDS_FILE.write_text(json.dumps(table, indent=2) + "\n", encoding="utf-8")
        print(f"wrote {THRESHOLDS_FILE.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
