"""Measure when to say "I don't know": the evidence mix and threshold, for the configured embedding model.

    python -m evals.calibrate_abstention [--dataset FILE] [--split calibration|report|all]
        [--realistic FILE | --no-realistic] [--data-dir DIR] [--write]

Ingests the knowledge base into a temporary folder (or `--data-dir`), measures the evidence of every evaluation
question of the split (the calibration half by default; the report half is left for the figures) and of the realistic
set's calibration split (messages as typed, follow-ups asked after their conversation's earlier turns; its
test split is left for the figures), each through the answerer itself (the message understood, a follow-up
resolved, exactly as it is answered), and grid-searches the dense/coverage mix and the threshold.
It keeps, among the settings that abstain on at least 95% of unanswerable questions while answering at least
90% of answerable ones, the one that answers the most (then the best balanced accuracy): a wrong "I don't
know" is what people met most on realistic messages; if no setting
meets both, one that still answers 90% of the answerable ones (a wrong "I don't know" costs her the answer a
guide holds), else the best balanced accuracy.

Then the same per language pair across languages: every question over each one-language slice of the
knowledge base whose language is not hers (a Spanish question over the French guides alone), which is where
the answer must come from another language. A pair with too few cases of either kind keeps the main setting.
`--write` stores everything in assistant/answering/abstention.json.
"""

from __future__ import annotations

import argparse
import json
import tempfile
from pathlib import Path

import numpy as np

from assistant.answering.evidence import CALIBRATION_FILE
from assistant.answering.service import Answerer
from assistant.config import SUPPORTED_LANGUAGES, Settings
from assistant.memory import Turn
from assistant.runtime import Runtime
from evals.calibrate_fusion import ROOT, load_cases
from evals.dataset import conversations, load_dataset, select_split
from evals.pipelines import NoGaps, SlicedRuntime
from evals.splits import split

# Unanswerable questions it must refuse: the clean set's figure before realistic messages joined the calibration
# (97.9%), so answering more realistic messages costs no honesty on the clean ones.
ABSTAIN_GOAL = 0.95
MIN_CASES = 5  # of each kind (answerable, not) for a language pair to get its own setting


def features(runtime: Runtime, cases: list[dict]) -> list[tuple[float, float, bool]]:
    """(dense, coverage, answerable) of every message, measured by the answerer (which never abstains here):
    one-message cases alone, a conversation's turns in order, each after the earlier turns and their answers."""
    answerer = Answerer(_never_abstaining(runtime), gaps=NoGaps())
    out = []
    for talk in conversations(cases):
        history: list[Turn] = []
        for item in talk:
            answer = answerer.answer(item["question"], history=history)
            # An answer made without measuring evidence (the hours apart, by arithmetic on two guides) is given at
            # any threshold; a question refused before any search (out of scope) is refused at any threshold.
            measured = answer.evidence or {"dense": 1.0, "coverage": 1.0}
            out.append((measured["dense"], measured["coverage"], item["answerable"]))
            history.append(Turn(item["question"], answer.language, answer.text))
    return out


def _never_abstaining(runtime: Runtime) -> Runtime:
    runtime.settings = runtime.settings.model_copy(update={"abstain_threshold": 0.0})
    return runtime


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


def best_setting(rows) -> tuple[bool, float, float, dict]:
    """(both goals met, mix, threshold, rates) of the best grid point."""
    best = None
    for mix in np.round(np.arange(0, 1.0001, 0.1), 2):
        for threshold in np.round(np.arange(0.05, 0.99, 0.01), 2):
            r = rates(rows, float(mix), float(threshold))
            answers = r["answer_rate"] >= 0.90
            meets = r["abstain_recall"] >= ABSTAIN_GOAL and answers
            first = r["answer_rate"] if meets else r["balanced"]
            key = (meets, answers, first, r["balanced"], -abs(float(mix) - 0.5))  # ties: the mix nearer the middle
            if best is None or key > best[0]:
                best = (key, float(mix), float(threshold), r)
    (meets, *_), mix, threshold, r = best
    return meets, mix, threshold, r


def pair_rows(runtime: Runtime, cases: list[dict]) -> dict[str, list]:
    """'es>fr' -> evidence rows of the Spanish questions over the French slice, for every pair q != d."""
    out = {}
    for doc_lang in runtime.index.languages:
        sliced = SlicedRuntime(runtime, doc_lang)
        for q_lang in SUPPORTED_LANGUAGES:
            if q_lang != doc_lang:
                out[f"{q_lang}>{doc_lang}"] = features(sliced, [c for c in cases if c["language"] == q_lang])
    return out


def _entry(mix: float, threshold: float, r: dict) -> dict:
    return {"dense_mix": mix, "threshold": threshold, **{k: round(v, 4) for k, v in r.items()}}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dataset", type=Path, default=ROOT / "evals" / "datasets" / "questions.jsonl")
    parser.add_argument("--split", default="calibration", choices=("calibration", "report", "all"))
    parser.add_argument("--realistic", type=Path, default=ROOT / "evals" / "datasets" / "realistic.jsonl")
    parser.add_argument("--no-realistic", action="store_true", help="the clean set alone, as before")
    parser.add_argument("--data-dir", type=Path, default=None, help="an ingested data folder to reuse")
    parser.add_argument("--write", action="store_true")
    args = parser.parse_args()
    cases = split(load_cases(args.dataset), args.split)
    if not args.no_realistic:  # only its calibration split: its test split is what the README reports
        cases += select_split(load_dataset(args.realistic), "calibration")
    with tempfile.TemporaryDirectory() as tmp:
        runtime = Runtime(Settings().model_copy(update={"data_dir": args.data_dir or Path(tmp)}))
        runtime.ingestor().ingest([ROOT / "knowledge_base" / "guides"])
        rows = features(runtime, cases)
        pairs = pair_rows(runtime, cases)
        model = runtime.embedder.name
    meets, mix, threshold, r = best_setting(rows)
    print(f"{model}: dense mix {mix:.1f}, threshold {threshold:.2f}  (both goals met: {meets})")
    print(f"  abstains on {r['abstain_recall']:.1%} of unanswerable questions (abstention recall)")
    print(f"  abstention precision {r['abstain_precision']:.1%}; answers {r['answer_rate']:.1%} of answerable ones")
    entry = {**_entry(mix, threshold, r), "dataset": str(args.dataset.resolve().relative_to(ROOT)), "split": args.split}
    if not args.no_realistic:
        entry["realistic"] = f"{args.realistic.resolve().relative_to(ROOT)} (calibration split)"
    entry["pairs"] = {}
    for pair, prows in sorted(pairs.items()):
        kinds = [a for _, _, a in prows]
        if min(kinds.count(True), kinds.count(False)) < MIN_CASES:
            print(f"  {pair}: too few cases, the main setting applies")
            continue
        pmeets, pmix, pthreshold, pr = best_setting(prows)
        entry["pairs"][pair] = _entry(pmix, pthreshold, pr)
        print(
            f"  {pair}: mix {pmix:.1f}, threshold {pthreshold:.2f}, abstains on {pr['abstain_recall']:.0%} of "
            f"unanswerable, answers {pr['answer_rate']:.0%} of answerable (both goals met: {pmeets})"
        )
    if args.write:
        table = json.loads(CALIBRATION_FILE.read_text(encoding="utf-8")) if CALIBRATION_FILE.exists() else {}
        table.setdefault("models", {})[model] = entry
        CALIBRATION_FILE.write_text(json.dumps(table, indent=2) + "\n", encoding="utf-8")
        print(f"wrote {CALIBRATION_FILE.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
