"""The small-talk classifier on its own: typo tolerance never turns a content word into small talk, small
talk with typos is still small talk, and "are you a real person?" is asked in many ways."""

from __future__ import annotations

import pytest

from assistant.conversation.smalltalk import _lexicon, classify, domain_words, guide_words, is_content

# Content words one edit (or a doubled letter) away from a small-talk word, alone or beside small talk.
NEAR_MISSES = [
    "loan file", "file", "fire", "wine", "fines", "goods", "goods export", "niche market", "nine steps",
    "ok loan", "thanks loan", "loan ok", "good loan file",
    "bono", "bono de apoyo", "mercado", "mercado local", "lista de precios", "salud", "hora", "caro",
    "gracias credito", "vale la pena el credito", "hola prestamo",
    "merci dossier", "marché", "salon", "bien garantie", "note de frais", "compte", "parfois", "super épargne",
    "bonjour crédit", "ok epargne",
]  # fmt: skip


@pytest.mark.parametrize("text", NEAR_MISSES)
def test_content_words_near_small_talk_are_questions(text):
    result = classify(text)
    assert result.kind is None, result
    assert result.rest.strip()


def test_the_guides_vocabulary_is_read_and_names_are_not_content():
    every, lower = guide_words()
    assert {"loan", "credito", "credit"} <= lower and len(every) > 1000
    assert is_content("loan") and is_content("prestamo") and not is_content("rosa") and not is_content("hola")


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("hola Rosa", "greeting"), ("bonjour à tous", "greeting"), ("hola a todos", "greeting"),
        ("graciaaas", "thanks"), ("grasias", "thanks"), ("thnks", "thanks"), ("Merciii", "thanks"),
        ("thank youuu", "thanks"), ("merci pour la réponse", "thanks"), ("okkk", "ack"), ("perfecto", "ack"),
        ("parfiat", "ack"), ("daccord", "ack"), ("👍", "ack"), ("bonjoure", "greeting"), ("hellooo", "greeting"),
        ("goodbey", "goodbye"),
    ],
)  # fmt: skip
def test_small_talk_with_typos_is_still_small_talk(text, kind):
    assert classify(text).kind == kind


@pytest.mark.parametrize(
    "text",
    [
        "are you a real person?", "Are you human or a bot?", "am I talking to a machine?", "is this a real person",
        "r u a robot", "are you an AI?", "are you real or automatic?",
        "es usted una persona?", "¿Es usted una persona de verdad?", "eres humana o robot?",
        "¿estoy hablando con una máquina?", "¿es un programa?", "sos un bot?",
        "êtes-vous un robot ?", "vous êtes une vraie personne ?", "tu es humaine ?", "c'est une machine ?",
        "je parle à un robot ?", "vous êtes une IA ?",
    ],
)  # fmt: skip
def test_are_you_a_person_is_asked_in_many_ways(text):
    assert classify(text).kind == "who"


@pytest.mark.parametrize(
    "text",
    ["Are you able to help a real business?", "Can AI help my business?", "is a robot useful for my bakery?",
     "¿usted tiene una persona de contacto en el banco?", "vous êtes une entreprise ?",
     "est-ce qu'une machine à coudre est rentable ?"],
)  # fmt: skip
def test_questions_about_people_or_machines_are_not_who(text):
    assert classify(text).kind != "who"


@pytest.mark.parametrize(
    "text", ["merci facture", "Merci, facture ?", "gracias factura", "thanks invoice", "ok facture",
             "merci pour la facture", "bonjour facture"],
)  # fmt: skip
def test_thanks_beside_a_word_of_the_guides_is_a_question(text):
    """Only a message that is nothing but courtesy is small talk: the word left over is asked about, in any of
    its forms ("facture" for the guides' "factures")."""
    found = classify(text)
    assert found.kind is None and any(word in found.rest.lower() for word in ("fact", "invoice"))


