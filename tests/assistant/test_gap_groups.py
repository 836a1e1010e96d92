"""Gaps grouped on arrival (issue 19, point 5): each question is embedded once, when it is recorded, and a
view embeds and clusters nothing, reads a bounded number of groups, and still groups paraphrases (in any
language the model puts in one space) and keeps topics apart, like the whole-batch clustering."""

from __future__ import annotations

import httpx
import pytest

from assistant import gaps as gaps_module
from assistant.embeddings import HashEmbedder
from assistant.gaps import GapGroups
from assistant.runtime import Runtime
from testkit.loopback import serve
from web.app import create_app


class CountingEmbedder(HashEmbedder):
    """The hash embedder, counting the texts it embeds (what a view must not do)."""

    def __init__(self) -> None:
        super().__init__()
        self.texts = 0

    def embed_batch(self, texts):
        self.texts += len(texts)
        return super().embed_batch(texts)


def test_each_gap_is_embedded_once_and_views_embed_nothing(hash_runtime):
    embedder = CountingEmbedder()
    groups = GapGroups(hash_runtime.store, embedder)
    for i in range(300):
        groups.record_gap(f"zq{i}a zq{i}b zq{i}c", "en", {})  # junk, each unlike the others
    groups.record_gap("How do I export coffee to Japan?", "en", {"answered_from": ["fr"]})
    groups.record_gap("how do I export coffee to japan?", "es", {})
    assert embedder.texts == 302
    first = groups.view()
    second = GapGroups(hash_runtime.store, embedder).view()  # another worker, or after a restart
    assert embedder.texts == 302 and first == second
    coffee = next(g for g in first if "coffee" in g["question"])
    assert coffee["count"] == 2 and coffee["languages"] == {"en": 1, "es": 1} and coffee["answered_from"] == {"fr": 1}
    assert first[0] is coffee  # most frequent first


def test_a_view_reads_a_bounded_number_of_groups(hash_runtime, monkeypatch):
    monkeypatch.setattr(gaps_module, "VIEW_GROUPS", 10)
    groups = GapGroups(hash_runtime.store, HashEmbedder())
    for i in range(40):
        groups.record_gap(f"distinct topic {i} q{i * 104729}", "en", {})
    assert len(groups.view()) == 10


def test_gaps_recorded_before_grouping_are_grouped_a_bounded_batch_per_view(hash_runtime, monkeypatch):
    monkeypatch.setattr(gaps_module, "BACKFILL_PER_VIEW", 3)
    for wording in ("Where is the office?", "where is the office?", "WHERE is the office?", "Is there a bus?"):
        hash_runtime.store.record_gap(wording, "en", {})  # as an older version recorded them
    embedder = CountingEmbedder()
    groups = GapGroups(hash_runtime.store, embedder)
    assert sum(g["count"] for g in groups.view()) == 3 and embedder.texts == 3
    assert sorted(g["count"] for g in groups.view()) == [1, 3] and embedder.texts == 4
    groups.view()
    assert embedder.texts == 4  # grouped once, kept


@pytest.mark.integration
def test_paraphrases_group_and_topics_stay_apart_with_the_real_model(hash_runtime, real_embedder):
    groups = GapGroups(hash_runtime.store, real_embedder)
    for question in (
        "How do I register a trademark for my brand?",
        "Can I bring my dog on the plane?",
        "How can I register my brand as a trademark?",
        "What vaccines do I need to travel to Rwanda?",
        "Where to register a trademark for my company brand?",
        "Which vaccinations are required for a trip to Rwanda?",
    ):
        groups.record_gap(question, "en", {})
    view = groups.view()
    assert [g["count"] for g in view] == [3, 2, 1]
    assert "trademark" in view[0]["question"] and "Rwanda" in view[1]["question"]


def test_on_the_real_server_a_flood_of_gaps_costs_views_no_embedding(corpus_runtime):
    embedder = CountingEmbedder()
    settings = corpus_runtime.settings.model_copy(update={"rate_limit_anonymous": "off", "abstain_threshold": 0.99})
    runtime = Runtime(settings, embedder=embedder)
    token = runtime.store.create_token("viewer", "evaluator")
    with serve(create_app(settings, runtime), name="mentor") as url:
        for i in range(40):
            assert httpx.post(f"{url}/v1/ask", json={"question": f"zq{i}a zq{i}b?"}, timeout=60).json()["abstained"]
        before = embedder.texts
        views = [httpx.get(f"{url}/v1/gaps", headers={"Authorization": f"Bearer {token}"}, timeout=60) for _ in "abc"]
    assert all(v.status_code == 200 for v in views) and sum(g["count"] for g in views[0].json()) == 40
    assert embedder.texts == before  # the views embedded nothing
