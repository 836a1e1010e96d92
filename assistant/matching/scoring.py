"""Scores: how well one woman's offers meet another's needs (a direction), and how good a pairing is for
both (the reciprocal score).

    fit(A→B)   = 0.7 · skill cover + 0.3 · text similarity        (0..1)
                 skill cover: the share of B's needed skills that A offers (an offer in the same category
                 counts 0.3), through the multilingual taxonomy; text similarity: embedding cosine of A's
                 offers text and B's needs text, rescaled between the cosines measured for the embedding
                 model (assistant/embeddings/thresholds.json): a Spanish need and a French offer meet
                 through it when the model is multilingual. Without skill ids, the text alone.
    reciprocal = 2·fit(A→B)·fit(B→A) / (fit(A→B) + fit(B→A))     (harmonic mean: one-sided pairs score ~0)
    score      = 0.8 · reciprocal + 0.2 · compatibility + 0.05 if one was born in the other's country
    compatibility = 0.25 goals + 0.2 business stage + 0.2 sector + 0.35 hours free at the same time

Hard constraints (a pair that breaks one is never proposed): a shared working language, both consented,
kinds that go together (person-person, organisation-organisation, expert-mission), not the same
organisation unless allowed, a direction the run allows, not rejected by staff or declined before,
in-person-only people in the same country, and some fit both ways.

Everything works on blocks of rows against the whole pool with NumPy, so 10,000 people score in seconds.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

import numpy as np

from assistant.config import SUPPORTED_LANGUAGES
from assistant.matching.directions import DIRECTIONS
from assistant.matching.profiles import KINDS, STAGES, Profile
from assistant.matching.similarity import Scales, rescale
from assistant.matching.taxonomy import Taxonomy

KIND_PARTNERS = {
    "person": ("person",),
    "organisation": ("organisation",),
    "expert": ("mission",),
    "mission": ("expert",),
}

SKILL_WEIGHT, TEXT_WEIGHT, CATEGORY_CREDIT = 0.7, 0.3, 0.3
RECIPROCAL_WEIGHT, COMPAT_WEIGHT, DIASPORA_BONUS = 0.8, 0.2, 0.05
COMPAT_WEIGHTS = {"goals": 0.25, "stage": 0.2, "sector": 0.2, "hours": 0.35}
MIN_FIT = 0.05  # below this in either direction there is nothing to exchange
GOOD_HOURS = 2.0  # hours a week free at the same time that count as enough
BLOCK = 512  # rows scored against the whole pool at a time (a block is BLOCK x n floats per array)


def row_blocks(n: int) -> Iterator[np.ndarray]:
    """The row indices 0..n-1 in consecutive blocks of at most `BLOCK`."""
    for start in range(0, n, BLOCK):
        yield np.arange(start, min(start + BLOCK, n))


@dataclass
class Features:
    """The pool as arrays, row i = profiles[i]."""

    profiles: list[Profile]
    offers: np.ndarray  # n x skills, 0/1
    needs: np.ndarray
    need_count: np.ndarray
    offer_categories: np.ndarray  # n x categories, 0/1
    need_categories: np.ndarray  # n x categories, counts
    offers_vec: np.ndarray  # n x d, unit rows (zero when no text)
    needs_vec: np.ndarray
    goals_vec: np.ndarray
    sector_vec: np.ndarray
    languages: np.ndarray  # n x languages, 0/1
    hours: np.ndarray  # n x 168, 0/1
    has_hours: np.ndarray
    stage: np.ndarray  # float, nan when unknown
    kind: np.ndarray
    country: np.ndarray  # int codes
    north: np.ndarray
    organisation: np.ndarray  # int codes, -1 none
    diaspora: np.ndarray  # country codes, -1 none
    in_person_only: np.ndarray
    consent: np.ndarray
    capacity: np.ndarray
    main_need: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))  # skill column, -1 none
    ids: list[str] = field(default_factory=list)
    index: dict[str, int] = field(default_factory=dict)
    country_names: list[str] = field(default_factory=list)
    scales: Scales = field(default_factory=Scales)

    def __len__(self) -> int:
        return len(self.profiles)

    def offers_main_need(self, rows: np.ndarray) -> np.ndarray:
        """rows x n, True where the column offers the row's main need (her first stated need)."""
        rows = np.asarray(rows)
        main = self.main_need[rows]
        out = self.offers[:, np.maximum(main, 0)].T > 0
        out[main < 0] = False
        return out

    def pair_indices(self, pairs: Iterable[tuple[str, str]] | None) -> set[tuple[int, int]]:
        """Pairs of profile ids as pairs of rows; pairs with someone not in the pool are left out."""
        out = set()
        for a, b in pairs or ():
            if a in self.index and b in self.index:
                out.add((self.index[a], self.index[b]))
        return out


