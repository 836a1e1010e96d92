"""The jobs queue on SQLite and PostgreSQL: claimed exactly once across processes, a heartbeat that carries
a cancel request, recovery of jobs whose worker died, and only the claim holder may finish a job."""

from __future__ import annotations

import multiprocessing
import subprocess
import sys
from datetime import timedelta

from sqlalchemy import update

from assistant.storage import Database, Store
from assistant.storage.jobs import worker_name
from assistant.storage.models import Job
from assistant.storage.records import now


def _claim_all(url: str, queue) -> None:
    """One process: claim jobs until none is left, and report which."""
    store = Store(Database(url))
    name = worker_name()
    mine = []
    misses = 0
    while misses < 20:  # a lost race returns None too: ask again a few times before calling the queue empty
        job = store.claim_job("ingest", name)
        if job is None:
            misses += 1
            continue
        misses = 0
        mine.append(job["id"])
        assert store.finish_job(job["id"], name, "done")
    queue.put(mine)


def test_each_job_is_claimed_exactly_once_across_processes(store, database_url):
    ids = {store.create_job("ingest", {"files": [f"f{i}.md"]}) for i in range(40)}
    context = multiprocessing.get_context("spawn")
    queue = context.Queue()
    workers = [context.Process(target=_claim_all, args=(database_url, queue)) for _ in range(4)]
    for worker in workers:
        worker.start()
    claimed = [queue.get(timeout=120) for _ in workers]
    for worker in workers:
        worker.join(30)
    flat = [job_id for mine in claimed for job_id in mine]
    assert sorted(flat) == sorted(ids)  # every job once, none twice
    assert all(store.job(job_id)["status"] == "done" for job_id in ids)


def test_a_claim_marks_the_job_running_and_counts_the_attempt(store):
    job_id = store.create_job("ingest", {"files": ["a.md"]})
    assert store.claim_job("other-kind", "w") is None
    job = store.claim_job("ingest", "w1")
    assert job["id"] == job_id and job["status"] == "running" and job["attempts"] == 1
    assert store.claim_job("ingest", "w2") is None


def test_only_the_claim_holder_finishes_a_job(store):
    job_id = store.create_job("ingest", {})
    store.claim_job("ingest", "w1")
    assert not store.finish_job(job_id, "w2", "done")
    assert store.job(job_id)["status"] == "running"
    assert store.finish_job(job_id, "w1", "done")
    assert store.job(job_id)["status"] == "done" and store.job(job_id)["finished_at"]


def test_cancel_a_queued_job_at_once_and_a_running_one_through_its_heartbeat(store):
    running = store.create_job("ingest", {})
    queued = store.create_job("ingest", {})
    assert store.claim_job("ingest", "w1")["id"] == running  # the older one
    assert store.heartbeat(running, "w1") is None
    assert store.request_cancel(queued)["status"] == "cancelled"
    assert store.claim_job("ingest", "w2") is None  # a cancelled job is never claimed
    after = store.request_cancel(running)
    assert after["status"] == "running" and after["cancel_requested"]
    assert store.heartbeat(running, "w1") == "cancelled"
    assert store.heartbeat(running, "someone-else") == "lost"


def _age(store: Store, job_id: str, seconds: float) -> None:
    with store.db.session() as s:
        s.execute(update(Job).where(Job.id == job_id).values(heartbeat_at=now() - timedelta(seconds=seconds)))


def test_a_job_whose_worker_stopped_beating_is_queued_again_then_failed(store):
    job_id = store.create_job("ingest", {"files": ["a.md"]})
    store.claim_job("ingest", "other-host:1:abc")
    assert store.recover_jobs(stale_after_s=30) == []  # its heartbeat is fresh
    _age(store, job_id, 60)
    [recovered] = store.recover_jobs(stale_after_s=30)
    assert recovered["status"] == "queued" and recovered["id"] == job_id
    store.claim_job("ingest", "other-host:2:def")
    _age(store, job_id, 60)
    [failed] = store.recover_jobs(stale_after_s=30, max_attempts=2)
    assert failed["status"] == "failed" and "interrupted 2 times" in failed["error"]
    assert failed["finished_at"]


def test_a_job_claimed_by_a_dead_process_on_this_host_is_recovered_at_once(store):
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    host = worker_name().split(":")[0]
    job_id = store.create_job("ingest", {})
    store.claim_job("ingest", f"{host}:{dead.pid}:000000")
    [recovered] = store.recover_jobs(stale_after_s=3600)  # fresh heartbeat, but its process is gone
    assert recovered["id"] == job_id and recovered["status"] == "queued"
    me = worker_name()  # this very process: alive
    assert store.claim_job("ingest", me)["id"] == job_id
    assert store.recover_jobs(stale_after_s=3600) == []
    assert store.job(job_id)["status"] == "running"


def test_a_cancelled_job_whose_worker_died_ends_cancelled(store):
    job_id = store.create_job("ingest", {})
    store.claim_job("ingest", "other-host:1:abc")
    store.request_cancel(job_id)
    _age(store, job_id, 60)
    [recovered] = store.recover_jobs(stale_after_s=30)
    assert recovered["status"] == "cancelled"
