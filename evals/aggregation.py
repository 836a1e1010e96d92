"""Aggregation: case rows in, the figures of a report section out (overall, per language, per language pair).

Each case's metrics are first averaged over its repeats, then over the cases, with a bootstrap 95% interval of
each mean (fixed seed). Counts (`SUMMED`) are summed over the rows instead; `changed_share`, the latency
percentiles and `errors` are run-level figures of the rows themselves.
"""

from __future__ import annotations

import json

from assistant.config import SUPPORTED_LANGUAGES
from evals.metrics import OPTIONAL, PER_CASE, SUMMED, changed_share
from evals.stats import mean_ci, percentile
from evals.usefulness import FAILURE_TYPES


def language_order(lang: str) -> tuple[int, str]:
    """Sort key: the supported languages in their configured order, any other language after them."""
    return (SUPPORTED_LANGUAGES.index(lang) if lang in SUPPORTED_LANGUAGES else 99, lang)


def per_case_means(rows: list[dict], names=PER_CASE) -> dict[str, dict[str, float | None]]:
    """case id -> metric -> mean over the case's repeats (None where it never applied)."""
    grouped: dict[str, list[dict]] = {}
    for row in rows:
        grouped.setdefault(row["case_id"], []).append(row["metrics"])
    out = {}
    for case_id, runs in grouped.items():
        means = {}
        for name in names:
            values = [r.get(name) for r in runs if r.get(name) is not None]
            means[name] = sum(values) / len(values) if values else None
        out[case_id] = means
    return out


def summarise(rows: list[dict], intervals: bool = True) -> dict:
    """Overall figures of a group of rows (one configuration, maybe one language)."""
    names = [*PER_CASE, *[n for n in OPTIONAL if any(n in r["metrics"] for r in rows)]]
    cases = per_case_means(rows, names)
    overall: dict[str, float | None] = {}
    spans: dict[str, list[float]] = {}
    for name in names:
        values = [c[name] for c in cases.values() if c[name] is not None]
        if name in SUMMED:
            overall[name] = int(sum(r["metrics"].get(name) or 0 for r in rows))
            continue
        overall[name] = round(sum(values) / len(values), 6) if values else None
        if intervals and values:
            ci = mean_ci(values)
            if ci is not None:
                spans[name] = [round(ci[0], 6), round(ci[1], 6)]
    overall.update(_run_level(rows))
    counts = {
        "cases": len(cases),
        "answerable": len({r["case_id"] for r in rows if r["answerable"]}),
        "unanswerable": len({r["case_id"] for r in rows if not r["answerable"]}),
        "rows": len(rows),
        "errors": overall["errors"],
    }
    return {"overall": overall, "intervals": spans, "counts": counts}


def _run_level(rows: list[dict]) -> dict[str, float | int | None]:
    """The figures of the rows themselves: answer stability over repeats, latency percentiles, errors."""
    answers: dict[str, list[str]] = {}
    for row in rows:
        answers.setdefault(row["case_id"], []).append(json.dumps([row["answer"], row["abstained"], row["error"]]))
    repeats = {row["repeat"] for row in rows}
    figures: dict[str, float | int | None] = {}
    figures["changed_share"] = round(changed_share(list(answers.values())), 6) if len(repeats) > 1 else None
    latencies = [row["latency_ms"] for row in rows if row["latency_ms"] is not None]
    p50, p95 = percentile(latencies, 50), percentile(latencies, 95)
    figures["latency_p50_ms"] = None if p50 is None else round(p50, 2)
    figures["latency_p95_ms"] = None if p95 is None else round(p95, 2)
    figures["errors"] = sum(1 for row in rows if row["error"])
    return figures


def failure_counts(rows: list[dict]) -> dict[str, int]:
    """How many rows fell under each failure type (`evals.usefulness.FAILURE_TYPES`, in that order); types
    that did not occur are left out."""
    found = [r.get("failure_type") for r in rows]
    return {kind: found.count(kind) for kind in FAILURE_TYPES if kind in found}


def config_report(rows: list[dict], description: str) -> dict:
    """One configuration's section of report.json; `by_pair` is filled by `add_pair` afterwards. Where the
    rows were scored for usefulness, `failure_types` counts them by failure type, overall and per language."""
    whole = summarise(rows)
    languages = sorted({r["language"] for r in rows}, key=language_order)
    by_language = {lang: summarise([r for r in rows if r["language"] == lang]) for lang in languages}
    extra = {}
    if any("failure_type" in r for r in rows):
        extra["failure_types"] = {
            "overall": failure_counts(rows),
            "by_language": {lang: failure_counts([r for r in rows if r["language"] == lang]) for lang in languages},
        }
    return {
        "description": description,
        "overall": whole["overall"],
        "by_language": {lang: part["overall"] for lang, part in by_language.items()},
        "by_pair": {},
        "intervals": {
            "overall": whole["intervals"],
            "by_language": {lang: part["intervals"] for lang, part in by_language.items()},
        },
        "counts": whole["counts"],
        **extra,
    }


def add_pair(section: dict, doc_lang: str, rows: list[dict]) -> None:
    """Into `section`: the figures of every question language over the documents of `doc_lang` alone."""
    for query_lang in sorted({r["language"] for r in rows}, key=language_order):
        part = summarise([r for r in rows if r["language"] == query_lang])
        section["by_pair"].setdefault(query_lang, {})[doc_lang] = part["overall"]
        spans = section["intervals"].setdefault("by_pair", {}).setdefault(query_lang, {})
        spans[doc_lang] = part["intervals"]
