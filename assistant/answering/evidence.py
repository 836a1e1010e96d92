"""Evidence strength: how sure retrieval is that the guides hold an answer, on an absolute scale.

Fused scores are relative to the other candidates, so they cannot say "nothing here". Strength combines
absolute signals of the best hits: the embedding cosine of the closest chunk, the cosine of the closest
question those sections answer (assistant/knowledge/questions.py: her words against questions like hers, which
reads meaning where her words are not the guide's), and the share of the
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
warning. Hits whose sections list no questions (an uploaded document, an index built before them) are judged
by the setting measured without the question signal (the entry's own; `questions` holds the other).
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
DEFAULT = {"dense_mix": 0.5, "asked_mix": 0.0, "threshold": 0.45}  # the test fake's (it knows no meaning)
COVERAGE_ONLY = {"dense_mix": 0.0, "asked_mix": 0.0}  # a follow-up's own words judged alone
SAFE = {"dense_mix": 0.0, "asked_mix": 0.0, "threshold": 0.5}
TOP_HITS = 3
TOGETHER_SHARE = 1.0  # coverage: this much from the best single sentence, the rest from the top hits as a whole
_SENTENCE = re.compile(r"(?<=[.!?:;])\s+|\n+")


@dataclass(frozen=True, slots=True)
class Evidence:
    dense: float  # best cosine among the top hits
    coverage: float  # share of question terms found in the top hits
    strength: float
    asked: float | None = None  # best cosine to a question the top hits' sections answer; None: they list none

    @classmethod
    def of(cls, dense: float, coverage: float, setting: dict, asked: float | None = None) -> Evidence:
        """The evidence of these signals mixed by `setting` (`calibration`'s: dense_mix, asked_mix)."""
        return cls(dense, coverage, strength(dense, coverage, asked, setting), asked)

    def to_dict(self) -> dict:
        out = {"dense": round(self.dense, 4), "coverage": round(self.coverage, 4), "strength": round(self.strength, 4)}
        if self.asked is not None:
            out["asked"] = round(self.asked, 4)
        return out


def strength(dense: float, coverage: float, asked: float | None, setting: dict) -> float:
    dense_mix, asked_mix = setting.get("dense_mix", 0.0), setting.get("asked_mix", 0.0) if asked is not None else 0.0
    rest = 1.0 - dense_mix - asked_mix
    return dense_mix * max(dense, 0.0) + asked_mix * max(asked or 0.0, 0.0) + rest * coverage


@lru_cache(maxsize=1)
def _table() -> dict:
    try:
        return json.loads(CALIBRATION_FILE.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {"models": {}}


def calibration(
    model: str, question_lang: str | None = None, evidence_lang: str | None = None, questions: bool = False
) -> dict:
    """The mix (dense_mix, asked_mix) and threshold measured for `model`: with the question signal when the top
    hits list `questions` and that was measured, for evidence in `evidence_lang` when it is not the question's
    language and that pair was measured."""
    entry = _table().get("models", {}).get(model)
    if entry is None:
        if model in UNMEASURABLE:
            return dict(DEFAULT)
        warn_unmeasured(model, "the abstention threshold")
        return dict(SAFE)
    if questions and "questions" in entry:
        entry = entry["questions"]
    chosen = _setting(entry)
    if question_lang and evidence_lang and question_lang != evidence_lang:
        pair = entry.get("pairs", {}).get(f"{question_lang}>{evidence_lang}")
        if pair:
            chosen = _setting(pair)
    return chosen


def _setting(entry: dict) -> dict:
    return {"dense_mix": entry["dense_mix"], "asked_mix": entry.get("asked_mix", 0.0), "threshold": entry["threshold"]}


def measure(question: str, hits: list[SearchHit], setting: dict, weights=None, terms_of=None, also=()) -> Evidence:
    """`weights(lang, terms)` gives each term's importance (IDF); rare terms the hits lack count most.
    `terms_of(question, lang)` analyses the question (the retriever's, with typo correction). `also`: other
    readings of the message (the question alone, without its context): coverage is the best of them, so a
    message does not look weaker because she said more around her question."""
    top = hits[:TOP_HITS]
    if not top:
        return Evidence(0.0, 0.0, 0.0)
    dense = max(h.dense for h in top)
    coverage = max(_coverage(text, top, weights, terms_of or analyze) for text in (question, *also))
    asked = max((h.asked for h in top if h.asked is not None), default=None)
    return Evidence.of(dense, coverage, setting, asked)


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
