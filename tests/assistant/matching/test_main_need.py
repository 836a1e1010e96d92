"""Her main need (her first stated need) comes first: when a feasible partner offers it, one of her top 3
does, unless capacity or exposure control prevents it, and then the list says so; each list's reasons name
the matched skills in both directions (or say a direction is weak) and never repeat a clause."""

from __future__ import annotations

import pytest

from assistant.embeddings import HashEmbedder
from assistant.matching.matcher import Matcher
from assistant.matching.scoring import MIN_FIT
from assistant.matching.taxonomy import default_taxonomy
from tests.assistant.matching.conftest import parse, person

SPANISH = ["es"]


def taxonomy_label_es(skill: str) -> str:
    return default_taxonomy().label(skill, "es").lower()


@pytest.fixture
def matcher(taxonomy):
    return Matcher(taxonomy, HashEmbedder())


def rosa_pool(credit_capacity: int = 1):
    """Rosa needs credit first; four Spanish speakers suit her better on everything else, and one Canadian
    offers credit-file preparation while needing only a little of what Rosa offers."""
    rosa = person(
        "rosa",
        name="Rosa Quispe",
        country="bolivia",
        languages=SPANISH,
        offers=["textile-weaving", "natural-dyeing", "handicrafts"],
        needs=["credit-file-preparation", "e-commerce", "pricing-costing"],
    )
    strong = [
        person(
            f"s{i}",
            name=f"Strong{i} Person",
            country="guatemala",
            languages=SPANISH,
            offers=["e-commerce", "pricing-costing"],
            needs=["textile-weaving", "natural-dyeing", "handicrafts"],
        )
        for i in range(4)
    ]
    credit = person(
        "credit",
        name="Claire Roy",
        country="canada",
        languages=["fr", "es"],
        offers=["credit-file-preparation"],
        needs=["handicrafts", "agroecology", "renewable-energy", "branding"],
        capacity=credit_capacity,
    )
    return parse(rosa, *strong, credit)


def test_a_partner_offering_her_main_need_is_in_her_top_three_and_first(matcher):
    f = matcher.features(rosa_pool())
    block = matcher.scorer.block(f, [0])
    assert block.feasible[0, f.index["credit"]] and block.fit_out[0, f.index["credit"]] >= MIN_FIT
    by_score = sorted(range(1, len(f)), key=lambda j: -block.score[0, j])
    assert f.ids[by_score[0]] != "credit" and by_score.index(f.index["credit"]) >= 3  # ranked low on score alone
    found = matcher.suggest(f, "rosa", k=3, lang="es")
    assert found.main_need == "credit-file-preparation" and found.main_need_status == "covered"
    assert found[0].id == "credit" and found[0].covers_main_need
    assert taxonomy_label_es("credit-file-preparation") in found[0].explanation.lower()
    assert "(tu necesidad principal)" in found[0].explanation
    assert len(found) == 3 and not any(s.covers_main_need for s in found[1:])


def test_capacity_or_exposure_that_prevents_it_is_said(matcher):
    f = matcher.features(rosa_pool())
    full = matcher.suggest(f, "rosa", k=3, lang="es", taken={"credit": 1})
    assert full.main_need_status == "full" and "credit" not in [s.id for s in full]
    exposed = matcher.suggest(f, "rosa", k=3, lang="es", exposure={"credit": 1})
    assert exposed.main_need_status == "exposure" and "credit" not in [s.id for s in exposed]


def test_nobody_offering_it_is_said(matcher):
    f = matcher.features(rosa_pool()[:-1])
    found = matcher.suggest(f, "rosa", k=3, lang="es")
    assert found.main_need_status == "none" and len(found) == 3


def test_the_whole_pool_gives_her_main_need_before_second_choices(matcher):
    lists = matcher.suggest_all(rosa_pool(), k=3)
    rosa = lists["rosa"]
    assert rosa.main_need_status == "covered" and rosa[0].id == "credit"


@pytest.mark.parametrize("lang", ["fr", "es", "en"])
def test_a_list_names_both_directions_for_each_partner_and_repeats_no_clause(matcher, lang):
    found = matcher.suggest(rosa_pool(), "rosa", k=3, lang=lang)
    said = [clause.casefold() for s in found for clause in s.reasons]
    assert len(said) == len(set(said)), said
    for s in found:
        first = s.name.split(" ")[0]
        directions = [c for c in s.reasons if first in c]
        assert len(directions) >= 2, s.reasons  # what she gives Rosa and what Rosa gives her
        assert s.explanation.startswith(s.reasons[0][0].upper())
    # a fact true of every partner (the shared language) is said once in the list, not three times
    languages = {"fr": "espagnol", "es": "español", "en": "Spanish"}[lang]
    assert sum(languages in s.explanation for s in found) == 1
