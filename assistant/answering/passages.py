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
        separator = " " if all(item.endswith("?") for item in chosen) else "; "  # questions end themselves
        return f"{self.lead} {separator.join(chosen)}"


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
        asking: Block | None = None  # "ask yourself: do I...?", and the questions after it, are the advice
        for n, part in enumerate(parts):
            if asking is not None and part.endswith("?"):
                asking.items.append(part)
                continue
            asking = _asks(part, paragraph)
            if asking is not None:
                out.append(asking)
            elif n == len(parts) - 1 and part.endswith(":"):  # only this line's last sentence can lead a list
                current = Block(part, paragraph=paragraph)
            else:
                out.append(Block(part, paragraph=paragraph))
    close()
    for n, block in enumerate(out):
        block.position = n
    if out and _starts_inside(out[0].lead):
        out[0].fragment = True  # "asistente de mentoría cuando sugiere...": its start is in the chunk before
    if out and not out[-1].items and not _ENDED.search(out[-1].lead):
        out[-1].fragment = True  # "... y lo que revisa el": its end is in the next chunk
    return out


def _asks(sentence: str, paragraph: int) -> Block | None:
    """A sentence that introduces the questions she should ask ("For each goal, ask three questions: what
    exactly will change...?", "posez-vous quelques questions : ai-je envie...?"): a lead-in whose items are
    those questions, which an answer quotes (a guide's own rhetorical question, without a lead-in, it skips)."""
    colon = sentence.find(":")
    if not sentence.endswith("?") or colon < 0 or not sentence[colon + 1 :].strip():
        return None
    return Block(sentence[: colon + 1], [sentence[colon + 1 :].strip()], paragraph=paragraph)


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