@dataclass
class Block:
    """Scores of some rows against the whole pool (rows x n)."""

    rows: np.ndarray
    fit_out: np.ndarray  # fit(row -> col): how her offers meet their needs
    fit_in: np.ndarray  # fit(col -> row): how their offers meet her needs
    compat: np.ndarray
    score: np.ndarray
    feasible: np.ndarray  # bool


class Scorer:
    def __init__(self, taxonomy: Taxonomy, embedder) -> None:
        self.taxonomy = taxonomy
        self.embedder = embedder
        self._vectors: dict[str, np.ndarray] = {}

    # -- features -------------------------------------------------------------------------------------

    def embed(self, texts: list[str]) -> np.ndarray:
        """Unit vectors of texts, each distinct text embedded once per scorer; empty text -> zeros."""
        missing = sorted({t for t in texts if t and t not in self._vectors})
        for start in range(0, len(missing), 256):
            batch = missing[start : start + 256]
            for text, vector in zip(batch, self.embedder.embed_batch(batch), strict=True):
                self._vectors[text] = np.asarray(vector, dtype=np.float32)
        dimension = self.embedder.dimension
        out = np.zeros((len(texts), dimension), dtype=np.float32)
        for i, text in enumerate(texts):
            if text:
                out[i] = self._vectors[text]
        return out

    def features(self, profiles: list[Profile]) -> Features:
        tax = self.taxonomy
        n, s, c = len(profiles), len(tax.ids), len(tax.categories)
        offers = np.zeros((n, s), dtype=np.float32)
        needs = np.zeros((n, s), dtype=np.float32)
        offer_categories = np.zeros((n, c), dtype=np.float32)
        need_categories = np.zeros((n, c), dtype=np.float32)
        for i, p in enumerate(profiles):
            for sid in p.offers:
                offers[i, tax.index[sid]] = 1
                offer_categories[i, tax.category_index[tax.category(sid)]] = 1
            for sid in p.needs:
                needs[i, tax.index[sid]] = 1
                need_categories[i, tax.category_index[tax.category(sid)]] += 1
        languages = _language_matrix(profiles)
        hours, has_hours = _week_hours(profiles)
        countries: dict[str, int] = {}
        organisations: dict[str, int] = {}

        def code(table: dict[str, int], value: str | None) -> int:
            return -1 if not value else table.setdefault(value, len(table))

        country = np.array([code(countries, p.country or "?") for p in profiles], dtype=np.int32)
        diaspora = np.array(
            [countries.get(p.diaspora_origin, -2) if p.diaspora_origin else -1 for p in profiles], dtype=np.int64
        )
        organisation = np.array(
            [code(organisations, (p.organisation or "").casefold().strip()) for p in profiles], dtype=np.int32
        )
        features = Features(
            profiles=profiles,
            offers=offers,
            needs=needs,
            need_count=needs.sum(axis=1),
            offer_categories=offer_categories,
            need_categories=need_categories,
            offers_vec=self.embed([p.offers_text for p in profiles]),
            needs_vec=self.embed([p.needs_text for p in profiles]),
            goals_vec=self.embed([" ".join(p.goals) for p in profiles]),
            sector_vec=self.embed([p.sector.replace("-", " ") for p in profiles]),
            languages=languages,
            hours=hours,
            has_hours=has_hours,
            stage=np.array([STAGES.get(p.stage, np.nan) if p.stage else np.nan for p in profiles], dtype=np.float32),
            kind=np.array([KINDS.index(p.kind) for p in profiles], dtype=np.int64),
            country=country,
            north=np.array([p.region == "north" for p in profiles], dtype=bool),
            organisation=organisation,
            diaspora=diaspora.astype(np.int32),
            in_person_only=np.array([p.modality == "in_person" for p in profiles], dtype=bool),
            consent=np.array([p.consent for p in profiles], dtype=bool),
            capacity=np.array([p.capacity for p in profiles], dtype=np.int32),
        )
        features.main_need = np.array([tax.index[p.needs[0]] if p.needs else -1 for p in profiles], dtype=np.int64)
        features.ids = [p.id for p in profiles]
        features.index = {pid: i for i, pid in enumerate(features.ids)}
        features.country_names = sorted(countries, key=countries.get)
        features.scales = Scales.of(self.embedder.name)
        return features

    # -- scores --------------------------------------------------------------------------------------------

    @staticmethod
    def fit(f: Features, giver: np.ndarray | slice, taker: np.ndarray | slice) -> np.ndarray:
        """fit(giver -> taker): how the givers' offers meet the takers' needs (givers x takers)."""
        return _fit(f, _Grid(giver, taker))

    def block(
        self,
        f: Features,
        rows: np.ndarray,
        directions: frozenset[str] = frozenset(DIRECTIONS),
        allow_same_organisation: bool = False,
        forbidden: set[tuple[int, int]] | None = None,
    ) -> Block:
        """The rows against the whole pool (rows x n)."""
        rows = np.asarray(rows)
        return _score(f, _Grid(rows, slice(None)), directions, allow_same_organisation, forbidden)

    def pairs(
        self,
        f: Features,
        a: np.ndarray,
        b: np.ndarray,
        directions: frozenset[str] = frozenset(DIRECTIONS),
        allow_same_organisation: bool = False,
        forbidden: set[tuple[int, int]] | None = None,
    ) -> Block:
        """The same scores for the pairs (a[k], b[k]) only (vectors of len(a)): what a cohort's chosen pairs
        need, without scoring each of their rows against the whole pool."""
        return _score(f, _Zip(np.asarray(a), np.asarray(b)), directions, allow_same_organisation, forbidden)

    @staticmethod
    def feasible(
        f: Features,
        rows: np.ndarray,
        directions: frozenset[str] = frozenset(DIRECTIONS),
        allow_same_organisation: bool = False,
        forbidden: set[tuple[int, int]] | None = None,
    ) -> np.ndarray:
        """The hard constraints, before any fit is looked at (rows x n, bool)."""
        return _feasible(f, _Grid(np.asarray(rows), slice(None)), directions, allow_same_organisation, forbidden)


