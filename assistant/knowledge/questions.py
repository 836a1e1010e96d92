"""The questions each guide section answers: `questions/<lang>/<id>.yaml` beside the knowledge base's `guides/`.

She asks in her words, not the guide's: "why does the bank keep turning me down?" is answered by a section
headed "Why credit is harder to get for women", whose words she never uses. Each section of a bundled guide
lists a few questions it answers, written from the guide alone: a plain one, one in everyday words, one with
her context, one about a fact it gives. The ingest embeds them with the model's query prompt, so a message is
compared with questions like it (two questions sit closer together than a question and a passage), and the
index keeps them beside the chunks: retrieval scores a section by the closer of its passage and its questions
(assistant/retrieval/search.py), and the evidence that decides "I don't know" weighs how close her message is
to a question the top sections answer (assistant/answering/evidence.py).

A document with no question file (an upload, a new guide) is searched by its passage alone. A question file
that cannot be read, or names a heading its guide does not have, is reported by the ingest and left out; the
guide is indexed all the same.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import yaml

from assistant.knowledge.chunking import Chunk
from assistant.retrieval.index import questions_fingerprint

FOLDER = "questions"
MAX_QUESTIONS = 12  # a section's; more adds nothing a user would notice and only costs embedding time
MAX_CHARS = 300


@dataclass
class SectionQuestions:
    """Every question of an index: its text and the chunk row it belongs to (a long section's pieces share them)."""

    texts: list[str] = field(default_factory=list)
    rows: list[int] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)  # what the ingest report says about files left out

    def fingerprint(self) -> str:
        return questions_fingerprint(self.texts, self.rows)


def question_file(entry: dict) -> Path | None:
    """Where the questions of a guide (`<kb>/guides/<lang>/<id>.md`) are: `<kb>/questions/<lang>/<id>.yaml`."""
    if entry.get("format") != "markdown" or not entry.get("source"):
        return None
    source = Path(entry["source"])
    if len(source.parents) < 3:
        return None
    return source.parents[2] / FOLDER / entry["lang"] / f"{entry['doc_id']}.yaml"


def read_questions(path: Path) -> dict[str, list[str]]:
    """Section heading -> its questions. Raises ValueError saying what is wrong with the file."""
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        raise ValueError(f"cannot be read ({exc.__class__.__name__})") from exc
    if not isinstance(data, dict):
        raise ValueError("is not a mapping of section headings to lists of questions")
    out: dict[str, list[str]] = {}
    for heading, items in data.items():
        if not isinstance(heading, str) or not isinstance(items, list):
            raise ValueError(f"section {heading!r} does not map to a list of questions")
        questions = [" ".join(q.split()) for q in items if isinstance(q, str) and q.strip()]
        if len(questions) != len(items):
            raise ValueError(f"section {heading!r} has an entry that is not a question (text)")
        out[heading.strip()] = [q[:MAX_CHARS] for q in questions[:MAX_QUESTIONS]]
    return out


def section_questions(chunks: list[Chunk], documents: dict[str, dict], root_of=question_file) -> SectionQuestions:
    """The questions of every chunk whose guide has a question file, in chunk order."""
    found = SectionQuestions()
    by_doc: dict[str, dict[str, list[str]]] = {}
    for key, entry in sorted(documents.items()):
        path = root_of(entry)
        if path is None or not path.is_file():
            continue
        name = f"{FOLDER}/{entry['lang']}/{path.name}"
        try:
            table = read_questions(path)
        except ValueError as exc:
            found.problems.append(f"{name} {exc}: its guide is searched without it")
            continue
        headings = {c.heading for c in chunks if c.doc_key == key}
        unknown = sorted(set(table) - headings)
        if unknown:
            found.problems.append(
                f"{name}: no section of the guide is headed {unknown[0]!r}; its questions are left out"
            )
        by_doc[key] = table
    for row, chunk in enumerate(chunks):
        for text in by_doc.get(chunk.doc_key, {}).get(chunk.heading, []):
            found.texts.append(text)
            found.rows.append(row)
    return found


def best_per_chunk(similarities: np.ndarray, rows: np.ndarray, n_chunks: int) -> np.ndarray:
    """Each chunk's closest question (its cosine), -1 where a chunk has none."""
    best = np.full(n_chunks, -1.0, dtype=np.float32)
    if len(rows):
        np.maximum.at(best, rows, similarities.astype(np.float32))
    return best
