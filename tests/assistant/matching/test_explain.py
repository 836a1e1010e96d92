"""Explanations say only what matched, in the reader's language."""

from __future__ import annotations

import pytest

from assistant.embeddings import HashEmbedder
from assistant.matching.explain import evidence, explain
from assistant.matching.scoring import Scorer
from assistant.phrases import phrase
from tests.assistant.matching.conftest import parse, person

LANGS = ("fr", "es", "en")
# What "she can help you with ..." / "you can help her with ..." look like in each language.
HELP_CLAIMS = {
    "fr": ("peut vous aider", "pouvez l'aider"),
    "es": ("puede ayudarte", "puedes ayudar"),
    "en": ("can help you with", "can help her with"),
}
RELATED_CLAIMS = {"fr": ("expérience en",), "es": ("experiencia en",), "en": ("experience in",)}
TEXT_CLAIMS = {"fr": ("ressemble",), "es": ("se parece",), "en": ("is close to what",)}
LANGUAGE_NAMES = {
    "fr": {"fr": "français", "es": "espagnol", "en": "anglais"},
    "es": {"fr": "francés", "es": "español", "en": "inglés"},
    "en": {"fr": "French", "es": "Spanish", "en": "English"},
}


def explanation(taxonomy, me: dict, them: dict, lang: str) -> tuple[str, dict]:
    f = Scorer(taxonomy, HashEmbedder()).features(parse(me, them))
    ev = evidence(f, taxonomy, 0, 1)
    return explain(ev, taxonomy, lang), ev


WEAK_CLAIMS = {"fr": ("répond peu",), "es": ("responde poco",), "en": ("does little for",)}


@pytest.mark.parametrize("lang", LANGS)
def test_no_shared_skill_means_no_claim_of_help_and_the_weak_direction_said_plainly(taxonomy, lang):
    me = person("me", offers=["branding"], needs=["bookkeeping"], languages=["fr", "es", "en"])
    them = person("them", offers=["agroecology"], needs=["tailoring-fashion"], languages=["fr", "es", "en"])
    text, ev = explanation(taxonomy, me, them, lang)
    assert ev["they_help"] == [] and ev["you_help"] == []
    assert ev["they_weak"] and ev["you_weak"]
    lowered = text.lower()
    for claim in HELP_CLAIMS[lang] + RELATED_CLAIMS[lang] + TEXT_CLAIMS[lang]:
        assert claim.lower() not in lowered, (claim, text)
    assert lowered.count(WEAK_CLAIMS[lang][0]) == 2, text  # both directions said to be weak
    for offered in ("branding", "agroecology"):  # nothing offered is presented as meeting a need
        assert taxonomy.label(offered, lang).lower() not in lowered
    # the needs the weak directions leave open are named, in the reader's language
    for needed in ("bookkeeping", "tailoring-fashion"):
        assert taxonomy.label(needed, lang).lower() in lowered
    # what is true is still said: the languages they share
    assert LANGUAGE_NAMES[lang]["fr"] in text


@pytest.mark.parametrize("lang", LANGS)
def test_shared_skills_are_named_in_the_readers_language(taxonomy, lang):
    me = person("me", offers=["branding"], needs=["bookkeeping"], languages=["fr", "es", "en"])
    them = person("them", offers=["bookkeeping", "agroecology"], needs=["branding"], languages=["fr", "es", "en"])
    text, ev = explanation(taxonomy, me, them, lang)
    assert ev["they_help"] == ["bookkeeping"] and ev["you_help"] == ["branding"]
    lowered = text.lower()
    assert any(claim.lower() in lowered for claim in HELP_CLAIMS[lang]), text
    assert taxonomy.label("bookkeeping", lang).lower() in lowered
    assert taxonomy.label("branding", lang).lower() in lowered
    # agroecology is offered but not needed: not evidence
    assert taxonomy.label("agroecology", lang).lower() not in lowered
    for other in LANGS:
        if other != lang:
            assert taxonomy.label("bookkeeping", other).lower() not in lowered, (other, text)
    assert text[0].isupper() and text.endswith(".")


@pytest.mark.parametrize("lang", LANGS)
def test_only_shared_languages_are_named(taxonomy, lang):
    me = person("me", offers=["branding"], needs=["bookkeeping"], languages=["fr", "es"])
    them = person("them", offers=["bookkeeping"], needs=["branding"], languages=["es", "en"])
    text, ev = explanation(taxonomy, me, them, lang)
    assert ev["shared_languages"] == ["es"]
    names = LANGUAGE_NAMES[lang]
    assert names["es"] in text
    assert names["fr"] not in text and names["en"] not in text


CATEGORY_NAMES = {"fr": ("finances", "marketing"), "es": ("finanzas", "marketing"), "en": ("finance", "marketing")}


@pytest.mark.parametrize("lang", LANGS)
def test_related_experience_is_not_called_help_and_names_both_skills(taxonomy, lang):
    # the same categories both ways (finance, marketing), but no skill id in common
    me = person("me", offers=["branding"], needs=["bookkeeping"])
    them = person("them", offers=["cash-flow-management"], needs=["social-media-marketing"])
    text, ev = explanation(taxonomy, me, them, lang)
    assert ev["they_help"] == [] and ev["you_help"] == []
    assert ev["they_related"] == ["finance"] and ev["you_related"] == ["marketing"]
    assert ev["they_related_pairs"] == [("cash-flow-management", "bookkeeping")]
    assert ev["you_related_pairs"] == [("branding", "social-media-marketing")]
    lowered = text.lower()
    assert not any(claim.lower() in lowered for claim in HELP_CLAIMS[lang]), text
    for skill in ("branding", "bookkeeping", "cash-flow-management", "social-media-marketing"):
        assert taxonomy.label(skill, lang).lower() in lowered, (skill, text)


