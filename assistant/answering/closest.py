"""The nearest section, named when the answer is "I don't know" but the evidence fell just short of answering.

The evidence separates messages worded as the guides are worded far better than fresh ones (README, the ninth
round): a message in her own words may be refused though its best hit is the right section. When the evidence
is within `NEAR` of the threshold, the refusal stays a refusal (nothing unsure is quoted as an answer) and names
the closest section in her language, saying that writing its heading will show it: she keeps a way in. `NEAR`
covers every answerable message of the calibration pool that was refused with some evidence (with the section
questions in the evidence since the tenth round: 0.001 to 0.047 under the threshold); about half of the refused
unanswerable ones fall within it too, so the line only points, it never answers.
"""

from __future__ import annotations

from assistant.answering.evidence import TOP_HITS
from assistant.phrases import phrase
from assistant.retrieval.search import SearchHit

NEAR = 0.05


def closest_note(hits: list[SearchHit], language: str, strength: float, threshold: float) -> str | None:
    """The line naming the closest section in `language`, or None (the evidence was far from enough, or no
    section in her language is among the best hits)."""
    if strength < threshold - NEAR:
        return None
    best = next((h for h in hits[:TOP_HITS] if h.chunk.lang == language), None)
    if best is None:
        return None
    chunk = best.chunk
    if chunk.heading == chunk.title:  # the guide's opening section: the guide itself is what is closest
        return phrase("closest_guide", language, title=chunk.title)
    return phrase("closest_section", language, heading=chunk.heading, title=chunk.title)
