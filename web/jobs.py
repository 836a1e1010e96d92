"""Ingestion jobs as the web app sees them: an upload queues a job in the database; the ingest worker
(assistant/knowledge/worker.py, its own low-priority process by default) claims and runs it; staff follow
it at `GET /v1/jobs/{id}` from any worker and may cancel it. At start-up, jobs a killed server left running
are recovered; the worker starts then if any job waits, else with the first upload."""

from __future__ import annotations

import logging
import threading
from pathlib import Path

from assistant import INGEST_JOB, NotFoundError, Runtime, WorkerHandle, recover_ingest_jobs, start_ingest_worker

log = logging.getLogger(__name__)


class IngestJobs:
    def __init__(self, runtime: Runtime) -> None:
        self.runtime = runtime
        self.worker: WorkerHandle | None = None
        self._lock = threading.Lock()

    def start(self) -> None:
        """Recover jobs a stopped server left behind; start the worker if any job waits."""
        recover_ingest_jobs(self.runtime)
        if self.runtime.store.jobs(status="queued", limit=1):
            self._ensure_worker()

    def submit(self, paths: list[Path], created_by: str) -> str:
        job_id = self.runtime.store.create_job(INGEST_JOB, {"files": [p.name for p in paths]}, created_by)
        self._ensure_worker()
        return job_id

    def cancel(self, job_id: str) -> dict:
        job = self.runtime.store.request_cancel(job_id)
        if job is None:
            raise NotFoundError(f"no job with id {job_id!r}")
        return job

    def _ensure_worker(self) -> None:
        with self._lock:
            if self.worker is None or not self.worker.alive():
                self.worker = start_ingest_worker(self.runtime)

    def shutdown(self) -> None:
        with self._lock:
            if self.worker is not None:
                self.worker.stop()
