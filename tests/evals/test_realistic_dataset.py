"""The realistic set (evals/datasets/realistic.jsonl): its format, its size and variety per language, and key facts
that really are in a relevant guide (in the relevant section, where the case names one)."""

from __future__ import annotations

import collections

import pytest

from assistant.config import SUPPORTED_LANGUAGES
from evals.dataset import DATASETS_DIR, REALISTIC_FILE, conversations, load_dataset, split_of
from evals.metrics import fact_found
from evals.sections import GuideSections
from tests.conftest import GUIDES

REALISTIC = DATASETS_DIR / REALISTIC_FILE


@pytest.fixture(scope="module")
def cases() -> list[dict]:
    return load_dataset(REALISTIC)  # raises, naming the lines, on any bad line


@pytest.fixture(scope="module")
def guides() -> GuideSections:
    return GuideSections.load(GUIDES)


def test_each_language_has_enough_messages_of_each_kind(cases):
    counts = collections.Counter()
    for case in cases:
        kind = "conversation" if "turns" in case else ("answerable" if case["answerable"] else "unanswerable")
        counts[(case["language"], kind)] += 1
    for lang in SUPPORTED_LANGUAGES:
        assert counts[(lang, "answerable")] >= 40, lang
        assert counts[(lang, "unanswerable")] >= 10, lang
        assert counts[(lang, "conversation")] >= 10, lang


def test_messages_are_written_the_ways_she_writes(cases):
    for lang in SUPPORTED_LANGUAGES:
        tags = collections.Counter(tag for c in cases if c["language"] == lang for tag in c["tags"])
        for style in ("sms", "long", "context", "mixed", "short", "follow-up"):
            assert tags[style] >= 1, (lang, style)
        assert tags["sms"] + tags["no-accents"] + tags["typos"] >= 15, lang
        mine = [c for c in cases if c["language"] == lang]
        unanswered = [c for c in mine if any(not t["answerable"] for t in c.get("turns", []))]
        assert len(unanswered) >= 3, f"{lang}: follow-ups the guides do not answer"


def test_every_key_fact_is_in_a_relevant_guide_and_every_named_section_exists(cases, guides):
    for talk in conversations(cases):
        for item in talk:
            lang = item["language"]
            for doc_id in item["relevant_doc_ids"]:
                assert (doc_id, lang) in guides.guides, (item["id"], doc_id)
            for section in item["relevant_sections"]:
                doc_id, _, slug = section.partition("#")
                assert slug in guides.slugs(doc_id, lang), (item["id"], section)
            chosen, whole = guides.relevant(item)
            for fact in item["key_facts"]:
                assert any(fact_found(fact, text, lang) for text in whole), (item["id"], fact)
            if item["answerable"]:
                assert 1 <= len(item["key_facts"]) <= 3, item["id"]
                # The relevant sections hold a key fact: what the usefulness metrics check answers against.
                assert any(fact_found(f, text, lang) for f in item["key_facts"] for text in chosen), item["id"]
            else:
                assert not item["relevant_doc_ids"] and not item["key_facts"], item["id"]


def test_ids_name_their_language_and_both_splits_hold_every_kind(cases):
    assert all(c["id"].startswith(f"{c['language']}-") for c in cases)
    for lang in SUPPORTED_LANGUAGES:
        for split in ("test", "calibration"):
            mine = [c for c in cases if c["language"] == lang and split_of(c["id"]) == split]
            assert any("turns" in c for c in mine) and any(c.get("answerable") is False for c in mine), (lang, split)
        tested = [c for c in cases if c["language"] == lang and split_of(c["id"]) == "test"]
        assert sum(1 for c in tested if "turns" in c) >= 8, lang
