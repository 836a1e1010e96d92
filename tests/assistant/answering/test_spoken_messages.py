"""Messages as they are spoken or chatted: a long run of words with no full stop, hesitations, thanks and words
that announce a question around it, and thanks before a follow-up."""

from __future__ import annotations

import pytest

from assistant.answering.understanding import understand
from assistant.memory import Turn, is_follow_up, resolve


@pytest.mark.parametrize(
    ("text", "lang", "question"),
    [
        (
            "ok so um i just got back from my first meeting with my partner from benin and honestly it went ok but i "
            "feel like i talked way too much about my own business and she barely got to say anything what should i "
            "do next time",
            "en",
            "what should i do next time",
        ),
        (
            "euh bonsoir alors je suis couturiere a thies et ma binome est a montreal on se parle depuis deux mois "
            "mais on sait pas trop comment on fait pour fixer des objectifs ensemble",
            "fr",
            "comment on fait pour fixer des objectifs ensemble",
        ),
        (
            "mira te cuento yo tengo un puesto de api en la ceja de el alto y quiero que mas gente me conozca pero no "
            "se si hacer tiktok o facebook que me recomiendas",
            "es",
            "pero no se si hacer tiktok o facebook que me recomiendas?",  # a bare ask takes what it asks about
        ),
    ],
)
def test_a_long_spoken_run_of_words_is_cut_where_its_question_starts(text, lang, question):
    """A voice-note-like message with no full stop was searched whole: its story drowned its question."""
    understood = understand(text, lang)
    assert understood.question == question
    assert understood.context and question not in " ".join(understood.context)


def test_a_run_on_message_is_cut_before_how_often_or_how_long():
    text = (
        "ok so basically i sell handmade jewellery online and my pair is in guatemala and we agreed to meet every "
        "week but honestly its too much for both of us and we keep cancelling how often do other pairs meet"
    )
    understood = understand(text, "en")
    assert understood.question == "how often do other pairs meet" and understood.context


@pytest.mark.parametrize(
    ("text", "lang", "question"),
    [
        (
            "alors voila jai un salon de coiffure a abidjan et ma binome veut arreter le binome parce que elle a "
            "plus le temps et moi je sais pas comment finir le jumelage bien",
            "fr",
            "comment finir le jumelage bien?",
        ),
        (
            "mira te cuento yo vendo cafe con mi cooperativa de mujeres y queremos exportar a canada pero no sabemos "
            "ni por donde empezar con los papeles",
            "es",
            "por donde empezar con los papeles?",
        ),
        ("i run a small bakery in toronto. i dont know how to price my cakes", "en", "how to price my cakes?"),
    ],
)
def test_not_knowing_how_is_asking_how(text, lang, question):
    """A story ending in "je sais pas comment..." had no question sentence: the whole story was searched, its
    question drowned, and the message refused."""
    understood = understand(text, lang)
    assert understood.question == question and understood.context


def test_not_knowing_without_a_question_word_is_not_a_question():
    assert understand("no se si hacer tiktok o facebook", "es").question == "no se si hacer tiktok o facebook"


def test_a_short_sentence_without_a_full_stop_is_not_cut():
    assert understand("how do we set goals but keep them simple", "en").question == (
        "how do we set goals but keep them simple"
    )


def test_an_ask_pointing_back_keeps_what_it_points_at():
    text = (
        "i have a small tailoring business and my partner in ottawa wants to apply with me for a short mission "
        "where she would come for two weeks how does that work"
    )
    assert "short mission" in understand(text, "en").question


@pytest.mark.parametrize(
    ("text", "lang", "question"),
    [
        ("um how do i price my soap", "en", "how do i price my soap"),
        ("euh comment je fixe mes prix", "fr", "comment je fixe mes prix"),
        ("buenas tardes como pongo mis precios", "es", "como pongo mis precios"),
        ("como pongo mis precios gracias", "es", "como pongo mis precios"),
        ("comment je fixe mes prix merci beaucoup!", "fr", "comment je fixe mes prix"),
    ],
)
def test_hesitations_a_greeting_and_thanks_around_a_question_are_not_searched(text, lang, question):
    assert understand(text, lang).question == question


@pytest.mark.parametrize(
    ("text", "lang", "question"),
    [
        ("Hello. I was wondering, how do I get a loan. I need a new equipment.", "en", "how do I get a loan?"),
        ("Bonjour. Je voudrais savoir comment obtenir un prêt. J'ai une machine.", "fr", "comment obtenir un prêt?"),
        ("Hola. Quería preguntar cómo pido un crédito. Tengo un taller.", "es", "cómo pido un crédito?"),
    ],
)
def test_words_announcing_a_question_make_the_sentence_the_question(text, lang, question):
    """A voice note's transcript ends a spoken question with "."; "I need a new equipment." was answered instead."""
    understood = understand(text, lang)
    assert understood.question == question and not understood.others


def test_a_need_beside_a_question_is_its_context_and_alone_is_the_request():
    understood = understand("necesito un prestamo. que papeles piden?", "es")
    assert understood.question == "que papeles piden?" and understood.context == ["necesito un prestamo."]
    assert understand("I need help with pricing", "en").question == "I need help with pricing"


@pytest.mark.parametrize(
    "text",
    [
        "thx! and what did the pilot do there",
        "super merci!! et après ?",
        "ok gracias, y en bolivia?",
        "ok donc ca fait combien dheures de decalage en ete?",  # "donc": was read as a new question, refused
        "y despues de la feria que hago con los contactos?",
    ],
)
def test_thanks_before_a_follow_up_keep_it_one(text):
    assert is_follow_up(text)


def test_a_follow_up_to_a_follow_up_stands_for_the_question_before_both():
    """ "and whats the time difference with vancouver" after "thx! and what did the pilot do there" was glued to
    that follow-up as typed ("! and what did the pilot do there ..."), the place it pointed at lost."""
    history = [
        Turn("any tips for working with a senegalese partner", "en", "..."),
        Turn("thx! and what did the pilot do there", "en", "..."),
    ]
    searched = resolve("and whats the time difference with vancouver", history).searched
    assert "senegalese" in searched and "pilot" in searched


@pytest.mark.parametrize(("text", "lang"), [("super merci!!", "fr"), ("ok thanks!", "en"), ("perfecto gracias.", "es")])
def test_an_acknowledgement_with_thanks_is_not_part_of_the_question(text, lang):
    assert understand(f"{text} et le programme fait quoi la bas", lang).question == "et le programme fait quoi la bas"
