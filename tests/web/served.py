"""A real server on loopback for the ingestion tests: the app under uvicorn on a free 127.0.0.1 port, a staff
token, and helpers to upload files and wait for their job."""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import httpx

from assistant import Runtime
from testkit.loopback import serve
from web.app import create_app


@dataclass
class Served:
    url: str
    runtime: Runtime
    token: str
    client: httpx.Client

    @property
    def auth(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}

    def upload(self, *files: tuple[str, bytes]) -> httpx.Response:
        return self.client.post("/v1/documents", headers=self.auth, files=[("files", f) for f in files])

    def job(self, job_id: str) -> dict:
        response = self.client.get(f"/v1/jobs/{job_id}", headers=self.auth)
        assert response.status_code == 200, response.text
        return response.json()

    def wait(self, job_id: str, timeout: float = 120.0) -> dict:
        """The job once it is done, failed or cancelled (a generous bound, not a timing assertion)."""
        deadline = time.monotonic() + timeout
        while True:
            job = self.job(job_id)
            if job["status"] in ("done", "failed", "cancelled") or time.monotonic() > deadline:
                return job
            time.sleep(0.1)

    def ingest(self, *files: tuple[str, bytes]) -> dict:
        response = self.upload(*files)
        assert response.status_code == 202, response.text
        return self.wait(response.json()["job_id"])

    def documents(self) -> list[dict]:
        response = self.client.get("/v1/documents", headers=self.auth)
        assert response.status_code == 200, response.text
        return response.json()

    def indexed(self) -> set[str]:
        return {f"{d['doc_id']}.{d['lang']}" for d in self.documents()}


@contextmanager
def served(runtime: Runtime) -> Iterator[Served]:
    token = runtime.store.create_token("editor", "staff")
    app = create_app(runtime.settings, runtime)
    with serve(app, name="mentor") as url, httpx.Client(base_url=url, timeout=60) as client:
        yield Served(url, runtime, token, client)
