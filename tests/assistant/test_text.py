from assistant.text import analyze, fold_accents, slugify, tokenize


def test_accents_fold_so_unaccented_queries_match():
    assert analyze("crédito", "es") == analyze("credito", "es")
    assert analyze("Côte d'Ivoire", "fr") == analyze("cote d'ivoire", "fr")


def test_stemming_groups_inflections_per_language():
    assert analyze("créditos", "es") == analyze("crédito", "es")
    assert analyze("entreprises", "fr") == analyze("entreprise", "fr")
    assert analyze("loans", "en") == analyze("loan", "en")


def test_stop_words_removed_per_language():
    assert analyze("le crédit de la coopérative", "fr") == analyze("crédit coopérative", "fr")
    assert analyze("el crédito de la cooperativa", "es") == analyze("crédito cooperativa", "es")
    assert "the" not in analyze("the loan", "en")


def test_french_elisions_are_split():
    assert tokenize("l'entreprise d'Awa") == ["entreprise", "awa"]


def test_numbers_are_kept():
    assert "2028" in analyze("jusqu'en 2028", "fr")


def test_slug_and_fold():
    assert fold_accents("Bénin, Sénégal") == "Benin, Senegal"
    assert slugify("Avant la réunion !") == "avant-la-reunion"
    assert slugify("¿¿??") == "section"
