"""Evidence coverage: the question's words found together in one sentence of the top hits, not scattered."""

from __future__ import annotations

import pytest

from assistant.answering import evidence
from assistant.answering.evidence import COVERAGE_ONLY as COVERAGE
from assistant.answering.evidence import Evidence, calibration, measure
from assistant.knowledge.chunking import Chunk
from assistant.retrieval.search import SearchHit


def hit(text: str, heading: str = "Section", rank: int = 1, asked: float | None = None) -> SearchHit:
    chunk = Chunk(f"guide.en#s-{rank}", "guide", "en", "Guide", heading, text, "en/guide.md")
    return SearchHit(rank=rank, chunk=chunk, score=1.0, bm25=1.0, dense=0.5, asked=asked)


def test_words_found_together_in_one_sentence_cover_the_question():
    hits = [hit("A savings group pools a fixed amount every week. Members take turns.")]
    assert measure("savings group amount", hits, COVERAGE).coverage == pytest.approx(1.0)


def test_words_scattered_over_sentences_cover_less(monkeypatch):
    monkeypatch.setattr(evidence, "TOGETHER_SHARE", 1.0)
    scattered = [hit("The programme runs in eight countries."), hit("Use a free spreadsheet app.", rank=2)]
    together = [hit("The programme is free for every participant.")]
    assert measure("is the programme free", together, COVERAGE).coverage == pytest.approx(1.0)
    assert measure("is the programme free", scattered, COVERAGE).coverage == pytest.approx(0.5)


def test_the_share_taken_from_the_whole_hits_still_counts_scattered_words(monkeypatch):
    monkeypatch.setattr(evidence, "TOGETHER_SHARE", 0.5)
    scattered = [hit("The programme runs in eight countries."), hit("Use a free spreadsheet app.", rank=2)]
    assert measure("is the programme free", scattered, COVERAGE).coverage == pytest.approx(0.75)


def test_a_sentence_counts_with_its_section_heading():
    hits = [hit("Borrow only what you can repay in a bad month.", heading="Borrowing safely")]
    assert measure("borrow safely", hits, COVERAGE).coverage == pytest.approx(1.0)


def test_strength_mixes_cosine_and_coverage():
    hits = [hit("Nothing relevant here.")]
    found = measure("tontine", hits, {"dense_mix": 0.5})
    assert found.coverage == 0.0 and found.strength == pytest.approx(0.25)


def test_a_question_whose_only_words_found_are_its_place_covers_nothing():
    hits = [hit("In January, the time in Abidjan is 14:00 when it is 9:00 in Montreal.")]
    assert measure("will it rain tomorrow in abidjan", hits, COVERAGE).coverage == 0.0
    # one of her other words found: the place counts with it
    assert measure("what time is it in abidjan", hits, COVERAGE).coverage > 0.5
    # a question that is only the place keeps it ("tell me about Abidjan")
    assert measure("abidjan", hits, COVERAGE).coverage == pytest.approx(1.0)


def test_the_closest_question_of_the_top_hits_weighs_by_its_share():
    hits = [hit("Nothing relevant here.", asked=0.9), hit("Nor here.", rank=2, asked=0.7), hit("No.", rank=3)]
    found = measure("tontine", hits, {"dense_mix": 0.5, "asked_mix": 0.4})
    assert found.asked == pytest.approx(0.9)  # the best of the hits that list questions
    assert found.strength == pytest.approx(0.5 * 0.5 + 0.4 * 0.9 + 0.1 * 0.0)
    assert found.to_dict()["asked"] == 0.9


def test_hits_listing_no_question_leave_the_question_share_out():
    found = measure("tontine", [hit("Nothing relevant here.")], {"dense_mix": 0.5, "asked_mix": 0.4})
    assert found.asked is None and "asked" not in found.to_dict()
    assert found.strength == pytest.approx(0.5 * 0.5)  # coverage takes the question's share: 0 here
    assert Evidence.of(0.5, 1.0, {"dense_mix": 0.5, "asked_mix": 0.4}).strength == pytest.approx(0.75)


def test_hits_with_questions_get_the_setting_measured_with_them(monkeypatch):
    table = {
        "models": {
            "m": {
                "dense_mix": 0.7,
                "threshold": 0.7,
                "questions": {"dense_mix": 0.6, "asked_mix": 0.3, "threshold": 0.82, "pairs": {}},
            }
        }
    }
    monkeypatch.setattr(evidence, "_table", lambda: table)
    assert calibration("m", questions=True) == {"dense_mix": 0.6, "asked_mix": 0.3, "threshold": 0.82}
    assert calibration("m", questions=False) == {"dense_mix": 0.7, "asked_mix": 0.0, "threshold": 0.7}
