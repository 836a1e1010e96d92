"""Topics the guides leave to others (visas, flights, medication): refused, not answered from a nearby section."""

from __future__ import annotations

import re

import pytest

from assistant.answering.scope import OUT_OF_SCOPE, out_of_scope
from assistant.answering.service import Answerer
from assistant.memory import Turn
from assistant.retrieval.places import folded
from tests.conftest import GUIDES


@pytest.fixture(scope="module")
def answerer(kb_runtime) -> Answerer:
    return Answerer(kb_runtime)


@pytest.mark.parametrize(
    ("question", "topic"),
    [
        ("comment obtenir un visa pour aller voir ma binome à Montréal", "visa"),
        ("¿necesito pasaporte para ir a Canadá?", "pasaporte"),
        ("how much is a plane ticket from Manila to Toronto", "plane ticket"),
        ("combien coûte le billet d'avion Cotonou Montréal", "avion"),
        ("q medicamento tomo para el dolor de cabeza", "medicamento"),
        ("do I need a work permit to sell in Canada?", "work permit"),
    ],
)
def test_out_of_scope_topics_are_found_in_three_languages(question, topic):
    assert out_of_scope(question) == topic


@pytest.mark.parametrize(
    "question",
    [
        "comment éviter le vol dans ma boutique",  # "vol" is theft too: only "avion" names the plane
        "how do we plan an in-person visit?",  # "visit" is no visa
        "la visita de mi socia es en mayo, que preparo?",
        "how do i price my soap",
    ],
)
def test_words_that_only_look_alike_are_not_out_of_scope(question):
    assert out_of_scope(question) is None


def test_no_guide_uses_an_out_of_scope_word():
    """A topic the guides take up must leave the list, or her question about it would be refused."""
    texts = {path: folded(path.read_text(encoding="utf-8")) for path in GUIDES.rglob("*.md")}
    for word in OUT_OF_SCOPE:
        pattern = re.compile(rf"(?<!\w){re.escape(word)}(?![\w'])")
        assert not [p.name for p, text in texts.items() if pattern.search(text)], word


@pytest.mark.parametrize(
    ("question", "language"),
    [
        ("comment obtenir un visa pour aller voir ma binome à Montréal", "fr"),
        ("como saco la visa para ir a canada a ver a mi mentora", "es"),
        ("how do i apply for a canadian visitor visa to meet my partner", "en"),
        ("combien coute un billet d'avion cotonou montreal en juin", "fr"),
    ],
)
def test_a_question_about_one_is_refused_with_the_offer_to_ask_the_team(answerer, question, language):
    answer = answerer.answer(question, language=language)
    assert answer.abstained and answer.language == language and "/human" in answer.text


def test_a_topic_named_only_around_her_question_does_not_refuse_it(answerer):
    answer = answerer.answer("J'ai enfin reçu mon visa. Comment préparer notre première rencontre ?", language="fr")
    assert not answer.abstained and answer.citations[0].doc_id == "first-meeting-agenda"


def test_a_follow_up_about_one_is_refused(answerer):
    first = answerer.answer("how do we make the most of an in-person meeting?", language="en")
    assert not first.abstained
    follow = answerer.answer("and do i need a visa for that?", history=[Turn(first.question, "en", first.text)])
    assert follow.abstained
