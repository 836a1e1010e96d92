"""A guide read back for people: its title and sections, each with the anchor its chunks' ids name.

A chunk id is `<doc_id>.<lang>#<heading-slug>-<n>`; the section of that heading is `<heading-slug>` here,
so a citation can link to the place it quotes (the web chat's sources, the `/guides` pages).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from assistant.errors import DocumentError
from assistant.knowledge.chunking import sections
from assistant.knowledge.documents import load_document
from assistant.text import slugify


@dataclass(frozen=True, slots=True)
class GuideSection:
    anchor: str  # the heading's slug, as in the chunk ids ("body" for text before any heading)
    heading: str
    text: str  # Markdown (or plain text, for a PDF or Word file)


@dataclass(frozen=True, slots=True)
class ReadableGuide:
    title: str
    lang: str
    sections: tuple[GuideSection, ...]


def read_guide(source: str) -> ReadableGuide:
    """The guide at `source` (a path the index recorded), read again; `DocumentError` when it cannot be."""
    path = Path(source)
    try:
        mtime = path.stat().st_mtime
    except OSError as exc:
        raise DocumentError(f"the guide's file is not there any more: {exc.strerror or exc}") from None
    return _read(str(path), mtime)


@lru_cache(maxsize=128)
def _read(source: str, _mtime: float) -> ReadableGuide:
    document = load_document(Path(source), Path(source).parent)
    found = [
        GuideSection(slugify(heading) if heading else "body", heading, text)
        for heading, text in sections(document.body, document.title)
    ]
    return ReadableGuide(document.title, document.lang, tuple(found))


def chunk_anchor(chunk_id: str) -> str:
    """`credit.fr#preparer-un-dossier-2` -> `preparer-un-dossier` ('' when the id names no section)."""
    _, _, tail = chunk_id.partition("#")
    head, _, number = tail.rpartition("-")
    return head if number.isdigit() else tail
