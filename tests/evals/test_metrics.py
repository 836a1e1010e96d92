"""Unit tests for evals.metrics: every expected value below is worked out by hand in the comment beside it."""

from __future__ import annotations

import math

import pytest

from evals.metrics import (
    abstain_precision,
    abstain_recall,
    changed_share,
    citation_precision,
    citation_recall,
    content_support,
    fact_found,
    grounded_facts,
    hit_at,
    key_fact_recall,
    language_match,
    mrr_at,
    ndcg_at,
    normalise,
    recall_at,
    salient_facts,
    token_f1,
    unique_in_order,
    unretrieved_citations,
    unsupported_facts,
    wrong_abstention_rate,
)
from evals.stats import mean_ci, paired_p_value, percentile

# --- retrieval ---------------------------------------------------------------------------------------------------


def test_unique_in_order_keeps_first_occurrence():
    assert unique_in_order(["a", "b", "a", "c", "b"]) == ["a", "b", "c"]
    assert unique_in_order([]) == []


def test_hit_at():
    assert hit_at(["x", "a"], {"a"}, 1) == 0.0  # the relevant doc is at rank 2
    assert hit_at(["x", "a"], {"a"}, 2) == 1.0
    assert hit_at([], {"a"}, 5) == 0.0
    assert hit_at(["a"], set(), 5) == 0.0


def test_recall_at():
    assert recall_at(["a", "x", "b"], {"a", "b", "c"}, 2) == pytest.approx(1 / 3)  # only a in the top 2
    assert recall_at(["a", "x", "b"], {"a", "b", "c"}, 3) == pytest.approx(2 / 3)
    assert recall_at(["a", "a"], {"a"}, 2) == 1.0  # duplicates count once
    assert recall_at(["a"], set(), 5) == 0.0


def test_mrr_at():
    assert mrr_at(["x", "y", "a", "b"], {"a", "b"}) == pytest.approx(1 / 3)  # first relevant at rank 3
    assert mrr_at(["x", "y", "a"], {"a"}, k=2) == 0.0  # beyond the cut-off
    assert mrr_at(["x"], {"a"}) == 0.0
    assert mrr_at([], set()) == 0.0


def test_ndcg_at():
    # relevant at ranks 2 and 4, two relevant: DCG = 1/log2(3) + 1/log2(5), ideal = 1/log2(2) + 1/log2(3)
    expected = (1 / math.log2(3) + 1 / math.log2(5)) / (1 + 1 / math.log2(3))
    assert ndcg_at(["x", "a", "y", "b"], {"a", "b"}) == pytest.approx(expected)
    assert expected == pytest.approx(0.650921, abs=1e-6)
    assert ndcg_at(["a", "b", "x"], {"a", "b"}) == pytest.approx(1.0)
    # three relevant but k = 1: the ideal is capped at one hit
    assert ndcg_at(["a", "x"], {"a", "b", "c"}, k=1) == pytest.approx(1.0)
    # one of two relevant at rank 1: 1 / (1 + 1/log2(3))
    assert ndcg_at(["a", "x"], {"a", "b"}) == pytest.approx(1 / (1 + 1 / math.log2(3)))
    assert ndcg_at(["x", "y"], {"a"}) == 0.0
    assert ndcg_at(["x"], set()) == 0.0


# --- normalise ---------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("lang", ["fr", "es", "en"])
@pytest.mark.parametrize("written", ["15 000", "15,000", "15.000", "15000", "15\u00a0000", "15\u202f000", "15'000"])
def test_thousands_separators_are_removed(written, lang):
    assert normalise(written, lang) == "15000"


def test_thousands_only_between_groups_of_three():
    assert normalise("1 000 000", "en") == "1000000"
    assert normalise("1,000.50", "en") == "1000.50"
    assert normalise("1 000,50", "fr") == "1000.50"
    assert normalise("en 2020 150 personnes", "fr") == "en 2020 150 personnes"  # a year is not a 1-3 digit group
    assert normalise("15 00", "en") == "15 00"


