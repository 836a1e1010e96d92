"""What her question names that the answer does not hold: found, named in her words, said once at the end."""

from __future__ import annotations

import pytest

from assistant.answering.extractive import ExtractiveComposer
from assistant.answering.missing import missing_words
from assistant.knowledge.chunking import Chunk
from assistant.phrases import phrase
from assistant.retrieval.search import SearchHit
from assistant.text import analyze

CREDIT = {
    "en": (
        "Microfinance institutions lend small amounts to women. Before signing, compare the interest rate, "
        "the fees and the repayment schedule of several offers. A savings group lends to its members."
    ),
    "fr": (
        "Les institutions de microfinance prêtent de petits montants aux femmes. Avant de signer, comparez le "
        "taux d'intérêt, les frais et le calendrier de remboursement de plusieurs offres."
    ),
    "es": (
        "Las instituciones de microfinanzas prestan montos pequeños a las mujeres. Antes de firmar, compara la "
        "tasa de interés, los costos y el calendario de pagos de varias ofertas."
    ),
}


def hit(text: str, lang: str, doc_id: str = "access-to-credit", heading: str = "Microfinance") -> SearchHit:
    chunk = Chunk(
        chunk_id=f"{doc_id}.{lang}#{heading.lower()}-1",
        doc_id=doc_id,
        lang=lang,
        title="Access to credit",
        heading=heading,
        text=text,
        source=f"{lang}/{doc_id}.md",
    )
    return SearchHit(rank=1, chunk=chunk, score=1.0, bm25=1.0, dense=1.0)


# Words every guide uses somewhere (a real index has them all).
COMMON = "chez get when between tell please explain entre pour"


def guide_weights(*texts: str):
    """IDF as the retriever gives it: 1 for a term the guides use, 5 (the most) for one they never use."""

    def weights(lang: str, terms: list[str]) -> list[float]:
        vocabulary = set(analyze(" ".join([*texts, COMMON]), lang))
        return [1.0 if t in vocabulary else 5.0 for t in terms]

    return weights


def compose(asked: str, lang: str, hits: list[SearchHit], max_chars: int = 600, known=None):
    weights = guide_weights(*(h.chunk.text for h in hits))
    return ExtractiveComposer(max_chars).compose(asked, lang, hits, weights=weights, asked=asked, known=known)


def note_of(lang: str, missing: str) -> str:
    return phrase("found_nothing_on", lang, missing=missing)


@pytest.mark.parametrize(
    ("lang", "asked", "named"),
    [
        ("en", "what's the interest rate at BancoSol?", "BancoSol"),
        ("fr", "c'est quoi le taux d'intérêt chez Baobab ?", "Baobab"),
        ("es", "¿cuál es la tasa de interés de BancoSol en 2027?", "BancoSol en 2027"),
    ],
)
def test_a_named_thing_no_guide_speaks_of_is_said_missing_in_her_words(lang, asked, named):
    draft = compose(asked, lang, [hit(CREDIT[lang], lang)])
    passage, note = draft.text.split("\n\n")
    assert note == note_of(lang, named)
    assert "[1]" in passage and "BancoSol" not in passage


@pytest.mark.parametrize(
    ("lang", "asked"),
    [
        ("en", "how do I compare the interest rate of several offers?"),
        ("fr", "comment comparer le taux d'intérêt de plusieurs offres ?"),
        ("es", "¿cómo comparo la tasa de interés de varias ofertas?"),
    ],
)
def test_a_question_the_passage_covers_gets_no_note(lang, asked):
    draft = compose(asked, lang, [hit(CREDIT[lang], lang)])
    assert "\n\n" not in draft.text and "/human" not in draft.text


def test_her_spelling_is_kept_not_the_stem_nor_a_capital():
    draft = compose("and the interest rate at desjardins", "en", [hit(CREDIT["en"], "en")])
    assert draft.text.endswith(note_of("en", "desjardins"))


