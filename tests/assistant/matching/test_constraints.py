"""Hard constraints of `Matcher.cohort` and `Matcher.suggest`: a pair that breaks one is never proposed,
and people left out are told why."""

from __future__ import annotations

import json
from collections import Counter

import pytest

from assistant.embeddings import HashEmbedder
from assistant.matching.matcher import Matcher
from assistant.matching.profiles import load_profiles
from tests.assistant.matching.conftest import DEMO_MISSIONS, demo_rows, pair_ids, parse, person

X, Y = "bookkeeping", "branding"  # two skills in different categories: no partial credit between them


def giver(pid, **extra) -> dict:
    """Offers X, needs Y."""
    return person(pid, [X], [Y], **extra)


def taker(pid, **extra) -> dict:
    """Offers Y, needs X: the perfect partner of a giver."""
    return person(pid, [Y], [X], **extra)


def pair(a: str, b: str) -> frozenset[str]:
    return frozenset((a, b))


def appearances(result) -> Counter:
    return Counter([p.a for p in result.pairs] + [p.b for p in result.pairs])


# -- no shared language ---------------------------------------------------------------------------------------


def test_complementary_women_without_a_shared_language_are_not_paired(matcher):
    profiles = parse(
        giver("fr1", languages=["fr"], country="canada"),
        giver("fr2", languages=["fr"], country="senegal"),
        taker("es1", languages=["es"], country="bolivia"),
        taker("es2", languages=["es"], country="guatemala"),
    )
    result = matcher.cohort(profiles)
    assert result.pairs == []
    assert {u["id"] for u in result.unmatched} == {"fr1", "fr2", "es1", "es2"}
    for entry in result.unmatched:
        assert "language" in entry["reason"], entry


def test_someone_alone_in_her_language_is_told_so(matcher):
    result = matcher.cohort(parse(giver("fr1", languages=["fr"]), taker("es1", languages=["es"], country="bolivia")))
    assert result.pairs == []
    reasons = {u["id"]: u["reason"] for u in result.unmatched}
    assert "speaks fr" in reasons["fr1"]
    assert "speaks es" in reasons["es1"]


def test_a_shared_language_is_what_was_missing(matcher):
    """The control for the two tests above: the same women, one of whom also speaks French, do pair."""
    profiles = parse(
        giver("fr1", languages=["fr"], country="canada"),
        giver("fr2", languages=["fr"], country="senegal"),
        taker("es1", languages=["es", "fr"], country="bolivia"),
        taker("es2", languages=["es"], country="guatemala"),
    )
    result = matcher.cohort(profiles)
    assert len(result.pairs) == 1
    assert "es1" in next(iter(pair_ids(result)))


# -- organisation, consent, direction ---------------------------------------------------------------------------


def test_the_same_organisation_is_excluded_unless_allowed(taxonomy):
    profiles = parse(
        giver("a", organisation="Coop Sol", country="canada"), taker("b", organisation="coop  sol", country="benin")
    )
    strict = Matcher(taxonomy, HashEmbedder()).cohort(profiles)
    assert strict.pairs == []
    assert all("organisation" in u["reason"] for u in strict.unmatched)
    allowed = Matcher(taxonomy, HashEmbedder(), allow_same_organisation=True).cohort(profiles)
    assert pair_ids(allowed) == {pair("a", "b")}


def test_different_organisations_do_pair(matcher):
    profiles = parse(giver("a", organisation="Coop Sol"), taker("b", organisation="Coop Luna", country="benin"))
    assert pair_ids(matcher.cohort(profiles)) == {pair("a", "b")}


def test_no_consent_is_never_paired(matcher):
    profiles = parse(giver("a", consent=False), taker("b", country="benin"), taker("c", country="senegal"))
    result = matcher.cohort(profiles)
    assert all("a" not in ids for ids in pair_ids(result))
    reasons = {u["id"]: u["reason"] for u in result.unmatched}
    assert "no consent" in reasons["a"]
    assert [s.id for s in matcher.suggest(profiles, "b")] == []
    # the control: with consent she is paired
    consenting = parse(giver("a"), taker("b", country="benin"), taker("c", country="senegal"))
    assert any("a" in ids for ids in pair_ids(matcher.cohort(consenting)))


@pytest.fixture
def mixed_pool():
    """Everyone can help everyone (they all offer and need both skills), in three countries."""
    both = {"offers": [X, Y], "needs": [X, Y], "languages": ["fr", "es"]}
    return parse(
        {**person("ca1", country="canada"), **both},
        {**person("ca2", country="Québec"), **both},
        {**person("sn1", country="senegal"), **both},
        {**person("sn2", country="Sénégal"), **both},
        {**person("bo1", country="bolivia"), **both},
        {**person("bo2", country="Bolivie"), **both},
    )


def test_north_south_only_gives_canada_by_partner_pairs(matcher, mixed_pool):
    result = matcher.cohort(mixed_pool, directions={"north-south"})
    country = {p.id: p.country for p in mixed_pool}
    assert len(result.pairs) == 2  # two Canadians, capacity 1 each
    for p in result.pairs:
        assert sorted([country[p.a] == "canada", country[p.b] == "canada"]) == [False, True], p


def test_south_south_and_national_directions(matcher, mixed_pool):
    country = {p.id: p.country for p in mixed_pool}
    south = matcher.cohort(mixed_pool, directions={"south-south"})
    assert south.pairs
    for p in south.pairs:
        assert "canada" not in (country[p.a], country[p.b]) and country[p.a] != country[p.b]
    national = matcher.cohort(mixed_pool, directions={"national"})
    assert len(national.pairs) == 3
    for p in national.pairs:
        assert country[p.a] == country[p.b]


