"""Everyday words read as the guides' words ("plata" is "dinero"), and question-framing words left out of the
evidence measure."""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant.knowledge.ingest import Ingestor
from assistant.retrieval.search import Retriever
from assistant.retrieval.variants import VARIANTS, diminutive_bases, is_frame, variant_terms
from assistant.text import analyze
from tests.conftest import guide, write


@pytest.fixture
def corpus(tmp_path: Path) -> Path:
    root = tmp_path / "variants-corpus"
    write(
        root / "es" / "dinero.md",
        guide("dinero", "es", "Tu dinero", {"Control": "Separa el dinero del negocio del dinero de la casa."}),
    )
    write(
        root / "es" / "ferias.md",
        guide("ferias", "es", "Ferias", {"Vender": "Las ferias permiten conocer compradores de textiles."}),
    )
    write(
        root / "en" / "social.md",
        guide("social", "en", "Social media", {"Posting": "Ask before you post about your partner on social media."}),
    )
    write(  # "vert" is green here, and one guide says "écologique" once
        root / "fr" / "vert.md",
        guide("vert", "fr", "Entreprise verte", {"Ressources": "Un geste vert : réparez les fuites d'eau."}),
    )
    write(
        root / "fr" / "programme.md",
        guide("programme", "fr", "Programme", {"Transition": "Le programme soutient la transition écologique."}),
    )
    write(
        root / "en" / "goals.md",
        guide("goals", "en", "Goals", {"Example": "Post twice a week on Instagram and count the enquiries."}),
    )
    return root


@pytest.fixture
def retriever(hash_runtime, corpus) -> Retriever:
    Ingestor(hash_runtime.settings, hash_runtime.embedder).ingest([corpus])
    return hash_runtime.retriever


def test_a_word_the_guides_never_use_is_read_as_their_word(retriever):
    assert "plat" not in retriever.index.bm25["es"][0].vocab_dict
    assert retriever.query_terms("la plata del negocio", "es") == ["diner", "negoci"]


def test_a_variant_reaches_the_guide_that_says_it_otherwise(retriever):
    response = retriever.search("mi plata", k=2, lang="es", mode="bm25")
    assert response.hits and response.hits[0].chunk.doc_id == "dinero"


def test_a_variant_of_several_words_gives_each_of_its_terms(retriever):
    assert retriever.query_terms("can I talk about her on facebook", "en") == ["talk", "social", "media"]


def test_a_word_the_guides_use_is_kept_as_it_is(retriever):
    # "ferias" is in the guides: no variant replaces a word they use, even one listed for another word.
    assert retriever.query_terms("ferias", "es") == ["feri"]


def test_variants_only_where_the_guides_of_that_language_use_them():
    assert variant_terms("plata", "es", {"diner"}) == ["diner"]
    assert variant_terms("plata", "es", {"plat"}) is None  # the variant is not in the guides either
    assert variant_terms("plata", "en", {"diner"}) is None  # no English entry for a Spanish word
    assert variant_terms("marido", "es", {"parej"}) == ["parej"]  # the first variant the guides use


def test_variants_are_everyday_words_not_the_guides_own():
    for lang, table in VARIANTS.items():
        for word, alternatives in table.items():
            assert word not in alternatives, (lang, word)
            assert alternatives, (lang, word)


def test_framing_words_are_left_out_of_the_evidence_terms_not_the_search(retriever):
    assert is_frame("hag", "es") and is_frame("tip", "en") and not is_frame("diner", "es")
    assert retriever.asked_terms("que hago con la plata", "es") == ["diner"]
    assert "hag" in retriever.query_terms("que hago con la plata", "es")


def test_general_words_frame_too():
    assert is_frame("avoir", "fr") and is_frame("thing", "en") and is_frame("cos", "es")


def test_a_question_of_framing_words_only_keeps_them(retriever):
    assert retriever.asked_terms("any tips?", "en") == retriever.query_terms("any tips?", "en") != []


def test_her_own_thing_after_a_possessive_is_left_out_of_the_evidence(retriever):
    # "kakanin" is no guide's word, and she says it is hers: the question is about posting, not about kakanin.
    assert retriever.asked_terms("can i post my kakanin on social media", "en") == ["post", "social", "media"]
    assert "kakanin" in retriever.query_terms("can i post my kakanin on social media", "en")
    # An unknown word not after a possessive is what she asks about: it stays, and the evidence will lack it.
    assert "fever" in retriever.asked_terms("my son has a fever", "en")


def test_a_known_word_after_a_possessive_stays(retriever):
    assert "media" in retriever.asked_terms("our social media", "en")
    assert retriever.asked_terms("mi plata", "es") == ["diner"]  # a variant is a known word


