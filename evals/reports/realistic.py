"""The report's sections on what users get: useful answers per language side by side (the top of the report), the
realistic set's goals, the clean and realistic sets side by side, and the failures grouped by type.

They read the clean set's figures from `configs` and the realistic set's from `realistic.configs` (report.json);
`failure_groups` groups the case lines (cases.jsonl) by set, configuration and failure type, so that the writers
can list every failure.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from evals.reports.blocks import Block, Cell, Heading, Paragraph, Table
from evals.reports.formatting import (
    as_mapping,
    clean,
    format_value,
    language_order,
    metric_order,
    report_configs,
)
from evals.usefulness import FAILURE_LABELS, FAILURE_TYPES

GOALS: tuple[tuple[str, str], ...] = (
    ("wrong_abstention", "wrong refusals (answerable refused)"),
    ("abstain_recall", "unanswerable refused"),
    ("followup_useful", "follow-ups handled (useful, or rightly refused)"),
    ("answer_relevance", "answer relevance (sentences from a relevant section)"),
    ("first_sentence_relevant", "first sentence relevant"),
)
USEFUL_DEFINITION = (
    "A useful answer is not a refusal, is in her language, holds a key fact of a relevant guide, and its first "
    "sentence comes from a relevant section of a relevant guide."
)


def sets_of(report: Mapping[str, Any]) -> list[tuple[str, str, dict[str, Mapping[str, Any]]]]:
    """(set key, label, configurations) of the sets the report holds: the realistic set first."""
    out = []
    realistic = as_mapping(report.get("realistic"))
    if realistic.get("configs"):
        out.append(("realistic", f"realistic ({clean(realistic.get('split') or 'test')} split)",
                    dict(realistic["configs"])))  # fmt: skip
    if report_configs(report):
        out.append(("clean", "clean", report_configs(report)))
    return out


def _languages(sets: list[tuple[str, str, dict]]) -> list[str]:
    return language_order(
        lang for _, _, configs in sets for body in configs.values() for lang in as_mapping(body.get("by_language"))
    )


def _figure(body: Mapping[str, Any], metric: str, lang: str | None) -> Any:
    if lang is None:
        return as_mapping(body.get("overall")).get(metric)
    return as_mapping(as_mapping(body.get("by_language")).get(lang)).get(metric)


def useful_blocks(report: Mapping[str, Any]) -> list[Block]:
    """The useful-answer rate per language, side by side, for every set and configuration; then the realistic
    set's other goals per language."""
    sets = sets_of(report)
    if not any("useful_answer" in as_mapping(b.get("overall")) for _, _, configs in sets for b in configs.values()):
        return []
    languages = _languages(sets)
    rows = [
        (label, name, *(format_value("useful_answer", _figure(body, "useful_answer", lang)) for lang in languages),
         format_value("useful_answer", _figure(body, "useful_answer", None)))
        for _, label, configs in sets
        for name, body in configs.items()
    ]  # fmt: skip
    blocks: list[Block] = [
        Heading(2, "Useful answers"),
        Paragraph(USEFUL_DEFINITION),
        Table(("Set", "Configuration", *languages, "all"), tuple(rows), left=2),
    ]
    realistic = next((configs for key, _, configs in sets if key == "realistic"), None)
    if realistic:
        goal_rows = [
            (label, name, *(format_value(metric, _figure(body, metric, lang)) for lang in [*languages, None]))
            for metric, label in GOALS
            for name, body in realistic.items()
        ]
        blocks += [Heading(3, "Realistic set: the other goals"), Table(("Figure", "Configuration", *languages,
                                                                         "all"), tuple(goal_rows), left=2)]  # fmt: skip
    return blocks


def side_by_side_blocks(report: Mapping[str, Any]) -> list[Block]:
    """Every metric of the clean and the realistic set, a pair of columns per configuration."""
    sets = sets_of(report)
    if len(sets) < 2:
        return []
    names = list(dict.fromkeys(name for _, _, configs in sets for name in configs))
    metrics = metric_order(m for _, _, configs in sets for b in configs.values() for m in as_mapping(b.get("overall")))
    headers = tuple(f"{name} {key}" for name in names for key, _, _ in sets)
    rows: list[tuple[Cell, ...]] = []
    for metric in metrics:
        cells = [format_value(metric, _figure(as_mapping(configs.get(n)), metric, None)) for n in names
                 for _, _, configs in sets]  # fmt: skip
        rows.append((metric, *cells))
    return [Heading(2, "Clean and realistic sets side by side"), Table(("Metric", *headers), tuple(rows))]


def failure_count_blocks(report: Mapping[str, Any]) -> list[Block]:
    """Per set: how many cases fell under each failure type, per configuration (all, then fr/es/en)."""
    blocks: list[Block] = []
    for _, label, configs in sets_of(report):
        counted = {name: as_mapping(body.get("failure_types")) for name, body in configs.items()}
        if not any(counted.values()):
            continue
        languages = language_order(lang for c in counted.values() for lang in as_mapping(c.get("by_language")))
        rows = []
        for kind in FAILURE_TYPES:
            cells = []
            for name in configs:
                total = as_mapping(counted[name].get("overall")).get(kind, 0)
                parts = [as_mapping(as_mapping(counted[name].get("by_language")).get(lang)).get(kind, 0)
                         for lang in languages]  # fmt: skip
                cells.append(f"{total} ({'/'.join(str(p) for p in parts)})")
            rows.append((FAILURE_LABELS[kind], *cells))
        if not blocks:
            blocks.append(Heading(2, "Failures by type"))
        blocks += [
            Heading(3, label),
            Paragraph(f"Cases per failure type: all ({'/'.join(languages)}). Every failure is listed below."),
            Table(("Failure type", *configs), tuple(rows)),
        ]
    return blocks


def failure_groups(
    report: Mapping[str, Any], cases: Sequence[Mapping[str, Any]]
) -> list[tuple[str, str, list[tuple[str, list[Mapping[str, Any]]]]]]:
    """(set label, configuration, [(failure type label, its case lines)]) for every set and configuration with a
    failure, the types in `FAILURE_TYPES` order and the cases in run order."""
    out = []
    for key, label, configs in sets_of(report):
        for name in configs:
            own = [c for c in cases if str(c.get("config")) == name and c.get("set", "clean") == key]
            found = {kind: [c for c in own if c.get("failure_type") == kind] for kind in FAILURE_TYPES}
            groups = [(FAILURE_LABELS[kind], rows) for kind, rows in found.items() if rows]
            if groups:
                out.append((label, name, groups))
    return out