def test_decimal_comma_in_french_and_spanish_only():
    assert normalise("2,5", "fr") == "2.5"
    assert normalise("2,5", "es") == "2.5"
    assert normalise("2.5", "fr") == "2.5"
    assert normalise("2.5", "en") == "2.5"
    assert normalise("2,5", "en") == "2 5"  # in English a comma between numbers is not a decimal point
    assert normalise("in 2024.", "en") == "in 2024"  # a full stop is not a decimal point


def test_articles_dropped_per_language():
    assert normalise("Le programme et la équipe des volontaires", "fr") == "programme et equipe volontaires"
    assert normalise("l'entreprise d'affaires", "fr") == "entreprise affaires"
    assert normalise("l’entreprise", "fr") == "entreprise"  # typographic apostrophe
    assert normalise("El programa y las mentoras, unos y unas, lo mejor", "es") == "programa y mentoras y mejor"
    assert normalise("The programme, a plan and an idea", "en") == "programme plan and idea"
    # only the language's own articles: "a" is a Spanish preposition, "the" means nothing in French
    assert normalise("a la red", "es") == "a red"
    assert normalise("the le", "fr") == "the"


def test_accents_case_and_punctuation():
    assert normalise("Sénégal", "fr") == normalise("senegal", "fr") == "senegal"
    assert normalise("¡Más ÉXITO!", "es") == "mas exito"
    assert normalise("two-way", "en") == "two way"
    assert normalise("13:00", "es") == "13 00"
    assert normalise("", "en") == ""


def test_currency_symbols_dropped_percent_kept():
    assert normalise("$15,000", "en") == normalise("15 000 $", "fr") == "15000"
    assert normalise("50 €", "fr") == "50"
    assert normalise("15%", "en") == normalise("15 %", "fr") == "15 %"
    assert normalise("15 pour cent", "fr") == normalise("15 por ciento", "es") == normalise("15 percent", "en")


@pytest.mark.parametrize(
    ("written", "lang"),
    [
        ("15 mars 2024", "fr"),
        ("15 Mars 2024", "fr"),
        ("15 de marzo de 2024", "es"),
        ("March 15, 2024", "en"),
        ("March 15 2024", "en"),
        ("15 March 2024", "en"),
        ("15th of March 2024", "en"),
        ("15 Mar. 2024", "en"),
        ("15/03/2024", "fr"),
        ("15.03.2024", "es"),
        ("15-03-2024", "en"),
        ("2024-03-15", "en"),
        ("2024/03/15", "fr"),
    ],
)
def test_dates_become_one_iso_token(written, lang):
    assert normalise(written, lang) == "2024-03-15"


def test_dates_with_accents_ordinals_and_context():
    assert normalise("1er février 2024", "fr") == normalise("1 fevrier 2024", "fr") == "2024-02-01"
    assert normalise("el 9 de diciembre de 2023", "es") == "2023-12-09"
    assert normalise("3 août 2025", "fr") == "2025-08-03"
    assert normalise("Le 15 mars 2024, l'équipe", "fr") == "2024-03-15 equipe"


def test_impossible_dates_are_left_as_numbers():
    assert normalise("31/02/2024", "fr") == "31 02 2024"
    assert normalise("03/15/2024", "en") == "03 15 2024"  # US order is not read as a date
    assert normalise("mars", "fr") == "mars"  # a month alone stays a word


def test_unsupported_language_raises():
    with pytest.raises(ValueError):
        normalise("text", "de")


# --- key facts ---------------------------------------------------------------------------------------------------


