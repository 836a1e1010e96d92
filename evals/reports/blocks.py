"""The blocks a report is made of (headings, paragraphs, facts, tables), shared by the markdown and HTML writers
and by the modules that build the report's sections."""

from __future__ import annotations

from dataclasses import dataclass

Cell = str | tuple[str, str]  # text, or (value, interval) shown side by side


@dataclass(frozen=True)
class Heading:
    level: int
    text: str


@dataclass(frozen=True)
class Paragraph:
    text: str


@dataclass(frozen=True)
class Facts:
    items: tuple[tuple[str, str, str], ...]  # (label, value, hash or ""), value and hash shown as code


@dataclass(frozen=True)
class Table:
    headers: tuple[str, ...]
    rows: tuple[tuple[Cell, ...], ...]
    left: int = 1  # leading text columns; the others are numbers, aligned right


Block = Heading | Paragraph | Facts | Table
