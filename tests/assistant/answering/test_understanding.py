"""Understanding a message before search: SMS spellings, greetings, context, several questions, follow-ups."""

from __future__ import annotations

import pytest

from assistant.answering.understanding import (
    clauses,
    introduces_herself,
    language_by_words,
    normalise_sms,
    split_about_her,
    understand,
)
from assistant.memory import Turn, is_follow_up, points_there, resolve


@pytest.mark.parametrize(
    ("text", "lang", "expected"),
    [
        ("c koi une tontine", "fr", "c'est quoi une tontine"),
        ("pq c si cher pr un pret", "fr", "pourquoi c'est si cher pour un pret"),
        ("tkt, cmt je fais?", "fr", ", comment je fais?"),
        ("q necesito xq no se nomas", "es", "que necesito por qué no se nomás"),
        ("hi po, wat do u need pls", "en", "hi , what do you need please"),
        ("jdois faire quoi, jsuis perdue", "fr", "je dois faire quoi, je suis perdue"),
        ("what shud i do", "en", "what should i do"),
        ("paano po mag-set ng price ng kakanin ko?", "en", "how -set price kakanin ?"),
        # ordinals written with a digit: "1ere" was searched as "1er", which no heading says
        ("je prepare quoi avant la 1ere rencontre", "fr", "je prepare quoi avant la première rencontre"),
        ("q hago en la 2da reunion", "es", "que hago en la segunda reunion"),
        ("what about the 3rd meeting", "en", "what about the third meeting"),
        # French typed without its apostrophes: "dheures" is no "heures"
        ("combien dheures de decalage", "fr", "combien d'heures de decalage"),
        ("cest quoi lequipe, on sentend bien", "fr", "c'est quoi l'equipe, on s'entend bien"),
        ("jusqua quand quil faut attendre?", "fr", "jusqu'a quand qu'il faut attendre?"),
        ("dune part a Dakar", "fr", "dune part a Dakar"),  # a word ("dune"), a name: left as they are
        ("latelier", "en", "latelier"),  # French only
        ("notre tontine a Thies", "fr", "notre tontine a Thies"),  # a town ("hies" is a word): no "t'hies"
        ("rdv a 9h a mtl", "fr", "rendez-vous a 9h a Montréal"),  # "mtl" named no place: refused
    ],
)
def test_sms_spellings_are_written_out_per_language(text, lang, expected):
    assert normalise_sms(text, lang) == expected


@pytest.mark.parametrize(
    ("text", "lang", "expected"),
    [
        ("on se voit tous les combien avec sa binome", "fr", "on se voit à quelle fréquence avec sa binôme"),
        ("Toutes les combien on doit se parler ?", "fr", "à quelle fréquence on doit se parler ?"),
        ("cada cuanto nos reunimos", "es", "con qué frecuencia nos reunimos"),
        ("cada cuánto tiempo hablan las parejas?", "es", "con qué frecuencia hablan las parejas?"),
        ("tous les combien", "es", "tous les combien"),  # a French idiom in a Spanish message: left alone
    ],
)
def test_idioms_asking_how_often_say_frequency(text, lang, expected):
    assert normalise_sms(text, lang) == expected


def test_sms_spellings_of_another_language_are_left_alone():
    # "c" is "c'est" in French only; "po" is dropped in (Filipino) English only.
    assert normalise_sms("vitamina c", "es") == "vitamina c"
    assert normalise_sms("po", "fr") == "po"
    assert normalise_sms("paano ng", "es") == "paano ng"  # Taglish is Filipino English's


def test_greetings_and_thanks_are_not_the_question():
    u = understand("Bonjour ! Merci beaucoup. Comment préparer un dossier de prêt ?", "fr")
    assert u.question == "Comment préparer un dossier de prêt ?"
    assert u.searched == u.question and not u.others


def test_context_is_searched_with_the_question_but_is_not_the_question():
    text = (
        "Good evening. I am Grace from Musanze, Rwanda. I sell vegetables at the market. "
        "My partner is in Toronto. What hours work best for us?"
    )
    u = understand(text, "en")
    assert u.question == "What hours work best for us?"
    assert "Rwanda" in u.searched and "Toronto" in u.searched and u.searched.endswith(u.question)
    assert "Good evening" not in u.searched


def test_a_second_question_with_words_of_its_own_is_named():
    u = understand("Comment préparer un dossier de prêt ? Et est-ce que la tontine est plus sûre ?", "fr")
    assert u.question == "Comment préparer un dossier de prêt ?"
    assert u.others == ["Et est-ce que la tontine est plus sûre ?"]


def test_a_short_refinement_belongs_to_the_question():
    # Control for the test above: "c gratuit ?" only refines the first question; nothing to name apart.
    u = understand("c combien pour participer ? c gratuit ?", "fr")
    assert not u.others and "gratuit" in u.question


