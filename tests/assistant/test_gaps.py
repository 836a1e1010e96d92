"""Content gaps grouped for staff: paraphrases together, distinct topics apart, most frequent first."""

from __future__ import annotations

import pytest

from assistant.embeddings import HashEmbedder
from assistant.gaps import group_gaps


def gap(question: str, language: str, minute: int) -> dict:
    when = f"2026-11-01T10:{minute:02d}:00+00:00"
    return {"question": question, "language": language, "scores": {}, "created_at": when}


def test_no_gaps_no_groups():
    assert group_gaps([], HashEmbedder()) == []


def test_one_gap_is_one_group():
    groups = group_gaps([gap("Where do I register a trademark?", "en", 1)], HashEmbedder())
    assert groups == [
        {
            "question": "Where do I register a trademark?",
            "count": 1,
            "languages": {"en": 1},
            "last_seen": "2026-11-01T10:01:00+00:00",
            "examples": ["where do i register a trademark?"],
            "answered_from": {},
        }
    ]


def test_a_group_says_how_often_it_was_answered_only_from_another_language():
    gaps = [gap("How do I export coffee to Japan?", "en", 1), gap("how do I export coffee to japan?", "en", 2)]
    gaps[0]["scores"] = {"strength": 0.7, "answered_from": ["fr"]}
    (group,) = group_gaps(gaps, HashEmbedder())
    assert group["count"] == 2 and group["answered_from"] == {"fr": 1}


@pytest.mark.integration
def test_paraphrases_group_and_topics_stay_apart(real_embedder):
    gaps = [
        gap("How do I register a trademark for my brand?", "en", 1),
        gap("How can I register my brand as a trademark?", "en", 2),
        gap("Where to register a trademark for my company brand?", "en", 5),
        gap("What vaccines do I need to travel to Rwanda?", "en", 3),
        gap("Which vaccinations are required for a trip to Rwanda?", "en", 4),
        gap("Can I bring my dog on the plane?", "en", 6),
    ]
    groups = group_gaps(gaps, real_embedder)
    assert [g["count"] for g in groups] == [3, 2, 1]
    assert "trademark" in groups[0]["question"] and groups[0]["last_seen"].endswith("10:05:00+00:00")
    assert "Rwanda" in groups[1]["question"]
    assert groups[2]["question"] == "Can I bring my dog on the plane?"
