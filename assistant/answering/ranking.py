"""Which retrieved section answers: the candidate passages of an extractive answer, ranked.

A candidate is a retrieved chunk. It ranks by what retrieval said and by how well its own text matches the
question:

- `retrieval`: its fused retrieval score, relative to the best hit's;
- `coverage`: the share of the question's weight (each term weighted by its IDF) its heading and blocks hold;
- `phrase`: the share of the question's adjacent term pairs it holds side by side, in the question's order, so
  "south-south" finds the South-South section and not the North-South one, whose words are the same;
- `dense`: its embedding cosine with the question, scaled over the candidates (0 for the farthest, 1 for the
  closest): the meaning where the words differ ("cheap" and "spend less").

The kind of question and the kind of section go together: a "Why..." section answers a question asking why
("why", "pourquoi", "xq", "por qué"...) and loses ground on any other; a "What X is" section ("Qu'est-ce que
X", "Qué significa X") gains on a question asking what X is or means, when her question names its X; a section
of examples ("Examples of goals...") on a question asking for examples ("dame ejemplos").
A follow-up stays with the guide it was just answered from (the rest of its passage) before another guide.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from itertools import pairwise

from assistant.text import analyze

_WHY_HEADING = re.compile(r"^(?:why|pourquoi|por qu[eé])\b", re.IGNORECASE)
# A section that says what something is or means ("What reciprocal mentoring is", "Qu'est-ce que...", "Qué
# significa...") answers a question asking what that thing is or means ("c'est quoi", "what does X mean").
_MEANING_HEADING = re.compile(
    r"^(?:what\b.*\b(?:is|are|means?)\b|qu['’]est-ce qu|ce que (?:veut dire|signifie)|qu[eé] (?:es|son|significa)\b)",
    re.IGNORECASE,
)
_MEANING_QUESTION = re.compile(
    r"\b(?:what(?:['’]s| is| are)\b|means?\b|meaning|defin\w*|c['’]?est quoi|qu['’]?est[- ]ce qu|veut dire|"
    r"signifi\w*|qu[eé] es\b|qu[eé] son\b)",
    re.IGNORECASE,
)
# A section of examples ("Examples of goals...", "Ejemplos de metas...", "Des exemples de missions...") answers a
# question asking for examples ("donne moi un exemple", "dame ejemplos", "example pls"), not one in which she gives
# her own ("por ejemplo en Facebook", "for example my shop").
_EXAMPLES_HEADING = re.compile(r"^(?:des |los |some )?(?:examples?|exemples?|ejemplos?)\b", re.IGNORECASE)
_EXAMPLES_QUESTION = re.compile(
    r"(?<!\bpor )(?<!\bpar )(?<!\bfor )\b(?:examples?|exemples?|ejemplos?|e\.g\.)(?!\w)", re.IGNORECASE
)
MEANING_WORDS = "what is are means mean meaning qu'est-ce que ce c'est quoi veut dire signifie qué es son significa"
MEANING_SHARE = 0.5  # the heading names her subject: this share of its own terms are in her question
CHUNK_WEIGHT = 0.45  # retrieval's share; the rest is the passage's own coverage
PHRASE_WEIGHT = 0.1
DENSE_WEIGHT = 0.1
WHY_WEIGHT = 0.3  # a "Why..." section: this much more when she asks why, this much less when she does not;
# a "What X is" section, this much more when she asks what X is
SAME_GUIDE_BONUS = 0.2  # for a follow-up, the guide the previous answer quoted


@dataclass(slots=True)
class Features:
    """How well one candidate passage matches the question (shares, 0 to 1) and what kind of section it is."""

    coverage: float = 0.0
    phrase: float = 0.0
    dense: float = 0.0
    why: bool = False
    defines: int = 0  # a "What X is" section whose X she names: how many of her words it names
    quoted_before: bool = False
    examples: bool = False  # a section of examples


def pairs(terms: list[str]) -> list[tuple[str, str]]:
    """The adjacent pairs of the question's terms, in order (a repeated term kept: "south south")."""
    return list(pairwise(terms))


def phrase_share(question_pairs: list[tuple[str, str]], weight: dict[str, float], sequence: list[str]) -> float:
    """The share of the pairs' weight whose two terms stand side by side, in that order, in `sequence`."""
    total = sum(weight.get(a, 0.0) + weight.get(b, 0.0) for a, b in question_pairs)
    if not total:
        return 0.0
    present = set(pairwise(sequence))
    found = sum(weight.get(a, 0.0) + weight.get(b, 0.0) for a, b in question_pairs if (a, b) in present)
    return found / total


def is_why_heading(heading: str) -> bool:
    return bool(_WHY_HEADING.match(heading))


def is_examples_heading(heading: str) -> bool:
    return bool(_EXAMPLES_HEADING.match(heading))


def asks_examples(text: str) -> bool:
    """Whether the question asks for examples ("give me an example", "des exemples ?"), not gives one."""
    return bool(_EXAMPLES_QUESTION.search(text))


def asks_meaning(text: str) -> bool:
    """Whether the question asks what something is or means."""
    return bool(_MEANING_QUESTION.search(text))


def defines(heading: str, lang: str, question_terms: set[str]) -> bool:
    """Whether the section says what something is or means, something her question names."""
    return defined_words(heading, lang, question_terms) > 0


def defined_words(heading: str, lang: str, question_terms: set[str]) -> int:
    """How many of her question's terms the section's "What X is" heading names in its X (0: it defines
    nothing she names). Of "Qué significa la mentoría" and "Qué es la mentoría recíproca", the second names
    more of "q significa mentoria reciproca"."""
    if not _MEANING_HEADING.match(heading):
        return 0
    own = set(analyze(heading, lang)) - set(analyze(MEANING_WORDS, lang))
    named = len(own & question_terms)
    return named if own and named >= MEANING_SHARE * len(own) else 0


def rank(
    scores: list[float],
    features: list[Features],
    asks_why: bool,
    dense: list[float] | None = None,
    meaning: bool = False,
    examples: bool = False,
) -> list[int]:
    """The candidates' indexes, best first; `scores` their retrieval scores, `dense` their cosines; `meaning`:
    the question asks what something is or means; `examples`: it asks for examples."""
    top = max(scores, default=0.0) or 1.0
    most = max((f.defines for f in features), default=0)
    for f in features:  # of the sections saying what her subject is, those naming the most of her words
        f.defines = f.defines if f.defines == most else 0
    if dense:
        low, high = min(dense), max(dense)
        for f, d in zip(features, dense, strict=True):
            f.dense = (d - low) / (high - low) if high > low else 0.0
    return sorted(range(len(scores)), key=lambda i: -value(scores[i] / top, features[i], asks_why, meaning, examples))


def value(retrieval: float, f: Features, asks_why: bool, meaning: bool = False, examples: bool = False) -> float:
    """A candidate's value. The phrases of a "Why..." section she did not ask why about count for nothing: its
    heading names the reasons, and repeating her words there does not make it say how."""
    phrase = 0.0 if f.why and not asks_why else f.phrase
    return (
        CHUNK_WEIGHT * retrieval
        + (1 - CHUNK_WEIGHT) * f.coverage
        + PHRASE_WEIGHT * phrase
        + DENSE_WEIGHT * f.dense
        + (SAME_GUIDE_BONUS if f.quoted_before else 0.0)
        + ((WHY_WEIGHT if asks_why else -WHY_WEIGHT) if f.why else 0.0)
        + (WHY_WEIGHT if meaning and f.defines else 0.0)
        + (WHY_WEIGHT if examples and f.examples else 0.0)
    )
