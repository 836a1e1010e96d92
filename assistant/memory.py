"""Conversation memory: the last turns per user, and the rule that expands a follow-up for retrieval.

The turns themselves are kept by `assistant.storage.Store` (in the database for a participant who
consented, in process memory otherwise).
A short or anaphoric follow-up ("and in Senegal?", "¿y cómo empiezo?") is searched together with the
previous question, so it is understood in context.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_CONNECTIVE = re.compile(
    r"^\W*(and|et|y|e|also|aussi|también|tambien|what about|how about|et pour|et si|y si|y para|"
    r"and what|then|puis|alors|luego|entonces|ok)\b",
    re.IGNORECASE,
)
_PRONOUN = re.compile(
    r"\b(it|that|this|them|those|ça|ca|cela|ceci|le faire|la faire|eso|esto|lo|la|ella|elle|il)\b", re.IGNORECASE
)
SHORT_WORDS = 3


@dataclass(frozen=True, slots=True)
class Turn:
    question: str
    language: str
    answer: str


def is_follow_up(text: str) -> bool:
    words = text.split()
    if len(words) <= SHORT_WORDS or _CONNECTIVE.match(text):
        return True
    return len(words) <= 6 and bool(_PRONOUN.search(text))


def retrieval_query(text: str, history: list[Turn]) -> str:
    """The text to search with: the message, joined to the previous question when it is a follow-up."""
    if history and is_follow_up(text):
        return f"{history[-1].question} {text}"
    return text
