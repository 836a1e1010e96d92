"""Widen `relevant_doc_ids` to every guide that states a case's answer (pooled relevance judgements).

    python -m evals.datasets.widen_relevance [--write]

Each case was written from one guide, but several guides repeat the programme's key figures (who funds
it, how many Canadians, the pilot countries). A citation of such a guide is a correct citation, so a guide
in the question's language is added to a case's relevant guides when its text contains every key fact of
the case. Three kinds of case are left alone: those whose key facts are only clock times or durations
("13 h", "2 hours": equal figures recur for other countries), those whose only key fact is one ordinary
word, and those where more than three other guides qualify (the facts are then too common to identify
an answer).

Then the hand judgements in `judgements.jsonl` are applied: an assessor read the passages the assistant
cited for a case and judged that they answer it; each line names the case, the guide and the sentence
that answers (it must be in the guide, in the case's language). Without `--write` it prints what it
would add; with it, the files under `parts/` and `questions.jsonl` are rewritten.
"""

from __future__ import annotations

import argparse
import json
import re
from pathlib import Path

from evals.metrics import normalise

HERE = Path(__file__).parent
GUIDES = HERE.parents[1] / "knowledge_base" / "guides"
# A clock time or duration ("13 h", "13:00", "2 hours", "misma hora") or a bare one- or two-digit figure.
_CLOCK = re.compile(r":|\b(?:hours?|heures?|horas?|h)\b|^\s*\d{1,2}\s*$", re.IGNORECASE)
MAX_EXTRA = 3


def guide_texts() -> dict[tuple[str, str], str]:
    out = {}
    for path in sorted(GUIDES.rglob("*.md")):
        text = path.read_text(encoding="utf-8")
        doc_id = re.search(r"^id:\s*(\S+)", text, re.M).group(1)
        lang = re.search(r"^lang:\s*(\S+)", text, re.M).group(1)
        out[(doc_id, lang)] = f" {normalise(text, lang)} "
    return out


def widen(case: dict, texts: dict[tuple[str, str], str]) -> list[str]:
    """The guides to add to `case`'s relevant ones (empty when none or when the rule leaves it alone)."""
    facts = case["key_facts"]
    if not case.get("answerable") or all(_CLOCK.search(f) for f in facts):
        return []
    if len(facts) == 1 and len(facts[0].split()) == 1 and not any(ch.isdigit() for ch in facts[0]):
        return []  # one ordinary word ("confidentiality") is in too many guides to identify an answer
    facts = [f" {normalise(f, case['language'])} " for f in facts]
    extra = sorted(
        doc_id
        for (doc_id, lang), text in texts.items()
        if lang == case["language"] and doc_id not in case["relevant_doc_ids"] and all(f in text for f in facts)
    )
    return extra if len(extra) <= MAX_EXTRA else []


def judged(texts: dict[tuple[str, str], str]) -> dict[str, list[str]]:
    """Hand judgements by case id; a quote not found in its guide is an error, not a silent skip."""
    out: dict[str, list[str]] = {}
    for number, line in enumerate((HERE / "judgements.jsonl").read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        judgement = json.loads(line)
        lang = judgement["id"].split("-", 1)[0]
        text = texts.get((judgement["doc_id"], lang))
        if text is None or f" {normalise(judgement['quote'], lang)} " not in text:
            raise SystemExit(f"judgements.jsonl line {number}: the quote is not in {judgement['doc_id']} ({lang})")
        out.setdefault(judgement["id"], []).append(judgement["doc_id"])
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--write", action="store_true")
    args = parser.parse_args()
    texts = guide_texts()
    by_hand = judged(texts)
    parts = [*sorted((HERE / "parts").glob("group-*.jsonl")), HERE / "parts" / "unanswerable.jsonl"]
    combined: list[str] = []
    added = 0
    for part in parts:
        lines = []
        for line in part.read_text(encoding="utf-8").splitlines():
            if not line.strip():
                continue
            case = json.loads(line)
            extra = widen(case, texts)
            extra += [d for d in by_hand.get(case["id"], []) if d not in case["relevant_doc_ids"] + extra]
            if extra:
                added += 1
                print(f"{case['id']}: + {', '.join(extra)}")
                case["relevant_doc_ids"] = case["relevant_doc_ids"] + extra
                line = json.dumps(case, ensure_ascii=False)
            lines.append(line)
        combined += lines
        if args.write:
            part.write_text("\n".join(lines) + "\n", encoding="utf-8")
    if args.write:
        (HERE / "questions.jsonl").write_text("\n".join(combined) + "\n", encoding="utf-8")
    print(f"{added} cases widened" + ("" if args.write else " (dry run; --write to save)"))


if __name__ == "__main__":
    main()