@pytest.mark.parametrize(
    ("text", "lang", "refinement"),
    [
        ("comment on fixe des objectifs avec sa binome? donne moi un exemple stp", "fr", "exemple"),
        ("como ponemos metas juntas? dame ejemplos por favor", "es", "ejemplos"),
        ("how do we set goals together? can you give me some examples please", "en", "examples"),
        ("how do we set goals together? example pls", "en", "example"),  # no question mark
    ],
)
def test_a_request_for_examples_belongs_to_the_question(text, lang, refinement):
    u = understand(text, lang)
    assert not u.others
    assert refinement in u.question


def test_a_second_question_with_a_topic_of_its_own_is_still_named():
    # Control for the test above: "exemple" beside words of its own is another question.
    u = understand("comment fixer des objectifs ? et un exemple de plan de trésorerie ?", "fr")
    assert u.others == ["et un exemple de plan de trésorerie ?"]


def test_a_keyword_message_is_all_question():
    u = understand("tontine", "fr")
    assert u.question == u.searched == "tontine"


def test_follow_up_with_a_new_country_is_the_previous_question_about_it():
    history = [Turn("what is the time difference with Senegal", "en", "...")]
    assert resolve("and in Guatemala?", history).searched == "what is the time difference with Guatemala"
    history = [Turn("c quoi le décalage horaire avec le Sénégal", "fr", "...")]
    assert resolve("et avec les Philippines ?", history).searched == "c quoi le décalage horaire avec le Philippines"


def test_follow_up_with_a_new_aspect_keeps_the_previous_topic_and_its_own_words():
    history = [Turn("qué necesito para pedir un crédito", "es", "...")]
    resolved = resolve("¿y cuánto cuesta?", history)
    assert resolved.follow_up and resolved.searched == "qué necesito para pedir un crédito ¿y cuánto cuesta?"
    assert resolved.focus == "¿y cuánto cuesta?"


def test_a_new_question_is_not_resolved_against_the_previous_one():
    history = [Turn("what is the time difference with Senegal", "en", "...")]
    resolved = resolve("how do I prepare a loan file for a cooperative", history)
    assert not resolved.follow_up and resolved.searched == "how do I prepare a loan file for a cooperative"


def test_of_two_places_the_last_one_named_is_the_one_a_follow_up_replaces():
    history = [Turn("time difference between Canada and Senegal", "en", "...")]
    assert resolve("and Rwanda?", history).searched == "time difference between Canada and Rwanda"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("difference entre binome sud-sud et nord-sud ?", "fr"),
        ("cual es la diferencia entre las parejas", "es"),
        ("what is the difference between the pairings", "en"),
        ("tontine", None),  # no function word: nothing to go on
        ("la mentoria", None),  # one word, shared by French and Spanish
    ],
)
def test_the_language_of_a_message_by_its_function_words(text, expected):
    assert language_by_words(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("tu peux me donner un exemple sur l'environnement ?", True),
        ("can you give me some examples for my shop?", True),
        ("¿me das más detalles sobre eso por favor?", True),
        ("how do I write a key message for a buyer at the fair", False),
        ("give me an example of a goal for a bakery that sells cakes online in Kigali", False),  # long: its own
    ],
)
def test_asking_for_an_example_or_more_detail_follows_up(text, expected):
    assert is_follow_up(text) is expected
    previous = Turn("comment fixer des objectifs avec ma binôme", "fr", "...")
    assert resolve(text, [previous]).follow_up is expected


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        ("time difference manila and vancouver pls", ["time difference manila", "vancouver pls"]),
        (
            "c'est quoi une tontine et est-ce que ça peut m'aider",
            ["c'est quoi une tontine", "est-ce que ça peut m'aider"],
        ),
        (
            "tengo 4 empleadas y me cuesta delegar, algun consejo",
            ["tengo 4 empleadas", "me cuesta delegar", "algun consejo"],
        ),
    ],
)
def test_a_question_joining_several_asks_is_cut_into_its_clauses(question, expected):
    assert clauses(question) == expected


def test_a_one_clause_question_has_no_clauses():
    assert clauses("how do i get a loan") == []
    assert clauses("delegar, consejos") == []  # a one-word part is not a clause


@pytest.mark.parametrize(
    ("message", "lang", "question", "about_her"),
    [
        (
            "tengo un taller de tejidos en el alto y me cuesta delegar, algun consejo?",
            "es",
            "me cuesta delegar, algun consejo?",
            ["tengo un taller de tejidos en el alto"],
        ),
        (
            "i run a small salon in cebu, how can i make it greener?",
            "en",
            "how can i make it greener?",
            ["i run a small salon in cebu"],
        ),
        (
            "je vends du bissap a dakar et je veux un pret, quels papiers ?",
            "fr",
            "je veux un pret, quels papiers ?",
            ["je vends du bissap a dakar"],
        ),
    ],
)
def test_what_she_says_about_herself_before_her_question_is_context(message, lang, question, about_her):
    understood = understand(message, lang)
    assert understood.question == question and understood.context == about_her
    assert understood.searched == message  # searched whole: her business still steers the search