def test_suggestions_follow_the_direction_too(matcher, mixed_pool):
    suggestions = matcher.suggest(mixed_pool, "sn1", k=5, directions=frozenset({"north-south"}))
    assert {s.id for s in suggestions} == {"ca1", "ca2"}


# -- staff decisions --------------------------------------------------------------------------------------------


@pytest.fixture
def square():
    """a and c give, b and d take: four equally good cross pairs."""
    return parse(giver("a"), taker("b", country="benin"), giver("c", country="rwanda"), taker("d", country="senegal"))


def test_forbidden_pairs_are_never_proposed(matcher, square):
    for forbidden in ([("a", "b")], [("b", "a")]):
        result = matcher.cohort(square, forbidden=forbidden)
        assert pair("a", "b") not in pair_ids(result)
        assert pair_ids(result) == {pair("a", "d"), pair("c", "b")}
    assert "b" not in {s.id for s in matcher.suggest(square, "a", forbidden=[("b", "a")])}
    assert "b" in {s.id for s in matcher.suggest(square, "a")}


def test_everything_forbidden_leaves_her_unmatched_with_the_reason(matcher, square):
    result = matcher.cohort(square, forbidden=[("a", "b"), ("a", "d")])
    assert all("a" not in ids for ids in pair_ids(result))
    reason = next(u["reason"] for u in result.unmatched if u["id"] == "a")
    assert "rejected or declined" in reason


def test_kept_pairs_are_kept_and_use_capacity(matcher, square):
    # a and c both give X and need Y: the solver would never choose them, but staff approved them earlier
    result = matcher.cohort(square, keep=[("a", "c")])
    kept = [p for p in result.pairs if p.kept]
    assert [frozenset((p.a, p.b)) for p in kept] == [pair("a", "c")]
    counts = appearances(result)
    assert counts["a"] == 1 and counts["c"] == 1  # capacity 1, used by the kept pair
    assert pair_ids(result) == {pair("a", "c")}  # b and d (both takers) cannot pair with each other


def test_a_kept_pair_leaves_the_rest_of_a_larger_capacity(matcher):
    profiles = parse(giver("a", capacity=2), taker("b", country="benin"), giver("c", country="rwanda"))
    result = matcher.cohort(profiles, keep=[("a", "c")])
    assert pair_ids(result) == {pair("a", "c"), pair("a", "b")}
    assert appearances(result)["a"] == 2


def test_capacity_two_gets_two_pairs(matcher):
    profiles = parse(giver("a", capacity=2), taker("b", country="benin"), taker("d", country="senegal"))
    result = matcher.cohort(profiles)
    assert pair_ids(result) == {pair("a", "b"), pair("a", "d")}
    single = matcher.cohort(parse(giver("a"), taker("b", country="benin"), taker("d", country="senegal")))
    assert len(single.pairs) == 1
    assert len(single.unmatched) == 1


def test_in_person_only_means_the_same_country(matcher):
    abroad = parse(giver("a", modality="in_person"), taker("b", country="benin"))
    assert matcher.cohort(abroad).pairs == []
    at_home = parse(giver("a", modality="in_person"), taker("b", country="canada"))
    assert pair_ids(matcher.cohort(at_home)) == {pair("a", "b")}


# -- kinds ------------------------------------------------------------------------------------------------------


@pytest.fixture
def kinds_pool(taxonomy, tmp_path):
    """The demo missions file (experts and missions) with the demo cohort's organisations and some people."""
    rows = demo_rows()
    chosen = [r for r in rows if r["kind"] == "organisation"]
    persons = [r for r in rows if r["kind"] == "person"]
    chosen += persons[:8] + [r for r in persons if r["country"] != "canada"][:12]
    path = tmp_path / "pool.jsonl"
    path.write_text(
        "\n".join(json.dumps(r, ensure_ascii=False) for r in chosen) + "\n" + DEMO_MISSIONS.read_text(encoding="utf-8"),
        encoding="utf-8",
    )
    profiles, problems = load_profiles(path, taxonomy)
    assert not [p for p in problems if "skipped" in p.message]
    assert {p.kind for p in profiles} == {"person", "organisation", "expert", "mission"}
    return profiles


ALLOWED_KINDS = {frozenset({"person"}), frozenset({"organisation"}), frozenset({"expert", "mission"})}


def test_experts_only_pair_with_missions_and_people_never_with_organisations(matcher, kinds_pool):
    kind = {p.id: p.kind for p in kinds_pool}
    result = matcher.cohort(kinds_pool)
    seen = Counter()
    for p in result.pairs:
        kinds = frozenset((kind[p.a], kind[p.b]))
        assert kinds in ALLOWED_KINDS, (p.a, p.b, kinds)
        seen[kinds] += 1
    assert seen[frozenset({"expert", "mission"})] > 0
    assert seen[frozenset({"person"})] > 0


def test_suggestions_respect_kinds(matcher, kinds_pool):
    f = matcher.features(kinds_pool)
    kind = {p.id: p.kind for p in kinds_pool}
    partner = {"person": "person", "organisation": "organisation", "expert": "mission", "mission": "expert"}
    for profile in kinds_pool:
        for suggestion in matcher.suggest(f, profile.id, k=5):
            assert kind[suggestion.id] == partner[profile.kind], (profile.id, suggestion.id)
