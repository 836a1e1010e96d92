"""The multilingual skills taxonomy: ids from labels and synonyms in French, Spanish and English."""

from __future__ import annotations

import numpy as np
import pytest

from assistant.embeddings import HashEmbedder
from assistant.matching.scoring import Scorer
from tests.assistant.matching.conftest import parse, person


def test_the_default_taxonomy_has_65_distinct_skills(taxonomy):
    assert len(taxonomy.ids) == 65
    assert len(set(taxonomy.ids)) == 65
    for skill in taxonomy.skills:
        assert skill.category in taxonomy.categories
        assert {"fr", "es", "en"} <= set(skill.labels), skill.id


@pytest.mark.parametrize(
    ("text", "skill"),
    [
        ("J'ai besoin d'aide en comptabilité", "bookkeeping"),  # French synonym
        ("COMPTABILITE", "bookkeeping"),  # upper case, no accent
        ("Necesito mejorar mi flujo de caja", "cash-flow-management"),  # Spanish synonym
        ("FLUJO DE CAJA", "cash-flow-management"),
        ("I can teach record keeping", "bookkeeping"),  # English synonym
        ("Contabilidad básica", "bookkeeping"),  # Spanish label
        ("tenue de livres", "bookkeeping"),  # French label, lower case
        ("Gestión del flujo de caja", "cash-flow-management"),  # Spanish label
        ("Cash-flow management", "cash-flow-management"),  # English label, hyphen
    ],
)
def test_extract_finds_ids_across_languages_accent_and_case_blind(taxonomy, text, skill):
    assert skill in taxonomy.extract(text)


def test_extract_only_matches_whole_words(taxonomy):
    # "repricing" contains "pricing" and "montontine" contains "tontine", but neither is the whole word;
    # an inflection of the word is ("tontines")
    assert "pricing-costing" not in taxonomy.extract("repricing")
    assert "savings-groups-microfinance" not in taxonomy.extract("montontine")
    assert taxonomy.extract("les tontines") == ["savings-groups-microfinance"]
    assert taxonomy.extract("une tontine") == ["savings-groups-microfinance"]
    assert taxonomy.extract("") == []
    assert taxonomy.extract("bonjour, rien à voir ici") == []


def test_extract_keeps_the_order_of_first_appearance(taxonomy):
    found = taxonomy.extract("flujo de caja, luego contabilidad básica y otra vez flujo de caja")
    assert found == ["cash-flow-management", "bookkeeping"]


def test_labels_come_in_the_readers_language(taxonomy):
    assert taxonomy.label("bookkeeping", "fr") == "Tenue de livres"
    assert taxonomy.label("bookkeeping", "es") == "Contabilidad básica"
    assert taxonomy.label("bookkeeping", "en") == "Bookkeeping"
    assert taxonomy.label("no-such-skill", "fr") == "no-such-skill"


def test_a_spanish_need_meets_a_french_offer_through_the_shared_id(taxonomy):
    lucia, awa = parse(
        person(
            "lucia",
            languages=("es", "fr"),
            country="bolivia",
            offers_text="Enseño a tejer en telar de cintura",
            needs_text="Necesito ordenar el flujo de caja de mi negocio",
        ),
        person(
            "awa",
            languages=("fr",),
            country="senegal",
            offers_text="Je peux vous apprendre la gestion de trésorerie",
            needs_text="Je cherche une experte en énergie solaire",
        ),
    )
    assert lucia.needs == ("cash-flow-management",)
    assert lucia.offers == ("textile-weaving",) and awa.needs == ("renewable-energy",)
    assert "cash-flow-management" in awa.offers
    assert "cash-flow-management" not in lucia.offers and not set(lucia.offers) & set(awa.needs)

    f = Scorer(taxonomy, HashEmbedder()).features([lucia, awa])
    awa_to_lucia = float(Scorer.fit(f, np.array([1]), np.array([0]))[0, 0])
    lucia_to_awa = float(Scorer.fit(f, np.array([0]), np.array([1]))[0, 0])
    assert awa_to_lucia > 0.5
    assert lucia_to_awa < 0.2


@pytest.mark.parametrize(
    ("text", "skills"),
    [
        ("vendre en ligne et trouver des financements", {"e-commerce", "fundraising"}),
        ("Necesito vender en línea y conseguir un préstamo", {"e-commerce", "credit-file-preparation"}),
        ("bookkeeping, pricing and a bank loan", {"bookkeeping", "pricing-costing", "credit-file-preparation"}),
        ("contabilidad y precios", {"bookkeeping", "pricing-costing"}),
        ("je transforme et sèche des fruits", {"food-processing"}),
    ],
)
def test_a_text_naming_several_skills_yields_each_of_them(taxonomy, text, skills):
    assert set(taxonomy.extract(text)) == skills


@pytest.mark.parametrize(
    ("text", "skill"),
    [
        ("marketing sa facebook", "social-media-marketing"),
        ("kaya kong tumulong sa online selling", "e-commerce"),
        ("kailangan ko ng pautang para sa puhunan", "credit-file-preparation"),
        ("marunong ako sa pananahi", "tailoring-fashion"),
        ("I can help with marketing", "marketing-strategy"),
    ],
)
def test_taglish_and_english_loanwords_name_skills(taxonomy, text, skill):
    assert skill in taxonomy.extract(text)
