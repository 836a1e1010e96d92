"""The plots of report.html: matplotlib figures rendered as inline SVG, deterministic for the same input.

Bars per language and configuration (with their intervals), a histogram of ndcg@10 per answerable case, and
latency per configuration; ids are prefixed per plot so several share one page.
"""

from __future__ import annotations

import io
import re
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from evals.reports.formatting import (
    as_mapping,
    as_number,
    case_configs,
    clean,
    format_interval,
    is_count,
    is_latency,
    language_order,
    report_configs,
)

if TYPE_CHECKING:
    from matplotlib.figure import Figure

PLOT_METRICS: tuple[str, ...] = ("hit@5", "mrr@10", "key_fact_recall", "language_match")

_SVG_PROLOGUE = re.compile(r"\A.*?(?=<svg\b)", re.S)
_SVG_METADATA = re.compile(r"\s*<metadata>.*?</metadata>", re.S)
_SVG_ID = re.compile(r'\bid="([^"]+)"')
_SVG_URL = re.compile(r"url\(#([^)]+)\)")
_SVG_HREF = re.compile(r'href="#([^"]+)"')


def _svg(fig: Figure, prefix: str) -> str:
    """The figure as an inline <svg> element: no XML prologue or metadata, ids prefixed so several plots can share
    one page, deterministic ids (fixed hash salt) and no date."""
    import matplotlib  # heavy (about 1 s): loaded when a page is drawn, not with the runner

    buffer = io.StringIO()
    with matplotlib.rc_context({"svg.hashsalt": "mentor", "svg.fonttype": "none"}):
        fig.savefig(buffer, format="svg", metadata={"Date": None})
    fig.clear()
    text = _SVG_METADATA.sub("", _SVG_PROLOGUE.sub("", buffer.getvalue(), count=1))
    text = _SVG_ID.sub(lambda m: f'id="{prefix}-{m.group(1)}"', text)
    text = _SVG_URL.sub(lambda m: f"url(#{prefix}-{m.group(1)})", text)
    return _SVG_HREF.sub(lambda m: f'href="#{prefix}-{m.group(1)}"', text).strip()


def _label(text: str) -> str:
    """Matplotlib reads $...$ as mathtext and hides legend labels that start with an underscore."""
    text = clean(text).replace("$", r"\$")
    return f" {text}" if text.startswith("_") else text


def _new_figure(height: float = 3.4) -> Figure:
    from matplotlib.figure import Figure  # heavy (about 1 s): loaded when a page is drawn, not with the runner

    return Figure(figsize=(6.4, height), layout="constrained")


def _bar_chart(report: Mapping[str, Any], metric: str) -> Figure | None:
    configs = report_configs(report)
    languages = language_order(lang for body in configs.values() for lang in as_mapping(body.get("by_language")))
    if not configs or not languages:
        return None
    values = {
        name: [as_number(as_mapping(as_mapping(body.get("by_language")).get(lang)).get(metric)) for lang in languages]
        for name, body in configs.items()
    }
    if all(v is None for row in values.values() for v in row):
        return None
    fig = _new_figure()
    ax = fig.add_subplot()
    width = 0.8 / len(configs)
    x = np.arange(len(languages))
    for i, (name, body) in enumerate(configs.items()):
        heights = np.array([np.nan if v is None else v for v in values[name]], dtype=float)
        errors = np.zeros((2, len(languages)))
        by_language = as_mapping(as_mapping(body.get("intervals")).get("by_language"))
        for j, lang in enumerate(languages):
            interval = as_mapping(by_language.get(lang)).get(metric)
            if values[name][j] is not None and format_interval(metric, interval):
                low, high = (float(v) for v in interval)
                errors[:, j] = (max(0.0, values[name][j] - low), max(0.0, high - values[name][j]))
        has_errors = bool(errors.any())
        ax.bar(
            x + (i - (len(configs) - 1) / 2) * width,
            np.nan_to_num(heights, nan=0.0),
            width,
            yerr=errors if has_errors else None,
            capsize=2 if has_errors else 0,
            label=_label(name),
        )
    ax.set_xticks(x, [_label(lang) for lang in languages])
    ax.set_title(_label(metric))
    if not (is_latency(metric) or is_count(metric)):
        ax.set_ylim(0, 1.05)
    ax.grid(axis="y", alpha=0.3)
    ax.set_axisbelow(True)
    fig.legend(loc="outside lower center", ncols=min(4, len(configs)), fontsize="small", frameon=False)
    return fig


