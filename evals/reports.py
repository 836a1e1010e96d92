"""Report writers of the offline evaluation: pure functions from report.json and cases.jsonl data to files.

`report` is the content of report.json (configurations with overall / per-language / per-pair metrics, intervals,
counts, hashes, an optional baseline comparison and threshold checks); `cases` are the lines of cases.jsonl. The writers
never compute metrics: they only format what the runner measured. The HTML is self-contained (inline CSS, matplotlib
plots inlined as SVG) and byte-identical for the same input.
"""

from __future__ import annotations

import html
import io
import json
import math
import re
import xml.etree.ElementTree as ET
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import matplotlib
import numpy as np
from matplotlib.figure import Figure

from evals.runner import ABSTENTION, ANSWER, RUN_LEVEL

# The order of the tables: the main retrieval figures, then every answer, abstention and run-level metric.
HEADLINE: tuple[str, ...] = ("hit@1", "hit@5", "mrr@10", "ndcg@10", "recall@5", *ANSWER, *ABSTENTION, *RUN_LEVEL)

COUNT_METRICS = frozenset({"errors", "unretrieved_citations", "cases", "answerable", "unanswerable", "pairs"})
PAIR_METRICS: tuple[str, ...] = ("hit@5", "mrr@10", "ndcg@10", "key_fact_recall", "language_match")
PLOT_METRICS: tuple[str, ...] = ("hit@5", "mrr@10", "key_fact_recall", "language_match")
LANGUAGE_ORDER: tuple[str, ...] = ("fr", "es", "en")
MAX_FAILED_SHOWN = 50
SIGNIFICANCE = 0.05
DASH = "—"

# XML 1.0 forbids these code points even as character references; HTML treats them as parse errors.
_FORBIDDEN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


# --------------------------------------------------------------------------------------------------------------------
# Formatting


def _number(value: Any) -> float | None:
    if value is None or isinstance(value, bool):
        return None if value is None else float(value)
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return None if math.isnan(number) else number


def _is_count(metric: str) -> bool:
    return metric in COUNT_METRICS or metric.endswith("_count")


def _is_latency(metric: str) -> bool:
    return metric.endswith("_ms")


def format_value(metric: str, value: Any) -> str:
    """One metric value as shown in tables: "—" when missing, "20.1 ms", counts as integers, shares as "0.912"."""
    if value is None:
        return DASH
    number = _number(value)
    if number is None:
        return DASH if isinstance(value, float) else _clean(str(value))
    if _is_latency(metric):
        return f"{number:.1f} ms"
    if _is_count(metric):
        return str(round(number)) if math.isfinite(number) else str(number)
    return f"{number:.3f}"


def _format_delta(metric: str, delta: Any) -> str:
    number = _number(delta)
    if number is None:
        return DASH
    if _is_latency(metric):
        return f"{number:+.1f} ms"
    if _is_count(metric):
        return f"{round(number):+d}"
    return f"{number:+.3f}"


def _format_p(p_value: Any) -> str:
    number = _number(p_value)
    if number is None:
        return DASH
    text = "<0.001" if number < 0.001 else f"{number:.3f}"
    return f"{text} *" if number < SIGNIFICANCE else text


def _interval(metric: str, interval: Any) -> str | None:
    if not isinstance(interval, Sequence) or isinstance(interval, str) or len(interval) != 2:
        return None
    low, high = (_number(v) for v in interval)
    if low is None or high is None:
        return None
    return f"[{format_value(metric, low)}, {format_value(metric, high)}]"


def _clean(text: Any) -> str:
    """Text from data without the control characters that XML 1.0 forbids."""
    return _FORBIDDEN.sub("", "" if text is None else str(text))


def _excerpt(text: Any, limit: int) -> str:
    flat = " ".join(_clean(text).split())
    return flat if len(flat) <= limit else flat[: limit - 1].rstrip() + "…"


def metric_order(names: Iterable[str]) -> list[str]:
    """HEADLINE metrics that are present, in HEADLINE order, then any other metric in order of first appearance."""
    present = list(dict.fromkeys(names))
    return [m for m in HEADLINE if m in present] + [m for m in present if m not in HEADLINE]


def _language_order(languages: Iterable[str]) -> list[str]:
    present = list(dict.fromkeys(languages))
    return [lang for lang in LANGUAGE_ORDER if lang in present] + sorted(
        lang for lang in present if lang not in LANGUAGE_ORDER
    )


def _configs(report: Mapping[str, Any]) -> dict[str, Mapping[str, Any]]:
    return dict(report.get("configs") or {})


