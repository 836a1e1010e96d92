"""Running the nudges from the server: one run (the API's `POST /v1/nudges/run` and the console's button),
and the scheduler that runs them every few minutes when `MENTOR_NUDGES_IN_SERVER` is on.

With PostgreSQL the scheduler runs once for the whole deployment, whatever the number of workers and
hosts: each worker's scheduler tries a named advisory lock, and only the one holding it (the leader) runs
the nudges; when the leader's process dies its lock goes with its connection and another worker takes over
within `LEADER_RETRY_S`. A run (the scheduler's, the API's or the console's) also takes a lock of its own,
so two runs never overlap."""

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


LEADER_RETRY_S = 5.0  # how often a worker that is not the leader asks again
RUN_WAIT_S = 60.0  # how long a run waits for another one in progress before giving up


class NudgeRunBusy(Exception):
    """Another nudge run (in any worker) did not finish in time."""


async def run_nudges(runtime: Runtime, channels: Channels, dry_run: bool = False) -> dict:
    if dry_run:
        return await _run(runtime, channels, dry_run=True)
    lock = runtime.store.named_lock(Nudger.RUN_LOCK)
    deadline = asyncio.get_running_loop().time() + RUN_WAIT_S
    while not await run_in_threadpool(lock.try_acquire):
        if asyncio.get_running_loop().time() > deadline:
            raise NudgeRunBusy("another nudge run is still going")
        await asyncio.sleep(0.2)
    try:
        return await _run(runtime, channels, dry_run=False)
    finally:
        await run_in_threadpool(lock.release)


async def _run(runtime: Runtime, channels: Channels, dry_run: bool) -> dict:
    nudger = Nudger(runtime.settings, runtime.store, runtime.pathways)
    result = await nudger.run(None if dry_run else channels.notify, dry_run=dry_run)
    return result.to_dict()


async def nudge_counts(runtime: Runtime, days: int) -> dict:
    """Per cohort (country): nudges sent, answered, ignored, waiting, failed over the last `days`."""
    return await run_in_threadpool(runtime.store.nudge_stats, ANSWER_WINDOW, timedelta(days=days))


async def nudge_scheduler(app: FastAPI, every_s: float) -> None:
    """Runs the nudges every `every_s` seconds for as long as the server runs, in the one worker holding the
    scheduler's lock (errors logged, not fatal)."""
    runtime: Runtime = app.state.runtime
    leader = runtime.store.named_lock(Nudger.SCHEDULER_LOCK)
    try:
        while True:
            try:
                leading = await run_in_threadpool(leader.alive) or await run_in_threadpool(leader.try_acquire)
            except Exception as exc:  # the database may be briefly away; ask again
                log.warning("nudge scheduler cannot reach the database: %s", exc)
                leading = False
            if not leading:
                await asyncio.sleep(min(every_s, LEADER_RETRY_S))
                continue
            try:
                result = await run_nudges(runtime, app.state.channels)
                log.info("nudge run by this worker (the scheduler's leader): %d sent", result["sent"])
            except Exception as exc:  # the database may be briefly away; next time
                log.warning("nudge run failed: %s", exc)
            await asyncio.sleep(every_s)
    finally:
        await run_in_threadpool(leader.release)
