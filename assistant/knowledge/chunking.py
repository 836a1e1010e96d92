"""Chunking: cutting a `Document` into retrieval units that the embedding model sees whole.

Sections follow the Markdown headings; a long section is split with LangChain's recursive splitter,
measuring length with the embedding model's own tokenizer, so no chunk exceeds the model's maximum
sequence length and nothing is silently truncated. Ids are stable and readable:
`<doc_id>.<lang>#<heading-slug>-<n>`, `n` counting the pieces that share a heading slug in the document.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import asdict, dataclass

from langchain_text_splitters import RecursiveCharacterTextSplitter

from assistant.knowledge.documents import Document
from assistant.text import slugify

_HEADING = re.compile(r"^(#{1,6})\s+(.*?)\s*#*\s*$")
_SEPARATORS = ["\n\n", "\n", ". ", "? ", "! ", "; ", ", ", " ", ""]


@dataclass(slots=True)
class Chunk:
    """One retrieval unit, with everything a citation needs."""

    chunk_id: str
    doc_id: str
    lang: str
    title: str
    heading: str
    text: str
    source: str

    @property
    def doc_key(self) -> str:
        return f"{self.doc_id}.{self.lang}"

    def embedding_text(self) -> str:
        """What the model embeds: the title and heading give a short section its context."""
        return compose_embedding_text(self.title, self.heading, self.text)

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict) -> Chunk:
        return cls(**{k: data[k] for k in cls.__slots__})


def compose_embedding_text(title: str, heading: str, text: str) -> str:
    head = title if not heading or heading == title else f"{title} — {heading}"
    return f"{head}\n{text}"


def sections(body: str, title: str) -> list[tuple[str, str]]:
    """(heading, text) pairs in document order; text before any heading belongs to the title."""
    out: list[tuple[str, str]] = []
    heading, lines = title, []
    for line in body.splitlines():
        match = _HEADING.match(line)
        if match:
            if "\n".join(lines).strip():
                out.append((heading, "\n".join(lines).strip()))
            heading, lines = match.group(2).strip() or title, []
        else:
            lines.append(line)
    if "\n".join(lines).strip():
        out.append((heading, "\n".join(lines).strip()))
    return out


class Chunker:
    """Splits documents under a token budget measured by `count_tokens`."""

    def __init__(
        self,
        count_tokens: Callable[[str], int],
        max_tokens: int,
        target_tokens: int = 200,
        overlap_tokens: int = 24,
    ) -> None:
        self.count_tokens = count_tokens
        # Two tokens are reserved for the model's [CLS]/[SEP]-style markers.
        self.max_tokens = max_tokens - 2
        self.target_tokens = min(target_tokens, self.max_tokens)
        self.overlap_tokens = min(overlap_tokens, self.target_tokens // 4)

    def chunk(self, document: Document) -> list[Chunk]:
        chunks: list[Chunk] = []
        counters: dict[str, int] = {}
        for heading, text in sections(document.body, document.title):
            slug = slugify(heading) if heading else "body"
            for piece in self._split(document.title, heading, text):
                counters[slug] = counters.get(slug, 0) + 1
                chunks.append(
                    Chunk(
                        chunk_id=f"{document.doc_id}.{document.lang}#{slug}-{counters[slug]}",
                        doc_id=document.doc_id,
                        lang=document.lang,
                        title=document.title,
                        heading=heading,
                        text=piece,
                        source=document.source,
                    )
                )
        return chunks

    def _split(self, title: str, heading: str, text: str) -> list[str]:
        prefix_tokens = self.count_tokens(compose_embedding_text(title, heading, ""))
        budget = max(16, self.target_tokens - prefix_tokens)
        hard_budget = max(8, self.max_tokens - prefix_tokens)
        splitter = RecursiveCharacterTextSplitter(
            chunk_size=budget,
            chunk_overlap=min(self.overlap_tokens, budget // 4),
            length_function=self.count_tokens,
            separators=_SEPARATORS,
            keep_separator="end",
        )
        pieces = []
        for piece in splitter.split_text(text):
            piece = piece.strip()
            if not piece:
                continue
            if self.count_tokens(compose_embedding_text(title, heading, piece)) > self.max_tokens:
                pieces.extend(_hard_split(piece, hard_budget, self.count_tokens))
            else:
                pieces.append(piece)
        return pieces


def _hard_split(text: str, budget: int, count: Callable[[str], int]) -> list[str]:
    """Greedy word packing; a single over-long word is cut by characters. Used only as a last resort."""
    out: list[str] = []
    current: list[str] = []
    for word in text.split():
        while count(word) > budget:
            lo, hi = 1, len(word)
            while lo < hi:  # longest prefix that fits
                mid = (lo + hi + 1) // 2
                lo, hi = (mid, hi) if count(word[:mid]) <= budget else (lo, mid - 1)
            if current:
                out.append(" ".join(current))
                current = []
            out.append(word[:lo])
            word = word[lo:]
        if current and count(" ".join([*current, word])) > budget:
            out.append(" ".join(current))
            current = []
        current.append(word)
    if current:
        out.append(" ".join(current))
    return [piece for piece in out if piece]
