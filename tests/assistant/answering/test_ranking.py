"""Which retrieved section the extractive answer quotes: word order, meaning, and the kind of question."""

from __future__ import annotations

import pytest

from assistant.answering.extractive import ExtractiveComposer
from assistant.answering.ranking import (
    Features,
    asks_examples,
    asks_meaning,
    defined_words,
    defines,
    pairs,
    phrase_share,
    rank,
)
from assistant.knowledge.chunking import Chunk
from assistant.retrieval.search import SearchHit
from assistant.text import analyze


def section(heading: str, text: str, score: float, dense: float | None = None, lang: str = "en") -> SearchHit:
    chunk = Chunk(
        chunk_id=f"pairings.{lang}#{heading.lower().replace(' ', '-')}-1",
        doc_id="pairings",
        lang=lang,
        title="Pairings",
        heading=heading,
        text=text,
        source=f"{lang}/pairings.md",
    )
    return SearchHit(rank=1, chunk=chunk, score=score, bm25=score, dense=score if dense is None else dense)


# phrase_share


def test_a_phrase_counts_only_in_the_question_s_order():
    weight = {"south": 1.0, "north": 1.0}
    asked = pairs(["south", "north"])
    assert phrase_share(asked, weight, ["link", "south", "north", "pair"]) == 1.0
    assert phrase_share(asked, weight, ["link", "north", "south", "pair"]) == 0.0


def test_a_repeated_term_is_a_phrase_of_its_own():
    weight = {"south": 1.0, "pair": 1.0}
    asked = pairs(["south", "south", "pair"])
    assert asked == [("south", "south"), ("south", "pair")]
    assert phrase_share(asked, weight, ["north", "south", "pair"]) == pytest.approx(0.5)
    assert phrase_share(asked, weight, ["south", "south", "pair"]) == 1.0


def test_no_pairs_no_phrase():
    assert phrase_share([], {"credit": 2.0}, ["credit"]) == 0.0


# rank


def test_the_closer_meaning_breaks_a_tie_of_words_and_retrieval():
    features = [Features(coverage=0.5), Features(coverage=0.5)]
    assert rank([1.0, 1.0], features, asks_why=False, dense=[0.85, 0.90]) == [1, 0]
    assert rank([1.0, 1.0], [Features(coverage=0.5), Features(coverage=0.5)], False, dense=[0.90, 0.85]) == [0, 1]


def test_a_why_section_rises_for_a_why_question_and_falls_otherwise():
    features = [Features(coverage=0.5), Features(coverage=0.5, why=True)]
    assert rank([1.0, 0.8], features, asks_why=True) == [1, 0]
    assert rank([0.8, 1.0], features, asks_why=False) == [0, 1]


# the composer


SOUTH_NORTH = "A South-North pairing links Canada and a partner country, the partner from the South named first."
SOUTH_SOUTH = "A South-South pairing links two women from two partner countries, such as Bolivia and Guatemala."


def test_the_section_holding_the_question_s_phrase_is_quoted_though_ranked_second():
    hits = [
        section("South-North pairings", SOUTH_NORTH, 1.0, dense=0.9),
        section("South-South pairings", SOUTH_SOUTH, 0.97, dense=0.9),
    ]
    answer = ExtractiveComposer().compose("what is a south-south pairing", "en", hits)
    assert answer.text.startswith(SOUTH_SOUTH)
    assert answer.citations[0].chunk_id.endswith("south-south-pairings-1")
    asked_the_other = ExtractiveComposer().compose("what is a south-north pairing", "en", hits)
    assert asked_the_other.text.startswith(SOUTH_NORTH)


def test_the_section_closest_in_meaning_is_quoted_when_words_do_not_decide():
    cheap = "Use less water and energy: fix leaks, switch off machines, and you spend less."
    label = "Labels tell customers how green a product is."
    hits = [section("Green labels", label, 1.0, dense=0.85), section("Resource efficiency", cheap, 0.97, dense=0.89)]
    assert ExtractiveComposer().compose("cheap ways to be greener", "en", hits).text.startswith(cheap)
    hits = [section("Green labels", label, 1.0, dense=0.89), section("Resource efficiency", cheap, 0.97, dense=0.85)]
    assert ExtractiveComposer().compose("cheap ways to be greener", "en", hits).text.startswith(label)