def _mapping(value: Any) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


def summary_rows(report: Mapping[str, Any]) -> list[tuple[str, list[str]]]:
    """(metric, [formatted overall value per configuration]) for the HEADLINE metrics present, in config order."""
    configs = _configs(report)
    present = {m for body in configs.values() for m in _mapping(body.get("overall"))}
    return [
        (metric, [format_value(metric, _mapping(body.get("overall")).get(metric)) for body in configs.values()])
        for metric in HEADLINE
        if metric in present
    ]


# --------------------------------------------------------------------------------------------------------------------
# Document model shared by the markdown and HTML writers

Cell = str | tuple[str, str]  # text, or (value, interval) shown side by side


@dataclass(frozen=True)
class _Heading:
    level: int
    text: str


@dataclass(frozen=True)
class _Paragraph:
    text: str


@dataclass(frozen=True)
class _Facts:
    items: tuple[tuple[str, str, str], ...]  # (label, value, hash or ""), value and hash shown as code


@dataclass(frozen=True)
class _Table:
    headers: tuple[str, ...]
    rows: tuple[tuple[Cell, ...], ...]
    left: int = 1  # leading text columns; the others are numbers, aligned right


_Block = _Heading | _Paragraph | _Facts | _Table


def _metric_table(
    configs: Mapping[str, Mapping[str, Any]],
    values: Mapping[str, Mapping[str, Any]],
    intervals: Mapping[str, Mapping[str, Any]],
) -> _Table:
    """Metrics as rows, configurations as columns; `values[config][metric]`, `intervals[config][metric]`."""
    metrics = metric_order(m for name in configs for m in _mapping(values.get(name)))
    rows = []
    for metric in metrics:
        row: list[Cell] = [metric]
        for name in configs:
            value = _mapping(values.get(name)).get(metric)
            text = format_value(metric, value)
            interval = _interval(metric, _mapping(intervals.get(name)).get(metric)) if value is not None else None
            row.append((text, interval) if interval else text)
        rows.append(tuple(row))
    return _Table(("Metric", *configs), tuple(rows))