def _language_matrix(profiles: list[Profile]) -> np.ndarray:
    """n x languages, 1 where she works in the language."""
    languages = np.zeros((len(profiles), len(SUPPORTED_LANGUAGES)), dtype=np.float32)
    for i, p in enumerate(profiles):
        for code in p.languages:
            languages[i, SUPPORTED_LANGUAGES.index(code)] = 1
    return languages


def _week_hours(profiles: list[Profile]) -> tuple[np.ndarray, np.ndarray]:
    """(n x 168 hours of the week she is free, 0/1; whether she gave any availability)."""
    n = len(profiles)
    hours = np.zeros((n, 168), dtype=np.float32)
    has_hours = np.zeros(n, dtype=bool)
    for i, p in enumerate(profiles):
        week = p.week_hours()
        if week is not None:
            hours[i], has_hours[i] = week, True
    return hours, has_hours


# One formula, two layouts: a grid (rows x columns, for blocks against the pool) or zipped pairs (left[k] with
# right[k]). `left(x)` and `right(x)` place a per-person array so the two broadcast together; `dot` is the
# inner product of per-person vectors between the two sides; `swap()` is the other direction, and `back`
# brings its result to this layout.


class _Grid:
    def __init__(self, rows, cols) -> None:
        self.rows, self.cols = rows, cols

    def left(self, x: np.ndarray) -> np.ndarray:
        return x[self.rows][:, None]

    def right(self, x: np.ndarray) -> np.ndarray:
        return x[self.cols][None, :]

    def dot(self, a: np.ndarray, b: np.ndarray) -> np.ndarray:
        return a[self.rows] @ b[self.cols].T

    def swap(self) -> _Grid:
        return _Grid(self.cols, self.rows)

    def back(self, x: np.ndarray) -> np.ndarray:
        return x.T

    def pairs(self, n: int) -> tuple[np.ndarray, np.ndarray]:
        """(left index, right index) per cell, broadcastable."""
        every = np.arange(n)
        return every[self.rows][:, None], every[self.cols][None, :]


class _Zip:
    def __init__(self, left_ids, right_ids) -> None:
        self.rows, self.cols = left_ids, right_ids

    def left(self, x: np.ndarray) -> np.ndarray:
        return x[self.rows]

    def right(self, x: np.ndarray) -> np.ndarray:
        return x[self.cols]

    def dot(self, a: np.ndarray, b: np.ndarray) -> np.ndarray:
        return np.einsum("ij,ij->i", a[self.rows], b[self.cols])

    def swap(self) -> _Zip:
        return _Zip(self.cols, self.rows)

    def back(self, x: np.ndarray) -> np.ndarray:
        return x

    def pairs(self, n: int) -> tuple[np.ndarray, np.ndarray]:
        return self.rows, self.cols


