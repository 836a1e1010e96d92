"""Measure when to say "I don't know": the evidence mix and threshold, for the configured embedding model.

    python -m evals.calibrate_abstention [--dataset FILE] [--split calibration|report|all]
        [--realistic FILE | --no-realistic] [--whole FILE ... | --no-whole] [--data-dir DIR] [--write]

Ingests the knowledge base into a temporary folder (or `--data-dir`), measures the evidence of every evaluation
question of the split (the calibration half by default; the report half is left for the figures), of the realistic
set's calibration split (messages as typed, follow-ups asked after their conversation's earlier turns; its
test split is left for the figures) and of every case of the `--whole` sets (by default the fresh set: messages in
wording no rule was written for, whose failures have been read; the blind set is what checks the result), each
through the answerer itself (the message understood, a follow-up resolved, exactly as it is answered), and
grid-searches the mix of the signals (the closest passage's cosine, the closest section question's, the
coverage of her words) and the threshold: once without the question signal (for hits whose sections list no
questions) and once with it.
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

from assistant.answering.evidence import CALIBRATION_FILE, strength
from assistant.answering.service import Answerer
from assistant.config import SUPPORTED_LANGUAGES, Settings
from assistant.memory import Turn
from assistant.runtime import Runtime
from evals.calibrate_fusion import ROOT, load_cases
from evals.dataset import DATASETS_DIR, FRESH_FILE, conversations, load_dataset, select_split
from evals.pipelines import NoGaps, SlicedRuntime
from evals.splits import split

# Unanswerable questions it must refuse: the clean set's figure before realistic messages joined the calibration
# (97.9%), so answering more realistic messages costs no honesty on the clean ones.
ABSTAIN_GOAL = 0.95
MIN_CASES = 5  # of each kind (answerable, not) for a language pair to get its own setting


def features(runtime: Runtime, cases: list[dict]) -> list[tuple[float, float, float | None, bool]]:
    """(dense, coverage, closest question or None, answerable) of every message, measured by the answerer (which
    never abstains here):
    one-message cases alone, a conversation's turns in order, each after the earlier turns and their answers."""
    answerer = Answerer(_never_abstaining(runtime), gaps=NoGaps())
    out = []
    for talk in conversations(cases):
        history: list[Turn] = []
        for item in talk:
            answer = answerer.answer(item["question"], history=history)
            # An answer made without measuring evidence (the hours apart, by arithmetic on two guides) is given at
            # any threshold; a question refused before any search (out of scope) is refused at any threshold.
            measured = answer.evidence or {"dense": 1.0, "coverage": 1.0, "asked": 1.0}
            out.append((measured["dense"], measured["coverage"], measured.get("asked"), item["answerable"]))
            history.append(Turn(item["question"], answer.language, answer.text))
    return out


def _never_abstaining(runtime: Runtime) -> Runtime:
    runtime.settings = runtime.settings.model_copy(update={"abstain_threshold": 0.0})
    return runtime


def rates(rows, mix: float, threshold: float, asked_mix: float = 0.0) -> dict[str, float]:
    setting = {"dense_mix": mix, "asked_mix": asked_mix}
    strength_ = np.array([strength(d, c, q, setting) for d, c, q, _ in rows])
    answerable = np.array([a for *_, a in rows])
    abstain = strength_ < threshold
    abstain_recall = float(abstain[~answerable].mean())  # unanswerable ones we abstain on
    answered = float((~abstain[answerable]).mean())  # answerable ones we answer
    precision = float((~answerable[abstain]).mean()) if abstain.any() else 1.0
    return {
        "abstain_recall": abstain_recall,
        "abstain_precision": precision,
        "answer_rate": answered,
        "balanced": (abstain_recall + answered) / 2,
    }


def best_setting(rows, questions: bool = False) -> tuple[bool, dict, dict]:
    """(both goals met, setting, rates) of the best grid point; with `questions`, the closest question's cosine
    is mixed in too (its share and the dense share together at most 1, the rest is coverage)."""
    best = None
    for mix in np.round(np.arange(0, 1.0001, 0.1), 2):
        shares = np.round(np.arange(0, 1.0001 - mix, 0.1), 2) if questions else [0.0]
        for asked_mix in shares:
            for threshold in np.round(np.arange(0.05, 0.99, 0.01), 2):
                r = rates(rows, float(mix), float(threshold), float(asked_mix))
                answers = r["answer_rate"] >= 0.90
                meets = r["abstain_recall"] >= ABSTAIN_GOAL and answers
                first = r["answer_rate"] if meets else r["balanced"]
                # ties: the mix nearer the middle, then the smaller question share
                key = (meets, answers, first, r["balanced"], -abs(float(mix) - 0.5), -float(asked_mix))
                if best is None or key > best[0]:
                    setting = {"dense_mix": float(mix), "asked_mix": float(asked_mix), "threshold": float(threshold)}
                    best = (key, setting, r)
    (meets, *_), setting, r = best
    return meets, setting, r


