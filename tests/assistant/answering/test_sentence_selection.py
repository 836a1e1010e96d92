"""The extractive composer's sentences: splitting Markdown into sentences and choosing which to quote."""

from __future__ import annotations

import pytest

from assistant.answering.extractive import ExtractiveComposer, split_sentences
from assistant.answering.passages import LIST_CHARS, blocks
from assistant.knowledge.chunking import Chunk
from assistant.retrieval.search import SearchHit


def hit(doc_id: str, text: str, score: float = 1.0, rank: int = 1, lang: str = "en") -> SearchHit:
    chunk = Chunk(
        chunk_id=f"{doc_id}.{lang}#section-1",
        doc_id=doc_id,
        lang=lang,
        title=doc_id.title(),
        heading="Section",
        text=text,
        source=f"{lang}/{doc_id}.md",
    )
    return SearchHit(rank=rank, chunk=chunk, score=score, bm25=score, dense=score)


def sentences_of(text: str) -> list[str]:
    """The answer cut after each [n] marker: one quoted sentence per item, marker included."""
    return [part.strip() for part in text.replace("]", "]\x00").split("\x00") if part.strip()]


# split_sentences


def test_markdown_headings_are_skipped():
    text = "# Access to credit\n## Savings groups\nMembers save every week. They lend to each other.\n### Next"
    assert split_sentences(text) == ["Members save every week.", "They lend to each other."]


def test_heading_closes_an_open_list():
    text = "Bring these:\n- ID card\n## Another section\n- Loose bullet"
    assert split_sentences(text) == ["Bring these: ID card", "Loose bullet"]


def test_short_list_is_joined_into_one_sentence():
    text = "Three steps:\n- Save every week.\n- Borrow from the group;\n1. Repay on time\n\nThen start again."
    assert split_sentences(text) == [
        "Three steps: Save every week; Borrow from the group; Repay on time",
        "Then start again.",
    ]


def test_blank_line_between_lead_in_and_bullets_keeps_the_list():
    text = "Documents to bring:\n\n- ID card\n- Bank statement\n\nAfter the list comes prose."
    assert split_sentences(text) == ["Documents to bring: ID card; Bank statement", "After the list comes prose."]


def test_long_list_becomes_one_sentence_per_item_after_the_lead_in():
    items = [
        "150 local partner organisations trained in financial management and governance",
        "3,000 women entrepreneurs mentored by peers in their own language",
        "40 savings groups linked to a formal bank or a microfinance institution",
    ]
    text = "Four targets:\n" + "\n".join(f"- {item}" for item in items) + "\nThe programme ends in 2028."
    assert len("Four targets: " + "; ".join(items)) > LIST_CHARS
    assert split_sentences(text) == [f"Four targets: {item}" for item in items] + ["The programme ends in 2028."]


def test_list_exactly_at_the_limit_stays_joined_and_one_more_character_splits_it():
    lead, first = "Items:", "a" * 50
    # "Items: " + first + "; " + second == LIST_CHARS characters
    second = "b" * (LIST_CHARS - len(lead) - 1 - len(first) - 2)
    joined = f"{lead} {first}; {second}"
    assert len(joined) == LIST_CHARS
    assert split_sentences(f"{lead}\n- {first}\n- {second}") == [joined]
    assert split_sentences(f"{lead}\n- {first}\n- {second}b") == [f"{lead} {first}", f"{lead} {second}b"]


def test_lead_in_without_bullets_stays_a_sentence():
    assert split_sentences("Contact us:\nCall the office. Ask for Awa.") == [
        "Contact us:",
        "Call the office.",
        "Ask for Awa.",
    ]


# ExtractiveComposer.compose


FIGURE_TEXT = (
    "Members of a savings group can get a loan after some months of saving. "
    "Members of a savings group can get a loan after 6 months of saving."
)


def test_quantity_question_picks_the_sentence_with_a_figure():
    # Room for one sentence only: the answering one.
    draft = ExtractiveComposer(max_chars=80).compose(
        "How many months before members of a savings group can get a loan?", "en", [hit("groups", FIGURE_TEXT)]
    )
    assert sentences_of(draft.text) == ["Members of a savings group can get a loan after 6 months of saving. [1]"]