def _fit(f: Features, m) -> np.ndarray:
    """fit(left -> right)."""
    exact = m.dot(f.offers, f.needs)
    in_category = m.dot(f.offer_categories, f.need_categories)
    count = m.right(f.need_count)
    cover = (exact + CATEGORY_CREDIT * (in_category - exact)) / np.maximum(count, 1)
    text = rescale(m.dot(f.offers_vec, f.needs_vec), *f.scales.text)
    return np.where(count > 0, SKILL_WEIGHT * cover + TEXT_WEIGHT * text, text)


def _score(f: Features, m, directions, allow_same_organisation, forbidden) -> Block:
    fit_out = _fit(f, m)
    fit_in = m.back(_fit(f, m.swap()))
    total = fit_out + fit_in
    reciprocal = np.divide(2 * fit_out * fit_in, total, out=np.zeros_like(total), where=total > 0)

    has_goals = np.abs(f.goals_vec).sum(1) > 0
    goals_close = rescale(m.dot(f.goals_vec, f.goals_vec), *f.scales.goals)
    goals = np.where(m.left(has_goals) & m.right(has_goals), goals_close, 0.5)
    stage_gap = np.abs(m.left(f.stage) - m.right(f.stage))
    stage = np.where(np.isnan(stage_gap), 0.5, 1 - np.nan_to_num(stage_gap) / 3)
    has_sector = np.abs(f.sector_vec).sum(1) > 0
    sector = np.where(
        m.left(has_sector) & m.right(has_sector), rescale(m.dot(f.sector_vec, f.sector_vec), *f.scales.sector), 0.5
    )
    overlap = m.dot(f.hours, f.hours)
    hours = np.where(m.left(f.has_hours) & m.right(f.has_hours), np.minimum(overlap / GOOD_HOURS, 1.0), 0.5)
    w = COMPAT_WEIGHTS
    compat = w["goals"] * goals + w["stage"] * stage + w["sector"] * sector + w["hours"] * hours
    diaspora = (m.left(f.diaspora) == m.right(f.country)) | (m.left(f.country) == m.right(f.diaspora))
    score = RECIPROCAL_WEIGHT * reciprocal + COMPAT_WEIGHT * compat + DIASPORA_BONUS * diaspora
    feasible = _feasible(f, m, directions, allow_same_organisation, forbidden)
    feasible &= (fit_out >= MIN_FIT) & (fit_in >= MIN_FIT)
    return Block(np.asarray(m.rows), fit_out, fit_in, compat, score.astype(np.float32), feasible)


def _feasible(f: Features, m, directions, allow_same_organisation, forbidden) -> np.ndarray:
    ok = m.dot(f.languages, f.languages) > 0
    ok &= m.left(f.consent) & m.right(f.consent)
    ok &= (m.left(f.capacity) > 0) & (m.right(f.capacity) > 0)
    ok &= kinds_match(m.left(f.kind), m.right(f.kind))
    if not allow_same_organisation:
        ok &= (m.left(f.organisation) < 0) | (m.left(f.organisation) != m.right(f.organisation))
    same_country = m.left(f.country) == m.right(f.country)
    north_south = m.left(f.north) != m.right(f.north)
    allowed = np.zeros_like(ok)
    if "national" in directions:
        allowed |= same_country
    if "north-south" in directions:
        allowed |= north_south
    if "south-south" in directions:
        allowed |= ~same_country & ~m.left(f.north) & ~m.right(f.north)
    ok &= allowed
    ok &= ~(m.left(f.in_person_only) | m.right(f.in_person_only)) | same_country
    left, right = m.pairs(len(f))
    ok &= left != right
    if forbidden:
        if isinstance(m, _Grid):
            position = {int(r): i for i, r in enumerate(np.atleast_1d(np.arange(len(f))[m.rows]))}
            for a, b in forbidden:
                if a in position:
                    ok[position[a], b] = False
                if b in position:
                    ok[position[b], a] = False
        else:
            banned = {(int(a), int(b)) for a, b in forbidden} | {(int(b), int(a)) for a, b in forbidden}
            ok &= np.array([(int(x), int(y)) not in banned for x, y in zip(left, right, strict=True)], dtype=bool)
    return ok


_KIND_OK = np.zeros((len(KINDS), len(KINDS)), dtype=bool)
for _kind, _partners in KIND_PARTNERS.items():
    for _partner in _partners:
        _KIND_OK[KINDS.index(_kind), KINDS.index(_partner)] = True


def kinds_match(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    return _KIND_OK[a, b]
