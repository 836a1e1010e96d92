"""Resource recommendations: the few resources that fit her now, each with one line on why.

    relevance = cosine(embedding of what she is working on, embedding of the resource's title and
                description in her language)
                what she is working on: her stated needs, her current pathway step and her recent questions,
                each embedded and the three averaged (the ones she has)
    filters   : not seen or completed; her level (beginner, intermediate, advanced: at most one above
                hers); her language, or another one with a note when none is left in hers
    on track  : + PLACE_BONUS when the resource belongs to a module that builds a competency she is working on
                (her current step's, or one of a need she stated): the catalogue's own placement of the
                resource, so a credit checklist is not outranked by a look-alike from another area
    diversity : maximal marginal relevance, 0.7 relevance / 0.3 novelty, so five near-identical items are
                never listed together

The reason names the strongest of the three signals ("for your next step: ...", "close to your question
on ...", "you said you need ...").
"""

from __future__ import annotations

import threading
from dataclasses import dataclass

import numpy as np

from assistant.knowledge.catalog import Catalog
from assistant.pathways.planner import LEVELS
from assistant.phrases import language_label, phrase

MMR_LAMBDA = 0.7
PLACE_BONUS = 0.05  # measured on the calibration half of the demo cohort (see quality.py, README)


@dataclass
class Recommendation:
    resource_id: str
    title: str
    why: str
    minutes: int
    format: str
    level: str
    language: str  # the language the resource exists in that she gets (hers, or a fallback)
    score: float

    def to_dict(self) -> dict:
        return {
            "resource_id": self.resource_id,
            "title": self.title,
            "why": self.why,
            "minutes": self.minutes,
            "format": self.format,
            "level": self.level,
            "language": self.language,
            "score": round(self.score, 4),
        }


@dataclass
class Context:
    """What she is working on, as texts in her language."""

    needs: str = ""
    step_title: str = ""
    step_text: str = ""
    questions: tuple[str, ...] = ()
    competencies: frozenset[str] = frozenset()  # what she works on: her current step's and her stated needs'


def _unit(rows: np.ndarray) -> np.ndarray:
    norms = np.linalg.norm(rows, axis=-1, keepdims=True)
    return rows / np.maximum(norms, 1e-12)


class Recommender:
    def __init__(self, catalog: Catalog, embedder) -> None:
        self.catalog = catalog
        self.embedder = embedder
        self.ids = list(catalog.resources)
        self.place_bonus = PLACE_BONUS
        # resource -> the competencies of the modules that list it
        self.resource_competencies: dict[str, set[str]] = {rid: set() for rid in self.ids}
        for module in catalog.modules.values():
            for rid in module.get("resources") or []:
                if rid in self.resource_competencies:
                    self.resource_competencies[rid].update(module.get("competencies") or [])
        self._vectors: dict[str, np.ndarray] = {}
        self._lock = threading.Lock()

    def _resource_vectors(self, lang: str) -> np.ndarray:
        with self._lock:
            if lang not in self._vectors:
                texts = [
                    f"{r['titles'][lang]}. {(r.get('description') or {}).get(lang, '')}"
                    for r in (self.catalog.resources[i] for i in self.ids)
                ]
                self._vectors[lang] = _unit(np.asarray(self.embedder.embed_batch(texts), dtype=np.float32))
            return self._vectors[lang]

    def recommend(
        self,
        context: Context,
        lang: str,
        level: str = "beginner",
        exclude: set[str] | frozenset[str] = frozenset(),
        k: int = 5,
        advanced_only: bool = False,
    ) -> tuple[list[Recommendation], str | None]:
        """(up to k recommendations, a note when some are not in her language or none are left)."""
        signals = [("step", context.step_title + ". " + context.step_text if context.step_title else "")]
        signals += [("question", q) for q in context.questions[:3]]
        signals.append(("need", context.needs))
        signals = [(kind, text) for kind, text in signals if text.strip()]
        vectors = self._resource_vectors(lang)
        if signals:
            query = _unit(np.asarray(self.embedder.embed_batch([t for _, t in signals]), dtype=np.float32))
            per_signal = vectors @ query.T  # resources x signals
            relevance = per_signal.mean(axis=1)
        else:
            per_signal = np.zeros((len(self.ids), 0), dtype=np.float32)
            relevance = np.zeros(len(self.ids), dtype=np.float32)
        if context.competencies:
            on_track = np.array([bool(self.resource_competencies[rid] & context.competencies) for rid in self.ids])
            relevance = relevance + self.place_bonus * on_track
        mine = LEVELS.get(level, 0)
        eligible, fallback = [], []
        for n, rid in enumerate(self.ids):
            resource = self.catalog.resources[rid]
            if rid in exclude:
                continue
            rank = LEVELS.get(resource.get("level"), 0)
            if advanced_only and rank < LEVELS["advanced"]:
                continue
            if not advanced_only and rank > mine + 1:
                continue
            (eligible if lang in (resource.get("languages") or [lang]) else fallback).append(n)
        note = None
        chosen = self._mmr(eligible, relevance, vectors, k)
        if len(chosen) < k and fallback:  # hers first; others only to fill what is left
            note = phrase("resources_other_language", lang)
            chosen += self._mmr(fallback, relevance, vectors, k - len(chosen))
        out = []
        for n in chosen:
            rid = self.ids[n]
            resource = self.catalog.resources[rid]
            languages = resource.get("languages") or [lang]
            out.append(
                Recommendation(
                    resource_id=rid,
                    title=resource["titles"][lang],
                    why=self._why(n, signals, per_signal, context, lang, languages),
                    minutes=int(resource.get("minutes") or 0),
                    format=resource.get("format", ""),
                    level=resource.get("level", ""),
                    language=lang if lang in languages else languages[0],
                    score=float(relevance[n]),
                )
            )
        return out, note

    @staticmethod
    def _mmr(candidates: list[int], relevance: np.ndarray, vectors: np.ndarray, k: int) -> list[int]:
        chosen: list[int] = []
        left = list(candidates)
        while left and len(chosen) < k:
            similarity = (vectors[left] @ vectors[chosen].T).max(axis=1) if chosen else np.zeros(len(left))
            value = MMR_LAMBDA * relevance[left] - (1 - MMR_LAMBDA) * similarity
            best = int(np.argmax(value))
            chosen.append(left.pop(best))
        return chosen

    def _why(self, n: int, signals, per_signal, context: Context, lang: str, languages: list[str]) -> str:
        if signals:
            kind, text = signals[int(np.argmax(per_signal[n]))]
            if kind == "step":
                why = phrase("rec_why_step", lang, step=context.step_title)
            elif kind == "question":
                question = text
                why = phrase("rec_why_question", lang, question=question[:60] + ("…" if len(question) > 60 else ""))
            else:
                why = phrase("rec_why_need", lang)
        else:
            why = phrase("rec_why_general", lang)
        if lang not in languages:
            why += " " + phrase("rec_in_language", lang, language=language_label(languages[0], lang))
        return why