def test_fact_found_whole_tokens():
    assert fact_found("15,000", "Le programme mobilise 15 000 Canadiens.", "fr")
    assert fact_found("Sénégal", "piloted in Bolivia and Senegal", "en")
    assert fact_found("équipe du programme", "Parlez-en à l'équipe du programme.", "fr")
    assert fact_found("parmi d'autres", "parmi d’autres choses", "fr")
    assert fact_found("15 de marzo de 2024", "Empieza el 15/03/2024.", "es")
    assert not fact_found("150", "1500 volunteers", "en")  # whole tokens only
    assert not fact_found("Mali", "Somalia", "en")
    assert not fact_found("next date", "date next", "en")  # order matters
    assert not fact_found("the", "the programme", "en")  # a fact with nothing left is never found
    assert not fact_found("13", "Voir la section [13].", "fr")  # citation markers are not content


def test_key_fact_recall():
    answer = "The programme runs from 2020 to 2028 in Bolivia."
    assert key_fact_recall(["2020", "2028", "Senegal"], answer, "en") == pytest.approx(2 / 3)
    assert key_fact_recall(["2020"], answer, "en") == 1.0
    assert key_fact_recall(["Rwanda"], answer, "en") == 0.0
    with pytest.raises(ValueError, match="no key facts"):
        key_fact_recall([], answer, "en")


def test_token_f1():
    # answer tokens [programme, runs, 2020] (the dropped), facts tokens [2020, 2028]: common 1
    # precision 1/3, recall 1/2, F1 = 2 * (1/3 * 1/2) / (1/3 + 1/2) = 0.4
    assert token_f1("The programme runs 2020 [1]", ["2020", "2028"], "en") == pytest.approx(0.4)
    assert token_f1("2020 2028", ["2028", "2020"], "en") == pytest.approx(1.0)
    # counts matter: answer [a, a] vs fact [a]: common 1, P = 1/2, R = 1, F1 = 2/3
    assert token_f1("mentee mentee", ["mentee"], "en") == pytest.approx(2 / 3)
    assert token_f1("", ["2020"], "en") == 0.0
    assert token_f1("2020", [], "en") == 0.0
    assert token_f1("the", ["the"], "en") == 0.0  # nothing left after articles
    assert token_f1("rien", ["2020"], "fr") == 0.0


# --- citations ---------------------------------------------------------------------------------------------------


def test_citation_precision_and_recall():
    assert citation_precision(["a", "b", "a", "c"], {"a", "d"}) == pytest.approx(1 / 3)  # distinct {a, b, c}
    assert citation_precision([], {"a"}) is None
    assert citation_precision(["x"], set()) == 0.0
    assert citation_recall(["a", "b", "a"], {"a", "c"}) == pytest.approx(1 / 2)
    assert citation_recall(["a"], set()) == 0.0
    assert citation_recall([], {"a"}) == 0.0


def test_unretrieved_citations():
    assert unretrieved_citations(["c1", "c9", "c8"], ["c1", "c2"]) == 2
    assert unretrieved_citations(["c1", "c1"], ["c1"]) == 0
    assert unretrieved_citations([], ["c1"]) == 0
    assert unretrieved_citations(["c1"], []) == 1


# --- grounding ---------------------------------------------------------------------------------------------------


def test_salient_facts_numbers_dates_names():
    text = "Le programme a été lancé en Bolivie et au Sénégal en 2020 [1]. Il a mobilisé 15 000 volontaires [12]."
    assert salient_facts(text, "fr") == {"bolivie", "senegal", "2020", "15000"}  # not "1", "12", "Le" or "Il"


def test_salient_facts_dates_percentages_and_amounts():
    text = "The pilot started on March 15, 2024 with $2,500 and a 2.5% fee."
    assert salient_facts(text, "en") == {"2024-03-15", "2500", "2.5"}  # "March" is a date, not a name
    assert salient_facts("El 15 de marzo de 2024 llegó a Benín con 2,5 millones.", "es") == {
        "2024-03-15",
        "benin",
        "2.5",
    }