def _blocks(report: Mapping[str, Any]) -> list[_Block]:
    configs = _configs(report)
    blocks: list[_Block] = [_Heading(1, "Evaluation report")]

    hashes = _mapping(report.get("hashes"))
    blocks.append(
        _Paragraph(
            f"Created {_clean(report.get('created') or DASH)} · {_clean(report.get('cases', DASH))} cases"
            f" × repeat {_clean(report.get('repeat', 1))}"
        )
    )
    facts: list[tuple[str, str, str]] = [
        (label, _clean(report.get(key) or DASH), _clean(hashes.get(key) or ""))
        for label, key in (("Dataset", "dataset"), ("Knowledge base", "knowledge_base"))
    ]
    if hashes.get("model"):
        facts.append(("Model", _clean(hashes["model"]), ""))
    for key, value in hashes.items():
        if key not in ("dataset", "knowledge_base", "model", "configs") and value:
            facts.append((_clean(key), _clean(value), ""))
    blocks.append(_Facts(tuple(facts)))

    config_hashes = _mapping(hashes.get("configs"))
    blocks.append(_Heading(2, "Configurations"))
    blocks.append(
        _Table(
            ("Configuration", "Description", "Hash"),
            tuple(
                # The first 12 hex digits tell two configurations apart; report.json has the whole hash.
                (name, _clean(body.get("description") or ""), _clean(config_hashes.get(name) or DASH)[:19])
                for name, body in configs.items()
            ),
            left=3,
        )
    )

    checks = [c for c in report.get("checks") or [] if isinstance(c, Mapping)]
    if checks:
        passed = sum(1 for c in checks if c.get("passed"))
        blocks.append(_Heading(2, "Checks"))
        blocks.append(_Paragraph(f"{passed} of {len(checks)} checks passed."))
        blocks.append(
            _Table(
                ("Bound", "Value", "Result"),
                tuple(
                    (
                        _clean(c.get("bound") or f"{c.get('config')}:{c.get('metric')}{c.get('op')}{c.get('limit')}"),
                        format_value(str(c.get("metric") or ""), c.get("value")),
                        "passed" if c.get("passed") else "FAILED",
                    )
                    for c in checks
                ),
            )
        )

    blocks.append(_Heading(2, "Overall"))
    blocks.append(_Paragraph("Values with their 95% interval in brackets where the runner computed one."))
    blocks.append(
        _metric_table(
            configs,
            {name: _mapping(body.get("overall")) for name, body in configs.items()},
            {name: _mapping(_mapping(body.get("intervals")).get("overall")) for name, body in configs.items()},
        )
    )

    languages = _language_order(lang for body in configs.values() for lang in _mapping(body.get("by_language")))
    if languages:
        blocks.append(_Heading(2, "By language"))
    for lang in languages:
        blocks.append(_Heading(3, lang))
        blocks.append(
            _metric_table(
                configs,
                {name: _mapping(_mapping(body.get("by_language")).get(lang)) for name, body in configs.items()},
                {
                    name: _mapping(_mapping(_mapping(body.get("intervals")).get("by_language")).get(lang))
                    for name, body in configs.items()
                },
            )
        )

    pair_blocks = _pair_blocks(configs)
    if pair_blocks:
        blocks.append(_Heading(2, "Cross-language (query language → guide language)"))
        blocks.extend(pair_blocks)

    baseline = _mapping(report.get("baseline"))
    if baseline:
        blocks.append(_Heading(2, "Comparison with the baseline"))
        blocks.append(
            _Paragraph(f"Baseline: {_clean(baseline.get('path') or DASH)}. * marks p < {SIGNIFICANCE} (paired test).")
        )
        diffs = _mapping(baseline.get("diffs"))
        rows: list[tuple[Cell, ...]] = []
        for name in [*configs, *(n for n in diffs if n not in configs)]:
            by_metric = _mapping(diffs.get(name))
            for metric in metric_order(by_metric):
                diff = _mapping(by_metric[metric])
                pairs = diff.get("pairs")
                rows.append(
                    (
                        name,
                        metric,
                        format_value(metric, diff.get("baseline")),
                        format_value(metric, diff.get("current")),
                        _format_delta(metric, diff.get("delta")),
                        _format_p(diff.get("p_value")),
                        format_value("pairs", pairs),
                    )
                )
        blocks.append(
            _Table(("Configuration", "Metric", "Baseline", "Current", "Δ", "p-value", "Pairs"), tuple(rows), left=2)
        )

    blocks.append(_Heading(2, "Counts"))
    counts = {name: _mapping(body.get("counts")) for name, body in configs.items()}
    keys = list(dict.fromkeys(k for c in counts.values() for k in c))
    blocks.append(
        _Table(
            ("Count", *configs),
            tuple((key, *(format_value("cases", counts[name].get(key)) for name in configs)) for key in keys),
        )
    )
    return blocks


def _pair_blocks(configs: Mapping[str, Mapping[str, Any]]) -> list[_Block]:
    by_pair = {name: _mapping(body.get("by_pair")) for name, body in configs.items()}
    queries = _language_order(q for pairs in by_pair.values() for q in pairs)
    pairs = [(q, d) for q in queries for d in _language_order(d for p in by_pair.values() for d in _mapping(p.get(q)))]
    if not pairs:
        return []
    blocks: list[_Block] = []
    for metric in PAIR_METRICS:
        blocks.append(_Heading(3, metric))
        rows = tuple(
            (
                f"{q} → {d}",
                *(
                    format_value(metric, _mapping(_mapping(by_pair[name].get(q)).get(d)).get(metric))
                    for name in configs
                ),
            )
            for q, d in pairs
        )
        blocks.append(_Table(("Pair", *configs), rows))
    return blocks


# --------------------------------------------------------------------------------------------------------------------
# Markdown


def _md_cell(cell: Cell) -> str:
    text = f"{cell[0]} {cell[1]}" if isinstance(cell, tuple) else cell
    return " ".join(text.split()).replace("|", "\\|")


def _md_code(text: str) -> str:
    return f"`{text.replace('`', chr(39))}`"


def _markdown(blocks: Sequence[_Block]) -> str:
    parts: list[str] = []
    for block in blocks:
        match block:
            case _Heading(level, text):
                parts.append(f"{'#' * level} {text}")
            case _Paragraph(text):
                parts.append(text)
            case _Facts(items):
                parts.append(
                    "\n".join(
                        f"- {label}: {_md_code(value)}" + (f" ({_md_code(digest)})" if digest else "")
                        for label, value, digest in items
                    )
                )
            case _Table(headers, rows, left):
                lines = [
                    "| " + " | ".join(_md_cell(h) for h in headers) + " |",
                    "|" + "|".join([":---"] * left + ["---:"] * (len(headers) - left)) + "|",
                ]
                lines += ["| " + " | ".join(_md_cell(c) for c in row) + " |" for row in rows]
                parts.append("\n".join(lines))
    return "\n\n".join(parts) + "\n"


