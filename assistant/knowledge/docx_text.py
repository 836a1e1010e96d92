"""DOCX text: the paragraphs of a Word document as Markdown-ish lines, read in one streaming pass.

The document XML is read with lxml's `iterparse` (no entity expansion, no network), each paragraph freed
once read, and reading stops as soon as the text passes the document limit, so a large file costs at most
the limit's worth of work. Heading styles (Title, Heading 1-3, by their names in styles.xml, whatever
their ids) become `#` lines. python-docx builds a proxy object and looks its style up for every paragraph:
a 3.8 MB document.xml took 93 s and 324 MB that way (2 shared cores), and had to be read whole.
"""

from __future__ import annotations

import zipfile
from collections.abc import Callable

from lxml import etree

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
HEADING_LEVELS = {"title": 1, "heading 1": 1, "heading 2": 2, "heading 3": 3}


def style_names(archive: zipfile.ZipFile) -> dict[str, str]:
    """Paragraph style id -> its name, lower-cased ('Heading1' -> 'heading 1'); empty without styles.xml."""
    try:
        data = archive.read("word/styles.xml")
    except KeyError:
        return {}
    root = etree.fromstring(data, parser=_parser())
    names = {}
    for style in root.iter(f"{W}style"):
        name = style.find(f"{W}name")
        if name is not None and style.get(f"{W}styleId"):
            names[style.get(f"{W}styleId")] = (name.get(f"{W}val") or "").lower()
    return names


def docx_lines(archive: zipfile.ZipFile, check: Callable[[int], None]) -> list[str]:
    """The non-empty paragraphs, headings as `#` lines; `check(chars so far)` raises to stop reading."""
    names = style_names(archive)
    lines: list[str] = []
    count = 0
    with archive.open("word/document.xml") as xml:
        for _, paragraph in etree.iterparse(xml, events=("end",), tag=f"{W}p", resolve_entities=False, no_network=True):
            text = "".join(_pieces(paragraph)).strip()
            style = paragraph.find(f"{W}pPr/{W}pStyle")
            paragraph.clear()
            if not text:
                continue
            level = HEADING_LEVELS.get(names.get(style.get(f"{W}val"), "")) if style is not None else None
            lines.append(f"{'#' * level} {text}" if level else text)
            count += len(text)
            check(count)
    return lines


def _pieces(paragraph) -> list[str]:
    out = []
    for node in paragraph.iter(f"{W}t", f"{W}tab", f"{W}br"):
        out.append(node.text or "" if node.tag == f"{W}t" else ("\t" if node.tag == f"{W}tab" else "\n"))
    return out


def _parser() -> etree.XMLParser:
    return etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False)
