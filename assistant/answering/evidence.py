"""Evidence strength: how sure retrieval is that the guides hold an answer, on an absolute scale.

Fused scores are relative to the other candidates, so they cannot say "nothing here". Strength combines
two absolute signals of the best hits: the embedding cosine of the closest chunk, and the share of the
question's content terms (stemmed, accent-folded, IDF-weighted, words that only frame a question left out)
found together in one sentence of the top chunks (with its section's title and heading): "is the programme
free?" is not answered by "programme" in one section and a "free spreadsheet app" in another
(`TOGETHER_SHARE` of the coverage comes from that sentence, the rest from the top chunks as a whole; 1.0, the
share that separated answerable from unanswerable best on the calibration split). The mix and the threshold
are measured on the evaluation questions (answerable against not) by `python -m evals.calibrate_abstention`
and stored in `abstention.json` beside this module, per embedding model, and per language pair where the
best evidence is in another language than the question (a Spanish question over a French-only guide: the
question's words are not in the guide, so coverage says little and the cosine must say more). A model
never measured gets `SAFE` (coverage alone decides: cosines of an unknown model mean nothing yet) and a
warning.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from assistant.embeddings.thresholds import UNMEASURABLE, warn_unmeasured
from assistant.memory import ENTITIES
from assistant.retrieval.search import SearchHit
from assistant.text import analyze

CALIBRATION_FILE = Path(__file__).with_name("abstention.json")
DEFAULT = {"dense_mix": 0.5, "threshold": 0.45}  # the test fake's (it knows no meaning, nothing to measure)
SAFE = {"dense_mix": 0.0, "threshold": 0.5}
TOP_HITS = 3
TOGETHER_SHARE = 1.0  # coverage: this much from the best single sentence, the rest from the top hits as a whole
_SENTENCE = re.compile(r"(?<=[.!?:;])\s+|\n+")


@dataclass(frozen=True, slots=True)
class Evidence:
    dense: float  # best cosine among the top hits
    coverage: float  # share of question terms found in the top hits
    strength: float

    @classmethod
    def of(cls, dense: float, coverage: float, dense_mix: float) -> Evidence:
        return cls(dense, coverage, dense_mix * max(dense, 0.0) + (1 - dense_mix) * coverage)

    def to_dict(self) -> dict:
        return {"dense": round(self.dense, 4), "coverage": round(self.coverage, 4), "strength": round(self.strength, 4)}


@lru_cache(maxsize=1)
def _table() -> dict:
    try:
        return json.loads(CALIBRATION_FILE.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {"models": {}}


def calibration(model: str, question_lang: str | None = None, evidence_lang: str | None = None) -> dict:
    """The dense mix and threshold measured for `model`, for evidence in `evidence_lang` when it is not the
    question's language and that pair was measured."""
    entry = _table().get("models", {}).get(model)
    if entry is None:
        if model in UNMEASURABLE:
            return dict(DEFAULT)
        warn_unmeasured(model, "the abstention threshold")
        return dict(SAFE)
    chosen = {"dense_mix": entry["dense_mix"], "threshold": entry["threshold"]}
    if question_lang and evidence_lang and question_lang != evidence_lang:
        pair = entry.get("pairs", {}).get(f"{question_lang}>{evidence_lang}")
        if pair:
            chosen = {"dense_mix": pair["dense_mix"], "threshold": pair["threshold"]}
    return chosen


def measure(question: str, hits: list[SearchHit], dense_mix: float, weights=None, terms_of=None, also=()) -> Evidence:
    """`weights(lang, terms)` gives each term's importance (IDF); rare terms the hits lack count most.
    `terms_of(question, lang)` analyses the question (the retriever's, with typo correction). `also`: other
    readings of the message (the question alone, without its context): coverage is the best of them, so a
    message does not look weaker because she said more around her question."""
    top = hits[:TOP_HITS]
    if not top:
        return Evidence(0.0, 0.0, 0.0)
    dense = max(h.dense for h in top)
    coverage = max(_coverage(text, top, weights, terms_of or analyze) for text in (question, *also))
    return Evidence(dense, coverage, dense_mix * max(dense, 0.0) + (1 - dense_mix) * coverage)


def _coverage(question: str, top: list[SearchHit], weights, terms_of) -> float:
    """Per language of the top hits, the blend of two shares of the question's weight: the terms found anywhere
    in those hits, and the terms found together in one sentence (with its section's title and heading); the
    best language's. A question answered by its words scattered over three sections ("is the programme free?":
    "programme" everywhere, "free" in a market-study tip) has its words together nowhere."""
    coverage = 0.0
    for lang in {h.chunk.lang for h in top}:
        terms = sorted(set(terms_of(question, lang)))
        if not terms:
            continue
        weight = dict(zip(terms, weights(lang, terms) if weights else [1.0] * len(terms), strict=True))
        total = sum(weight.values())
        if not total:
            continue
        found: set[str] = set()
        together = 0.0
        for hit in top:
            if hit.chunk.lang != lang:
                continue
            chunk = hit.chunk
            for sentence in _sentence_terms(chunk.lang, chunk.title, chunk.heading, chunk.text):
                found |= sentence
                together = max(together, sum(w for t, w in weight.items() if t in sentence))
        if _only_places(terms, found, lang):
            continue  # the hits know the place she names, nothing of what she asks about it
        anywhere = sum(w for t, w in weight.items() if t in found)
        coverage = max(coverage, ((1 - TOGETHER_SHARE) * anywhere + TOGETHER_SHARE * together) / total)
    return coverage


@lru_cache(maxsize=8)
def _place_terms(lang: str) -> frozenset[str]:
    """The analysed terms of the programme's places (countries, demonyms, cities) in `lang`."""
    return frozenset(t for names in ENTITIES["country"].values() for name in names for t in analyze(name, lang))


def _only_places(terms: list[str], found: set[str], lang: str) -> bool:
    """Whether a question naming a place and asking something about it ("il va pleuvoir demain à Abidjan ?")
    finds only the place in the hits: the guides know the city, not the weather."""
    places = _place_terms(lang)
    asked = [t for t in terms if t not in places]
    return bool(asked) and len(asked) < len(terms) and not any(t in found for t in asked)


@lru_cache(maxsize=4096)
def _sentence_terms(lang: str, title: str, heading: str, text: str) -> tuple[frozenset[str], ...]:
    """The analysed terms of each sentence of a chunk, each with its guide's title and its section's heading."""
    frame = set(analyze(f"{title} {heading}", lang))
    pieces = [p for p in _SENTENCE.split(text) if p.strip()] or [""]
    return tuple(frozenset(frame | set(analyze(p, lang))) for p in pieces)
