"""From users back to the evals: thumbs-down answers and content gaps become candidate evaluation cases,
a reviewer completes and checks them, and the reviewed case is appended to the evaluation dataset.

A candidate is a case in the dataset format (`evals/datasets/README.md`) with a `review` block for the
reviewer; `relevant_doc_ids` and `answerable` are suggestions, `key_facts` is left for the reviewer to copy
from the guide. Candidates carry no participant, feedback, answer or channel-user id: only the question,
its language, the answer shown and the comment.

    candidate_cases(store, limit, datasets_dir)  -> candidates, most frequent first
    write_candidates(candidates, stream)         -> JSONL, one candidate a line
    validate_case(case, documents)               -> the cleaned case, or InputError naming the field
    promote_case(case, datasets_dir)             -> appended to parts/reviewed.jsonl and questions.jsonl
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import re
import unicodedata
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TextIO

from assistant.config import SUPPORTED_LANGUAGES, Settings
from assistant.errors import InputError
from assistant.text import fold_accents

DATASET_KEYS = ("id", "question", "language", "relevant_doc_ids", "answerable", "key_facts")
REVIEWED_FILE = Path("parts") / "reviewed.jsonl"
QUESTIONS_FILE = Path("questions.jsonl")
LOCK_FILE = ".promote.lock"
MAX_QUESTION_CHARS = 500
MAX_FACT_CHARS = 200
MAX_KEY_FACTS = 3
_ID = re.compile(r"^[a-z]{2}-[a-z0-9-]+$")
_WORD = re.compile(r"\w+", re.UNICODE)


def default_datasets_dir() -> Path:
    """The configured default (the repository's `evals/datasets/`), without reading the environment."""
    return Settings.model_fields["eval_datasets_dir"].default


def normalise_question(text: str) -> str:
    """What two questions must share to count as the same: case, accents, punctuation and spacing ignored."""
    folded = fold_accents(unicodedata.normalize("NFKC", text).casefold())
    return " ".join(_WORD.findall(folded))


def candidate_id(language: str, question: str) -> str:
    digest = hashlib.sha256((language + normalise_question(question)).encode("utf-8")).hexdigest()
    return f"{language}-candidate-{digest[:8]}"


# -- reading the datasets --------------------------------------------------------------------------------------


def _read_jsonl(path: Path) -> Iterator[dict]:
    """The JSON objects of a JSONL file; blank and unreadable lines are skipped."""
    try:
        text = path.read_text(encoding="utf-8")
    except (FileNotFoundError, UnicodeDecodeError):
        return
    for line in text.splitlines():
        if not line.strip():
            continue
        try:
            row = json.loads(line)
        except json.JSONDecodeError:
            continue
        if isinstance(row, dict):
            yield row


def dataset_questions(datasets_dir: Path) -> set[tuple[str, str]]:
    """(normalised question, language) of every case in any `*.jsonl` under `datasets_dir`, recursively."""
    found: set[tuple[str, str]] = set()
    if not datasets_dir.is_dir():
        return found
    for path in sorted(datasets_dir.rglob("*.jsonl")):
        for row in _read_jsonl(path):
            question, language = row.get("question"), row.get("language")
            if isinstance(question, str) and isinstance(language, str):
                found.add((normalise_question(question), language))
    return found


# -- candidates --------------------------------------------------------------------------------------------------


def candidate_cases(store, limit: int = 500, datasets_dir: Path | None = None) -> list[dict]:
    """Thumbs-down answers and content gaps as candidate cases, one per (normalised question, language), most
    frequent first (then most recent). `store` is the database `Store` (`runtime.store`); the newest `limit`
    thumbs-down and `limit` gaps are read and at most `limit` candidates returned. Questions already in a
    dataset under `datasets_dir` (default: the configured `evals/datasets/`) are left out."""
    datasets_dir = default_datasets_dir() if datasets_dir is None else Path(datasets_dir)
    known = dataset_questions(datasets_dir)
    groups: dict[tuple[str, str], dict[str, Any]] = {}

    def group(question: str, language: str, seen: str) -> dict[str, Any] | None:
        key = (normalise_question(question), language)
        if not key[0] or key in known:
            return None
        fresh = {"question": question.strip(), "language": language, "last_seen": seen, "down": [], "gaps": 0}
        entry = groups.setdefault(key, fresh)
        if seen > entry["last_seen"]:
            entry["question"], entry["last_seen"] = question.strip(), seen  # the newest wording
        return entry

    for item in store.negative_feedback(limit):
        entry = group(item["question"], item["language"], item["created_at"])
        if entry is not None:
            entry["down"].append(item)
    for gap in store.gaps(limit):
        entry = group(gap["question"], gap["language"], gap["created_at"])
        if entry is not None:
            entry["gaps"] += 1

    candidates = [_candidate(entry) for entry in groups.values()]
    candidates.sort(key=lambda c: c["id"])
    candidates.sort(key=lambda c: c["review"]["last_seen"], reverse=True)
    candidates.sort(key=lambda c: c["review"]["count"], reverse=True)
    return candidates[:limit]


def _candidate(entry: dict[str, Any]) -> dict:
    language, question = entry["language"], entry["question"]
    down = sorted(entry["down"], key=lambda d: d["created_at"], reverse=True)
    count = len(down) + entry["gaps"]
    review: dict[str, Any] = {
        "source": "thumbs_down" if down else "content_gap",
        "count": count,
        "last_seen": entry["last_seen"],
    }
    doc_ids: list[str] = []
    if down:
        for item in down:  # the newest answer's citations first
            for citation in item.get("citations") or []:
                doc_id = citation.get("doc_id") if isinstance(citation, dict) else None
                if isinstance(doc_id, str) and doc_id not in doc_ids:
                    doc_ids.append(doc_id)
        review["answer"] = down[0]["answer"]
        review["comment"] = next((d["comment"] for d in down if d.get("comment")), None)
        if entry["gaps"]:
            review["content_gaps"] = entry["gaps"]
    return {
        "id": candidate_id(language, question),
        "question": question,
        "language": language,
        "relevant_doc_ids": doc_ids,
        "answerable": bool(down),
        "key_facts": [],
        "review": review,
    }


def write_candidates(candidates: list[dict], stream: TextIO) -> int:
    """Candidates as JSONL (UTF-8 text, not escaped), one a line; returns how many were written."""
    for case in candidates:
        stream.write(json.dumps(case, ensure_ascii=False) + "\n")
    return len(candidates)


def export_candidates(store, out: Path | TextIO, datasets_dir: Path | None = None, limit: int = 500) -> int:
    """`candidate_cases` written as JSONL to a path (replaced) or an open text stream; returns the count."""
    candidates = candidate_cases(store, limit, datasets_dir)
    if isinstance(out, (str, Path)):
        with open(out, "w", encoding="utf-8") as stream:
            return write_candidates(candidates, stream)
    return write_candidates(candidates, out)


# -- validation ---------------------------------------------------------------------------------------------------


def _shape(case: Any) -> dict:
    """The six dataset keys, typed and cleaned; everything that can be checked without the guides."""
    if not isinstance(case, dict):
        raise InputError("case: must be a JSON object")
    missing = [key for key in DATASET_KEYS if key not in case]
    if missing:
        raise InputError(f"{missing[0]}: is required")
    question = _question(case["question"])
    language = case["language"]
    if language not in SUPPORTED_LANGUAGES:
        raise InputError(f"language: must be one of {', '.join(SUPPORTED_LANGUAGES)} (got {language!r})")
    case_id = _case_id(case["id"], language)
    doc_ids = case["relevant_doc_ids"]
    if not isinstance(doc_ids, list) or not all(isinstance(d, str) and d.strip() for d in doc_ids):
        raise InputError("relevant_doc_ids: must be a list of document ids")
    doc_ids = list(dict.fromkeys(d.strip() for d in doc_ids))
    answerable = case["answerable"]
    if not isinstance(answerable, bool):
        raise InputError("answerable: must be true or false")
    facts = _key_facts(case["key_facts"])
    _check_answerability(answerable, doc_ids, facts)
    return {
        "id": case_id,
        "question": question,
        "language": language,
        "relevant_doc_ids": doc_ids,
        "answerable": answerable,
        "key_facts": facts,
    }


def _question(question: Any) -> str:
    if not isinstance(question, str) or not question.strip():
        raise InputError("question: must not be empty")
    question = question.strip()
    if len(question) > MAX_QUESTION_CHARS:
        raise InputError(f"question: must be at most {MAX_QUESTION_CHARS} characters (it has {len(question)})")
    return question


def _case_id(case_id: Any, language: str) -> str:
    if not isinstance(case_id, str) or not _ID.match(case_id.strip()):
        raise InputError("id: must look like '<lang>-some-name' (lower-case letters, digits and dashes)")
    case_id = case_id.strip()
    if not case_id.startswith(f"{language}-"):
        raise InputError(f"id: must start with its language, '{language}-'")
    return case_id


def _key_facts(facts: Any) -> list[str]:
    if not isinstance(facts, list) or not all(isinstance(f, str) for f in facts):
        raise InputError("key_facts: must be a list of strings")
    facts = [f.strip() for f in facts]
    if any(not f for f in facts):
        raise InputError("key_facts: a key fact must not be empty")
    if any(len(f) > MAX_FACT_CHARS for f in facts):
        raise InputError(f"key_facts: a key fact must be at most {MAX_FACT_CHARS} characters")
    return list(dict.fromkeys(facts))


def _check_answerability(answerable: bool, doc_ids: list[str], facts: list[str]) -> None:
    """An answerable case names its guides and 1 to MAX_KEY_FACTS facts; an unanswerable one names neither."""
    if answerable:
        if not doc_ids:
            raise InputError("relevant_doc_ids: an answerable case needs at least one relevant guide")
        if not 1 <= len(facts) <= MAX_KEY_FACTS:
            raise InputError(f"key_facts: an answerable case needs 1 to {MAX_KEY_FACTS} key facts (got {len(facts)})")
    else:
        if doc_ids:
            raise InputError("relevant_doc_ids: an unanswerable case has no relevant guide")
        if facts:
            raise InputError("key_facts: an unanswerable case has no key facts")


def validate_case(case: dict, documents: dict[tuple[str, str], str]) -> dict:
    """The case cleaned to the six dataset keys, checked against `documents` ((doc_id, lang) -> the guide's
    full text): relevant guides exist in the case's language and every key fact occurs (ignoring case) in one
    of them. Raises `InputError` whose message starts with the field at fault."""
    cleaned = _shape(case)
    known = {doc_id for doc_id, _ in documents}
    language = cleaned["language"]
    for doc_id in cleaned["relevant_doc_ids"]:
        if doc_id not in known:
            raise InputError(f"relevant_doc_ids: unknown document {doc_id!r}")
        if (doc_id, language) not in documents:
            raise InputError(f"relevant_doc_ids: {doc_id!r} has no {language} version")
    texts = [documents[(doc_id, language)].casefold() for doc_id in cleaned["relevant_doc_ids"]]
    for fact in cleaned["key_facts"]:
        if not any(fact.casefold() in text for text in texts):
            raise InputError(f"key_facts: {fact!r} does not occur in the relevant {language} guide(s)")
    return cleaned


# -- promotion -------------------------------------------------------------------------------------------------


@contextmanager
def _locked(datasets_dir: Path) -> Iterator[None]:
    """An exclusive lock on the datasets folder (across processes), held while the files are read and written."""
    with open(datasets_dir / LOCK_FILE, "a") as handle:
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle.fileno(), fcntl.LOCK_UN)


