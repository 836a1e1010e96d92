"""Each worker loads a new index version on its own, as soon as CURRENT names it: an ingest by another
process (here an `Ingestor` of its own, as `mentor ingest` or another worker would) is served without a
request having to wait for the load."""

from __future__ import annotations

import logging
import time

from fastapi.testclient import TestClient

from assistant.knowledge.ingest import Ingestor
from tests.conftest import guide, write
from web.app import create_app


def test_a_version_published_elsewhere_is_loaded_without_a_request(api_runtime, tmp_path, caplog):
    api_runtime.settings.index_watch_s = 0.05
    caplog.set_level(logging.INFO, logger="web.index_watch")
    with TestClient(create_app(api_runtime.settings, api_runtime)):
        time.sleep(1)  # the watcher's first look (which loads silently) before the new version is published
        extra = write(tmp_path / "more" / "ovens.md", guide("ovens", "en", "Shared ovens", {"Ovens": "Bake."}))
        report = Ingestor(api_runtime.settings, api_runtime.embedder).ingest([extra])
        deadline = time.monotonic() + 10
        while f"index version {report.version} loaded" not in caplog.text:
            assert time.monotonic() < deadline, "the new version was not loaded"
            time.sleep(0.05)
        assert api_runtime.retriever.index.version == report.version


def test_an_unusable_version_is_said_once_and_the_old_one_keeps_serving(api_runtime, caplog):
    api_runtime.settings.index_watch_s = 0.05
    store = api_runtime.index_store
    with TestClient(create_app(api_runtime.settings, api_runtime)) as api:
        served = api_runtime.retriever.index.version
        (store.root / "v-20991231-000000-deadbeef").mkdir()  # a version's name, nothing inside
        store.current_file.write_text("v-20991231-000000-deadbeef\n")
        time.sleep(0.5)  # ten looks
        assert caplog.text.count("CURRENT names an unusable version") == 1
        assert api.get("/v1/search", params={"q": "credit"}).status_code == 200
        assert api_runtime.retriever.index.version == served
