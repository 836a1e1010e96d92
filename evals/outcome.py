"""What one question gave a pipeline: the `Outcome` that scoring and the judge read.

A leaf of its own so that scoring does not need the pipelines (and the runtime they build on) to name it.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(slots=True)
class Outcome:
    """What one question gave: the document ranking, the chunks the answer was made from, the answer."""

    retrieved_doc_ids: list[str]
    context_chunk_ids: list[str]
    answer: str
    language: str
    abstained: bool
    citations: list[dict]
    evidence: dict[str, str] = field(default_factory=dict)  # chunk id -> full text, for the cited chunks
    latency_ms: float = 0.0
