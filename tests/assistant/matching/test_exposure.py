"""Exposure control: a very attractive woman is not shown to everybody."""

from __future__ import annotations

from dataclasses import replace

import pytest

from assistant.embeddings import HashEmbedder
from assistant.matching.matcher import Matcher
from tests.assistant.matching.conftest import parse, person

NEEDS = ["bookkeeping", "branding", "negotiation", "agroecology"]


@pytest.fixture
def pool():
    """`star` offers all four skills everybody needs and needs what everybody offers; the others can only
    help each other a little (one need in five), and have room for five pairings each."""
    star = person("star", offers=NEEDS, needs=["tailoring-fashion"], capacity=1, country="canada")
    others = [
        person(
            f"w{i:02d}",
            offers=["tailoring-fashion"],
            needs=[*NEEDS, "tailoring-fashion"],
            country="senegal",
            capacity=5,
        )
        for i in range(10)
    ]
    return parse(star, *others)


def shown(suggestions: dict, pid: str) -> int:
    return sum(pid in {s.id for s in chosen} for chosen in suggestions.values())


def test_without_exposure_control_she_is_everybodys_first_choice(taxonomy, pool):
    """The control: with no real limit she tops every list, so the limit below is what keeps her out."""
    unlimited = Matcher(taxonomy, HashEmbedder(), exposure_factor=1000).suggest_all(pool, k=3)
    others = [p.id for p in pool if p.id != "star"]
    assert all(unlimited[pid][0].id == "star" for pid in others)


@pytest.mark.parametrize("factor", [1, 2, 3])
def test_suggest_all_shows_her_to_at_most_capacity_times_factor(taxonomy, pool, factor):
    suggestions = Matcher(taxonomy, HashEmbedder(), exposure_factor=factor).suggest_all(pool, k=3)
    assert shown(suggestions, "star") <= 1 * factor
    assert shown(suggestions, "star") >= 1  # still shown to some
    for profile in pool:  # the same limit for everybody
        assert shown(suggestions, profile.id) <= profile.capacity * factor
    for pid, chosen in suggestions.items():
        assert len({s.id for s in chosen}) == len(chosen)
        assert pid not in {s.id for s in chosen}
        if pid != "star":
            assert len(chosen) == 3  # the others still get full lists from each other


def test_capacity_raises_her_exposure_limit(taxonomy, pool):
    roomy = [replace(p, capacity=2) if p.id == "star" else p for p in pool]
    suggestions = Matcher(taxonomy, HashEmbedder(), exposure_factor=2).suggest_all(roomy, k=3)
    assert 2 < shown(suggestions, "star") <= 4


def test_suggest_leaves_out_someone_already_shown_enough(matcher, pool):
    assert matcher.suggest(pool, "w00", k=3)[0].id == "star"
    limit = 1 * matcher.exposure_factor
    assert "star" in {s.id for s in matcher.suggest(pool, "w00", k=3, exposure={"star": limit - 1})}
    assert "star" not in {s.id for s in matcher.suggest(pool, "w00", k=3, exposure={"star": limit})}
    assert "star" not in {s.id for s in matcher.suggest(pool, "w00", k=3, exposure={"star": 10_000})}


def test_taken_capacity_and_skip_leave_her_out(matcher, pool):
    assert "star" not in {s.id for s in matcher.suggest(pool, "w00", k=3, taken={"star": 1})}
    assert "star" not in {s.id for s in matcher.suggest(pool, "w00", k=3, skip={"star"})}
    assert matcher.suggest(pool, "star", k=3, taken={"star": 1}) == []


def test_scarce_exposure_is_spread_so_everyone_gets_one_before_anyone_gets_two(taxonomy):
    """Two women in Senegal need bookkeeping and offer tailoring, two in Canada the reverse; each can be shown
    to one person. Taking lists whole, the first to choose would hold both Canadians and the other none."""
    south = [person(f"s{i}", offers=["tailoring-fashion"], needs=["bookkeeping"], country="senegal") for i in (1, 2)]
    north = [person(f"n{i}", offers=["bookkeeping"], needs=["tailoring-fashion"]) for i in (1, 2)]
    suggestions = Matcher(taxonomy, HashEmbedder(), exposure_factor=1).suggest_all(parse(*south, *north), k=3)
    assert {pid: len(chosen) for pid, chosen in suggestions.items()} == {"s1": 1, "s2": 1, "n1": 1, "n2": 1}
    assert {s.id for pid in ("s1", "s2") for s in suggestions[pid]} == {"n1", "n2"}