def pair_rows(runtime: Runtime, cases: list[dict]) -> dict[str, list]:
    """'es>fr' -> evidence rows of the Spanish questions over the French slice, for every pair q != d."""
    out = {}
    for doc_lang in runtime.index.languages:
        sliced = SlicedRuntime(runtime, doc_lang)
        for q_lang in SUPPORTED_LANGUAGES:
            if q_lang != doc_lang:
                out[f"{q_lang}>{doc_lang}"] = features(sliced, [c for c in cases if c["language"] == q_lang])
    return out


def _entry(setting: dict, r: dict, questions: bool = False) -> dict:
    kept = setting if questions else {k: v for k, v in setting.items() if k != "asked_mix"}
    return {**kept, **{k: round(v, 4) for k, v in r.items()}}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dataset", type=Path, default=ROOT / "evals" / "datasets" / "questions.jsonl")
    parser.add_argument("--split", default="calibration", choices=("calibration", "report", "all"))
    parser.add_argument("--realistic", type=Path, default=ROOT / "evals" / "datasets" / "realistic.jsonl")
    parser.add_argument("--no-realistic", action="store_true", help="the clean set alone, as before")
    parser.add_argument(
        "--whole", type=Path, action="append", help="a set calibrated on whole (default: the fresh set)"
    )
    parser.add_argument("--no-whole", action="store_true", help="no set calibrated on whole")
    parser.add_argument("--data-dir", type=Path, default=None, help="an ingested data folder to reuse")
    parser.add_argument("--write", action="store_true")
    args = parser.parse_args()
    cases = split(load_cases(args.dataset), args.split)
    if not args.no_realistic:  # only its calibration split: its test split is what the README reports
        cases += select_split(load_dataset(args.realistic), "calibration")
    whole = [] if args.no_whole else (args.whole or [DATASETS_DIR / FRESH_FILE])
    for path in whole:
        cases += load_dataset(path)
    with tempfile.TemporaryDirectory() as tmp:
        runtime = Runtime(Settings().model_copy(update={"data_dir": args.data_dir or Path(tmp)}))
        runtime.ingestor().ingest([ROOT / "knowledge_base" / "guides"])
        rows = features(runtime, cases)
        pairs = pair_rows(runtime, cases)
        model = runtime.embedder.name
    entry = _measured(rows, pairs, model, questions=False)
    entry.update({"dataset": str(args.dataset.resolve().relative_to(ROOT)), "split": args.split})
    if not args.no_realistic:
        entry["realistic"] = f"{args.realistic.resolve().relative_to(ROOT)} (calibration split)"
    if whole:
        entry["whole"] = [str(path.resolve().relative_to(ROOT)) for path in whole]
    if any(q is not None for _, _, q, _ in rows):
        entry["questions"] = _measured(rows, pairs, model, questions=True)
    if args.write:
        table = json.loads(CALIBRATION_FILE.read_text(encoding="utf-8")) if CALIBRATION_FILE.exists() else {}
        table.setdefault("models", {})[model] = entry
        CALIBRATION_FILE.write_text(json.dumps(table, indent=2) + "\n", encoding="utf-8")
        print(f"wrote {CALIBRATION_FILE.relative_to(ROOT)}")


def _measured(rows, pairs: dict[str, list], model: str, questions: bool) -> dict:
    """The best setting, and each language pair's, printed and as stored; with `questions`, the closest question's
    cosine mixed in (the setting for hits whose sections list questions)."""
    meets, setting, r = best_setting(rows, questions)
    shown = f", question share {setting['asked_mix']:.1f}" if questions else ""
    print(
        f"{model}{' with section questions' if questions else ''}: dense mix {setting['dense_mix']:.1f}{shown}, "
        f"threshold {setting['threshold']:.2f}  (both goals met: {meets})"
    )
    print(f"  abstains on {r['abstain_recall']:.1%} of unanswerable questions (abstention recall)")
    print(f"  abstention precision {r['abstain_precision']:.1%}; answers {r['answer_rate']:.1%} of answerable ones")
    entry = {**_entry(setting, r, questions), "pairs": {}}
    for pair, prows in sorted(pairs.items()):
        kinds = [a for *_, a in prows]
        if min(kinds.count(True), kinds.count(False)) < MIN_CASES:
            print(f"  {pair}: too few cases, the main setting applies")
            continue
        pmeets, psetting, pr = best_setting(prows, questions)
        entry["pairs"][pair] = _entry(psetting, pr, questions)
        share = f"/{psetting['asked_mix']:.1f}" if questions else ""
        print(
            f"  {pair}: mix {psetting['dense_mix']:.1f}{share}, "
            f"threshold {psetting['threshold']:.2f}, abstains on {pr['abstain_recall']:.0%} of "
            f"unanswerable, answers {pr['answer_rate']:.0%} of answerable (both goals met: {pmeets})"
        )
    return entry


if __name__ == "__main__":
    main()
