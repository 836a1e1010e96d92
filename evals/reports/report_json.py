"""report.json: the whole report (configurations, intervals, counts, hashes, baseline, checks) as indented JSON."""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from evals.reports.formatting import prepare_target


def write_report_json(report: Mapping[str, Any], path: str | Path) -> Path:
    """report.json, the file the other reports, `--baseline` and CI read back."""
    target = prepare_target(path)
    target.write_text(json.dumps(report, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    return target
