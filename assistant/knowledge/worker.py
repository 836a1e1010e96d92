"""The ingest worker: claims queued ingestion jobs from the database and runs them, away from questions.

By default it runs in its own process (`start_ingest_worker`), at a lower scheduling priority (`os.nice`,
MENTOR_INGEST_NICE) with one thread for FAISS, torch and the embedding engine, so that reading, chunking
and embedding a large upload do not take the interpreter lock or the CPU from the server answering
questions. `MENTOR_INGEST_WORKER=thread` runs it in a thread of the server instead.

A job is claimed exactly once across processes (the jobs repository), beats a heartbeat while it runs,
and stops at its next progress step when staff cancel it, or when the server stops (it then goes back to
the queue and resumes at the next start). At start-up, and every minute, jobs whose worker died are
recovered. A job that ends without indexing its files (cancelled, failed) names them and removes them
from the uploads folder, unless the index still holds them.
"""

from __future__ import annotations

import contextlib
import logging
import multiprocessing
import os
import signal
import sys
import threading
import time
from pathlib import Path

from assistant.config import Settings
from assistant.errors import AssistantError, IngestCancelled
from assistant.runtime import Runtime
from assistant.storage.jobs import worker_name

log = logging.getLogger(__name__)

INGEST_JOB = "ingest"
RECOVER_EVERY_S = 60.0
POLL_S = 0.5


def stale_after(settings: Settings) -> float:
    return settings.ingest_heartbeat_s * 6


class IngestWorker:
    """Runs ingestion jobs one at a time until `stop` is set."""

    def __init__(self, runtime: Runtime, stop: threading.Event, name: str | None = None) -> None:
        self.runtime = runtime
        self.store = runtime.store
        self.stop = stop
        self.name = name or worker_name()
        self.uploads = runtime.settings.data_dir / "uploads"

    def run_forever(self, parent_pid: int | None = None) -> None:
        recovered_at = 0.0
        while not self.stop.is_set():
            if parent_pid is not None and os.getppid() != parent_pid:
                log.warning("ingest worker: the server is gone; stopping")
                return
            if time.monotonic() - recovered_at > RECOVER_EVERY_S:
                recover_ingest_jobs(self.runtime)
                recovered_at = time.monotonic()
            job = self.store.claim_job(INGEST_JOB, self.name)
            if job is None:
                self.stop.wait(POLL_S)
            else:
                self.run(job)

    def run(self, job: dict) -> None:
        files = list(job["detail"].get("files", []))
        paths = [self.uploads / name for name in files if (self.uploads / name).is_file()]
        missing = [name for name in files if not (self.uploads / name).is_file()]
        beat = _Heartbeat(self.store, job["id"], self.name, self.runtime.settings.ingest_heartbeat_s, self.stop)
        with beat:
            try:
                report = self.runtime.ingestor().ingest(paths, progress=beat.progress) if paths else None
            except IngestCancelled as exc:
                self._stopped(job, files, exc)
                return
            except AssistantError as exc:
                self._end(job, "failed", files, str(exc))
                return
            except Exception as exc:  # a job must end in a state staff can see, whatever happened
                log.exception("ingest job %s failed", job["id"])
                self._end(job, "failed", files, f"internal error: {type(exc).__name__}")
                return
        detail = {**job["detail"], "missing": missing}
        if report is not None:
            for skipped in report.skipped:  # a file that could not be used is not kept
                if Path(skipped.path).parent == self.uploads.resolve():
                    Path(skipped.path).unlink(missing_ok=True)
            detail["report"] = report.to_dict()
        error = f"files gone before they were read: {', '.join(missing)}" if missing else None
        self.store.finish_job(job["id"], self.name, "done", stage="done", detail=detail, error=error)

    def _stopped(self, job: dict, files: list[str], exc: IngestCancelled) -> None:
        if exc.requeue:  # the server is stopping: the job resumes at the next start, this try not counted
            self.store.finish_job(job["id"], self.name, "queued", attempts=max(job["attempts"] - 1, 0))
        elif str(exc) != "lost":
            self._end(job, "cancelled", files, "cancelled by staff; the index was not changed")

    def _end(self, job: dict, status: str, files: list[str], reason: str) -> None:
        dropped = discard_unindexed(self.runtime, files)
        if dropped:
            reason += f"; not indexed: {', '.join(dropped)}"
        self.store.finish_job(job["id"], self.name, status, error=reason)