def test_a_platform_is_searched_with_its_kind_even_where_a_guide_names_it(retriever):
    # "instagram" is in a goal's example; what the guides say about it is under "social media".
    assert retriever.query_terms("and instagram?", "en") == ["instagram", "social", "media"]
    assert retriever.asked_terms("and instagram?", "en") == ["social", "media"]  # the evidence: its kind alone
    assert retriever.query_terms("and whatsapp?", "en") == ["whatsapp"]  # not a platform with a kind here


@pytest.mark.parametrize(
    ("word", "bases"),
    [
        ("prestamito", ("prestamo",)),
        ("tiendita", ("tienda",)),
        ("ahorritos", ("ahorros",)),
        ("clientitas", ("clientas",)),
        ("poquito", ("poco", "poquo")),
        ("cafecito", ("cafe", "cafeco")),
        ("cita", ()),  # too short to be a diminutive
        ("tienda", ()),
    ],
)
def test_a_spanish_diminutive_gives_the_words_it_was_made_from(word, bases):
    assert diminutive_bases(word) == bases


def test_a_spanish_diminutive_is_read_as_the_guides_word(retriever):
    # No table entry: "dinerito" is read as "dinero" because the guides use it.
    assert "dinerito" not in VARIANTS["es"]
    assert retriever.query_terms("mi dinerito", "es") == ["diner"]
    # A real word with a diminutive's ending is not one ("visita" is no "visa"): the dictionary knows it.
    assert variant_terms("visita", "es", {"vis"}) is None


def test_ai_assistants_by_brand_are_read_as_ai():
    assert variant_terms("chatgpt", "en", {"ai"}) == ["ai"]
    assert variant_terms("ChatGPT", "fr", {"ia", "intelligent", "artificiel"}) == ["ia"]  # the guides' word first
    assert variant_terms("ChatGPT", "fr", {"intelligent", "artificiel"}) == ["intelligent", "artificiel"]
    assert variant_terms("gemini", "es", {"inteligent", "artificial"}) == ["inteligent", "artificial"]


def test_wanting_frames_a_question_in_every_person():
    assert all(is_frame(t, "fr") for t in ("veut", "voulon", "veulent"))
    assert is_frame("quer", "es") and is_frame("quier", "es")
    assert is_frame("wanna", "en")


def test_paperwork_is_read_as_documents():
    assert variant_terms("paperwork", "en", {"document"}) == ["document"]
    assert variant_terms("papeleo", "es", {"document"}) == ["document"]
    assert variant_terms("paperasse", "fr", set(analyze("documents", "fr"))) == analyze("documents", "fr")


def test_ecological_is_read_as_green():
    assert variant_terms("écolo", "fr", set(analyze("vert", "fr"))) == analyze("vert", "fr")
    assert variant_terms("eco", "fr", set(analyze("vert", "fr"))) == analyze("vert", "fr")
    assert variant_terms("ecologica", "es", set(analyze("verde", "es"))) == analyze("verde", "es")
    assert variant_terms("eco", "en", {"green"}) == ["green"]


def test_ecological_is_searched_with_green_even_where_a_guide_uses_it(retriever):
    eco, green = analyze("écologique", "fr"), analyze("vert", "fr")
    assert retriever.query_terms("plus écologique", "fr") == [*analyze("plus", "fr"), *eco, *green]
    assert retriever.asked_terms("plus écologique", "fr") == [*analyze("plus", "fr"), *green]  # the evidence: green


@pytest.mark.parametrize(
    ("word", "lang", "guides_word"),
    [
        ("microcrédit", "fr", "microfinance"),
        ("microcredito", "es", "microfinanzas"),
        ("microloan", "en", "microfinance"),
        ("appli", "fr", "application"),
        ("visio", "fr", "vidéo"),
        ("pricing", "es", "precio"),
        ("stock", "es", "inventario"),
        ("inventory", "en", "stock"),
        ("catalog", "en", "catalogue"),
        ("buddy", "en", "partner"),
        # rotating savings groups by their local names
        ("paluwagan", "en", "tontine"),
        ("ikimina", "fr", "tontine"),
        ("natt", "fr", "tontine"),
        ("cundina", "es", "pasanaku"),
        ("chama", "en", "tontine"),
    ],
)
def test_everyday_and_borrowed_words_are_read_as_the_guides_words(word, lang, guides_word):
    expected = analyze(guides_word, lang)
    assert variant_terms(word, lang, set(expected)) == expected


def test_insta_is_instagram_a_social_network():
    assert variant_terms("insta", "en", {"social", "media"}) == ["social", "media"]
    assert variant_terms("insta", "fr", set(analyze("réseaux sociaux", "fr"))) == analyze("réseaux sociaux", "fr")
