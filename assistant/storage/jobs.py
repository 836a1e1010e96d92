"""The jobs repository: long-running work (document ingestion) as a queue that several processes share.

A job is created `queued`. A worker claims it exactly once across processes (PostgreSQL: `SELECT ... FOR
UPDATE SKIP LOCKED`; SQLite: a conditional `UPDATE ... WHERE status = 'queued'`, one writer at a time),
then beats a heartbeat while it runs and finishes it `done`, `failed` or `cancelled`; only the worker that
holds the claim may finish it. A job whose worker stopped beating (its process was killed) is recovered:
put back in the queue while it has attempts left, else failed with the reason. Staff may cancel a job:
a queued one at once, a running one at its worker's next progress step.
"""

from __future__ import annotations

import os
import socket
from datetime import timedelta

from sqlalchemy import select, update

from assistant.storage.models import Job
from assistant.storage.records import now, utc
from assistant.storage.repository import Repository

FINISHED = ("done", "failed", "cancelled")
MAX_ATTEMPTS = 2


def worker_name() -> str:
    """host:pid:nonce, so a claim names the process that holds it."""
    return f"{socket.gethostname()[:60]}:{os.getpid()}:{os.urandom(3).hex()}"


def _owner_is_dead(claimed_by: str | None) -> bool:
    """True only when the claim names a process on this host that no longer exists."""
    host, _, rest = (claimed_by or "").partition(":")
    pid = rest.partition(":")[0]
    if host != socket.gethostname()[:60] or not pid.isdigit():
        return False
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return True
    except PermissionError:  # alive, another user's
        return False
    return False


class JobRepository(Repository):
    def create_job(self, kind: str, detail: dict, created_by: str | None = None) -> str:
        with self.db.session() as s:
            job = Job(kind=kind, detail=detail, created_by=created_by)
            s.add(job)
            s.flush()
            return job.id

    def update_job(self, job_id: str, **fields) -> None:
        if fields.get("status") in FINISHED:
            fields.setdefault("finished_at", now())
        with self.db.session() as s:
            s.execute(update(Job).where(Job.id == job_id).values(**fields))

    def claim_job(self, kind: str, worker: str) -> dict | None:
        """The oldest queued job of `kind`, now running under `worker`; None when there is none. Two
        processes never claim the same job."""
        claimed = {"status": "running", "claimed_by": worker, "heartbeat_at": now(), "stage": "queued"}
        oldest = select(Job.id).where(Job.status == "queued", Job.kind == kind).order_by(Job.created_at).limit(1)
        with self.db.session() as s:
            if self.db.dialect == "postgresql":
                job_id = s.scalar(oldest.with_for_update(skip_locked=True))
                if job_id is None:
                    return None
                s.execute(update(Job).where(Job.id == job_id).values(**claimed, attempts=Job.attempts + 1))
            else:
                job_id = s.scalar(oldest)
                if job_id is None:
                    return None
                done = s.execute(
                    update(Job)
                    .where(Job.id == job_id, Job.status == "queued")
                    .values(**claimed, attempts=Job.attempts + 1)
                )
                if done.rowcount != 1:
                    return None  # another process took it first; the caller asks again
        return self.job(job_id)

    def heartbeat(self, job_id: str, worker: str) -> str | None:
        """Say `worker` is still running the job. Returns why it should stop ('cancelled', or 'lost' when
        the claim is no longer its own), else None."""
        with self.db.session() as s:
            done = s.execute(
                update(Job)
                .where(Job.id == job_id, Job.claimed_by == worker, Job.status == "running")
                .values(heartbeat_at=now())
            )
            if done.rowcount != 1:
                return "lost"
            return "cancelled" if s.scalar(select(Job.cancel_requested).where(Job.id == job_id)) else None

    def finish_job(self, job_id: str, worker: str, status: str, **fields) -> bool:
        """End a job this worker holds; False when it no longer holds it (it was recovered meanwhile)."""
        values = {"status": status, "finished_at": now() if status in FINISHED else None, **fields}
        if status == "queued":
            values.update(claimed_by=None, heartbeat_at=None, stage=None)
        with self.db.session() as s:
            done = s.execute(
                update(Job).where(Job.id == job_id, Job.claimed_by == worker, Job.status == "running").values(**values)
            )
            return done.rowcount == 1

    def request_cancel(self, job_id: str) -> dict | None:
        """Cancel a queued job now, ask a running one to stop; a finished job is left as it is."""
        with self.db.session() as s:
            s.execute(
                update(Job)
                .where(Job.id == job_id, Job.status == "queued")
                .values(status="cancelled", finished_at=now(), error="cancelled by staff before it started")
            )
            s.execute(update(Job).where(Job.id == job_id, Job.status == "running").values(cancel_requested=True))
        return self.job(job_id)

    def recover_jobs(self, stale_after_s: float, max_attempts: int = MAX_ATTEMPTS) -> list[dict]:
        """Jobs whose worker is gone (no heartbeat for `stale_after_s`, or a dead process on this host):
        back to the queue while they have attempts left, else failed (or cancelled, if staff asked).
        Returns the recovered jobs as they are now."""
        limit = now() - timedelta(seconds=stale_after_s)
        recovered = []
        with self.db.session() as s:
            rows = s.execute(
                select(Job.id, Job.claimed_by, Job.heartbeat_at, Job.attempts, Job.cancel_requested).where(
                    Job.status == "running"
                )
            ).all()
        for job_id, owner, beat, attempts, cancel in rows:
            if not (_owner_is_dead(owner) or beat is None or utc(beat) < limit):
                continue
            if cancel:
                values = {"status": "cancelled", "finished_at": now(), "error": "cancelled by staff"}
            elif attempts < max_attempts:
                values = {"status": "queued", "stage": None, "claimed_by": None, "heartbeat_at": None}
            else:
                values = {
                    "status": "failed",
                    "finished_at": now(),
                    "error": f"interrupted {attempts} times (the server stopped while it ran)",
                }
            same_claim = Job.claimed_by == owner if owner is not None else Job.claimed_by.is_(None)
            with self.db.session() as s:  # only if no one recovered or finished it meanwhile
                done = s.execute(
                    update(Job).where(Job.id == job_id, Job.status == "running", same_claim).values(**values)
                )
            if done.rowcount == 1:
                recovered.append(self.job(job_id))
        return recovered

    def jobs(self, status: str | None = None, limit: int = 50) -> list[dict]:
        """The newest jobs, optionally of one status."""
        query = select(Job.id).order_by(Job.created_at.desc()).limit(limit)
        if status:
            query = query.where(Job.status == status)
        with self.db.session() as s:
            ids = list(s.scalars(query))
        return [job for job in (self.job(job_id) for job_id in ids) if job is not None]

    def job(self, job_id: str) -> dict | None:
        with self.db.session() as s:
            job = s.get(Job, job_id)
            if job is None:
                return None
            return {
                "id": job.id,
                "kind": job.kind,
                "status": job.status,
                "stage": job.stage,
                "done": job.done,
                "total": job.total,
                "progress": round(job.done / job.total, 4) if job.total else (1.0 if job.status == "done" else 0.0),
                "detail": job.detail,
                "error": job.error,
                "attempts": job.attempts,
                "cancel_requested": job.cancel_requested,
                "created_at": utc(job.created_at).isoformat(),
                "finished_at": utc(job.finished_at).isoformat() if job.finished_at else None,
            }