def _append(path: Path, line: str) -> None:
    """Append one line (after a newline if the file does not end with one), flushed and fsynced."""
    with open(path, "a+b") as handle:
        handle.seek(0, os.SEEK_END)
        prefix = b""
        if handle.tell() > 0:
            handle.seek(-1, os.SEEK_END)
            if handle.read(1) != b"\n":
                prefix = b"\n"
            handle.seek(0, os.SEEK_END)
        handle.write(prefix + line.encode("utf-8"))
        handle.flush()
        os.fsync(handle.fileno())


def _restore(path: Path, size: int | None) -> None:
    """Put a file back as it was: truncated to its old size, or removed if it did not exist."""
    if size is None:
        path.unlink(missing_ok=True)
    elif path.exists():
        with open(path, "r+b") as handle:
            handle.truncate(size)
            handle.flush()
            os.fsync(handle.fileno())


def promote_case(case: dict, datasets_dir: Path) -> Path:
    """Append a reviewed case to `parts/reviewed.jsonl` and to `questions.jsonl` under `datasets_dir`, so the
    default set includes it. Refuses (InputError) a malformed case, an id already used, or a question already
    there in the same language; both files are left as they were on any error. Returns the part file's path."""
    cleaned = _shape(case)  # validate_case (with the guides) is the caller's; the format is checked again here
    datasets_dir = Path(datasets_dir)
    datasets_dir.mkdir(parents=True, exist_ok=True)
    reviewed, questions = datasets_dir / REVIEWED_FILE, datasets_dir / QUESTIONS_FILE
    line = json.dumps(cleaned, ensure_ascii=False) + "\n"
    key = (normalise_question(cleaned["question"]), cleaned["language"])
    with _locked(datasets_dir):
        for path in (reviewed, questions):
            for row in _read_jsonl(path):
                if row.get("id") == cleaned["id"]:
                    raise InputError(f"id: {cleaned['id']!r} is already in {path.relative_to(datasets_dir)}")
                question, language = row.get("question"), row.get("language")
                if isinstance(question, str) and (normalise_question(question), language) == key:
                    raise InputError(
                        f"question: already in {path.relative_to(datasets_dir)} as {row.get('id')!r} "
                        f"({cleaned['language']})"
                    )
        reviewed.parent.mkdir(parents=True, exist_ok=True)
        sizes = {path: path.stat().st_size if path.exists() else None for path in (reviewed, questions)}
        try:
            _append(reviewed, line)
            _append(questions, line)
        except BaseException:
            for path, size in sizes.items():
                _restore(path, size)
            raise
    return reviewed


__all__ = [
    "DATASET_KEYS",
    "candidate_cases",
    "candidate_id",
    "dataset_questions",
    "export_candidates",
    "normalise_question",
    "promote_case",
    "validate_case",
    "write_candidates",
]
