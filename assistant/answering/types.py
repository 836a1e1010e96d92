"""Plain data of an answer: the `Answer`, its `Citation`s, and the evidence a composer works from."""

from __future__ import annotations

from dataclasses import dataclass, field

from assistant.retrieval.search import SearchHit


@dataclass(slots=True)
class Citation:
    n: int
    doc_id: str
    chunk_id: str
    title: str
    language: str
    snippet: str

    def to_dict(self) -> dict:
        return {
            "n": self.n,
            "doc_id": self.doc_id,
            "chunk_id": self.chunk_id,
            "title": self.title,
            "language": self.language,
            "snippet": self.snippet,
        }


@dataclass(slots=True)
class Draft:
    """What a composer returns: text with [n] markers and the citations those numbers refer to."""

    text: str
    citations: list[Citation]
    composer: str


@dataclass(slots=True)
class Answer:
    question: str
    language: str
    text: str
    abstained: bool
    citations: list[Citation] = field(default_factory=list)
    composer: str = "extractive"
    notes: list[str] = field(default_factory=list)  # said before the answer (truncation, language...)
    latency_ms: float = 0.0
    evidence_strength: float = 0.0
    hits: list[SearchHit] = field(default_factory=list)
    id: str | None = None  # set once the answer is stored; feedback refers to it
    evidence: dict = field(default_factory=dict)  # the evidence's signals (dense, coverage, strength)
    searched: str = ""  # what was searched: the message understood (follow-up resolved, filler dropped)

    def to_dict(self) -> dict:
        """The `ask --json` shape of the architecture, plus which composer answered and the answer id."""
        return {
            "question": self.question,
            "language": self.language,
            "answer": self.full_text,
            "abstained": self.abstained,
            "citations": [c.to_dict() for c in self.citations],
            "latency_ms": round(self.latency_ms, 1),
            "composer": self.composer,
            "answer_id": self.id,
        }

    @property
    def full_text(self) -> str:
        return "\n\n".join([*self.notes, self.text]) if self.notes else self.text