def test_without_a_quantity_question_the_earlier_sentence_wins():
    # Control for the test above: the same evidence, a yes/no question, and no bonus for the figure.
    draft = ExtractiveComposer(max_chars=80).compose(
        "Can members of a savings group get a loan after saving?", "en", [hit("groups", FIGURE_TEXT)]
    )
    assert sentences_of(draft.text) == ["Members of a savings group can get a loan after some months of saving. [1]"]


@pytest.mark.parametrize(
    ("question", "language", "text", "expected"),
    [
        (
            "combien de mois faut-il épargner avant un prêt du groupe ?",
            "fr",
            "Le groupe accorde un prêt après quelques mois d'épargne. "
            "Le groupe accorde un prêt après 6 mois d'épargne.",
            "Le groupe accorde un prêt après 6 mois d'épargne.",
        ),
        (
            "¿cuántos meses de ahorro antes de un préstamo del grupo?",
            "es",
            "El grupo da un préstamo tras varios meses de ahorro. El grupo da un préstamo tras 6 meses de ahorro.",
            "El grupo da un préstamo tras 6 meses de ahorro.",
        ),
        (
            "When is the group meeting held?",
            "en",
            "The group meeting is held regularly. The group meeting is held every Monday at 9.",
            "The group meeting is held every Monday at 9.",
        ),
    ],
)
def test_quantity_questions_in_each_language(question, language, text, expected):
    # Room for one sentence only: the first one chosen is the whole answer.
    composer = ExtractiveComposer(max_chars=len(expected) + 10)
    draft = composer.compose(question, language, [hit("groups", text, lang=language)])
    assert draft.text == f"{expected} [1]"


UNHELPFUL_TEXT = (
    "This guide explains how to get a loan from a savings group. "
    "Do you want to get a loan from a savings group? "
    "Members of a savings group get a loan once they have saved for three months."
)
ANSWER = "Members of a savings group get a loan once they have saved for three months."


def test_guide_description_and_question_sentences_are_not_chosen_first():
    # Room for one sentence only: the first one chosen is the whole answer.
    composer = ExtractiveComposer(max_chars=len(ANSWER) + 10)
    draft = composer.compose("how do I get a loan from a savings group", "en", [hit("groups", UNHELPFUL_TEXT)])
    assert draft.text == f"{ANSWER} [1]"


def test_a_question_sentence_is_not_chosen_before_the_answer():
    text = f"Do you want to get a loan from a savings group? {ANSWER}"
    composer = ExtractiveComposer(max_chars=len(ANSWER) + 10)
    draft = composer.compose("how do I get a loan from a savings group", "en", [hit("groups", text)])
    assert draft.text == f"{ANSWER} [1]"


def test_the_guide_description_is_never_quoted_even_when_it_matches_best():
    # The description holds every word of the question; room for the whole text: it is still left out.
    composer = ExtractiveComposer(max_chars=600)
    draft = composer.compose("how do I get a loan from a savings group", "en", [hit("groups", UNHELPFUL_TEXT)])
    assert "This guide" not in draft.text and ANSWER in draft.text


@pytest.mark.parametrize(
    ("language", "meta", "answer"),
    [
        (
            "fr",
            "Ce guide explique comment obtenir un prêt du groupe d'épargne.",
            "Les membres du groupe d'épargne obtiennent un prêt après trois mois.",
        ),
        (
            "es",
            "Esta guía explica cómo obtener un préstamo del grupo de ahorro.",
            "Los miembros del grupo de ahorro obtienen un préstamo después de tres meses.",
        ),
    ],
)
def test_guide_descriptions_are_penalised_in_french_and_spanish(language, meta, answer):
    question = {"fr": "obtenir un prêt du groupe d'épargne", "es": "obtener un préstamo del grupo de ahorro"}[language]
    composer = ExtractiveComposer(max_chars=len(answer) + 10)
    draft = composer.compose(question, language, [hit("groups", f"{meta} {answer}", lang=language)])
    assert draft.text == f"{answer} [1]"


GUIDE_A = (
    "A savings group lends to members at low interest rates. "
    "A savings group lends small amounts without collateral papers."
)
GUIDE_B = "A savings group lends each month to its members."
GUIDE_C = "Mobile money keeps the cash safe with a secret code."


def two_guides(second: str = GUIDE_B) -> list[SearchHit]:
    return [hit("groups", GUIDE_A, score=1.0, rank=1), hit("microfinance", second, score=0.9, rank=2)]