def test_a_taglish_clause_about_what_she_does_is_context():
    understood = understand("nagtitinda ako ng kakanin, how do i price my products po?", "en")
    assert understood.question == "how do i price my products ?"  # "po" (politeness) dropped
    assert understood.context == ["nagtitinda i kakanin"]
    # "nag-" verb then "ako" (I): not a question's opening "may i", "can i"
    assert split_about_her("can i sell online, what do i need?") == ([], "can i sell online, what do i need?")


def test_a_clause_that_asks_or_too_little_left_is_not_context():
    assert split_about_her("tengo que revisar algo antes de aceptar?") == (
        [],
        "tengo que revisar algo antes de aceptar?",
    )
    assert split_about_her("je vends du bissap a dakar") == ([], "je vends du bissap a dakar")
    assert split_about_her("my shop, ok?") == ([], "my shop, ok?")


def test_a_clause_about_her_partner_or_her_shop_is_what_she_asks_about():
    message = "my partner wants to record our calls, is that ok?"
    assert understand(message, "en").question == message
    assert understand("ma binôme veut enregistrer nos réunions, c'est ok ?", "fr").context == []


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("q es la mentoria reciproca", False),  # "la" the article: a question of its own
        ("c'est quoi la tontine", False),
        ("¿cómo lo hago?", True),
        ("elle dure combien ?", True),
        ("how long does it take?", True),
    ],
)
def test_an_article_is_not_a_pronoun_pointing_back(text, expected):
    assert is_follow_up(text) is expected


def test_a_swapped_follow_up_says_what_kind_of_thing_was_swapped():
    country = resolve("and in Guatemala?", [Turn("what is the time difference with Senegal", "en", "...")])
    tool = resolve("y por facebook?", [Turn("como vendo por instagram?", "es", "...")])
    assert (country.swapped, country.kind) == (True, "country")
    assert (tool.swapped, tool.kind) == (True, "tool")
    assert resolve("¿y cuánto cuesta?", [Turn("como pido un credito", "es", "...")]).kind is None


@pytest.mark.parametrize(
    ("before", "text", "place"),
    [
        ("just got paired w a woman in kigali who makes baskets", "what languages do ppl speak there?", "kigali"),
        ("ma binome est au senegal", "il fait quel temps la-bas en ce moment, on peut se voir le matin ?", "senegal"),
        ("mi compañera vive en Cochabamba", "q idioma hablan alla?", "cochabamba"),
    ],
)
def test_a_question_pointing_at_a_place_it_does_not_name_is_about_the_last_one_she_named(before, text, place):
    history = [Turn(before, "en", "..."), Turn("how do I price my soap", "en", "...")]
    assert points_there(text)
    resolved = resolve(text, history)
    assert resolved.follow_up and resolved.searched == f"{text} {place}" and resolved.focus == text


@pytest.mark.parametrize(
    "text", ["are there trade fairs in Canada?", "is there a fee?", "there are many fairs, which one?", "what is it?"]
)
def test_there_as_there_is_points_nowhere(text):
    assert not points_there(text)


def test_a_question_pointing_there_but_naming_its_place_is_about_that_place():
    assert not points_there("what do they speak there in Rwanda?")
    assert resolve("what languages there?", [Turn("how do I price my soap", "en", "...")]).searched == (
        "how do I price my soap what languages there?"  # no place named before: an ordinary follow-up
    )


def test_a_follow_up_adding_a_country_to_a_question_without_one_says_so():
    added = resolve("and for canada?", [Turn("what about big supermarkets, they want 60 day payment terms", "en", "")])
    assert (added.follow_up, added.swapped, added.kind) == (True, False, "country")
    assert added.searched.startswith("what about big supermarkets")
    # With words of its own it is its own question about that country, not an added place.
    own = resolve("and in canada, which languages?", [Turn("how do I price my soap", "en", "")])
    assert own.kind is None


@pytest.mark.parametrize(
    ("text", "lang", "expected"),
    [
        ("hi im sarah from toronto, just got paired w a woman in kigali who makes baskets", "en", True),
        ("Bonjour, je suis couturière à Thiès. J'ai un atelier de 3 machines.", "fr", True),
        ("hola soy de el alto, tejo chompas de alpaca con mi mama", "es", True),
        ("je suis couturiere a thies, comment je fais pour un pret ?", "fr", False),  # she asks
        ("soy de El Alto. como vendo por facebook", "es", False),
        ("svp le numero de telephone de la directrice du programme", "fr", False),  # a request, no introduction
    ],
)
def test_a_message_that_only_says_who_she_is(text, lang, expected):
    assert introduces_herself(text, lang) is expected
