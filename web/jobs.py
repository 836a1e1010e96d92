"""Background ingestion of uploaded documents, with progress kept in the database (any worker can
report it at `GET /v1/jobs/{id}`)."""

from __future__ import annotations

import logging
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from assistant import AssistantError, Runtime

log = logging.getLogger(__name__)


class IngestJobs:
    """One ingest at a time (the index has one writer); uploads queue behind each other."""

    def __init__(self, runtime: Runtime) -> None:
        self.runtime = runtime
        self.pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="ingest")

    def submit(self, paths: list[Path], created_by: str) -> str:
        store = self.runtime.store
        job_id = store.create_job("ingest", {"files": [p.name for p in paths]}, created_by)
        self.pool.submit(self._run, job_id, paths)
        return job_id

    def _run(self, job_id: str, paths: list[Path]) -> None:
        store = self.runtime.store
        last = 0.0

        def progress(stage: str, done: int, total: int) -> None:
            nonlocal last
            if time.monotonic() - last > 0.2 or done >= total:  # a few writes a second at most
                last = time.monotonic()
                store.update_job(job_id, stage=stage, done=done, total=total)

        store.update_job(job_id, status="running", stage="reading")
        try:
            report = self.runtime.ingestor().ingest(paths, progress=progress)
        except AssistantError as exc:
            store.update_job(job_id, status="failed", error=str(exc))
            return
        except Exception as exc:  # a job must end in a state staff can see, whatever happened
            log.exception("ingest job %s failed", job_id)
            store.update_job(job_id, status="failed", error=f"internal error: {type(exc).__name__}")
            return
        for skipped in report.skipped:  # a file that could not be used is not kept
            Path(skipped.path).unlink(missing_ok=True)
        detail = {"files": [p.name for p in paths], "report": report.to_dict()}
        store.update_job(job_id, status="done", stage="done", detail=detail)

    def shutdown(self) -> None:
        self.pool.shutdown(wait=True, cancel_futures=False)