def test_salient_facts_names_only_mid_sentence():
    # "Bolivia" opens a sentence and is skipped; "Canada's" gives "canada"; "We" is a stop word
    text = "Bolivia hosted it. Then Canada's team and We joined on Monday.\nRwanda too."
    assert salient_facts(text, "en") == {"canada"}
    # a multi-word name gives one fact per capitalised word; "mondiales" is lower-case
    assert salient_facts("Elle parle avec Affaires mondiales Canada et l'Ouganda.", "fr") == {
        "affaires",
        "canada",
        "ouganda",
    }
    assert salient_facts("", "en") == set()
    assert salient_facts("see [1] and [2, 3]", "en") == set()


def test_unsupported_and_grounded_facts():
    answer = "Le programme a commencé en 2020 au Sénégal et en Bolivie avec 15 000 volontaires [1]."
    evidence = "Lancé en 2020, le programme est présent au Senegal. Il mobilise 15,000 personnes."
    # salient facts: 2020, senegal, bolivie, 15000; bolivie is missing from the evidence
    assert unsupported_facts(answer, evidence, "fr") == ["bolivie"]
    assert grounded_facts(answer, evidence, "fr") == pytest.approx(3 / 4)
    assert unsupported_facts(answer, "", "fr") == ["15000", "2020", "bolivie", "senegal"]  # sorted
    assert grounded_facts(answer, "", "fr") == 0.0
    assert grounded_facts("rien à vérifier ici", "", "fr") == 1.0  # no salient facts


def test_a_full_date_in_the_evidence_supports_its_year():
    answer = "Empezó en 2024 en Perú y Benín [1]."
    evidence = "El 15 de marzo de 2024 el programa llegó a Benín."
    assert unsupported_facts(answer, evidence, "es") == ["peru"]
    assert grounded_facts(answer, evidence, "es") == pytest.approx(2 / 3)  # facts {2024, peru, benin}: peru is missing


def test_content_support():
    # answer terms (stemmed, stop words out): {mentor, reciproqu, pilot, bolivi} -> evidence has 3 of 4
    answer = "Le mentorat réciproque a été piloté en Bolivie [1]."
    evidence = "Le mentorat réciproque a d'abord été piloté au Sénégal."
    assert content_support(answer, evidence, "fr") == pytest.approx(3 / 4)
    assert content_support("the mentees", "A mentee", "en") == 1.0  # stemming and case meet
    assert content_support("[1] the of", "", "en") == 1.0  # no content words
    assert content_support("confidence", "", "en") == 0.0


def test_language_match():
    assert language_match("fr", "fr") == 1.0
    assert language_match("fr", "FR") == 1.0
    assert language_match("fr", "es") == 0.0
    assert language_match("en", "") == 0.0


# --- abstention and stability ------------------------------------------------------------------------------------


def test_abstention_metrics():
    abstained = [True, True, False, False, True]
    answerable = [False, True, False, True, False]
    # abstentions on cases 0, 1, 4: unanswerable 0 and 4 -> precision 2/3
    assert abstain_precision(abstained, answerable) == pytest.approx(2 / 3)
    # unanswerable cases 0, 2, 4: abstained on 0 and 4 -> recall 2/3
    assert abstain_recall(abstained, answerable) == pytest.approx(2 / 3)
    # answerable cases 1, 3: abstained on 1 -> 1/2
    assert wrong_abstention_rate(abstained, answerable) == pytest.approx(1 / 2)


def test_abstention_metrics_undefined_cases():
    assert abstain_precision([False, False], [True, False]) is None  # never abstained
    assert abstain_recall([True, False], [True, True]) is None  # nothing unanswerable
    assert wrong_abstention_rate([True, False], [False, False]) is None  # nothing answerable
    assert abstain_precision([], []) is None
    for metric in (abstain_precision, abstain_recall, wrong_abstention_rate):
        with pytest.raises(ValueError):
            metric([True], [True, False])


