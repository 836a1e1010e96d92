"""The JSON-lines files of a run: cases.jsonl (every case row) and failures.jsonl (the failed ones)."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from evals.reports.formatting import is_failed, prepare_target


def write_failures(cases: Iterable[Mapping[str, Any]], path: str | Path) -> Path:
    """failures.jsonl: each failed case line as is (failed, or errored), one JSON object per line."""
    target = prepare_target(path)
    lines = [json.dumps(dict(case), ensure_ascii=False) + "\n" for case in cases if is_failed(case)]
    target.write_text("".join(lines), encoding="utf-8")
    return target


def write_cases(rows: Iterable[Mapping[str, Any]], path: str | Path) -> Path:
    """cases.jsonl: every case row of the run, one JSON object per line."""
    target = prepare_target(path)
    target.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    return target
