"""Answer relevance and the useful-answer rate, each checked on answers worked out by hand."""

from __future__ import annotations

import pytest

from evals import usefulness as u

CREDIT = (
    "Un dossier de crédit contient en général : vos registres de ventes et de dépenses sur six mois ; "
    "une description courte de l'activité ; le montant demandé et son usage."
)
GUARANTEE = "Les groupes d'épargne prêtent sans garantie à leurs membres qui remboursent chaque semaine."
CANADA = "Les participantes canadiennes parlent d'habitude français, anglais ou les deux."

NOTE_FR = "Le guide sur ce sujet n'existe qu'en anglais ; voici le passage, cité tel quel :"
NOTE_EN = "The guide on this exists only in French and Spanish; here is the passage, quoted as written:"


def test_sentences_drop_citations_and_list_marks_and_split_items():
    answer = "Une carpeta incluye: [1]\n- registros de ventas;\n• el monto pedido. [2] Luego, visite al banco! Ok"
    assert u.answer_sentences(answer) == [
        "Une carpeta incluye:",
        "registros de ventas;",
        "el monto pedido.",
        "Luego, visite al banco!",
        "Ok",
    ]
    assert u.answer_sentences("  \n [3] ") == []
    # A cited list item ends at its marker even without a full stop.
    items = "Three kinds of goals: her own goals [1] Three kinds of goals: shared goals [1, 2] Review them. [2]"
    assert u.answer_sentences(items) == ["Three kinds of goals: her own goals", "Three kinds of goals: shared goals",
                                         "Review them."]  # fmt: skip


def test_framing_sentences_are_the_assistants_own_phrases_in_her_language():
    assert u.is_framing(NOTE_FR, "fr")
    assert u.is_framing(NOTE_EN, "en")
    assert not u.is_framing(NOTE_FR, "en")
    assert not u.is_framing(CANADA, "fr")
    # A two-word phrase sentence with a placeholder ("in {place}") must not swallow guide sentences opening alike.
    assert not u.is_framing("In the pilot with Bolivia and Senegal, Canadian participants gained confidence.", "en")
    assert u.is_framing("The programme's guides do not answer this question.", "en")


def test_a_sentence_is_drawn_from_a_passage_verbatim_trimmed_or_in_other_words():
    lang = "fr"
    assert u.drawn_from("Un dossier de crédit contient en général :", CREDIT, lang)
    assert u.drawn_from("le montant demandé et son usage…", CREDIT, lang)  # trimmed at the phone length
    # Five content terms (registr, vent, depens, six, mois), all in the passage, in another order: drawn.
    assert u.drawn_from("Six mois de dépenses et de ventes, dans des registres.", CREDIT, lang)
    assert not u.drawn_from(CANADA, CREDIT, lang)
    assert not u.drawn_from("Et voilà.", CREDIT, lang)  # no content term at all


def test_answer_relevance_is_the_share_of_content_sentences_from_a_relevant_passage():
    # Three content sentences: the first from CREDIT, the second from GUARANTEE, the third from elsewhere;
    # the framing sentence counts for neither side.
    answer = f"{NOTE_FR}\n{CREDIT} [1] {GUARANTEE} [2] {CANADA} [3]"
    assert u.answer_relevance(answer, [CREDIT], "fr") == pytest.approx(1 / 3)
    assert u.answer_relevance(answer, [CREDIT, GUARANTEE], "fr") == pytest.approx(2 / 3)
    assert u.answer_relevance(NOTE_FR, [CREDIT], "fr") is None
    assert u.first_sentence_relevant(answer, [CREDIT], "fr")  # the framing sentence is skipped
    assert not u.first_sentence_relevant(f"{CANADA} {CREDIT}", [CREDIT], "fr")
    assert not u.first_sentence_relevant("", [CREDIT], "fr")


def test_useful_needs_all_four_conditions():
    assert u.useful_answer(False, True, True, True)
    assert not u.useful_answer(True, True, True, True)
    assert not u.useful_answer(False, False, True, True)
    assert not u.useful_answer(False, True, False, True)
    assert not u.useful_answer(False, True, True, False)


@pytest.mark.parametrize(
    ("flags", "expected"),
    [
        ((True, False, True, True, True, True), None),
        ((True, True, True, True, True, True), "wrong_refusal"),
        ((True, False, False, False, False, False), "wrong_language"),
        ((True, False, True, False, False, False), "wrong_guide"),
        ((True, False, True, True, False, False), "key_fact_missing"),
        ((True, False, True, True, True, False), "off_topic"),
        ((False, True, True, False, False, False), None),
        ((False, False, True, False, False, False), "missed_refusal"),
    ],
)
def test_each_failure_gets_the_first_type_that_explains_it(flags, expected):
    assert u.failure_type(*flags) == expected
    assert expected is None or expected in u.FAILURE_TYPES


@pytest.mark.parametrize("lang", ["fr", "es", "en"])
def test_the_note_on_what_the_guides_lack_is_framing_not_content(lang):
    from assistant.phrases import phrase

    note = phrase("found_nothing_on", lang, missing="interest rate at BancoSol")
    answer = f"{GUARANTEE} [1]\n\n{note}"
    assert u.is_framing(note, lang)
    assert u.content_sentences(answer, lang) == [GUARANTEE]
    assert u.guide_text(answer, lang) == GUARANTEE  # what the grounding measures check
    assert u.answer_relevance(answer, [GUARANTEE], lang) == 1.0
    assert u.first_sentence_relevant(answer, [GUARANTEE], lang)
