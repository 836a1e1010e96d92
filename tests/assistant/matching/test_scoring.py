"""Scores: reciprocity (the harmonic mean), category partial credit, free hours across time zones, and the
diaspora bonus."""

from __future__ import annotations

import numpy as np
import pytest

from assistant.embeddings import HashEmbedder
from assistant.matching.scoring import CATEGORY_CREDIT, DIASPORA_BONUS, SKILL_WEIGHT, Scorer
from tests.assistant.matching.conftest import parse, person


@pytest.fixture
def scorer(taxonomy) -> Scorer:
    return Scorer(taxonomy, HashEmbedder())


def first_row(scorer: Scorer, profiles):
    """The scores of the first profile against the whole pool."""
    return scorer.block(scorer.features(profiles), np.array([0]))


def test_one_sided_pairs_score_below_moderate_two_way_pairs(scorer):
    # B meets all of A's needs, A meets none of B's (different categories, no text).
    one_sided = parse(
        person("a", offers=["agroecology"], needs=["bookkeeping", "pricing-costing"]),
        person("b", offers=["bookkeeping", "pricing-costing"], needs=["branding"], country="benin"),
    )
    # C and D each meet a third of the other's needs.
    moderate = parse(
        person("c", offers=["agroecology"], needs=["bookkeeping", "branding", "negotiation"]),
        person("d", offers=["bookkeeping"], needs=["agroecology", "e-commerce", "tax-compliance"], country="benin"),
    )
    lopsided = first_row(scorer, one_sided)
    balanced = first_row(scorer, moderate)
    # the one-sided pair has more fit in total ...
    assert lopsided.fit_out[0, 1] + lopsided.fit_in[0, 1] > balanced.fit_out[0, 1] + balanced.fit_in[0, 1]
    assert lopsided.fit_out[0, 1] == pytest.approx(0.0)
    assert lopsided.fit_in[0, 1] == pytest.approx(SKILL_WEIGHT)
    # ... and still scores lower, and is not even a feasible pair
    assert lopsided.score[0, 1] < balanced.score[0, 1]
    assert not lopsided.feasible[0, 1]
    assert balanced.feasible[0, 1]


def test_the_score_is_symmetric(scorer):
    profiles = parse(
        person("c", offers=["agroecology"], needs=["bookkeeping", "branding"], sector="farming", stage="early"),
        person("d", offers=["bookkeeping"], needs=["agroecology"], country="benin", sector="accounting"),
    )
    f = scorer.features(profiles)
    both = scorer.block(f, np.array([0, 1]))
    assert both.score[0, 1] == pytest.approx(both.score[1, 0])
    assert both.fit_out[0, 1] == pytest.approx(both.fit_in[1, 0])


def test_fit_gives_partial_credit_within_a_category(scorer):
    profiles = parse(
        person("needs-books", offers=["branding"], needs=["bookkeeping"]),
        person("same-id", offers=["bookkeeping"], needs=["branding"]),
        person("same-category", offers=["cash-flow-management"], needs=["branding"]),  # finance too
        person("other-category", offers=["agroecology"], needs=["branding"]),
    )
    f = scorer.features(profiles)
    fit = Scorer.fit(f, np.array([1, 2, 3]), np.array([0]))[:, 0]
    exact, partial, none = (float(x) for x in fit)
    assert 0 < partial < exact
    assert none == pytest.approx(0.0)
    # by the documented formula (no free text, so the text part is 0)
    assert exact == pytest.approx(SKILL_WEIGHT)
    assert partial == pytest.approx(SKILL_WEIGHT * CATEGORY_CREDIT)


def test_fit_is_the_share_of_needs_met(scorer):
    profiles = parse(
        person("needy", offers=["branding"], needs=["bookkeeping", "agroecology"]),
        person("half", offers=["bookkeeping"], needs=["branding"]),
    )
    f = scorer.features(profiles)
    assert float(Scorer.fit(f, np.array([1]), np.array([0]))[0, 0]) == pytest.approx(SKILL_WEIGHT / 2)