@pytest.mark.parametrize(
    ("text", "kind"), [("merci Awa", "thanks"), ("thanks Grace", "thanks"), ("gracias rosa", "thanks"),
                       ("merci infiniment", "thanks"), ("hola Rosa", "greeting")],
)  # fmt: skip
def test_thanks_with_her_name_or_a_stray_word_is_still_small_talk(text, kind):
    assert classify(text).kind == kind


@pytest.mark.parametrize(
    "text", ["merci tva", "gracias iva", "thanks vat", "merci TVA", "Gracias, IVA?", "merci rccm", "gracias NIT",
             "merci CNSS", "gracias impuestos", "merci impots", "thanks payroll", "merci ninea", "ok devis"],
)  # fmt: skip
def test_thanks_beside_a_business_word_or_abbreviation_is_a_question(text):
    """A tax, registry or finance word left over, whether or not the guides write it (domain_words.yaml), or any
    short word she typed in capitals (an abbreviation), is asked about."""
    found = classify(text)
    assert found.kind is None and found.rest.strip(), found


@pytest.mark.parametrize(
    ("text", "kind"), [("gracias Ana", "thanks"), ("thanks Joy", "thanks"), ("thanks Grant", "thanks"),
                       ("merci beaucoup", "thanks"), ("gracias!!", "thanks"), ("MERCI AWA", "thanks"),
                       ("merci d'avance", "thanks"), ("OK merci", "thanks"), ("merci IA", "thanks"),
                       ("THX", "thanks")],
)  # fmt: skip
def test_names_and_courtesies_in_capitals_stay_small_talk(text, kind):
    assert classify(text).kind == kind


@pytest.mark.parametrize(
    "text",
    [
        "gracias, muy util", "gracias lo voy a intentar", "Dios le bendiga gracias", "muchas gracias licenciada",
        "me sirvio mucho, gracias", "thanks, that helps a lot", "thanks, will do", "very helpful thank you po",
        "that makes sense, thanks", "merci je vais essayer", "merci, c'est très clair", "ok merci je vais voir",
        "très utile merci madame", "perfecto, eso era lo que necesitaba", "super, merci pour les conseils",
        "great tips, thanks!", "buena info", "c bon merci",
    ],
)  # fmt: skip
def test_thanks_with_how_it_helped_or_what_she_will_do_is_thanks(text):
    """ "muy útil", "that helps", "je vais essayer": how the answer helped her, not a question (they were searched
    and refused: "the guides do not answer this")."""
    result = classify(text)
    assert result.kind == "thanks", result


@pytest.mark.parametrize(
    "text",
    [
        "gracias, muy util! y como hago un presupuesto?",
        "that helps, but what about taxes?",
        "helpful tips for pricing?",
    ],
)
def test_appreciation_beside_a_question_leaves_the_question(text):
    result = classify(text)
    assert result.kind is None and "?" in result.rest


def test_the_listed_business_words_are_not_small_talk_words():
    _, filler, vocabulary = _lexicon()
    assert domain_words() and not domain_words() & (filler | vocabulary)


@pytest.mark.parametrize(
    "text",
    [
        "ok je vais en parler a ma binome",
        "bueno, lo voy a hablar con mi socia",
        "ok i will talk to my partner about it",
        "merci, je vais appliquer ça demain",
    ],
)
def test_what_she_will_do_after_an_ok_is_an_acknowledgement(text):
    assert classify(text).kind in ("ack", "thanks")


@pytest.mark.parametrize(
    "text", ["ok je vais ouvrir une boutique, comment faire ?", "je vais ouvrir une boutique", "ok loan file"]
)
def test_a_plan_with_a_question_or_without_an_ok_is_not(text):
    assert classify(text).kind is None


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("hola q tal", "greeting"), ("hola que tal", "greeting"), ("que tal", "greeting"),
        ("buenas que tal", "greeting"), ("k tal", "greeting"), ("sip", "ack"), ("sii", "ack"), ("oki", "ack"),
    ],
)  # fmt: skip
def test_spanish_greetings_and_yeses_as_typed_in_chats_are_small_talk(text, kind):
    result = classify(text)
    assert (result.kind, result.language) == (kind, "es"), result