def _prepare(path: str | Path) -> Path:
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    return target


def write_markdown(report: Mapping[str, Any], path: str | Path) -> Path:
    """report.md: metadata, overall and per-language tables, cross-language, baseline, checks and counts."""
    target = _prepare(path)
    target.write_text(_markdown(_blocks(report)), encoding="utf-8")
    return target


# --------------------------------------------------------------------------------------------------------------------
# HTML

_CSS = """
:root{color-scheme:light}
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,Helvetica,Arial,sans-serif;margin:0;padding:1rem;
line-height:1.45;color:#1d1d1f;background:#fff}
main{max-width:60rem;margin:0 auto}
h1{font-size:1.5rem}h2{font-size:1.25rem;margin-top:2rem;border-bottom:1px solid #ddd}h3{font-size:1.05rem}
.scroll{overflow-x:auto;-webkit-overflow-scrolling:touch}
table{border-collapse:collapse;font-size:.9rem;margin:.5rem 0 1rem}
th,td{border:1px solid #ddd;padding:.3rem .5rem;text-align:right;white-space:nowrap}
th{background:#f5f5f7}th.t,td.t{text-align:left}td.t{white-space:normal;min-width:6rem}
.ci{color:#666;font-size:.8em}
.facts{padding-left:1.2rem}code{word-break:break-all;font-size:.9em}
figure{margin:1rem 0}figcaption{font-size:.9rem;color:#444}
svg{max-width:100%;height:auto}
details{border:1px solid #ddd;border-radius:4px;padding:.4rem .6rem;margin:.4rem 0}
summary{cursor:pointer}details p,details ul{margin:.3rem 0}
.failed{color:#b00020;font-weight:600}.passed{color:#1b5e20}
""".strip()


def _e(text: Any) -> str:
    return html.escape(_clean(text))


def _html_cell(tag: str, cell: Cell, text_column: bool) -> str:
    if isinstance(cell, tuple):
        return f'<{tag}>{_e(cell[0])} <span class="ci">{_e(cell[1])}</span></{tag}>'
    css = "t" if text_column else {"FAILED": "failed", "passed": "passed"}.get(cell, "")
    return f'<{tag} class="{css}">{_e(cell)}</{tag}>' if css else f"<{tag}>{_e(cell)}</{tag}>"


def _html_blocks(blocks: Sequence[_Block]) -> list[str]:
    parts: list[str] = []
    for block in blocks:
        match block:
            case _Heading(level, text):
                parts.append(f"<h{level}>{_e(text)}</h{level}>")
            case _Paragraph(text):
                parts.append(f"<p>{_e(text)}</p>")
            case _Facts(items):
                lis = "".join(
                    f"<li>{_e(label)}: <code>{_e(value)}</code>"
                    + (f" (<code>{_e(digest)}</code>)" if digest else "")
                    + "</li>"
                    for label, value, digest in items
                )
                parts.append(f'<ul class="facts">{lis}</ul>')
            case _Table(headers, rows, left):
                head = "".join(_html_cell("th", h, i < left) for i, h in enumerate(headers))
                body = "".join(
                    "<tr>" + "".join(_html_cell("td", c, i < left) for i, c in enumerate(row)) + "</tr>" for row in rows
                )
                parts.append(
                    f'<div class="scroll"><table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table></div>'
                )
    return parts


_SVG_PROLOGUE = re.compile(r"\A.*?(?=<svg\b)", re.S)
_SVG_METADATA = re.compile(r"\s*<metadata>.*?</metadata>", re.S)
_SVG_ID = re.compile(r'\bid="([^"]+)"')
_SVG_URL = re.compile(r"url\(#([^)]+)\)")
_SVG_HREF = re.compile(r'href="#([^"]+)"')


def _svg(fig: Figure, prefix: str) -> str:
    """The figure as an inline <svg> element: no XML prologue or metadata, ids prefixed so several plots can share
    one page, deterministic ids (fixed hash salt) and no date."""
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
    text = _clean(text).replace("$", r"\$")
    return f" {text}" if text.startswith("_") else text


def _new_figure(height: float = 3.4) -> Figure:
    return Figure(figsize=(6.4, height), layout="constrained")