def test_a_second_guide_that_adds_nothing_is_not_quoted():
    draft = ExtractiveComposer(max_chars=400).compose("does a savings group lend money", "en", two_guides())
    assert [c.doc_id for c in draft.citations] == ["groups"]
    assert GUIDE_B not in draft.text


def test_a_second_guide_that_answers_what_the_first_lacks_is_quoted():
    # Control for the test above: the second guide holds the question's "cash" and "safe", the first does not.
    question = "does a savings group lend at low interest rates, and is the cash safe"
    draft = ExtractiveComposer(max_chars=400).compose(question, "en", two_guides(GUIDE_C))
    assert [c.doc_id for c in draft.citations] == ["groups", "microfinance"]
    assert GUIDE_C in draft.text and "[2]" in draft.text


LOAN_FILE = (
    "Lenders check a file before they lend.\n\n"
    "A loan file usually contains:\n"
    "- an identity document and proof of address\n"
    "- your cash-flow records or sales notebook\n"
    "- the amount you need and exactly what it will buy\n"
    "- a simple repayment plan\n\n"
    "Practise presenting your request in two minutes."
)


def test_a_list_is_quoted_once_with_its_lead_in_and_in_order():
    draft = ExtractiveComposer(max_chars=600).compose("what goes in a loan file", "en", [hit("credit", LOAN_FILE)])
    assert draft.text.count("A loan file usually contains:") == 1
    items = ["an identity document", "cash-flow records", "the amount you need", "repayment plan"]
    positions = [draft.text.index(item) for item in items]
    assert positions == sorted(positions)
    assert draft.text.index("Lenders check") < draft.text.index("A loan file")  # the passage, in the guide's order


def test_a_list_too_long_for_the_phone_is_cut_at_an_item_boundary():
    draft = ExtractiveComposer(max_chars=150).compose("what goes in a loan file", "en", [hit("credit", LOAN_FILE)])
    body = draft.text.split(" [1]")[0]
    assert body.startswith("A loan file usually contains:")
    assert len(draft.text) <= 150
    assert body.endswith(".")  # the cut list still ends as a sentence
    kept = body.removeprefix("A loan file usually contains: ").removesuffix(".").split("; ")
    assert kept and all(item in LOAN_FILE for item in kept)  # whole items only


def test_the_guide_summary_paragraph_is_never_quoted():
    chunk = Chunk(
        chunk_id="country-rwanda.en#country-rwanda-1",
        doc_id="country-rwanda",
        lang="en",
        title="Rwanda",
        heading="Rwanda",
        text="What the programme does in Rwanda and tips for a pair with a woman from Rwanda.\n\n"
        "In Rwanda the programme supports women farmers.",
        source="en/country-rwanda.md",
    )
    draft = ExtractiveComposer().compose("what does the programme do in rwanda", "en", [SearchHit(1, chunk, 1, 1, 1)])
    assert draft.text == "In Rwanda the programme supports women farmers. [1]"


def test_each_guide_is_cited_once_with_its_section_title():
    hits = [hit("credit", LOAN_FILE, rank=1), hit("credit", "A loan file is checked by the officer.", rank=2)]
    draft = ExtractiveComposer().compose("what goes in a loan file", "en", hits)
    assert [c.doc_id for c in draft.citations] == ["credit"]
    assert draft.citations[0].title == "Credit — Section"


def test_a_lead_in_closed_by_a_short_line_does_not_capture_a_later_list():
    # "OK" is too short to be a sentence; the list after it must not be glued to the closed "Note:".
    assert split_sentences("Note:\nOK\n- item one") == ["Note:", "item one"]


def section(doc_id: str, heading: str, text: str, score: float, lang: str) -> SearchHit:
    chunk = Chunk(
        chunk_id=f"{doc_id}.{lang}#{heading.lower().replace(' ', '-')}-1",
        doc_id=doc_id,
        lang=lang,
        title=doc_id.title(),
        heading=heading,
        text=text,
        source=f"{lang}/{doc_id}.md",
    )
    return SearchHit(rank=1, chunk=chunk, score=score, bm25=score, dense=score)