def test_a_why_question_gets_the_why_section_though_another_ranks_first():
    why = "Banks often ask for land as collateral, and fewer women hold land in their name."
    how = "Borrow only what the business can repay in a bad month."
    hits = [section("Borrowing safely", how, 1.0), section("Why credit is harder for women", why, 0.9)]
    assert ExtractiveComposer().compose("why is it harder for women to borrow", "en", hits).text.startswith(why)
    assert ExtractiveComposer().compose("how should women borrow", "en", hits).text.startswith(how)


# follow-ups


FAIR = (
    "A trade fair is a chance to meet buyers. Before the fair, print price labels. "
    "After the fair, follow up with each contact within a week."
)
BENIN = "Book meetings in the Canadian morning, which is afternoon in Benin."


def test_a_follow_up_gets_the_passage_again_rather_than_one_holding_none_of_its_words():
    hits = [section("Trade fairs", FAIR, 1.0, dense=0.9), section("Tips for Benin", BENIN, 0.6, dense=0.85)]
    composer = ExtractiveComposer()
    first = composer.compose("tips for a trade fair", "en", hits).text
    assert "within a week" in first
    again = composer.compose("tips for a trade fair and after it", "en", hits, focus="and after it", seen=first)
    assert "within a week" in again.text
    assert "Benin" not in again.text


def test_a_follow_up_moves_on_to_a_passage_that_holds_its_words():
    loans = "After a loan is repaid, ask the lender for a receipt."
    hits = [section("Trade fairs", FAIR, 1.0, dense=0.9), section("Loans", loans, 0.6, dense=0.85)]
    composer = ExtractiveComposer()
    first = composer.compose("tips for a trade fair", "en", hits).text
    again = composer.compose("tips for a trade fair and the loan after it", "en", hits, focus="loan", seen=first)
    assert again.text.startswith(loans)


# a question asking what something is or means


@pytest.mark.parametrize(
    ("heading", "question", "lang", "expected"),
    [
        ("What reciprocal mentoring is", "what does reciprocal mentoring mean", "en", True),
        ("Qu'est-ce que le mentorat réciproque ?", "mentorat réciproque ça veut dire quoi", "fr", True),
        ("Qué es la mentoría recíproca", "qué es la mentoría recíproca", "es", True),
        ("What a short expertise mission is", "what is the time difference with Dakar", "en", False),
        ("Respect between equals", "what does reciprocal mentoring mean", "en", False),
    ],
)
def test_a_section_defines_what_the_question_names(heading, question, lang, expected):
    assert defines(heading, lang, set(analyze(question, lang))) is expected


def test_what_questions_are_told_from_others():
    assert asks_meaning("what does reciprocal mentoring actually mean")
    assert asks_meaning("c'est quoi une tontine")
    assert asks_meaning("qué es el impacto colectivo")
    assert not asks_meaning("how do we end our pairing")


def test_a_question_asking_what_something_means_gets_the_section_that_says_it():
    respect = "Respect means valuing what your partner knows about reciprocal mentoring and her market."
    meaning = "Reciprocal mentoring is a two-way exchange between peers."
    hits = [
        section("Respect between equals", respect, 1.0, dense=0.9),
        section("What reciprocal mentoring is", meaning, 0.9, dense=0.9),
    ]
    answer = ExtractiveComposer().compose("what does reciprocal mentoring mean", "en", hits)
    assert answer.text.startswith(meaning)


