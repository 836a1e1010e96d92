"""Evidence coverage: the question's words found together in one sentence of the top hits, not scattered."""

from __future__ import annotations

import pytest

from assistant.answering import evidence
from assistant.answering.evidence import measure
from assistant.knowledge.chunking import Chunk
from assistant.retrieval.search import SearchHit


def hit(text: str, heading: str = "Section", rank: int = 1) -> SearchHit:
    chunk = Chunk(f"guide.en#s-{rank}", "guide", "en", "Guide", heading, text, "en/guide.md")
    return SearchHit(rank=rank, chunk=chunk, score=1.0, bm25=1.0, dense=0.5)


def test_words_found_together_in_one_sentence_cover_the_question():
    hits = [hit("A savings group pools a fixed amount every week. Members take turns.")]
    assert measure("savings group amount", hits, 0.0).coverage == pytest.approx(1.0)


def test_words_scattered_over_sentences_cover_less(monkeypatch):
    monkeypatch.setattr(evidence, "TOGETHER_SHARE", 1.0)
    scattered = [hit("The programme runs in eight countries."), hit("Use a free spreadsheet app.", rank=2)]
    together = [hit("The programme is free for every participant.")]
    assert measure("is the programme free", together, 0.0).coverage == pytest.approx(1.0)
    assert measure("is the programme free", scattered, 0.0).coverage == pytest.approx(0.5)


def test_the_share_taken_from_the_whole_hits_still_counts_scattered_words(monkeypatch):
    monkeypatch.setattr(evidence, "TOGETHER_SHARE", 0.5)
    scattered = [hit("The programme runs in eight countries."), hit("Use a free spreadsheet app.", rank=2)]
    assert measure("is the programme free", scattered, 0.0).coverage == pytest.approx(0.75)


def test_a_sentence_counts_with_its_section_heading():
    hits = [hit("Borrow only what you can repay in a bad month.", heading="Borrowing safely")]
    assert measure("borrow safely", hits, 0.0).coverage == pytest.approx(1.0)


def test_strength_mixes_cosine_and_coverage():
    hits = [hit("Nothing relevant here.")]
    found = measure("tontine", hits, 0.5)
    assert found.coverage == 0.0 and found.strength == pytest.approx(0.25)


def test_a_question_whose_only_words_found_are_its_place_covers_nothing():
    hits = [hit("In January, the time in Abidjan is 14:00 when it is 9:00 in Montreal.")]
    assert measure("will it rain tomorrow in abidjan", hits, 0.0).coverage == 0.0
    # one of her other words found: the place counts with it
    assert measure("what time is it in abidjan", hits, 0.0).coverage > 0.5
    # a question that is only the place keeps it ("tell me about Abidjan")
    assert measure("abidjan", hits, 0.0).coverage == pytest.approx(1.0)