def test_changed_share():
    runs = [["a", "a", "a"], ["a", "b", "a"], ["x"], ["y", "y "]]  # cases 1 and 3 changed
    assert changed_share(runs) == pytest.approx(2 / 4)
    assert changed_share([]) == 0.0
    assert changed_share([[]]) == 0.0


# --- statistics --------------------------------------------------------------------------------------------------


def test_percentile():
    # linear: position q/100 * (n - 1); for [10, 20, 30, 40], p50 at 1.5 -> 25, p95 at 2.85 -> 38.5
    assert percentile([40, 10, 30, 20], 50) == pytest.approx(25.0)
    assert percentile([10, 20, 30, 40], 95) == pytest.approx(38.5)
    assert percentile([10, 20, 30, 40], 0) == 10.0
    assert percentile([7.0], 99) == 7.0
    assert percentile([], 50) is None


def test_mean_ci_degenerate_cases():
    assert mean_ci([]) is None
    assert mean_ci([3.5]) == (3.5, 3.5)
    assert mean_ci([2.0, 2.0, 2.0]) == (2.0, 2.0)


def test_mean_ci_two_values():
    # resampling [0, 1] gives means 0 (p 1/4), 0.5 (p 1/2), 1 (p 1/4): the 2.5% and 97.5% points are 0 and 1
    assert mean_ci([0.0, 1.0]) == (0.0, 1.0)


def test_mean_ci_is_deterministic_and_brackets_the_mean():
    values = [0.0, 1.0, 1.0, 0.0, 1.0, 1.0, 1.0, 0.0, 1.0, 1.0] * 5  # mean 0.7
    low, high = mean_ci(values)
    assert mean_ci(values) == (low, high)
    # normal approximation: 0.7 +- 1.96 * sqrt(0.7 * 0.3 / 50) = 0.7 +- 0.127 -> about (0.573, 0.827)
    assert low == pytest.approx(0.573, abs=0.03)
    assert high == pytest.approx(0.827, abs=0.03)
    narrow = mean_ci(values, confidence=0.5)
    assert low < narrow[0] < 0.7 < narrow[1] < high
    spread = [0.1 * i for i in range(30)]
    assert mean_ci(spread, seed=3) == mean_ci(spread, seed=3)
    assert mean_ci(spread, seed=3) != mean_ci(spread, seed=4)  # the seed is what fixes the draw


def test_paired_p_value_exact_small_sample():
    # differences [1, 2, 3]: the 8 sign flips give sums 6, 4, 2, 0, 0, -2, -4, -6; |sum| >= 6 in 2 of 8 -> 0.25
    assert paired_p_value([1, 2, 3], [0, 0, 0]) == pytest.approx(0.25)


def test_paired_p_value_clear_difference():
    # 10 positive differences: only the all-plus and all-minus flips are as extreme -> 2 / 2**10
    a = [0.9, 0.8, 0.95, 0.7, 0.85, 0.9, 0.75, 0.8, 0.9, 0.88]
    b = [0.5, 0.4, 0.6, 0.3, 0.5, 0.55, 0.35, 0.45, 0.5, 0.4]
    p = paired_p_value(a, b)
    assert p == pytest.approx(2 / 1024)
    assert p < 0.05


def test_paired_p_value_is_deterministic_when_sampled():
    # 20 pairs: 2**20 sign patterns > 10000 resamples, so the test is Monte Carlo and seeded
    a = [float(i % 3) for i in range(20)]
    b = [float((i + 1) % 3) for i in range(20)]
    assert paired_p_value(a, b) == paired_p_value(a, b)
    assert 0.0 < paired_p_value(a, b) <= 1.0


def test_paired_p_value_edge_cases():
    assert paired_p_value([0.5, 0.7, 0.9], [0.5, 0.7, 0.9]) == 1.0
    assert paired_p_value([1.0], [0.0]) is None
    assert paired_p_value([], []) is None
    with pytest.raises(ValueError):
        paired_p_value([1.0, 2.0], [1.0])