class _Heartbeat:
    """Beats the job's heartbeat in a thread; `progress` (the ingest's callback) records progress a few
    times a second and raises `IngestCancelled` once the job should stop."""

    def __init__(self, store, job_id: str, worker: str, every_s: float, stop: threading.Event) -> None:
        self.store, self.job_id, self.worker, self.every_s, self.server_stop = store, job_id, worker, every_s, stop
        self.reason: str | None = None
        self._done = threading.Event()
        self._thread = threading.Thread(target=self._beat, name=f"heartbeat-{job_id}", daemon=True)
        self._written = 0.0

    def __enter__(self) -> _Heartbeat:
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._done.set()
        self._thread.join()

    def _beat(self) -> None:
        while not self._done.wait(self.every_s):
            with contextlib.suppress(Exception):  # a database hiccup: the next beat tries again
                self.reason = self.store.heartbeat(self.job_id, self.worker) or self.reason

    def progress(self, stage: str, done: int, total: int) -> None:
        if time.monotonic() - self._written > 0.2 or done >= total:  # a few writes a second at most
            self._written = time.monotonic()
            self.store.update_job(self.job_id, stage=stage, done=done, total=total)
            self.reason = self.store.heartbeat(self.job_id, self.worker) or self.reason
        if stage != "writing":  # once the new version is being written, the job finishes
            if self.server_stop.is_set():
                raise IngestCancelled("the server is stopping", requeue=True)
            if self.reason:
                raise IngestCancelled(self.reason)


def recover_ingest_jobs(runtime: Runtime) -> list[dict]:
    """Recover jobs whose worker died; the files of those that will not run again are named and removed."""
    recovered = runtime.store.recover_jobs(stale_after(runtime.settings))
    for job in recovered:
        log.warning("ingest job %s recovered after its worker stopped: now %s", job["id"], job["status"])
        if job["status"] in ("failed", "cancelled"):
            dropped = discard_unindexed(runtime, job["detail"].get("files", []))
            if dropped:
                runtime.store.update_job(job["id"], error=f"{job['error']}; not indexed: {', '.join(dropped)}")
    return recovered


def discard_unindexed(runtime: Runtime, files: list[str]) -> list[str]:
    """Remove the uploaded `files` the index does not hold (so no later rebuild brings them in unasked);
    returns their names."""
    uploads = (runtime.settings.data_dir / "uploads").resolve()
    try:
        manifest = runtime.index_store.load_manifest() or {}
    except AssistantError:
        manifest = {}
    held = {entry.get("source") for entry in manifest.get("documents", {}).values()}
    dropped = []
    for name in files:
        path = uploads / name
        if str(path) not in held:
            path.unlink(missing_ok=True)
            dropped.append(name)
    return dropped


class WorkerHandle:
    """The running worker (a process or a thread) and how to stop it."""

    def __init__(self, runner, stop: threading.Event | None = None) -> None:
        self.runner, self.stop_event = runner, stop

    def alive(self) -> bool:
        return self.runner.is_alive()

    def stop(self, timeout: float = 30.0) -> None:
        """Ask it to stop (a running job goes back to the queue at its next step), wait, then end it."""
        if self.stop_event is not None:
            self.stop_event.set()
        elif self.runner.is_alive():
            self.runner.terminate()  # SIGTERM: the process's handler stops it at the job's next step
        self.runner.join(timeout)
        if self.runner.is_alive() and hasattr(self.runner, "kill"):
            self.runner.kill()  # its job is recovered at the next start (its process is gone)
            self.runner.join(5)


def start_ingest_worker(runtime: Runtime) -> WorkerHandle:
    """Start the worker as MENTOR_INGEST_WORKER says: its own low-priority process, or a thread."""
    settings = runtime.settings
    if settings.ingest_worker == "thread":
        stop = threading.Event()
        thread = threading.Thread(target=IngestWorker(runtime, stop).run_forever, name="ingest-worker", daemon=True)
        thread.start()
        return WorkerHandle(thread, stop)
    # A fresh interpreter (no inherited threads or locks); stopped by a signal, not a shared lock that a
    # killed process could leave held.
    process = multiprocessing.get_context("spawn").Process(
        target=worker_main, args=(settings, os.getpid()), name="mentor-ingest", daemon=True
    )
    process.start()
    return WorkerHandle(process)


def worker_main(settings: Settings, parent_pid: int) -> None:
    """The worker process: lower priority, one compute thread, then the job loop until SIGTERM."""
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C reaches the server, which stops this process
    with contextlib.suppress(OSError):
        os.nice(settings.ingest_nice)
    logging.basicConfig(level=settings.log_level, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    settings = settings.model_copy(update={"embedding_threads": 1})
    runtime = Runtime(settings)
    _one_thread(runtime)
    IngestWorker(runtime, stop).run_forever(parent_pid=parent_pid)


def _one_thread(runtime: Runtime) -> None:
    runtime.embedder  # noqa: B018 - loads the model (and torch, when it uses it) before the threads are set
    import faiss  # the index module has loaded it already; named here for its thread setting

    faiss.omp_set_num_threads(1)
    if "torch" in sys.modules:
        sys.modules["torch"].set_num_threads(1)
