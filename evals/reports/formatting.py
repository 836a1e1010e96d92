"""How report values are shown, shared by every writer: numbers, deltas, p-values, intervals, safe text, the
order of metrics and languages, and the helpers that read a report's (possibly partial) structure.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

from evals.metrics import HEADLINE

COUNT_METRICS = frozenset({"errors", "unretrieved_citations", "cases", "answerable", "unanswerable", "pairs"})
LANGUAGE_ORDER: tuple[str, ...] = ("fr", "es", "en")
SIGNIFICANCE = 0.05
DASH = "—"

# XML 1.0 forbids these code points even as character references; HTML treats them as parse errors.
_FORBIDDEN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def as_number(value: Any) -> float | None:
    if value is None or isinstance(value, bool):
        return None if value is None else float(value)
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return None if math.isnan(number) else number


def is_count(metric: str) -> bool:
    return metric in COUNT_METRICS or metric.endswith("_count")


def is_latency(metric: str) -> bool:
    return metric.endswith("_ms")


def format_value(metric: str, value: Any) -> str:
    """One metric value as shown in tables: "—" when missing, "20.1 ms", counts as integers, shares as "0.912"."""
    if value is None:
        return DASH
    number = as_number(value)
    if number is None:
        return DASH if isinstance(value, float) else clean(str(value))
    if is_latency(metric):
        return f"{number:.1f} ms"
    if is_count(metric):
        return str(round(number)) if math.isfinite(number) else str(number)
    return f"{number:.3f}"


def format_delta(metric: str, delta: Any) -> str:
    number = as_number(delta)
    if number is None:
        return DASH
    if is_latency(metric):
        return f"{number:+.1f} ms"
    if is_count(metric):
        return f"{round(number):+d}"
    return f"{number:+.3f}"


def format_p(p_value: Any) -> str:
    number = as_number(p_value)
    if number is None:
        return DASH
    text = "<0.001" if number < 0.001 else f"{number:.3f}"
    return f"{text} *" if number < SIGNIFICANCE else text


def format_interval(metric: str, interval: Any) -> str | None:
    if not isinstance(interval, Sequence) or isinstance(interval, str) or len(interval) != 2:
        return None
    low, high = (as_number(v) for v in interval)
    if low is None or high is None:
        return None
    return f"[{format_value(metric, low)}, {format_value(metric, high)}]"


def clean(text: Any) -> str:
    """Text from data without the control characters that XML 1.0 forbids."""
    return _FORBIDDEN.sub("", "" if text is None else str(text))


def excerpt(text: Any, limit: int) -> str:
    flat = " ".join(clean(text).split())
    return flat if len(flat) <= limit else flat[: limit - 1].rstrip() + "…"


def metric_order(names: Iterable[str]) -> list[str]:
    """HEADLINE metrics that are present, in HEADLINE order, then any other metric in order of first appearance."""
    present = list(dict.fromkeys(names))
    return [m for m in HEADLINE if m in present] + [m for m in present if m not in HEADLINE]


def language_order(languages: Iterable[str]) -> list[str]:
    present = list(dict.fromkeys(languages))
    return [lang for lang in LANGUAGE_ORDER if lang in present] + sorted(
        lang for lang in present if lang not in LANGUAGE_ORDER
    )


def report_configs(report: Mapping[str, Any]) -> dict[str, Mapping[str, Any]]:
    return dict(report.get("configs") or {})


def as_mapping(value: Any) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


def summary_rows(report: Mapping[str, Any]) -> list[tuple[str, list[str]]]:
    """(metric, [formatted overall value per configuration]) for the HEADLINE metrics present, in config order."""
    configs = report_configs(report)
    present = {m for body in configs.values() for m in as_mapping(body.get("overall"))}
    return [
        (metric, [format_value(metric, as_mapping(body.get("overall")).get(metric)) for body in configs.values()])
        for metric in HEADLINE
        if metric in present
    ]


# The realistic set's headline figures, in the order the CLI and the reports show them: useful answers overall
# and per language, then the goals' other figures.
REALISTIC_FIGURES: tuple[str, ...] = (
    "useful_answer",
    "wrong_abstention",
    "abstain_recall",
    "followup_useful",
    "answer_relevance",
    "first_sentence_relevant",
    "key_fact_recall",
    "language_match",
    "latency_p95_ms",
)


def realistic_rows(section: Mapping[str, Any]) -> list[tuple[str, list[str]]]:
    """(label, [formatted value per configuration]) of a report's `realistic` section: useful answers overall and
    per language first, then the other figures of `REALISTIC_FIGURES` overall."""
    configs = dict(section.get("configs") or {})
    languages = language_order(lang for body in configs.values() for lang in as_mapping(body.get("by_language")))
    bodies = list(configs.values())

    def row(label: str, metric: str, lang: str | None = None) -> tuple[str, list[str]]:
        figures = [as_mapping(b.get("overall")) if lang is None else part(b, lang) for b in bodies]
        return label, [format_value(metric, f.get(metric)) for f in figures]

    def part(body: Mapping[str, Any], lang: str) -> Mapping[str, Any]:
        return as_mapping(as_mapping(body.get("by_language")).get(lang))

    rows = [row("useful_answer", "useful_answer")]
    rows += [row(f"  useful_answer {lang}", "useful_answer", lang) for lang in languages]
    return rows + [row(metric, metric) for metric in REALISTIC_FIGURES[1:]]


def case_configs(report: Mapping[str, Any], cases: Sequence[Mapping[str, Any]]) -> list[str]:
    return list(dict.fromkeys([*report_configs(report), *(str(c.get("config")) for c in cases)]))


def is_failed(case: Mapping[str, Any]) -> bool:
    return bool(case.get("failed")) or case.get("error") is not None


def prepare_target(path: str | Path) -> Path:
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    return target