def _bar_chart(report: Mapping[str, Any], metric: str) -> Figure | None:
    configs = _configs(report)
    languages = _language_order(lang for body in configs.values() for lang in _mapping(body.get("by_language")))
    if not configs or not languages:
        return None
    values = {
        name: [_number(_mapping(_mapping(body.get("by_language")).get(lang)).get(metric)) for lang in languages]
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
        by_language = _mapping(_mapping(body.get("intervals")).get("by_language"))
        for j, lang in enumerate(languages):
            interval = _mapping(by_language.get(lang)).get(metric)
            if values[name][j] is not None and _interval(metric, interval):
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
    if not (_is_latency(metric) or _is_count(metric)):
        ax.set_ylim(0, 1.05)
    ax.grid(axis="y", alpha=0.3)
    ax.set_axisbelow(True)
    fig.legend(loc="outside lower center", ncols=min(4, len(configs)), fontsize="small", frameon=False)
    return fig


def _case_configs(report: Mapping[str, Any], cases: Sequence[Mapping[str, Any]]) -> list[str]:
    return list(dict.fromkeys([*_configs(report), *(str(c.get("config")) for c in cases)]))


def _histogram(report: Mapping[str, Any], cases: Sequence[Mapping[str, Any]], metric: str = "ndcg@10") -> Figure | None:
    series: dict[str, list[float]] = {}
    for name in _case_configs(report, cases):
        scores = [
            _number(_mapping(c.get("metrics")).get(metric))
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
    for name in _case_configs(report, cases):
        values = [_number(c.get("latency_ms")) for c in cases if str(c.get("config")) == name]
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
        configs = _configs(report)
        p50 = [_number(_mapping(b.get("overall")).get("latency_p50_ms")) for b in configs.values()]
        p95 = [_number(_mapping(b.get("overall")).get("latency_p95_ms")) for b in configs.values()]
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


def _plots(report: Mapping[str, Any], cases: Sequence[Mapping[str, Any]]) -> list[str]:
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
        parts.append(f"<figure>{_svg(fig, f'plot{index}')}<figcaption>{_e(caption)}</figcaption></figure>")
    return parts


def _is_failed(case: Mapping[str, Any]) -> bool:
    return bool(case.get("failed")) or case.get("error") is not None


def _failed_section(report: Mapping[str, Any], cases: Sequence[Mapping[str, Any]]) -> list[str]:
    parts = ["<h2>Failed cases</h2>"]
    any_failed = False
    for name in _case_configs(report, cases):
        failed = [c for c in cases if str(c.get("config")) == name and _is_failed(c)]
        if not failed:
            continue
        any_failed = True
        shown = failed[:MAX_FAILED_SHOWN]
        more = f" (first {len(shown)} shown)" if len(failed) > len(shown) else ""
        parts.append(f"<h3>{_e(name)}: {len(failed)} failed{_e(more)}</h3>")
        for case in shown:
            repeat = case.get("repeat") or 0
            ident = f"{case.get('case_id', '?')}" + (f"#{repeat}" if repeat else "")
            reasons = "".join(f"<li>{_e(r)}</li>" for r in case.get("reasons") or [])
            answer = _excerpt(case.get("answer"), 400) or DASH
            status = " (abstained)" if case.get("abstained") else ""
            expected = ", ".join(str(d) for d in case.get("relevant_doc_ids") or []) or DASH
            retrieved = ", ".join(str(d) for d in (case.get("retrieved_doc_ids") or [])[:5]) or DASH
            lines = [
                f"<summary><code>{_e(ident)}</code> [{_e(case.get('language', '?'))}] "
                f"{_e(_excerpt(case.get('question'), 120))}</summary>",
                f"<p><strong>Question:</strong> {_e(case.get('question'))}</p>",
            ]
            if reasons:
                lines.append(f"<ul>{reasons}</ul>")
            if case.get("error") is not None:
                lines.append(f"<p><strong>Error:</strong> {_e(case.get('error'))}</p>")
            lines.append(f"<p><strong>Answer{_e(status)}:</strong> {_e(answer)}</p>")
            lines.append(
                f"<p><strong>Expected:</strong> {_e(expected)}; <strong>retrieved:</strong> {_e(retrieved)}</p>"
            )
            parts.append("<details>" + "".join(lines) + "</details>")
    if not any_failed:
        parts.append("<p>No failed cases.</p>")
    return parts


def write_html(report: Mapping[str, Any], cases: Sequence[Mapping[str, Any]], path: str | Path) -> Path:
    """report.html: one self-contained page (inline CSS and SVG plots, no script, nothing fetched)."""
    target = _prepare(path)
    title = f"Evaluation report {_clean(report.get('created') or '')}".strip()
    body = [*_html_blocks(_blocks(report)), "<h2>Plots</h2>", *_plots(report, cases), *_failed_section(report, cases)]
    page = (
        '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{html.escape(title)}</title>\n<style>\n{_CSS}\n</style>\n</head>\n<body>\n<main>\n"
        + "\n".join(body)
        + "\n</main>\n</body>\n</html>\n"
    )
    target.write_text(page, encoding="utf-8")
    return target


# --------------------------------------------------------------------------------------------------------------------
# JUnit and failures


def _seconds(latency_ms: Any) -> str:
    number = _number(latency_ms)
    return f"{number / 1000:.3f}" if number is not None and number >= 0 else "0.000"


def write_junit(report: Mapping[str, Any], cases: Sequence[Mapping[str, Any]], path: str | Path) -> Path:
    """junit.xml: one suite per configuration, one test case per case line, plus an `eval.checks` suite.

    An errored case (non-null `error`) is an <error>, otherwise a failed case is a <failure>; never both."""
    target = _prepare(path)
    root = ET.Element("testsuites", name="eval")
    totals = {"tests": 0, "failures": 0, "errors": 0}

    def suite(name: str, tests: int, failures: int, errors: int, time: float) -> ET.Element:
        totals["tests"] += tests
        totals["failures"] += failures
        totals["errors"] += errors
        return ET.SubElement(
            root,
            "testsuite",
            name=_clean(name),
            tests=str(tests),
            failures=str(failures),
            errors=str(errors),
            skipped="0",
            time=f"{time:.3f}",
        )

    for name in _case_configs(report, cases):
        own = [c for c in cases if str(c.get("config")) == name]
        errored = sum(1 for c in own if c.get("error") is not None)
        failed = sum(1 for c in own if c.get("error") is None and c.get("failed"))
        total_time = sum(float(_seconds(c.get("latency_ms"))) for c in own)
        element = suite(f"eval.{name}", len(own), failed, errored, total_time)
        description = _mapping(_configs(report).get(name)).get("description")
        if description:
            props = ET.SubElement(element, "properties")
            ET.SubElement(props, "property", name="description", value=_clean(description))
        for case in own:
            repeat = case.get("repeat") or 0
            testcase = ET.SubElement(
                element,
                "testcase",
                classname=_clean(f"eval.{name}.{case.get('language', 'unknown')}"),
                name=_clean(f"{case.get('case_id', '?')}" + (f"#{repeat}" if repeat else "")),
                time=_seconds(case.get("latency_ms")),
            )
            reasons = [_clean(r) for r in case.get("reasons") or []]
            detail = "\n".join(
                [*reasons, f"question: {_clean(case.get('question'))}", f"answer: {_excerpt(case.get('answer'), 1000)}"]
            )
            if case.get("error") is not None:
                error = _clean(case.get("error"))
                child = ET.SubElement(testcase, "error", message=error, type=error.split(":", 1)[0] or "Error")
                child.text = detail
            elif case.get("failed"):
                child = ET.SubElement(testcase, "failure", message="; ".join(reasons) or "failed", type="EvalFailure")
                child.text = detail

    checks = [c for c in report.get("checks") or [] if isinstance(c, Mapping)]
    if checks:
        element = suite("eval.checks", len(checks), sum(1 for c in checks if not c.get("passed")), 0, 0.0)
        for check in checks:
            metric = str(check.get("metric") or "")
            bound = _clean(check.get("bound") or f"{check.get('config')}:{metric}{check.get('op')}{check.get('limit')}")
            testcase = ET.SubElement(element, "testcase", classname="eval.checks", name=bound, time="0.000")
            if not check.get("passed"):
                value = format_value(metric, check.get("value"))
                message = f"{bound}: measured {value}"
                ET.SubElement(testcase, "failure", message=message, type="ThresholdFailure").text = message

    for key, value in totals.items():
        root.set(key, str(value))
    tree = ET.ElementTree(root)
    ET.indent(tree)
    tree.write(target, encoding="utf-8", xml_declaration=True)
    return target


def write_failures(cases: Iterable[Mapping[str, Any]], path: str | Path) -> Path:
    """failures.jsonl: each failed case line as is (failed, or errored), one JSON object per line."""
    target = _prepare(path)
    lines = [json.dumps(dict(case), ensure_ascii=False) + "\n" for case in cases if _is_failed(case)]
    target.write_text("".join(lines), encoding="utf-8")
    return target
