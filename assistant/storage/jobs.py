"""The jobs repository: long-running work (such as ingestion) and its progress, for the web app to poll.

A job is created queued; the worker updates its stage and counts; a job that is done or failed gets its
finish time.
"""

from __future__ import annotations

from sqlalchemy import update

from assistant.storage.models import Job
from assistant.storage.records import now, utc
from assistant.storage.repository import Repository


class JobRepository(Repository):
    def create_job(self, kind: str, detail: dict, created_by: str | None = None) -> str:
        with self.db.session() as s:
            job = Job(kind=kind, detail=detail, created_by=created_by)
            s.add(job)
            s.flush()
            return job.id

    def update_job(self, job_id: str, **fields) -> None:
        if fields.get("status") in ("done", "failed"):
            fields.setdefault("finished_at", now())
        with self.db.session() as s:
            s.execute(update(Job).where(Job.id == job_id).values(**fields))

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
                "created_at": utc(job.created_at).isoformat(),
                "finished_at": utc(job.finished_at).isoformat() if job.finished_at else None,
            }