# a question asking for examples


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        ("how do we set goals together? example please", True),
        ("comment on fixe des objectifs ? donne moi un exemple", True),
        ("como ponemos metas juntas? dame ejemplos", True),
        ("des exemples de missions courtes ?", True),
        # she gives her own example: not a request for examples
        ("can i post about my partner, for example on facebook?", False),
        ("je vends par exemple du bissap, comment fixer mon prix ?", False),
        ("por ejemplo en facebook, puedo contar lo que me dijo?", False),
        ("how do we set goals together?", False),
    ],
)
def test_a_question_asking_for_examples_is_told_from_one_giving_her_own(question, expected):
    assert asks_examples(question) is expected


def test_a_question_asking_for_examples_gets_the_section_of_examples():
    how = "Set one or two goals each, and one shared goal, and write them down."
    examples = "Some goals: post twice a week on social media; find three buyers abroad in three months."
    hits = [section("Setting goals", how, 1.0, dense=0.9), section("Examples of goals", examples, 0.85, dense=0.8)]
    composer = ExtractiveComposer()
    assert composer.compose("how do we set goals together? example please", "en", hits).text.startswith(examples)
    assert composer.compose("how do we set goals together?", "en", hits).text.startswith(how)


# a question about a guide as a whole


def guide_section(doc: str, title: str, heading: str, text: str, score: float, dense: float) -> SearchHit:
    slug = heading.lower().replace(" ", "-")
    chunk = Chunk(f"{doc}.en#{slug}-1", doc, "en", title, heading, text, f"en/{doc}.md")
    return SearchHit(rank=1, chunk=chunk, score=score, bm25=score, dense=dense)


ENDING = "Ending a pairing well"
SUMMARY = "This guide helps two women end their pairing well: reviewing goals, celebrating, giving feedback."


def test_when_a_guide_s_summary_matches_best_the_answer_comes_from_that_guide():
    """Her question is about the guide as a whole ("how do we end our pairing"): its summary ranks first and is
    never quoted; the passage is another section of that guide, not a section of another guide that ranks next."""
    review = "Before the pairing ends, plan a final meeting to review your goals together."
    practical = "At the first meeting, agree how you will end each call and what to do if the connection drops."
    hits = [
        guide_section("ending", ENDING, ENDING, SUMMARY, 1.0, 0.95),
        guide_section("first-meeting", "First meeting", "Practicalities", practical, 0.9, 0.9),
        guide_section("ending", ENDING, "Reviewing your goals", review, 0.7, 0.8),
    ]
    answer = ExtractiveComposer().compose("how do we end our pairing", "en", hits)
    assert answer.text.startswith(review)
    assert [c.doc_id for c in answer.citations] == ["ending"]


def test_a_word_that_only_frames_the_question_never_calls_for_a_second_guide():
    """The second guide's block holds "comment" (it only frames her question) and none of what she asks: it is
    not quoted."""
    bilan = "Avant la fin du binôme, prévoyez une dernière rencontre pour faire le bilan des objectifs."
    pratique = "Décidez comment vous joindre entre deux rencontres et dans quel délai vous répondez."

    def fr(doc, heading, text, score):
        chunk = Chunk(f"{doc}.fr#{heading}-1", doc, "fr", doc, heading, text, f"fr/{doc}.md")
        return SearchHit(rank=1, chunk=chunk, score=score, bm25=score, dense=score)

    hits = [fr("fin", "bilan", bilan, 1.0), fr("premiere", "pratique", pratique, 0.8)]
    answer = ExtractiveComposer().compose("comment on finit le binôme", "fr", hits)
    assert answer.text.startswith(bilan) and "délai" not in answer.text
    assert [c.doc_id for c in answer.citations] == ["fin"]


def test_of_two_sections_saying_what_her_subject_is_the_one_naming_more_of_her_words_rises():
    terms = set(analyze("qué significa mentoría recíproca", "es"))
    general, specific = "Qué significa la mentoría", "Qué es la mentoría recíproca"
    assert defines(general, "es", terms) and defines(specific, "es", terms)
    features = [
        Features(coverage=1.0, defines=defined_words(general, "es", terms)),
        Features(coverage=1.0, defines=defined_words(specific, "es", terms)),
    ]
    assert rank([1.0, 0.9], features, asks_why=False, meaning=True) == [1, 0]
