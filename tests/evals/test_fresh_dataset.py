"""The fresh and blind sets (evals/datasets/fresh.jsonl, blind.jsonl): messages written blind, from the guides
alone. Their format, their counts per language, and key facts that really are in a relevant guide."""

from __future__ import annotations

import collections

import pytest

from assistant.config import SUPPORTED_LANGUAGES
from evals.dataset import BLIND_FILE, DATASETS_DIR, FRESH_FILE, REALISTIC_FILE, conversations, load_dataset
from evals.metrics import fact_found
from evals.sections import GuideSections
from tests.conftest import GUIDES


@pytest.fixture(scope="module", params=[FRESH_FILE, BLIND_FILE])
def cases(request) -> list[dict]:
    return load_dataset(DATASETS_DIR / request.param)  # raises, naming the lines, on any bad line


def test_each_language_has_single_messages_unanswerable_ones_and_conversations(cases):
    counts = collections.Counter()
    for case in cases:
        kind = "conversation" if "turns" in case else ("answerable" if case["answerable"] else "unanswerable")
        counts[(case["language"], kind)] += 1
    for lang in SUPPORTED_LANGUAGES:
        assert counts[(lang, "answerable")] >= 25, lang
        assert counts[(lang, "unanswerable")] >= 5, lang
        assert counts[(lang, "conversation")] >= 5, lang
        mine = [c for c in cases if c["language"] == lang]
        unanswered = [c for c in mine if any(not t["answerable"] for t in c.get("turns", []))]
        assert len(unanswered) >= 2, f"{lang}: follow-ups the guides do not answer"


def test_every_key_fact_is_in_a_relevant_guide(cases):
    guides = GuideSections.load(GUIDES)
    for talk in conversations(cases):
        for item in talk:
            lang = item["language"]
            if not item["answerable"]:
                assert not item["relevant_doc_ids"] and not item["key_facts"], item["id"]
                continue
            assert 1 <= len(item["key_facts"]) <= 3, item["id"]
            _, whole = guides.relevant(item)
            for fact in item["key_facts"]:
                assert any(fact_found(fact, text, lang) for text in whole), (item["id"], fact)


def test_no_message_is_shared_with_the_realistic_set(cases):
    """Written apart: a message of the realistic set (whose wording seven rounds of rules have learned) here
    would measure that learning again. Short follow-ups ("y con ruanda?") may coincide by nature."""
    realistic = load_dataset(DATASETS_DIR / REALISTIC_FILE)
    seen = {" ".join(t["question"].lower().split()) for talk in conversations(realistic) for t in talk}
    for talk in conversations(cases):
        for item in talk:
            words = item["question"].lower().split()
            assert len(words) < 5 or " ".join(words) not in seen, item["id"]
