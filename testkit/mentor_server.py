"""`mentor serve` in a process of its own, for the multi-process tests and benchmarks: started with the
environment given, waited for (`/readyz`), its log kept in a file, stopped with SIGINT (which drains replies
in flight) or killed with SIGKILL the way a crashed host would be. With `--workers N` the uvicorn
supervisor's children are the workers (`worker_pids`).
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx

from testkit.loopback import free_port

ROOT = Path(__file__).resolve().parents[1]


def children(pid: int) -> list[int]:
    """The direct children of a process (Linux)."""
    found: list[int] = []
    for task in Path(f"/proc/{pid}/task").glob("*"):
        try:
            found.extend(int(p) for p in (task / "children").read_text().split())
        except OSError:
            continue
    return found


def _is_worker(pid: int) -> bool:
    """A uvicorn worker (spawned by multiprocessing), not multiprocessing's resource tracker."""
    try:
        command = Path(f"/proc/{pid}/cmdline").read_bytes().decode(errors="replace")
    except OSError:
        return False
    return "spawn_main" in command and "resource_tracker" not in command


class MentorServer:
    def __init__(self, env: dict[str, str], log_path: Path, workers: int = 1, port: int | None = None) -> None:
        self.port = port or free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.workers = workers
        self.log_path = log_path
        self.env = {**os.environ, **env}
        self._log = None
        self.process: subprocess.Popen | None = None

    def start(self) -> MentorServer:
        self._log = self.log_path.open("ab")
        args = ["serve", "--host", "127.0.0.1", "--port", str(self.port), "--workers", str(self.workers)]
        self.started = time.perf_counter()
        self.process = subprocess.Popen(
            [sys.executable, "-m", "assistant.cli", *args],
            cwd=ROOT,
            env=self.env,
            stdout=self._log,
            stderr=subprocess.STDOUT,
        )
        return self

    def wait_ready(self, timeout: float = 180.0) -> float:
        """Seconds from the start until GET /readyz answers 200 (in every worker: each is asked in turn by
        fresh connections; a few in a row must say ready)."""
        deadline = self.started + timeout
        in_a_row = 0
        while time.perf_counter() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"mentor serve exited ({self.process.returncode}):\n{self.log_tail()}")
            try:
                ok = httpx.get(f"{self.url}/readyz", timeout=2.0).status_code == 200
            except httpx.HTTPError:
                ok = False
            in_a_row = in_a_row + 1 if ok else 0
            if in_a_row >= 3 * self.workers and len(self.worker_pids()) >= (self.workers if self.workers > 1 else 0):
                return time.perf_counter() - self.started
            time.sleep(0.05)
        raise RuntimeError(f"mentor serve not ready after {timeout:.0f} s:\n{self.log_tail()}")

    def worker_pids(self) -> list[int]:
        """The processes that serve requests: the workers with --workers > 1, else the server itself."""
        if self.process is None or self.process.poll() is not None:
            return []
        if self.workers == 1:
            return [self.process.pid]
        return [pid for pid in children(self.process.pid) if _is_worker(pid)]

    def log_text(self) -> str:
        if self._log is not None:
            self._log.flush()
        return self.log_path.read_text(errors="replace")

    def log_tail(self, chars: int = 4000) -> str:
        return self.log_text()[-chars:]

    def kill(self) -> None:
        """SIGKILL the whole server (its workers too), as a crash would."""
        for pid in [*self.worker_pids(), self.process.pid]:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        self.process.wait(timeout=30)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.kill()
        if self._log is not None:
            self._log.close()
            self._log = None