def _histogram(report: Mapping[str, Any], cases: Sequence[Mapping[str, Any]], metric: str = "ndcg@10") -> Figure | None:
    series: dict[str, list[float]] = {}
    for name in case_configs(report, cases):
        scores = [
            as_number(as_mapping(c.get("metrics")).get(metric))
            for c in cases
            if str(c.get("config")) == name and c.get("answerable", True)
        ]
        kept = [min(1.0, max(0.0, s)) for s in scores if s is not None]
        if kept:
            series[name] = kept
    if not series:
        return None
    fig = _new_figure()
    ax = fig.add_subplot()
    ax.hist(list(series.values()), bins=np.linspace(0.0, 1.0, 11), label=[_label(n) for n in series])
    ax.set_title(_label(f"{metric} per answerable case"))
    ax.set_xlabel(_label(metric))
    ax.set_ylabel("cases")
    ax.grid(axis="y", alpha=0.3)
    ax.set_axisbelow(True)
    fig.legend(loc="outside lower center", ncols=min(4, len(series)), fontsize="small", frameon=False)
    return fig


def _latency_chart(report: Mapping[str, Any], cases: Sequence[Mapping[str, Any]]) -> Figure | None:
    samples: dict[str, list[float]] = {}
    for name in case_configs(report, cases):
        values = [as_number(c.get("latency_ms")) for c in cases if str(c.get("config")) == name]
        kept = [v for v in values if v is not None]
        if kept:
            samples[name] = kept
    fig = _new_figure()
    ax = fig.add_subplot()
    if samples:
        positions = np.arange(1, len(samples) + 1)
        ax.boxplot(list(samples.values()), positions=positions, widths=0.5)
        ax.set_xticks(positions, [_label(n) for n in samples])
        ax.set_title("Latency per case")
    else:  # no case lines: the runner's percentiles
        configs = report_configs(report)
        p50 = [as_number(as_mapping(b.get("overall")).get("latency_p50_ms")) for b in configs.values()]
        p95 = [as_number(as_mapping(b.get("overall")).get("latency_p95_ms")) for b in configs.values()]
        if all(v is None for v in [*p50, *p95]):
            fig.clear()
            return None
        x = np.arange(len(configs))
        ax.bar(x - 0.2, [v or 0.0 for v in p50], 0.4, label="p50")
        ax.bar(x + 0.2, [v or 0.0 for v in p95], 0.4, label="p95")
        ax.set_xticks(x, [_label(n) for n in configs])
        ax.set_title("Latency percentiles")
        ax.legend(fontsize="small", frameon=False)
    ax.set_ylabel("ms")
    ax.grid(axis="y", alpha=0.3)
    ax.set_axisbelow(True)
    return fig


def plots(report: Mapping[str, Any], cases: Sequence[Mapping[str, Any]]) -> list[tuple[str, str]]:
    """(inline svg, caption) of every plot the report has data for, in page order."""
    figures: list[tuple[Figure | None, str]] = [
        (_bar_chart(report, metric), f"{metric} by language, one bar per configuration (95% interval where known).")
        for metric in PLOT_METRICS
    ]
    figures.append((_histogram(report, cases), "Distribution of ndcg@10 over answerable cases, per configuration."))
    figures.append((_latency_chart(report, cases), "Latency per configuration."))
    parts = []
    for index, (fig, caption) in enumerate(figures, start=1):
        if fig is None:
            continue
        parts.append((_svg(fig, f"plot{index}"), caption))
    return parts
