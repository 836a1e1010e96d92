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

from assistant import ConfigurationError, IndexCorruptError, NotIndexedError, Runtime

log = logging.getLogger(__name__)


async def watch_index(runtime: Runtime, every_s: float) -> None:
    """Load each new version named in CURRENT (a version that cannot be used is said once; the version in
    memory keeps serving)."""
    seen = None  # the last version named in CURRENT that this worker tried
    while True:
        await asyncio.sleep(every_s)
        try:
            current = await run_in_threadpool(runtime.index_store.current_version)
        except OSError as exc:  # a shared volume briefly away
            log.warning("index watch cannot read CURRENT: %s", exc)
            continue
        if current is None or current == seen:
            continue
        first = seen is None
        seen = current
        try:
            retriever = await run_in_threadpool(lambda: runtime.retriever)
        except (NotIndexedError, IndexCorruptError, ConfigurationError) as exc:
            log.warning("index version %s is not usable: %s", current, exc)
            continue
        except Exception as exc:  # a watcher must outlive a bad moment
            log.warning("index version %s could not be loaded: %s", current, exc)
            seen = None  # try again next time
            continue
        if not first:
            log.info("index version %s loaded", retriever.index.version)
