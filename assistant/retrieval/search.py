"""Hybrid search: BM25 per language plus FAISS dense vectors, fused with language-aware weights.

For a query: detect its language (or take the one given), retrieve candidates from every language's BM25
index (each analysed with that language's stemmer) and from FAISS, give every candidate both scores
(the dense one exactly, from the stored vectors), fuse them with the weight measured for this model and
language, and multiply chunks in other languages by a penalty (measured per model too), so the query's
language is preferred and other languages are the fallback when it has no good hit. A chunk of a guide about
one country weighs less when the question asks about another one, or names that country only as context
(assistant/retrieval/places.py).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from itertools import pairwise

import faiss
import numpy as np
from rapidfuzz import process
from rapidfuzz.distance import Levenshtein

from assistant.config import SUPPORTED_LANGUAGES, Settings
from assistant.embeddings import Embedder, embed_queries
from assistant.errors import InputError
from assistant.knowledge.chunking import Chunk
from assistant.knowledge.questions import best_per_chunk
from assistant.languages import detect_language
from assistant.retrieval.fusion import cross_language_penalty, dense_weight, fuse, language_centred
from assistant.retrieval.index import IndexData
from assistant.retrieval.places import Places, guide_place, place_factor
from assistant.retrieval.variants import KINDS, is_frame, is_possessive, variant_terms
from assistant.text import analyze, fold_accents, tokenize

MAX_QUERY_CHARS = 2000
MODES = ("hybrid", "bm25", "dense")
CANDIDATES = 50
# Typo tolerance: a query term the index has never seen is replaced by the closest indexed term within
# this many edits ("borow" -> "borrow", "philipines" -> "philippines"). Short terms are left alone: at
# four letters one edit reaches too many unrelated words.
TYPO_MIN_LENGTH = 5


def max_edits(term: str) -> int:
    return 1 if len(term) < 8 else 2


@dataclass(slots=True)
class SearchHit:
    rank: int
    chunk: Chunk
    score: float
    bm25: float  # raw BM25 score in the chunk's language index
    dense: float  # cosine similarity
    asked: float | None = None  # cosine of the closest question the section answers; None: it lists none

    def to_dict(self) -> dict:
        return {
            "rank": self.rank,
            "chunk_id": self.chunk.chunk_id,
            "doc_id": self.chunk.doc_id,
            "title": self.chunk.title,
            "language": self.chunk.lang,
            "score": round(self.score, 4),
            "text": self.chunk.text,
        }


@dataclass(slots=True)
class SearchResponse:
    query: str
    language: str
    hits: list[SearchHit]

    def to_dict(self) -> dict:
        return {"query": self.query, "language": self.language, "results": [h.to_dict() for h in self.hits]}


class Retriever:
    """Searches one loaded index. Cheap to call; the index and model are loaded once by the caller."""

    def __init__(
        self,
        index: IndexData,
        embedder: Embedder,
        settings: Settings,
        encode_query: Callable[[str], np.ndarray] | None = None,
    ) -> None:
        self.index = index
        self.embedder = embedder
        self.settings = settings
        # One query's vector; the runtime passes a micro-batcher here under concurrent load.
        self.encode_query = encode_query or (lambda text: embed_queries(embedder, [text])[0])
        self._corrections: dict[tuple[str, str], str] = {}
        self._vocabularies: dict[str, list[str]] = {}
        self._unaccented: dict[str, dict[str, str]] = {}
        self._rows: dict[str, np.ndarray] | None = None
        self._places: dict[str, str | None] = {}
        # One query at a time: FAISS's OpenMP pool costs far more than it saves (15 ms against 0.3 ms
        # for 10,000 vectors on two busy cores), and it fights torch for the same cores.
        faiss.omp_set_num_threads(1)

    def search(
        self,
        query: str,
        k: int = 5,
        lang: str | None = None,
        *,
        query_vector: np.ndarray | None = None,
        mode: str = "hybrid",
        dense_weight_override: float | None = None,
        places: Places | None = None,
    ) -> SearchResponse:
        """Top-`k` chunks. `mode` is 'hybrid', 'bm25' or 'dense' (the last two for evaluation). `places`: the places
        the message asks about and names only as context (default: those the query names, all asked); a chunk
        of a guide about another place weighs less (assistant/retrieval/places.py)."""
        query = validate_query(query)
        if mode not in MODES:
            raise InputError(f"unknown retrieval mode {mode!r}: use one of {', '.join(MODES)}")
        if lang is not None and lang not in SUPPORTED_LANGUAGES:
            raise InputError(f"unknown language {lang!r}: use one of {', '.join(SUPPORTED_LANGUAGES)}")
        if k < 1:
            raise InputError("k must be at least 1")
        language = lang or detect_language(query).language
        if not self.index.chunks:
            return SearchResponse(query, language, [])
        weight = {"bm25": 0.0, "dense": 1.0}.get(mode)
        if weight is None:
            override = dense_weight_override if dense_weight_override is not None else self.settings.dense_weight
            weight = dense_weight(self.index.model, language, override)
        n = min(max(CANDIDATES, k * 4), len(self.index.chunks))
        lexical = self._bm25(query, n) if weight < 1.0 else {}
        if weight > 0.0 or (mode == "bm25" and lexical):
            # BM25 alone still reports each hit's cosine (ranking ignores it), so the evidence measure that
            # decides abstention reads the same signals in every mode.
            vector = query_vector if query_vector is not None else self.encode_query(query)
            semantic, ranked, asked = self._semantic(vector, lexical, n, weight, language)
        else:
            semantic = ranked = dict.fromkeys(lexical, 0.0)
            asked = {}
        bm25_max = max(lexical.values(), default=0.0)
        dense_max = max((max(v, 0.0) for v in ranked.values()), default=0.0)
        scored = []
        penalty = cross_language_penalty(self.index.model, self.settings.cross_language_penalty)
        places = places if places is not None else Places.of(query)
        for i in semantic:
            score = fuse(lexical.get(i, 0.0), bm25_max, ranked[i], dense_max, weight)
            if self.index.chunks[i].lang != language:
                score *= penalty
            score *= place_factor(self._place(self.index.chunks[i]), places)
            scored.append((score, i))
        scored.sort(key=lambda item: (-item[0], item[1]))
        hits = [
            SearchHit(rank, self.index.chunks[i], score, lexical.get(i, 0.0), semantic[i], asked.get(i))
            for rank, (score, i) in enumerate(scored[:k], start=1)
        ]
        return SearchResponse(query, language, hits)

    def _semantic(self, vector: np.ndarray, lexical: dict, n: int, weight: float, language: str):
        """(cosine of every candidate, the dense score the ranking fuses, the cosine of each candidate's closest
        question). A section is as close as the closer of its passage and the questions it answers
        (assistant/knowledge/questions.py): her everyday words sit nearer a question than the guide's prose.
        Where the model is measured to favour its query's language (multilingual-e5-small: a Spanish question
        sits closer to any Spanish text than to the French guide that answers it), each language's cosines are
        centred (the query's mean cosine to that language's chunks, or to their questions, subtracted) before
        candidates are chosen and fused, so a guide in another language competes on what it says, and the
        fused dense score is how much closer than an average chunk a chunk is: e5's cosines crowd between 0.7
        and 1.0, and divided by the best one they would all look alike. A question is measured against the
        other questions, a passage against the other passages: two questions always sit closer together."""
        asked = self._asked(vector)
        if not language_centred(self.index.model):  # FAISS chooses (an HNSW index is never scanned whole)
            candidates = set(lexical) | (set(self._dense(vector, n)) if weight > 0.0 else set())
            if asked is not None and weight > 0.0:
                candidates |= set(_top(asked, n))
            ids = np.fromiter(candidates, dtype=np.int64)
            semantic = dict(zip(ids.tolist(), (self.index.vectors[ids] @ vector).tolist(), strict=True))
            closest = {} if asked is None else {i: float(asked[i]) for i in semantic if asked[i] > -1.0}
            return semantic, {i: max(v, closest.get(i, v)) for i, v in semantic.items()}, closest
        sims = self.index.vectors @ vector
        centred = sims.copy()
        for members in self._language_rows().values():
            centred[members] -= float(sims[members].mean())
            listed = members[asked[members] > -1.0] if asked is not None else members[:0]
            if len(listed):
                centred[listed] = np.maximum(centred[listed], asked[listed] - float(asked[listed].mean()))
        ids = sorted(set(lexical) | (set(_top(centred, n)) if weight > 0.0 else set()))
        closest = {} if asked is None else {i: float(asked[i]) for i in ids if asked[i] > -1.0}
        return {i: float(sims[i]) for i in ids}, {i: float(centred[i]) for i in ids}, closest

    def _asked(self, vector: np.ndarray) -> np.ndarray | None:
        """Each chunk's closest question (cosine), -1 where it lists none; None for an index without questions."""
        index = self.index
        if index.question_vectors is None or not len(index.question_texts):
            return None
        return best_per_chunk(index.question_vectors @ vector, index.question_rows, len(index.chunks))

    def _place(self, chunk: Chunk) -> str | None:
        """The one place the chunk's guide is about, if any."""
        if chunk.doc_key not in self._places:
            self._places[chunk.doc_key] = guide_place(self.index.documents.get(chunk.doc_key, {}).get("metadata"))
        return self._places[chunk.doc_key]

    def _language_rows(self) -> dict[str, np.ndarray]:
        if self._rows is None:
            langs = np.array([c.lang for c in self.index.chunks])
            self._rows = {lang: np.flatnonzero(langs == lang) for lang in sorted(set(langs.tolist()))}
        return self._rows

    def _bm25(self, query: str, n: int) -> dict[int, float]:
        out: dict[int, float] = {}
        for lang, (retriever, rows) in self.index.bm25.items():
            vocab = retriever.vocab_dict
            terms = [t for t in self.query_terms(query, lang) if t in vocab]
            if not terms:
                continue
            # get_scores is a plain vectorised pass; retrieve() would start a thread pool on every call.
            scores = retriever.get_scores(terms)
            top = np.argpartition(-scores, min(n, len(scores)) - 1)[:n]
            for doc in top[scores[top] > 0].tolist():
                out[int(rows[doc])] = float(scores[doc])
        return out

    def query_terms(self, query: str, lang: str, kinds: str = "beside") -> list[str]:
        """The query's analysed terms in `lang`, each unseen term first read as the guides' word written without
        its accents ("despues" is "después", whose stem differs), then as the guides' word for the same thing
        ("plata" is "dinero": assistant/retrieval/variants.py), else corrected to its closest indexed term. A
        platform whose kind the guides name (`KINDS`: "instagram" is social media) gets its kind's terms beside it
        (`kinds="beside"`, for search and passage choice) or instead of it (`"instead"`, for the evidence: a
        guide that names Instagram once in an example does not answer more than one about social media)."""
        if lang not in self.index.bm25:
            return analyze(query, lang)
        vocab = self.index.bm25[lang][0].vocab_dict
        out: list[str] = []
        for word in tokenize(query):
            for term in analyze(word, lang):
                if term not in vocab:
                    term = self._accented(lang).get(fold_accents(word), term)
                kind = variant_terms(word, lang, vocab) if word.lower() in KINDS else None
                if kind and kinds == "instead":  # "instagram" read as the "social media" the guides speak of
                    out.extend(kind)
                    continue
                if term in vocab:
                    out.append(term)
                    out.extend(kind or [])  # "instagram", and "social media" beside it
                    continue
                variant = variant_terms(word, lang, vocab)
                out.extend(variant if variant else [self._correct(term, lang)])
        return out

    def asked_terms(self, query: str, lang: str) -> list[str]:
        """What the evidence measures: `query_terms` without the words that only frame a question ("que hago",
        "any tips") and without her own things no guide names ("my kakanin", "mis salteñas": a word after a
        possessive that no guide uses in any language, nor has a variant there), unless nothing else is left.
        Search keeps them all (a guide's "Comment fixer..." heading)."""
        terms = self.query_terms(query, lang, kinds="instead")
        vocab = self.index.bm25[lang][0].vocab_dict if lang in self.index.bm25 else {}
        words = tokenize(query)
        own = {
            word
            for before, word in pairwise(words)
            if is_possessive(before, lang) and not self.knows(word) and variant_terms(word, lang, vocab) is None
        }
        if own:
            terms = [t for w in words if w not in own for t in self.query_terms(w, lang, kinds="instead")]
        return [t for t in terms if not is_frame(t, lang)] or self.query_terms(query, lang, kinds="instead")

    def knows(self, word: str) -> bool:
        """Whether the guides of some language use `word` (as written, or without its accents), no typo allowed."""
        for lang, (retriever, _) in self.index.bm25.items():
            stems = analyze(word, lang)
            vocab = retriever.vocab_dict
            if stems and all(
                t in vocab or self._accented(lang).get(fold_accents(word.lower())) in vocab for t in stems
            ):
                return True
        return False

    def _accented(self, lang: str) -> dict[str, str]:
        """The guides' words in `lang` with an accent, by their accent-free spelling -> their indexed stem."""
        if lang not in self._unaccented:
            table: dict[str, str] = {}
            for chunk in self.index.chunks:
                if chunk.lang != lang:
                    continue
                for word in tokenize(chunk.text):
                    folded = fold_accents(word)
                    if folded != word and folded not in table:
                        stems = analyze(word, lang)
                        if len(stems) == 1:
                            table[folded] = stems[0]
            self._unaccented[lang] = table
        return self._unaccented[lang]

    def _correct(self, term: str, lang: str) -> str:
        if len(term) < TYPO_MIN_LENGTH or term.isdigit():
            return term
        key = (lang, term)
        if key not in self._corrections:
            choices = self._vocabulary(lang)
            found = process.extractOne(term, choices, scorer=Levenshtein.distance, score_cutoff=max_edits(term))
            # Ties go to the more frequent term (the choices are sorted by document frequency).
            if len(self._corrections) > 50_000:
                self._corrections.clear()  # bounded: queries are open-ended
            self._corrections[key] = found[0] if found else term
        return self._corrections[key]

    def _vocabulary(self, lang: str) -> list[str]:
        if lang not in self._vocabularies:
            idf = self.index.idf(lang)
            words = [t for t in idf if t != "\x00unseen" and len(t) >= TYPO_MIN_LENGTH - 1 and not t.isdigit()]
            self._vocabularies[lang] = sorted(words, key=lambda t: (idf[t], t))
        return self._vocabularies[lang]

    def term_weights(self, lang: str, terms: list[str]) -> list[float]:
        """BM25 IDF of each analysed term in `lang`'s index; a term the corpus never uses weighs the most."""
        table = self.index.idf(lang)
        unseen = table.get("\x00unseen", 1.0)
        return [table.get(t, unseen) for t in terms]

    def _dense(self, vector: np.ndarray, n: int) -> list[int]:
        _, ids = self.index.dense.search(vector.reshape(1, -1).astype(np.float32), n)
        return [int(i) for i in ids[0] if i >= 0]


def _top(scores: np.ndarray, n: int) -> list[int]:
    """The rows of the `n` highest scores, in no order."""
    n = min(n, len(scores))
    return np.argpartition(-scores, n - 1)[:n].tolist() if n else []


def validate_query(query: str) -> str:
    if query is None or not str(query).strip():
        raise InputError("the query is empty: type a question or some keywords")
    query = " ".join(str(query).split())
    return query[:MAX_QUERY_CHARS]