WHY_AND_HOW = {
    "en": (
        "Why set goals together",
        "Goals together give the pair a direction; without goals together, meetings drift.",
        "Making goals concrete",
        "Set goals that are concrete and measurable, with a date.",
        "how do we set goals together",
        "why set goals together",
    ),
    "fr": (
        "Pourquoi fixer des objectifs ensemble",
        "Fixer des objectifs ensemble donne un cap ; sans objectifs ensemble, les rencontres dérivent.",
        "Des objectifs concrets",
        "Fixez des objectifs concrets et mesurables, avec une date.",
        "comment fixer des objectifs ensemble",
        "pourquoi fixer des objectifs ensemble",
    ),
    "es": (
        "Por qué fijar metas juntas",
        "Fijar metas juntas da un rumbo; sin metas juntas, las reuniones se dispersan.",
        "Metas concretas",
        "Fijen metas concretas y medibles, con fecha.",
        "como fijamos metas juntas",
        "por qué fijar metas juntas",
    ),
}


@pytest.mark.parametrize("language", sorted(WHY_AND_HOW))
def test_a_how_question_gets_the_section_that_says_how_not_the_one_that_says_why(language):
    why_heading, why_text, how_heading, how_text, how_q, why_q = WHY_AND_HOW[language]
    hits = [
        section("goals", why_heading, why_text, 1.0, language),
        section("goals", how_heading, how_text, 0.9, language),
    ]
    composer = ExtractiveComposer()
    assert composer.compose(how_q, language, hits).text.startswith(how_text)
    assert composer.compose(why_q, language, hits).text.startswith(why_text)


def test_a_sentence_the_chunking_cut_is_marked_at_both_ends():
    start = blocks("mentor suggests a partner. Savings groups lend to members.")
    assert [b.fragment for b in start] == [True, False]
    end = blocks("Savings groups lend to members. This guide explains what the mentor")
    assert [b.fragment for b in end] == [False, True]
    assert not any(b.fragment for b in blocks("Savings groups lend to members.\n\nThey meet:\n- weekly\n- monthly"))


def test_a_piece_of_a_cut_sentence_is_never_quoted():
    # The whole passage is the tail of a sentence cut by the chunking: nothing to quote from it.
    composer = ExtractiveComposer(max_chars=600)
    tail = "assistant checks when it suggests a partner for a loan from a savings group."
    draft = composer.compose("loan from a savings group", "en", [hit("groups", f"{tail} {ANSWER}")])
    assert draft.text.startswith(ANSWER) and tail not in draft.text


def test_her_own_thing_does_not_choose_the_passage():
    """ "ma boutique" is where she asks from; "budget" is what she asks about: the section that names shops
    ("Boutiques... veulent de la fiabilité") must not win over the one about a budget for her word "boutique"."""
    shops = hit("markets", "Boutiques, hôtels et grossistes veulent de la fiabilité, des factures claires.", lang="fr")
    budget = hit("plan", "Un petit budget mensuel se prépare en listant chaque dépense prévue.", 0.95, 2, "fr")
    draft = ExtractiveComposer().compose("comment faire un budget pour ma boutique", "fr", [shops, budget])
    assert draft.citations[0].doc_id == "plan"
    draft = ExtractiveComposer().compose("comment trouver une boutique pour vendre", "fr", [shops, budget])
    assert draft.citations[0].doc_id == "markets"  # a shop she does not own is what she asks about


def test_a_quoted_list_ends_with_a_full_stop_before_its_marker():
    """A list's items lose their own ";" and "." when quoted: the list closes as a sentence, then [n]."""
    draft = ExtractiveComposer().compose("what costs in winter", "en", [hit("c", "Costs:\n- fees;\n- 13 in winter.\n")])
    assert draft.text == "Costs: fees; 13 in winter. [1]"


def test_questions_she_should_ask_herself_are_quoted_with_their_lead_in():
    """ "Ask yourself: do I...? Which...?" is the advice; a guide's lone rhetorical question is still skipped."""
    text = (
        "To choose a pairing, ask yourself a few questions: do I want a new market? Which languages can I use? "
        "Then tell the programme team.\n\nWhy does it matter? Pairs last longer when they chose."
    )
    found = blocks(text)
    assert found[0].lead == "To choose a pairing, ask yourself a few questions:"
    assert found[0].items == ["do I want a new market?", "Which languages can I use?"]
    assert found[0].text() == (
        "To choose a pairing, ask yourself a few questions: do I want a new market? Which languages can I use?"
    )
    draft = ExtractiveComposer().compose("how do I choose a pairing", "en", [hit("p", text)])
    assert draft.text.startswith("To choose a pairing, ask yourself a few questions: do I want a new market?")
    assert "Why does it matter?" not in draft.text
