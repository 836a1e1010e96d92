"""The comparison with a baseline: an earlier run's report read back, and per configuration and metric the
difference, with a paired permutation test on the cases both runs share.
"""

from __future__ import annotations

import gzip
import json
from pathlib import Path

from assistant.errors import InputError
from evals.aggregation import per_case_means
from evals.metrics import METRICS, PER_CASE, SUMMED
from evals.stats import paired_p_value


def load_baseline(folder: Path) -> tuple[dict, list[dict]]:
    """An earlier run's report.json and its cases (cases.jsonl, or cases.jsonl.gz as committed baselines are)."""
    report_file = folder / "report.json"
    if not report_file.is_file():
        raise InputError(f"--baseline {folder}: no report.json there (give the --report folder of an earlier run)")
    cases_file = next((f for f in (folder / "cases.jsonl", folder / "cases.jsonl.gz") if f.is_file()), None)
    if cases_file is None:
        raise InputError(f"--baseline {folder}: cases.jsonl is missing beside report.json")
    try:
        report = json.loads(report_file.read_text(encoding="utf-8"))
        raw = cases_file.read_bytes()
        text = (gzip.decompress(raw) if cases_file.suffix == ".gz" else raw).decode("utf-8")
        cases = [json.loads(line) for line in text.splitlines() if line.strip()]
    except (json.JSONDecodeError, UnicodeDecodeError, gzip.BadGzipFile, EOFError) as exc:
        raise InputError(f"--baseline {folder}: the report is damaged ({exc})") from None
    if not isinstance(report, dict) or not isinstance(report.get("configs"), dict):
        raise InputError(f"--baseline {folder}: report.json has no 'configs'")
    return report, cases


def _diffs(configs: dict, rows: list[dict], before_configs: dict, before_rows: list[dict]) -> dict:
    """Per configuration both runs have, and per metric: baseline, current, delta and the paired test."""
    diffs: dict[str, dict] = {}
    for name, current in configs.items():
        before = before_configs.get(name)
        if before is None:
            continue
        now_cases = per_case_means([r for r in rows if r["config"] == name])
        old_cases = per_case_means([r for r in before_rows if r.get("config") == name])
        shared = sorted(set(now_cases) & set(old_cases))
        table = {}
        for metric in METRICS:
            a, b = before["overall"].get(metric), current["overall"].get(metric)
            if a is None and b is None:
                continue
            entry = {"baseline": a, "current": b, "delta": None if a is None or b is None else round(b - a, 6)}
            if metric in PER_CASE and metric not in SUMMED:
                pairs = [
                    (old_cases[c][metric], now_cases[c][metric])
                    for c in shared
                    if old_cases[c].get(metric) is not None and now_cases[c].get(metric) is not None
                ]
                entry["pairs"] = len(pairs)
                entry["p_value"] = paired_p_value([p[0] for p in pairs], [p[1] for p in pairs]) if pairs else None
            table[metric] = entry
        diffs[name] = table
    return diffs


def _of_set(rows: list[dict], name: str) -> list[dict]:
    return [r for r in rows if r.get("set", "clean") == name]


def compare(report: dict, rows: list[dict], baseline: dict, baseline_rows: list[dict], where: str) -> dict:
    """Per configuration and metric: baseline, current, difference, and a paired permutation test on the
    cases both runs share; the realistic set's too (`realistic`) when both runs have it."""
    out = {
        "path": where,
        "same_dataset": baseline.get("hashes", {}).get("dataset") == report["hashes"]["dataset"],
        "created": baseline.get("created"),
        "diffs": _diffs(
            report["configs"], _of_set(rows, "clean"), baseline["configs"], _of_set(baseline_rows, "clean")
        ),
    }
    now, before = report.get("realistic"), baseline.get("realistic")
    if isinstance(now, dict) and isinstance(before, dict) and isinstance(before.get("configs"), dict):
        out["realistic"] = {
            "same_dataset": before.get("hash") == now["hash"] and before.get("split") == now["split"],
            "diffs": _diffs(
                now["configs"], _of_set(rows, "realistic"), before["configs"], _of_set(baseline_rows, "realistic")
            ),
        }
    return out
