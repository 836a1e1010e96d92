"""The document model shared by the markdown and HTML writers: the report as a list of blocks (`blocks`):
metadata, useful answers per language, configurations, checks, failures by type, the clean and realistic sets
side by side, overall, per language (each set), cross-language, baseline, counts.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from evals.reports.blocks import Block, Cell, Facts, Heading, Paragraph, Table
from evals.reports.formatting import (
    DASH,
    SIGNIFICANCE,
    as_mapping,
    clean,
    format_delta,
    format_interval,
    format_p,
    format_value,
    language_order,
    metric_order,
    report_configs,
)
from evals.reports.realistic import failure_count_blocks, side_by_side_blocks, useful_blocks

PAIR_METRICS: tuple[str, ...] = ("hit@5", "mrr@10", "ndcg@10", "key_fact_recall", "language_match")


def _metric_table(
    configs: Mapping[str, Mapping[str, Any]],
    values: Mapping[str, Mapping[str, Any]],
    intervals: Mapping[str, Mapping[str, Any]],
) -> Table:
    """Metrics as rows, configurations as columns; `values[config][metric]`, `intervals[config][metric]`."""
    metrics = metric_order(m for name in configs for m in as_mapping(values.get(name)))
    rows = []
    for metric in metrics:
        row: list[Cell] = [metric]
        for name in configs:
            value = as_mapping(values.get(name)).get(metric)
            text = format_value(metric, value)
            interval = (
                format_interval(metric, as_mapping(intervals.get(name)).get(metric)) if value is not None else None
            )
            row.append((text, interval) if interval else text)
        rows.append(tuple(row))
    return Table(("Metric", *configs), tuple(rows))


def report_blocks(report: Mapping[str, Any]) -> list[Block]:
    """The whole report, in page order; a section without data (checks, languages, pairs, baseline) is left out."""
    configs = report_configs(report)
    return [
        Heading(1, "Evaluation report"),
        *_metadata_blocks(report),
        *useful_blocks(report),
        *_configuration_blocks(report, {**report_configs(as_mapping(report.get("realistic"))), **configs}),
        *_check_blocks(report),
        *failure_count_blocks(report),
        *side_by_side_blocks(report),
        *_overall_blocks(configs),
        *_language_blocks(configs),
        *_language_blocks(report_configs(as_mapping(report.get("realistic"))), "Realistic set by language"),
        *_cross_language_blocks(configs),
        *_baseline_blocks(report, configs),
        *_count_blocks(configs),
    ]


def _metadata_blocks(report: Mapping[str, Any]) -> list[Block]:
    hashes = as_mapping(report.get("hashes"))
    realistic = as_mapping(report.get("realistic"))
    more = f" + {clean(realistic.get('cases', DASH))} realistic messages" if realistic else ""
    created = Paragraph(
        f"Created {clean(report.get('created') or DASH)} · {clean(report.get('cases', DASH))} cases{more}"
        f" × repeat {clean(report.get('repeat', 1))}"
    )
    facts: list[tuple[str, str, str]] = [
        (label, clean(report.get(key) or DASH), clean(hashes.get(key) or ""))
        for label, key in (("Dataset", "dataset"), ("Knowledge base", "knowledge_base"))
    ]
    if realistic:
        what = f"{clean(realistic.get('dataset') or DASH)}, {clean(realistic.get('split') or DASH)} split"
        facts.append(("Realistic set", what, clean(realistic.get("hash") or "")))
    if hashes.get("model"):
        facts.append(("Model", clean(hashes["model"]), ""))
    for key, value in hashes.items():
        if key not in ("dataset", "knowledge_base", "model", "configs") and value:
            facts.append((clean(key), clean(value), ""))
    return [created, Facts(tuple(facts))]


def _configuration_blocks(report: Mapping[str, Any], configs: Mapping[str, Mapping[str, Any]]) -> list[Block]:
    config_hashes = as_mapping(as_mapping(report.get("hashes")).get("configs"))
    table = Table(
        ("Configuration", "Description", "Hash"),
        tuple(
            # The first 12 hex digits tell two configurations apart; report.json has the whole hash.
            (name, clean(body.get("description") or ""), clean(config_hashes.get(name) or DASH)[:19])
            for name, body in configs.items()
        ),
        left=3,
    )
    return [Heading(2, "Configurations"), table]


def _check_blocks(report: Mapping[str, Any]) -> list[Block]:
    checks = [c for c in report.get("checks") or [] if isinstance(c, Mapping)]
    if not checks:
        return []
    passed = sum(1 for c in checks if c.get("passed"))
    table = Table(
        ("Bound", "Value", "Result"),
        tuple(
            (
                clean(c.get("bound") or f"{c.get('config')}:{c.get('metric')}{c.get('op')}{c.get('limit')}"),
                format_value(str(c.get("metric") or ""), c.get("value")),
                "passed" if c.get("passed") else "FAILED",
            )
            for c in checks
        ),
    )
    return [Heading(2, "Checks"), Paragraph(f"{passed} of {len(checks)} checks passed."), table]


def _overall_blocks(configs: Mapping[str, Mapping[str, Any]]) -> list[Block]:
    table = _metric_table(
        configs,
        {name: as_mapping(body.get("overall")) for name, body in configs.items()},
        {name: as_mapping(as_mapping(body.get("intervals")).get("overall")) for name, body in configs.items()},
    )
    return [
        Heading(2, "Overall"),
        Paragraph("Values with their 95% interval in brackets where the runner computed one."),
        table,
    ]


def _language_blocks(configs: Mapping[str, Mapping[str, Any]], title: str = "By language") -> list[Block]:
    languages = language_order(lang for body in configs.values() for lang in as_mapping(body.get("by_language")))
    blocks: list[Block] = [Heading(2, title)] if languages else []
    for lang in languages:
        blocks.append(Heading(3, lang))
        blocks.append(
            _metric_table(
                configs,
                {name: as_mapping(as_mapping(body.get("by_language")).get(lang)) for name, body in configs.items()},
                {
                    name: as_mapping(as_mapping(as_mapping(body.get("intervals")).get("by_language")).get(lang))
                    for name, body in configs.items()
                },
            )
        )
    return blocks


def _cross_language_blocks(configs: Mapping[str, Mapping[str, Any]]) -> list[Block]:
    pair_blocks = _pair_blocks(configs)
    if not pair_blocks:
        return []
    return [Heading(2, "Cross-language (query language → guide language)"), *pair_blocks]


def _baseline_blocks(report: Mapping[str, Any], configs: Mapping[str, Mapping[str, Any]]) -> list[Block]:
    baseline = as_mapping(report.get("baseline"))
    if not baseline:
        return []
    diffs = dict(as_mapping(baseline.get("diffs")))
    names = [*configs, *(n for n in diffs if n not in configs)]
    for name, body in as_mapping(as_mapping(baseline.get("realistic")).get("diffs")).items():
        diffs[f"realistic {name}"] = body
        names.append(f"realistic {name}")
    rows: list[tuple[Cell, ...]] = []
    for name in names:
        by_metric = as_mapping(diffs.get(name))
        for metric in metric_order(by_metric):
            diff = as_mapping(by_metric[metric])
            rows.append(
                (
                    name,
                    metric,
                    format_value(metric, diff.get("baseline")),
                    format_value(metric, diff.get("current")),
                    format_delta(metric, diff.get("delta")),
                    format_p(diff.get("p_value")),
                    format_value("pairs", diff.get("pairs")),
                )
            )
    return [
        Heading(2, "Comparison with the baseline"),
        Paragraph(f"Baseline: {clean(baseline.get('path') or DASH)}. * marks p < {SIGNIFICANCE} (paired test)."),
        Table(("Configuration", "Metric", "Baseline", "Current", "Δ", "p-value", "Pairs"), tuple(rows), left=2),
    ]


def _count_blocks(configs: Mapping[str, Mapping[str, Any]]) -> list[Block]:
    counts = {name: as_mapping(body.get("counts")) for name, body in configs.items()}
    keys = list(dict.fromkeys(k for c in counts.values() for k in c))
    table = Table(
        ("Count", *configs),
        tuple((key, *(format_value("cases", counts[name].get(key)) for name in configs)) for key in keys),
    )
    return [Heading(2, "Counts"), table]


def _pair_blocks(configs: Mapping[str, Mapping[str, Any]]) -> list[Block]:
    by_pair = {name: as_mapping(body.get("by_pair")) for name, body in configs.items()}
    queries = language_order(q for pairs in by_pair.values() for q in pairs)
    pairs = [(q, d) for q in queries for d in language_order(d for p in by_pair.values() for d in as_mapping(p.get(q)))]
    if not pairs:
        return []
    blocks: list[Block] = []
    for metric in PAIR_METRICS:
        blocks.append(Heading(3, metric))
        rows = tuple(
            (
                f"{q} → {d}",
                *(
                    format_value(metric, as_mapping(as_mapping(by_pair[name].get(q)).get(d)).get(metric))
                    for name in configs
                ),
            )
            for q, d in pairs
        )
        blocks.append(Table(("Pair", *configs), rows))
    return blocks
