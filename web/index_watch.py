"""Each worker watches the index's `CURRENT` and loads a new version as soon as it appears, so every worker
and every host answers from a version an ingest (in any of them) just published, within seconds, and no
request waits for the load.

Index versions are immutable folders under `<data dir>/index/`, published by renaming `CURRENT` (see
`assistant.retrieval.index`): a worker reading the old version while the new one loads keeps answering
from it. Several hosts need that folder on a volume they all mount (the README's Deployment section).
"""

from __future__ import annotations

import asyncio
import logging

from starlette.concurrency import run_in_threadpool

from assistant import IndexCorruptError, NotIndexedError, Runtime

log = logging.getLogger(__name__)


async def watch_index(runtime: Runtime, every_s: float) -> None:
    """Load each new version named in CURRENT (errors logged; the version in memory keeps serving)."""
    loaded = None
    while True:
        await asyncio.sleep(every_s)
        try:
            current = await run_in_threadpool(runtime.index_store.current_version)
            if current is None or current == loaded:
                continue
            retriever = await run_in_threadpool(lambda: runtime.retriever)
            if loaded is not None:
                log.info("index version %s loaded", retriever.index.version)
            loaded = retriever.index.version
        except (NotIndexedError, IndexCorruptError) as exc:
            log.warning("the new index version is not usable yet: %s", exc)
        except Exception as exc:  # a watcher must outlive a bad moment (a volume briefly away)
            log.warning("index watch failed: %s", exc)
