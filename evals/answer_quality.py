"""Answer quality on the evaluation questions, printed (the answering issue's goals).

    python -m evals.answer_quality [--dataset FILE]

Ingests the knowledge base into a temporary folder and asks every question in-process with the model
already loaded (extractive composer unless MENTOR_LLM is set). Prints the answer-language match, gold
citations, abstention on unanswerable questions, answers on answerable ones, key-fact recall and latency.
"""

from __future__ import annotations

import argparse
import re
import tempfile
import unicodedata
from pathlib import Path

import numpy as np

from assistant.answering.service import Answerer
from assistant.config import Settings
from assistant.languages import detect_language
from assistant.runtime import Runtime
from evals.calibrate_fusion import ROOT, load_cases


def normalise(text: str) -> str:
    """Case, accents and number formatting do not matter: '15 000' == '15,000' == '15000'."""
    text = unicodedata.normalize("NFKD", text.lower()).encode("ascii", "ignore").decode()
    text = re.sub(r"(?<=\d)[\s,.\u202f\u00a0](?=\d{3}\b)", "", text)
    return " ".join(re.findall(r"\w+", text))


def fact_found(fact: str, answer: str) -> bool:
    return f" {normalise(fact)} " in f" {normalise(answer)} "


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dataset", type=Path, default=ROOT / "evals" / "datasets" / "questions.jsonl")
    args = parser.parse_args()
    cases = load_cases(args.dataset)
    with tempfile.TemporaryDirectory() as tmp:
        runtime = Runtime(Settings().model_copy(update={"data_dir": Path(tmp)}))
        runtime.ingestor().ingest([ROOT / "knowledge_base" / "guides"])
        answerer = Answerer(runtime)
        answerer.answer("warm up the model and index")
        results = [(case, answerer.answer(case["question"])) for case in cases]
    answerable = [(c, a) for c, a in results if c["answerable"]]
    unanswerable = [(c, a) for c, a in results if not c["answerable"]]
    lang_ok = [
        a.language == c["language"] and (a.abstained or detect_language(a.text).language == c["language"])
        for c, a in results
    ]
    gold = [any(x.doc_id in c["relevant_doc_ids"] for x in a.citations) for c, a in answerable]
    facts = [any(fact_found(f, a.text) for f in c["key_facts"]) for c, a in answerable]
    latency = [a.latency_ms for _, a in results]
    rows = [
        ("answer language = question language", np.mean(lang_ok), ">= 98%"),
        ("answerable: a citation points to a gold guide", np.mean(gold), ">= 90%"),
        ("unanswerable: abstains", np.mean([a.abstained for _, a in unanswerable]), ">= 85%"),
        ("answerable: answers", np.mean([not a.abstained for _, a in answerable]), ">= 90%"),
        ("answerable: a key fact appears in the answer", np.mean(facts), ">= 70%"),
    ]
    print(
        f"\nAnswer quality on {len(cases)} questions ({len(answerable)} answerable), composer "
        f"{results[0][1].composer if results else '-'}"
    )
    for label, value, goal in rows:
        print(f"  {label:<48} {value:6.1%}   goal {goal}")
    for lang in ("fr", "es", "en"):
        sub = [(c, a) for c, a in answerable if c["language"] == lang]
        gold_rate = np.mean([any(x.doc_id in c["relevant_doc_ids"] for x in a.citations) for c, a in sub])
        fact_rate = np.mean([any(fact_found(f, a.text) for f in c["key_facts"]) for c, a in sub])
        print(f"    {lang}: gold citation {gold_rate:.1%}, key fact {fact_rate:.1%}")
    print(
        f"  latency in-process p50 {np.percentile(latency, 50):.1f} ms, p95 {np.percentile(latency, 95):.1f} ms"
        "   goal p95 < 60 ms"
    )


if __name__ == "__main__":
    main()