def test_hours_are_said_only_when_both_gave_them(taxonomy):
    slot = {"timezone": "America/Toronto", "availability": [{"day": "tue", "from": "12:00", "to": "14:00"}]}
    dakar = {"timezone": "Africa/Dakar", "availability": [{"day": "tue", "from": "17:00", "to": "19:00"}]}
    me = person("me", offers=["branding"], needs=["bookkeeping"], **slot)
    them = person("them", offers=["bookkeeping"], needs=["branding"], country="senegal", **dakar)
    text, ev = explanation(taxonomy, me, them, "en")
    assert ev["hours_together"] == 2.0
    assert "about 2 h a week" in text
    no_hours = person("them", offers=["bookkeeping"], needs=["branding"], country="senegal")
    text, ev = explanation(taxonomy, me, no_hours, "en")
    assert ev["hours_together"] is None
    assert " h a week" not in text


def test_sector_stage_and_roots_only_when_true(taxonomy):
    me = person("me", offers=["branding"], needs=["bookkeeping"], sector="textiles", stage="early")
    them = person("them", offers=["bookkeeping"], needs=["branding"], sector="tourism", stage="growth", country="benin")
    text, ev = explanation(taxonomy, me, them, "en")
    assert not ev["same_sector"] and not ev["same_stage"] and not ev["diaspora_theirs"] and not ev["diaspora_yours"]
    for claim in ("same sector", "same stage", "roots", "your family comes from"):
        assert claim not in text
    rooted = {**them, "sector": "Textiles", "stage": "early", "diaspora_origin": "canada"}
    text, ev = explanation(taxonomy, me, rooted, "en")
    assert ev["same_sector"] and ev["same_stage"] and ev["diaspora_theirs"] == "canada"
    assert "same sector" in text and "same stage" in text and "her roots are in your country (Canada)" in text


def test_staff_reasons_name_both_women(matcher):
    profiles = parse(
        person("a", offers=["branding"], needs=["bookkeeping"], name="Awa"),
        person("b", offers=["bookkeeping"], needs=["branding"], name="Lucía", country="bolivia"),
    )
    result = matcher.cohort(profiles, lang="en")
    (pair,) = result.pairs
    joined = "; ".join(pair.reasons)
    assert "Lucía can help Awa with bookkeeping" in joined or "Awa can help Lucía with branding" in joined
    assert "Awa" in joined and "Lucía" in joined


@pytest.mark.parametrize(
    ("name", "elided"),
    [("Aya", True), ("Émilie", True), ("Hannah", True), ("Yvonne", True), ("Ousmane", True),
     ("Lucie", False), ("Yasmine", False), ("Rosa", False)],
)  # fmt: skip
def test_french_elides_de_and_que_before_a_name_with_a_vowel_sound(taxonomy, name, elided):
    me = person("me", offers=["branding"], needs=["bookkeeping"], languages=["fr"])
    them = person("them", name=name, offers=["agroecology"], needs=["tailoring-fashion"], languages=["fr"])
    text, _ = explanation(taxonomy, me, them, "fr")
    if elided:
        assert f"besoin d'{name}" in text and f"de {name}" not in text, text
    else:
        assert f"besoin de {name}" in text, text
    said = phrase("match_you_text", "fr", name=name, skills="")
    assert (f"qu'{name}" in said) == elided and (f"que {name}" in said) != elided, said


@pytest.mark.parametrize("lang", LANGS)
def test_her_offer_in_her_own_words_meeting_the_partners_need_is_not_called_weak(taxonomy, lang):
    # a chat profile: her offer is only her words (drying, fermenting, jams: food processing)
    me = {"id": "me", "name": "Zoe", "country": "canada", "languages": ["fr", "es", "en"],
          "offers_text": "I dry and ferment fruit and peppers, and I make jams", "needs": ["bookkeeping"]}  # fmt: skip
    them = person("them", name="Hannah", offers=["branding"], needs=["food-processing", "agroecology"],
                  languages=["fr", "es", "en"])  # fmt: skip
    text, ev = explanation(taxonomy, me, them, lang)
    assert ev["you_help"] == ["food-processing"] and not ev["you_weak"], text
    assert WEAK_CLAIMS[lang][0] not in text.split(";")[1], text  # only her partner's direction may be weak
    assert taxonomy.label("food-processing", lang).lower() in text.lower()


def test_a_skill_her_text_names_beside_her_ids_counts_for_the_direction(taxonomy):
    # a cohort line whose ids leave out what her own words offer
    me = person("me", offers=["branding"], needs=["bookkeeping"], languages=["en"],
                offers_text="Brand design, and I also teach fruit drying and preserving")  # fmt: skip
    them = person("them", name="Aya", offers=["bookkeeping"], needs=["food-processing"], languages=["en"])
    text, ev = explanation(taxonomy, me, them, "en")
    assert "food-processing" in ev["you_help"] and not ev["you_weak"]
    assert "you can help Aya with food processing" in text and "does little" not in text, text
