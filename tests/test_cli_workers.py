"""`mentor serve` and its workers: SQLite serves one process, so more workers, or a second server on the
same SQLite file, are refused with a message that says what to do instead."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from testkit.loopback import free_port
from testkit.mentor_server import ROOT, MentorServer

HASH = {"MENTOR_EMBEDDING_MODEL": "hash", "MENTOR_ASR_MODEL": "off"}


def _mentor(data_dir, *args: str, timeout: float = 120) -> subprocess.CompletedProcess:
    env = {**os.environ, **HASH, "MENTOR_DATA_DIR": str(data_dir)}
    env.pop("MENTOR_DATABASE_URL", None)
    return subprocess.run(
        [sys.executable, "-m", "assistant.cli", *args], cwd=ROOT, env=env, capture_output=True, text=True,
        timeout=timeout, check=False,
    )  # fmt: skip


def test_more_than_one_worker_on_sqlite_is_refused_with_what_to_do(tmp_path):
    done = _mentor(tmp_path / "data", "serve", "--port", str(free_port()), "--workers", "2", timeout=60)
    assert done.returncode == 2
    message = " ".join(done.stderr.split())
    assert "--workers 2 needs PostgreSQL" in message and "MENTOR_DATABASE_URL" in message
    assert "Deployment" in message


@pytest.mark.slow
def test_a_second_server_on_the_same_sqlite_file_is_refused(tmp_path, small_corpus):
    data = tmp_path / "data"
    assert _mentor(data, "ingest", str(small_corpus)).returncode == 0
    first = MentorServer({**HASH, "MENTOR_DATA_DIR": str(data)}, tmp_path / "first.log").start()
    try:
        first.wait_ready()
        second = _mentor(data, "serve", "--port", str(free_port()), timeout=60)  # serving would time out here
        assert second.returncode == 2
        assert "another `mentor serve` already uses the SQLite database" in " ".join(second.stderr.split())
    finally:
        first.stop()


def test_a_cron_nudge_run_while_another_runs_says_so_and_sends_nothing(tmp_path):
    """With PostgreSQL one nudge run at a time, whichever process: a server's scheduler holds the run's lock
    (here the test holds it), so `mentor nudges run` stops with a clear line."""
    from tests.pg import own_database

    with own_database() as url:
        _refused_while_locked(url, tmp_path)


def _refused_while_locked(url: str, tmp_path) -> None:
    from typer.testing import CliRunner

    from assistant.cli import app
    from assistant.pathways.nudges import Nudger
    from assistant.storage import Database, Store

    store = Store(Database(url))
    lock = store.named_lock(Nudger.RUN_LOCK)
    try:
        assert lock.try_acquire()
        env = {**HASH, "MENTOR_DATABASE_URL": url}
        result = CliRunner().invoke(app, ["--data-dir", str(tmp_path), "nudges", "run"], env=env)
        assert result.exit_code == 1
        assert "another nudge run is in progress" in " ".join(result.output.split())
    finally:
        lock.release()
        store.db.dispose()