def test_the_part_named_runs_over_her_uncovered_words_but_not_past_punctuation_or_asking_words():
    draft = compose("please tell me the interest rate, the fees at Banco Sol", "en", [hit(CREDIT["en"], "en")])
    assert draft.text.endswith(note_of("en", "Banco Sol"))
    other = "Microfinance institutions lend small amounts to women. A savings group lends to its members."
    draft = compose("what is the interest rate at BancoSol", "en", [hit(other, "en")])
    assert draft.text.endswith(note_of("en", "interest rate at BancoSol"))


@pytest.mark.parametrize(
    "asked",
    [
        "am i supposed to compare the interest rate",  # an inflected word the guides do not use: a way of saying
        "can you explain the interest rate",  # a word about asking
        "the interest rate when it is 10am",  # a number with letters: her own data
        "the interest rate of microfinanse",  # a typo of a guide's word
    ],
)
def test_ways_of_saying_asking_words_her_data_and_typos_are_not_missing_subjects(asked):
    text = CREDIT["en"]
    weights = guide_weights(text)

    def corrected(question: str, lang: str) -> list[str]:
        return ["microfin" if t == "microfinans" else t for t in analyze(question, lang)]

    assert missing_words(asked, "en", [text], corrected, weights) is None


def test_a_word_a_guide_of_another_language_uses_is_not_missing():
    text = CREDIT["fr"]
    assert missing_words("c'est quoi le mentoring et le taux", "fr", [text], None, guide_weights(text)) == "mentoring"
    known = {"mentoring"}.__contains__
    assert missing_words("c'est quoi le mentoring et le taux", "fr", [text], None, guide_weights(text), known) is None


def test_a_function_word_of_another_language_is_not_missing():
    """ "No encontré nada en las guías sobre «which»" ended an answer to a Spanish message with English in it."""
    text = CREDIT["es"]
    asked = "quiero pedir un préstamo, which are the first steps?"
    known = {"first", "steps"}.__contains__  # English guides use these ("which", a stop word, has no term there)
    assert missing_words(asked, "es", [text], None, guide_weights(text), known) is None


def test_a_word_another_retrieved_section_holds_is_not_said_missing():
    other = hit("BancoSol lends to groups of women in El Alto.", "en", heading="Bolivia")
    draft = compose("what's the interest rate at BancoSol?", "en", [hit(CREDIT["en"], "en"), other])
    assert phrase("found_nothing_on", "en", missing="BancoSol") not in draft.text


def test_the_note_keeps_the_answer_within_its_length_leaving_out_the_last_pieces_but_not_her_answer():
    text = (
        "Microfinance institutions lend small amounts to women. Savings groups meet every week in the village. "
        "Before signing, compare the interest rate, the fees and the repayment schedule of several offers."
    )
    full = compose("what interest rate and fees at BancoSol", "en", [hit(text, "en")])
    assert "Savings groups" in full.text  # room enough: the passage whole, then the note
    limit = len(full.text) - 20
    draft = compose("what interest rate and fees at BancoSol", "en", [hit(text, "en")], max_chars=limit)
    assert len(draft.text) <= limit
    assert draft.text.endswith(note_of("en", "BancoSol"))
    assert "Savings groups" not in draft.text  # made room; the last sentence, which answers her, stays
    assert "compare the interest rate, the fees" in draft.text


def test_an_answer_quoted_from_another_language_gets_no_note():
    draft = compose("¿cuál es la tasa de interés de BancoSol?", "es", [hit(CREDIT["en"], "en")])
    assert "BancoSol" not in draft.text


@pytest.mark.parametrize(
    ("lang", "asked", "named"),
    [
        ("fr", "comment fixer le prix de mes beignets ?", None),
        ("fr", "comment fixer le prix de mes jus de bissap chez Baobab ?", "Baobab"),
        ("es", "¿cómo fijo el precio de mis salteñas?", None),
        ("en", "how do I price my beignets for the market at Kigali", "Kigali"),
        ("en", "how do I price beignets", "beignets"),
    ],
)
def test_her_own_things_are_context_not_missing_subjects(lang, asked, named):
    text = {"fr": "Pour fixer un prix, calculez le coût complet.", "es": "Para fijar un precio, calcula el costo.",
            "en": "To price a product, work out its full cost at the market."}[lang]  # fmt: skip
    assert missing_words(asked, lang, [text], None, guide_weights(text)) == named
