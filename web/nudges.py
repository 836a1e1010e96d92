"""Running the nudges from the server: one run (the API's `POST /v1/nudges/run` and the console's button),
and the scheduler that runs them every few minutes when `MENTOR_NUDGES_IN_SERVER` is on."""

from __future__ import annotations

import asyncio
import logging
from datetime import timedelta

from fastapi import FastAPI
from starlette.concurrency import run_in_threadpool

from assistant import Nudger, Runtime
from web.channels import Channels

log = logging.getLogger(__name__)

ANSWER_WINDOW = timedelta(days=3)  # a nudge not answered within this is counted as ignored


async def run_nudges(runtime: Runtime, channels: Channels, dry_run: bool = False) -> dict:
    nudger = Nudger(runtime.settings, runtime.store, runtime.pathways)
    result = await nudger.run(None if dry_run else channels.notify, dry_run=dry_run)
    return result.to_dict()


async def nudge_counts(runtime: Runtime, days: int) -> dict:
    """Per cohort (country): nudges sent, answered, ignored, waiting, failed over the last `days`."""
    return await run_in_threadpool(runtime.store.nudge_stats, ANSWER_WINDOW, timedelta(days=days))


async def nudge_scheduler(app: FastAPI, every_s: float) -> None:
    """Runs the nudges every `every_s` seconds for as long as the server runs (errors logged, not fatal)."""
    while True:
        try:
            await run_nudges(app.state.runtime, app.state.channels)
        except Exception as exc:  # the database may be briefly away; next time
            log.warning("nudge run failed: %s", exc)
        await asyncio.sleep(every_s)
