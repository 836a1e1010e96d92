"""`mentor serve` as its own process on loopback, its log written to a file: for tests that need what only a
whole server shows (the access log, the files it leaves in the data directory, its log after a request)."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx

from testkit.loopback import free_port

ROOT = Path(__file__).resolve().parents[1]


@dataclass
class ServerProcess:
    url: str
    log: Path
    process: subprocess.Popen

    def log_text(self) -> str:
        return self.log.read_text(encoding="utf-8", errors="replace")

    def stop(self) -> None:
        """SIGTERM, so the lifespan's shutdown runs; a server that does not go in 30 s is killed."""
        if self.process.poll() is not None:
            return
        self.process.terminate()
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


@contextmanager
def mentor_serve(data_dir: Path, env: dict[str, str] | None = None, timeout: float = 120.0) -> Iterator[ServerProcess]:
    """Run `mentor --data-dir DATA serve` on a free port until the block ends (stopped with SIGTERM, so the
    lifespan's shutdown runs); yields its URL and the file its output goes to."""
    port = free_port()
    log = data_dir.parent / f"server-{port}.log"
    full_env = {**os.environ, "MENTOR_LOG_LEVEL": "INFO", **(env or {})}
    with log.open("wb") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "assistant.cli", "--data-dir", str(data_dir), "serve", "--port", str(port)],
            cwd=ROOT, env=full_env, stdout=out, stderr=subprocess.STDOUT,
        )  # fmt: skip
        try:
            url = f"http://127.0.0.1:{port}"
            deadline = time.monotonic() + timeout
            while True:
                try:
                    httpx.get(f"{url}/healthz", timeout=2)
                    break
                except httpx.TransportError:
                    if process.poll() is not None or time.monotonic() > deadline:
                        raise RuntimeError(f"mentor serve did not start:\n{log.read_text()[-3000:]}") from None
                    time.sleep(0.2)
            running = ServerProcess(url, log, process)
            yield running
        finally:
            ServerProcess(url, log, process).stop()