# -- hours ------------------------------------------------------------------------------------------------------


def _at(pid, zone, day, start, end):
    return person(
        pid, ["bookkeeping"], ["branding"], timezone=zone, availability=[{"day": day, "from": start, "to": end}]
    )


def test_free_hours_overlap_across_time_zones():
    toronto, dakar, manila = parse(
        _at("toronto", "America/Toronto", "tue", "12:00", "14:00"),  # 17:00-19:00 UTC in winter
        _at("dakar", "Africa/Dakar", "tue", "16:00", "18:00"),  # 16:00-18:00 UTC
        _at("manila", "Asia/Manila", "tue", "12:00", "14:00"),  # 04:00-06:00 UTC
    )
    t, d, m = toronto.week_hours(), dakar.week_hours(), manila.week_hours()
    assert t.sum() == d.sum() == m.sum() == 2
    assert float(t @ d) == 1.0  # 17:00-18:00 UTC
    assert float(t @ m) == 0.0
    tuesday = 24
    assert np.flatnonzero(t).tolist() == [tuesday + 17, tuesday + 18]
    assert np.flatnonzero(d).tolist() == [tuesday + 16, tuesday + 17]
    assert np.flatnonzero(m).tolist() == [tuesday + 4, tuesday + 5]


def test_free_hours_wrap_around_the_week():
    # Monday 06:00 in Manila is Sunday 22:00 UTC, the same moment as Sunday 17:00 in Toronto.
    toronto, manila = parse(
        _at("toronto", "America/Toronto", "sun", "17:00", "19:00"),
        _at("manila", "Asia/Manila", "mon", "06:00", "08:00"),
    )
    assert float(toronto.week_hours() @ manila.week_hours()) == 2.0


def test_no_availability_means_unknown_not_zero():
    (profile,) = parse(person("a", ["bookkeeping"], ["branding"]))
    assert profile.week_hours() is None


def test_shared_hours_raise_the_score(scorer):
    profiles = parse(
        _at("toronto", "America/Toronto", "tue", "12:00", "14:00"),
        {**_at("dakar", "Africa/Dakar", "tue", "16:00", "18:00"), "offers": ["branding"], "needs": ["bookkeeping"]},
        {**_at("manila", "Asia/Manila", "tue", "12:00", "14:00"), "offers": ["branding"], "needs": ["bookkeeping"]},
    )
    block = first_row(scorer, profiles)
    assert block.compat[0, 1] > block.compat[0, 2]
    assert block.score[0, 1] > block.score[0, 2]


# -- diaspora ---------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["canadian", "senegalese"])
def test_diaspora_roots_raise_the_score(scorer, who):
    canadian = person("ca", ["bookkeeping"], ["branding"], country="canada")
    senegalese = person("sn", ["branding"], ["bookkeeping"], country="senegal")
    plain = parse(canadian, senegalese)
    if who == "canadian":
        rooted = parse({**canadian, "diaspora_origin": "Sénégal"}, senegalese)
    else:  # a Senegalese woman with Canadian roots (the bonus works both ways)
        rooted = parse(canadian, {**senegalese, "diaspora_origin": "canada"})
    without = first_row(scorer, plain).score[0, 1]
    with_roots = first_row(scorer, rooted).score[0, 1]
    assert with_roots > without
    assert with_roots - without == pytest.approx(DIASPORA_BONUS, abs=1e-6)


def test_roots_elsewhere_give_no_bonus(scorer):
    canadian = person("ca", ["bookkeeping"], ["branding"], country="canada")
    senegalese = person("sn", ["branding"], ["bookkeeping"], country="senegal")
    plain = first_row(scorer, parse(canadian, senegalese)).score[0, 1]
    elsewhere = parse({**canadian, "diaspora_origin": "bolivia"}, senegalese)
    assert first_row(scorer, elsewhere).score[0, 1] == pytest.approx(plain)
