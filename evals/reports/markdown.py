"""report.md: the report's document blocks as GitHub-flavoured markdown."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from evals.reports.document import Block, Cell, Facts, Heading, Paragraph, Table, report_blocks
from evals.reports.formatting import prepare_target


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


def write_markdown(report: Mapping[str, Any], path: str | Path) -> Path:
    """report.md: metadata, overall and per-language tables, cross-language, baseline, checks and counts."""
    target = prepare_target(path)
    target.write_text(_markdown(report_blocks(report)), encoding="utf-8")
    return target
