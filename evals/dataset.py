"""The evaluation dataset: JSONL cases in the architecture's format, loaded and checked line by line.

A case is one JSON object per line with `id`, `question`, `language` (a supported language) and `answerable`,
plus the optional lists `relevant_doc_ids` and `key_facts` (filled in as empty when missing). Every bad line is
reported with its number, up to 20 at once, and falls under one of seven kinds: not valid JSON, not a JSON object,
a required key missing or of the wrong type (or an empty id or question), an unsupported language, a list that
is not a list of non-empty strings, an answerable case without a relevant document, a duplicate id.
"""

from __future__ import annotations

import json
from pathlib import Path

from assistant.config import SUPPORTED_LANGUAGES
from assistant.errors import InputError

DEFAULT_DATASET = Path(__file__).resolve().parent / "datasets" / "questions.jsonl"
MAX_PROBLEMS_SHOWN = 20


class DatasetError(InputError):
    """The dataset cannot be evaluated; the message lists every problem found (up to 20)."""


def load_dataset(path: Path) -> list[dict]:
    """The cases of a JSONL dataset in the architecture's format, checked line by line."""
    cases, problems, ids = [], [], set()
    for number, line in enumerate(_read_text(path).splitlines(), start=1):
        if not line.strip():
            continue
        try:
            case = json.loads(line)
        except json.JSONDecodeError as exc:
            problems.append(f"line {number}: not valid JSON ({exc.msg})")
            continue
        problem = _case_problem(case)
        if problem is None and case["id"] in ids:
            problem = f"duplicate id {case['id']!r}"
        if problem:
            problems.append(f"line {number}: {problem}")
            continue
        ids.add(case["id"])
        cases.append(case)
    if problems:
        raise DatasetError(f"{path} has {len(problems)} bad line(s):\n  {_listed(problems)}")
    if not cases:
        raise DatasetError(f"{path} holds no cases")
    return cases


def _read_text(path: Path) -> str:
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise DatasetError(f"dataset not found: {path}") from None
    except OSError as exc:
        raise DatasetError(f"cannot read dataset {path}: {exc.strerror or exc}") from None
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise DatasetError(f"{path} is not UTF-8 text (byte {exc.start})") from None


def _listed(problems: list[str]) -> str:
    more = len(problems) - MAX_PROBLEMS_SHOWN
    return "\n  ".join(problems[:MAX_PROBLEMS_SHOWN]) + (f"\n  ... and {more} more" if more > 0 else "")


def _case_problem(case) -> str | None:
    if not isinstance(case, dict):
        return "a case must be a JSON object"
    for key, kind in (("id", str), ("question", str), ("language", str), ("answerable", bool)):
        if key not in case:
            return f"missing {key!r}"
        if not isinstance(case[key], kind):
            return f"{key!r} must be {'true or false' if kind is bool else 'a string'}"
    if not case["id"].strip() or not case["question"].strip():
        return "'id' and 'question' must not be empty"
    if case["language"] not in SUPPORTED_LANGUAGES:
        return f"'language' must be one of {', '.join(SUPPORTED_LANGUAGES)}, not {case['language']!r}"
    for key in ("relevant_doc_ids", "key_facts"):
        value = case.setdefault(key, [])
        if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
            return f"{key!r} must be a list of non-empty strings"
    if case["answerable"] and not case["relevant_doc_ids"]:
        return "an answerable case needs at least one relevant_doc_id"
    return None
