"""A country guide answers for its own country: another country's guide weighs less when she asks about one."""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant.knowledge.ingest import Ingestor
from assistant.retrieval.places import ASKED_PLACE, OTHER_PLACE, Places, guide_place, named, place_factor
from tests.conftest import write


def _guide(doc_id: str, title: str, countries: str, body: str) -> str:
    return f"---\nid: {doc_id}\nlang: en\ntitle: {title}\ncountries: [{countries}]\n---\n\n# {title}\n\n{body}\n"


def test_places_are_found_by_name_and_demonym_in_any_language():
    assert named("ma binôme canadienne") == {"canada"}
    assert named("y en Côte d'Ivoire? and the Philippines") == {"cote-divoire", "philippines"}
    assert named("how do I price my soap") == frozenset()


def test_places_are_found_by_their_cities():
    assert named("paired w a woman in Kigali") == {"rwanda"}
    assert named("jsuis a thies, ma binome a Montréal") == {"senegal"}  # Canada's cities are not listed
    assert named("q hora es en manila") == {"philippines"}
    # A city that is also a common word is not listed: "la paz en el hogar", "du sucre", "el alto precio".
    assert named("la paz en el hogar, je vends du sucre, el alto precio") == frozenset()


def test_a_place_named_only_around_the_question_is_context():
    places = Places.of("what hours work best for us?", "I am Grace from Rwanda. My partner is Canadian.")
    assert places.asked == frozenset() and places.context == {"rwanda", "canada"}
    assert Places.of("and in Rwanda?", "I live in Rwanda").context == frozenset()


def test_the_guide_of_the_place_asked_keeps_its_weight_another_place_weighs_less():
    asked = Places.of("what language do they speak in Canada")
    assert place_factor("canada", asked) == ASKED_PLACE == 1.0
    assert place_factor("guatemala", asked) == OTHER_PLACE < 1.0
    assert place_factor(None, asked) == 1.0  # a guide about every country


def test_no_place_asked_leaves_every_guide_as_it_is():
    assert place_factor("rwanda", Places.of("what hours work best?", "I am from Rwanda")) == 1.0
    assert place_factor("rwanda", Places()) == 1.0


def test_a_guide_place_comes_from_its_front_matter():
    assert guide_place({"countries": ["senegal"]}) == "senegal"
    assert guide_place({"countries": ["all"]}) is None
    assert guide_place({"countries": ["senegal", "benin"]}) is None
    assert guide_place(None) is None


@pytest.fixture
def retriever(hash_runtime, tmp_path: Path):
    root = tmp_path / "places"
    body = "## Languages\n\nPeople speak {langs}; participants use {langs} in their meetings."
    write(root / "en" / "country-canada.md", _guide("country-canada", "Canada", "canada", body.format(langs="French")))
    write(
        root / "en" / "country-guatemala.md",
        _guide("country-guatemala", "Guatemala", "guatemala", body.format(langs="Spanish and Mayan languages")),
    )
    Ingestor(hash_runtime.settings, hash_runtime.embedder).ingest([root])
    return hash_runtime.retriever


def test_search_prefers_the_guide_of_the_country_asked(retriever):
    # Both guides match "languages" and "speak" as well; the question asks about Canada.
    hits = retriever.search("what languages do people speak in Canada", k=2, lang="en", mode="bm25").hits
    assert hits[0].chunk.doc_id == "country-canada"
    hits = retriever.search("what languages do people speak in Guatemala", k=2, lang="en", mode="bm25").hits
    assert hits[0].chunk.doc_id == "country-guatemala"


def test_search_weighs_another_country_guide_down(retriever):
    plain = retriever.search("people speak languages", k=2, lang="en", mode="bm25", places=Places()).hits
    asked = retriever.search(
        "people speak languages", k=2, lang="en", mode="bm25", places=Places(frozenset({"canada"}))
    ).hits
    score = {h.chunk.doc_id: h.score for h in plain}
    weighed = {h.chunk.doc_id: h.score for h in asked}
    assert weighed["country-guatemala"] == pytest.approx(score["country-guatemala"] * OTHER_PLACE)
    assert weighed["country-canada"] == pytest.approx(score["country-canada"] * ASKED_PLACE)
