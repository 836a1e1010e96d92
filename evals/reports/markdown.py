"""report.md: the report's document blocks as GitHub-flavoured markdown."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from evals.reports.document import Block, Cell, Facts, Heading, Paragraph, Table, report_blocks
from evals.reports.formatting import DASH, excerpt, prepare_target
from evals.reports.realistic import failure_groups


def _md_cell(cell: Cell) -> str:
    text = f"{cell[0]} {cell[1]}" if isinstance(cell, tuple) else cell
    return " ".join(text.split()).replace("|", "\\|")


def _md_code(text: str) -> str:
    return f"`{text.replace('`', chr(39))}`"


def _markdown(blocks: Sequence[Block]) -> str:
    parts: list[str] = []
    for block in blocks:
        match block:
            case Heading(level, text):
                parts.append(f"{'#' * level} {text}")
            case Paragraph(text):
                parts.append(text)
            case Facts(items):
                parts.append(
                    "\n".join(
                        f"- {label}: {_md_code(value)}" + (f" ({_md_code(digest)})" if digest else "")
                        for label, value, digest in items
                    )
                )
            case Table(headers, rows, left):
                lines = [
                    "| " + " | ".join(_md_cell(h) for h in headers) + " |",
                    "|" + "|".join([":---"] * left + ["---:"] * (len(headers) - left)) + "|",
                ]
                lines += ["| " + " | ".join(_md_cell(c) for c in row) + " |" for row in rows]
                parts.append("\n".join(lines))
    return "\n\n".join(parts) + "\n"


def _failure_blocks(report: Mapping[str, Any], cases: Sequence[Mapping[str, Any]]) -> list[Block]:
    """Every failure, grouped by set, configuration and type: one table per group."""
    blocks: list[Block] = []
    for label, name, groups in failure_groups(report, cases):
        for kind, found in groups:
            blocks.append(Heading(3, f"{label} · {name} · {kind} ({len(found)})"))
            rows = tuple(
                (
                    str(c.get("case_id", "?")),
                    str(c.get("language", "?")),
                    excerpt(c.get("question"), 140),
                    excerpt(c.get("answer"), 160) or DASH,
                    ", ".join(str(d) for d in c.get("relevant_doc_ids") or []) or DASH,
                )
                for c in found
            )
            blocks.append(Table(("Case", "Lang", "Message", "Answer", "Relevant guides"), rows, left=5))
    return [Heading(2, "Every failure, by type"), *blocks] if blocks else []


def write_markdown(report: Mapping[str, Any], path: str | Path, cases: Sequence[Mapping[str, Any]] = ()) -> Path:
    """report.md: metadata, useful answers, overall and per-language tables, cross-language, baseline, checks
    and counts; with the case lines, every failure grouped by type."""
    target = prepare_target(path)
    target.write_text(_markdown([*report_blocks(report), *_failure_blocks(report, cases)]), encoding="utf-8")
    return target
