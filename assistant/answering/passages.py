"""A chunk's text as blocks a reader can follow: sentences, and lists kept with their lead-in.

`blocks(text)` cuts a guide passage into what an answer may quote: a sentence, or a list with the "...:"
line that introduces it (`Block.lead`, `Block.items`), so a list is never quoted without its lead-in and its
lead-in never once per item. `split_sentences` is the older flat view (a long list becomes one sentence per
item, each after the lead-in), kept for the measures that score sentence by sentence.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

_SENTENCE = re.compile(r"(?<=[.!?])\s+(?=[\"«¿¡(A-ZÀ-ÖØ-Þ0-9])|\n+")
_BULLET = re.compile(r"^\s*(?:[-*•]|\d+[.)])\s+")
LIST_CHARS = 220  # a list longer than this is split into one sentence per item (split_sentences)


@dataclass(slots=True)
class Block:
    """A sentence (`lead` only), or a lead-in and its list items."""

    lead: str
    items: list[str] = field(default_factory=list)
    position: int = 0
    paragraph: int = 0  # which paragraph (non-blank line outside a list) of the passage it comes from
    fragment: bool = False  # a piece of a sentence the chunking cut (the passage starts or stops inside it)

    def text(self, items: list[str] | None = None) -> str:
        chosen = self.items if items is None else items
        if not chosen:
            return self.lead
        return f"{self.lead} {'; '.join(chosen)}"


def blocks(text: str) -> list[Block]:
    """The passage's blocks in order; headings left out (a heading names a section, it answers nothing)."""
    out: list[Block] = []
    current: Block | None = None  # a "...:" sentence whose bullets are being collected
    paragraph = -1

    def close() -> None:
        nonlocal current
        if current is not None:
            out.append(current)
        current = None

    for line in text.splitlines():
        stripped = line.strip()
        if not stripped:
            continue  # a blank line between "...:" and its bullets keeps the list open
        if stripped.startswith("#"):
            close()
            continue
        if _BULLET.match(line) and current is not None:
            current.items.append(_BULLET.sub("", stripped).rstrip(" .;"))
            continue
        close()
        paragraph += 1
        parts = [p.strip() for p in _SENTENCE.split(_BULLET.sub("", stripped)) if len(p.strip()) > 2]
        for part in parts[:-1]:
            out.append(Block(part, paragraph=paragraph))
        if parts:
            last = Block(parts[-1], paragraph=paragraph)
            if last.lead.endswith(":"):  # only this line's last sentence can lead a list
                current = last
            else:
                out.append(last)
    close()
    for n, block in enumerate(out):
        block.position = n
    if out and _starts_inside(out[0].lead):
        out[0].fragment = True  # "asistente de mentoría cuando sugiere...": its start is in the chunk before
    if out and not out[-1].items and not _ENDED.search(out[-1].lead):
        out[-1].fragment = True  # "... y lo que revisa el": its end is in the next chunk
    return out


_ENDED = re.compile(r"[.!?…:;»\"”')\]]\s*$")


def _starts_inside(text: str) -> bool:
    """Whether a passage's first words continue a sentence: it opens on a lowercase letter."""
    first = next((c for c in text if c.isalnum()), "")
    return first.isalpha() and first.islower()


def split_sentences(text: str) -> list[str]:
    """Sentences. A short list stays one sentence with its lead-in ("7 countries: A; B; C"); items of a long
    one become sentences of their own, each after the lead-in, so one item can be scored alone."""
    out: list[str] = []
    for block in blocks(text):
        joined = block.text()
        if not block.items or len(joined) <= LIST_CHARS:
            out.append(joined)
        else:
            out.extend(f"{block.lead} {item}" for item in block.items)
    return out
