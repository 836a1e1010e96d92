"""A question about a whole series of sibling sections ("Good practice 1..6", "Before the mission: ...") gets the
series; a question about one member keeps its passage (on the real knowledge base)."""

from __future__ import annotations

import pytest

from assistant.answering.service import Answerer
from assistant.memory import Turn

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def answerer(kb_runtime) -> Answerer:
    return Answerer(kb_runtime)


@pytest.mark.parametrize(
    ("question", "language", "first", "last"),
    [
        ("cuales son las buenas practicas de una alianza norte sur", "es", "Buena práctica 1:", "Buena práctica 6:"),
        ("how do i prepare before a short mission", "en", "Before the mission:", "contact institutions"),
        ("c quoi les bonnes pratiques d'un partenariat nord-sud", "fr", "Bonne pratique 1", "Bonne pratique 6"),
    ],
)
def test_a_question_about_the_series_lists_its_sections_in_order(answerer, question, language, first, last):
    """ "cuales son las buenas practicas..." got good practice 1 of 6 alone."""
    answer = answerer.answer(question, language=language)
    assert answer.composer.endswith("+series") and answer.text.startswith(first)
    assert answer.text.index(first) < answer.text.index(last) and len(answer.citations) == 1


@pytest.mark.parametrize(
    ("question", "language"),
    [
        ("before the mission, how do we contact institutions?", "en"),  # one member's own words
        ("que se hace en la etapa 5 de la primera reunion", "es"),  # one member by its number
        ("what is the first step of the first meeting", "en"),  # one member by its rank
        ("how do we set mutual goals", "en"),  # no series at all
    ],
)
def test_a_question_about_one_member_keeps_its_passage(answerer, question, language):
    assert not answerer.answer(question, language=language).composer.endswith("+series")


@pytest.mark.parametrize(
    ("first", "follow_up", "language", "opening"),
    [
        (
            "our women's coop in benin is hosting a canadian volunteer for a 2 week mission in may. how do we "
            "prepare on our side?",
            "and what about after the mission?",
            "en",
            "After the mission: hand over usable deliverables and take stock; keep the partnership alive.",
        ),
        ("comment on se prépare avant une mission courte ?", "et pendant la mission ?", "fr", "Pendant la mission:"),
    ],
)
def test_a_follow_up_naming_another_series_gets_that_series(answerer, first, follow_up, language, opening):
    """ "and what about after the mission?" got the "Before the mission" series again: "before" and "after" are
    stop words, so only her words as written tell the series apart (the seventh blind trial)."""
    previous = answerer.answer(first, language=language)
    answer = answerer.answer(follow_up, language=language, history=[Turn(first, language, previous.text)])
    assert answer.text.startswith(opening) and answer.citations[0].doc_id == "preparing-a-mission"
