"""A local WhatsApp Cloud (Graph) API: records the messages the assistant sends, can fail on purpose.

Serve it with `testkit.loopback.serve(graph.app)` and point `MENTOR_WHATSAPP_API_BASE` at `{url}/v21.0`.
"""

from __future__ import annotations

import itertools
import threading
import time
from dataclasses import dataclass

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

TOKEN = "graph-test-token"


@dataclass
class Sent:
    phone_number_id: str
    payload: dict
    at: float

    @property
    def to(self) -> str:
        return self.payload.get("to", "")

    @property
    def text(self) -> str:
        if self.payload.get("type") == "text":
            return self.payload["text"]["body"]
        return self.payload.get("interactive", {}).get("body", {}).get("text", "")

    @property
    def button_ids(self) -> list[str]:
        action = self.payload.get("interactive", {}).get("action", {})
        ids = [b["reply"]["id"] for b in action.get("buttons", [])]
        ids += [row["id"] for section in action.get("sections", []) for row in section["rows"]]
        return ids


class FakeGraph:
    def __init__(self) -> None:
        self.sent: list[Sent] = []
        self.attempts = 0
        self._failures: list[tuple[int, dict]] = []
        self._ids = itertools.count(1)
        self._changed = threading.Condition()
        self.app = Starlette(routes=[Route("/{version}/{phone_number_id}/messages", self.messages, methods=["POST"])])

    def fail_next(self, status: int, times: int = 1, headers: dict | None = None) -> None:
        with self._changed:
            self._failures.extend([(status, headers or {})] * times)

    async def messages(self, request: Request) -> JSONResponse:
        with self._changed:
            self.attempts += 1
            failure = self._failures.pop(0) if self._failures else None
        if request.headers.get("authorization") != f"Bearer {TOKEN}":
            return JSONResponse({"error": {"message": "Invalid OAuth access token", "code": 190}}, 401)
        if failure is not None:
            status, headers = failure
            return JSONResponse({"error": {"message": "try later", "code": 2}}, status, headers=headers)
        payload = await request.json()
        with self._changed:
            self.sent.append(Sent(request.path_params["phone_number_id"], payload, time.monotonic()))
            self._changed.notify_all()
        return JSONResponse(
            {"messaging_product": "whatsapp", "contacts": [{"input": payload.get("to"), "wa_id": payload.get("to")}],
             "messages": [{"id": f"wamid.out.{next(self._ids)}"}]}
        )  # fmt: skip

    def to(self, number: str) -> list[Sent]:
        with self._changed:
            return [s for s in self.sent if s.to == number]

    def wait_for(self, number: str, count: int, timeout: float = 20.0) -> list[Sent]:
        """At least `count` messages to `number` (or AssertionError after `timeout`)."""
        deadline = time.monotonic() + timeout
        with self._changed:
            while len([s for s in self.sent if s.to == number]) < count:
                left = deadline - time.monotonic()
                if left <= 0:
                    got = [s.text[:60] for s in self.sent if s.to == number]
                    raise AssertionError(f"{count} messages to {number} expected, got {len(got)}: {got}")
                self._changed.wait(left)
            return [s for s in self.sent if s.to == number]
