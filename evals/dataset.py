"""The evaluation dataset: JSONL cases in the architecture's format, loaded and checked line by line.

A case is one JSON object per line with `id`, `language` (a supported language) and either one message
(`question`, `answerable`, and the optional lists `relevant_doc_ids`, `key_facts` and `relevant_sections`) or a
conversation: `turns`, a list of at least two such messages asked one after the other, each with its own
`question`, `answerable`, `relevant_doc_ids`, `key_facts` and `relevant_sections`. An optional `tags` list
describes how the message is written ("sms", "long", "mixed"...). Missing optional lists are filled in as empty.

Every bad line is reported with its number (and the turn, for a conversation), up to 20 at once, and falls under
one of these kinds: not valid JSON, not a JSON object, a required key missing or of the wrong type (or an empty
id or question), an unsupported language, a list that is not a list of non-empty strings, a section not written
`<doc-id>#<heading-slug>` or naming a guide the case does not, an answerable case without a relevant document,
turns that are not a list of at least two objects, a case with both `question` and `turns`, a duplicate id.

`conversations(cases)` turns cases into what a pipeline is asked: one list of items per case (one item for a
single message, one per turn for a conversation, `id` `<case id>#<turn>`), and `split_of(id)` is the fixed rule
that puts a case in the calibration or the test split.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from assistant.config import SUPPORTED_LANGUAGES
from assistant.errors import InputError

DATASETS_DIR = Path(__file__).resolve().parent / "datasets"
DEFAULT_DATASET = DATASETS_DIR / "questions.jsonl"
CLEAN_FILE = "questions.jsonl"
REALISTIC_FILE = "realistic.jsonl"
FRESH_FILE = "fresh.jsonl"  # written blind; calibration material since its failures were read (datasets/README.md)
BLIND_FILE = "blind.jsonl"  # written blind, never tuned on: the check (datasets/README.md)
MAX_PROBLEMS_SHOWN = 20
SPLITS = ("test", "calibration", "all")
CALIBRATION_EVERY = 3  # one case in three (by its id's hash) calibrates; the others are the reported test split
_MESSAGE_KEYS = ("question", "answerable", "relevant_doc_ids", "key_facts", "relevant_sections")


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


def split_of(case_id: str) -> str:
    """'calibration' for one case in three, chosen by the SHA-256 of its id (so adding cases moves none), else
    'test'. The rule is fixed so that nothing tuned on the calibration split can leak into the reported figures."""
    digest = int(hashlib.sha256(case_id.encode("utf-8")).hexdigest(), 16)
    return "calibration" if digest % CALIBRATION_EVERY == 0 else "test"


def select_split(cases: list[dict], split: str) -> list[dict]:
    """The cases of one split ('test', 'calibration') or all of them ('all')."""
    if split not in SPLITS:
        raise InputError(f"unknown split {split!r}: use one of {', '.join(SPLITS)}")
    return cases if split == "all" else [c for c in cases if split_of(c["id"]) == split]


def conversations(cases: list[dict]) -> list[list[dict]]:
    """What is asked, in order: one list of items per case, each item a single message in the one-message format
    (`id`, `question`, `language`, `answerable`, `relevant_doc_ids`, `key_facts`, `relevant_sections`, `tags`)
    plus `conversation` (the case id) and `turn` (1 for the first message; a follow-up has turn >= 2)."""
    out = []
    for case in cases:
        shared = {"language": case["language"], "tags": case.get("tags", []), "conversation": case["id"]}
        if "turns" not in case:
            out.append([{"id": case["id"], **_message(case), **shared, "turn": 1}])
            continue
        out.append(
            [
                {"id": f"{case['id']}#{n}", **_message(turn), **shared, "turn": n}
                for n, turn in enumerate(case["turns"], start=1)
            ]
        )
    return out


def _message(holder: dict) -> dict:
    """The message keys of a case or turn, the optional lists filled in as empty."""
    return {k: holder[k] if k in ("question", "answerable") else holder.get(k, []) for k in _MESSAGE_KEYS}


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
    for key in ("id", "language"):
        if key not in case:
            return f"missing {key!r}"
        if not isinstance(case[key], str):
            return f"{key!r} must be a string"
    if not case["id"].strip():
        return "'id' must not be empty"
    if case["language"] not in SUPPORTED_LANGUAGES:
        return f"'language' must be one of {', '.join(SUPPORTED_LANGUAGES)}, not {case['language']!r}"
    problem = _strings_problem(case, "tags")
    if problem:
        return problem
    if "turns" not in case:
        return _message_problem(case)
    if "question" in case:
        return "a case has either 'question' or 'turns', not both"
    turns = case["turns"]
    if not isinstance(turns, list) or len(turns) < 2 or not all(isinstance(t, dict) for t in turns):
        return "'turns' must be a list of at least two JSON objects (one per message)"
    for n, turn in enumerate(turns, start=1):
        problem = _message_problem(turn)
        if problem:
            return f"turn {n}: {problem}"
    return None


def _message_problem(message: dict) -> str | None:
    """What is wrong with one message (a single-message case, or one turn); None when it is sound."""
    for key, kind in (("question", str), ("answerable", bool)):
        if key not in message:
            return f"missing {key!r}"
        if not isinstance(message[key], kind):
            return f"{key!r} must be {'true or false' if kind is bool else 'a string'}"
    if not message["question"].strip():
        return "'question' must not be empty"
    for key in ("relevant_doc_ids", "key_facts", "relevant_sections"):
        problem = _strings_problem(message, key)
        if problem:
            return problem
    if message["answerable"] and not message["relevant_doc_ids"]:
        return "an answerable case needs at least one relevant_doc_id"
    for section in message["relevant_sections"]:
        doc_id, sep, slug = section.partition("#")
        if not sep or not slug or doc_id not in message["relevant_doc_ids"]:
            return f"relevant section {section!r} must be '<doc-id>#<heading-slug>' of a relevant_doc_id"
    return None


def _strings_problem(holder: dict, key: str) -> str | None:
    value = holder.setdefault(key, [])
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        return f"{key!r} must be a list of non-empty strings"
    return None
