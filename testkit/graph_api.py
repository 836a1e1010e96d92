"""A local WhatsApp Cloud (Graph) API: records the messages the assistant sends, can fail on purpose.

Serve it with `testkit.loopback.serve(graph.app)` and point `MENTOR_WHATSAPP_API_BASE` at `{url}/v21.0`.
Tests schedule failures (`fail_next`) and wait for messages (`wait_for`); the load benchmark also has it
refuse posts for another phone number id, answer a share of posts 503 at random (`failure_rate`), check each
payload against the Graph API's documented limits (`validate`) and tell it of each message (`on_sent`).

It serves media the Cloud API way too: `add_media(data)` gives a media id; `GET /{version}/{media-id}` with
the token answers `{"url", "mime_type", "sha256", "file_size", "id"}`, and `GET` of that url with the token
the bytes (`fail_downloads` makes the next downloads fail; `downloads` counts those served). An unknown id
is a 404, as for an expired one.
"""

from __future__ import annotations

import hashlib
import itertools
import random
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

TOKEN = "graph-test-token"


@dataclass
class Sent:
    phone_number_id: str
    payload: dict
    at: float
    message_id: str = ""  # the wamid the response gave it (a reaction or a status names it)

    @property
    def to(self) -> str:
        return self.payload.get("to", "")

    @property
    def kind(self) -> str:
        return self.payload.get("type", "")

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


def payload_problem(payload: object) -> str | None:
    """Why the Graph API would refuse this message payload, or None (its documented limits)."""
    if not isinstance(payload, dict) or payload.get("messaging_product") != "whatsapp":
        return "messaging_product must be whatsapp"
    if not isinstance(payload.get("to"), str) or not payload["to"].isdigit():
        return "to must be a phone number"
    kind = payload.get("type")
    if kind == "text":
        body = (payload.get("text") or {}).get("body")
        return None if isinstance(body, str) and 0 < len(body) <= 4096 else "text.body must be 1 to 4096 characters"
    if kind != "interactive":
        return f"unexpected type {kind!r}"
    inner = payload.get("interactive") or {}
    body = (inner.get("body") or {}).get("text")
    if not isinstance(body, str) or not 0 < len(body) <= 1024:
        return "interactive.body.text must be 1 to 1024 characters"
    action = inner.get("action") or {}
    if inner.get("type") == "button":
        buttons = action.get("buttons") or []
        if not 1 <= len(buttons) <= 3:
            return "1 to 3 reply buttons"
        titles = [(b.get("reply") or {}).get("title") or "" for b in buttons]
        ids = [(b.get("reply") or {}).get("id") or "" for b in buttons]
        if any(not 0 < len(t) <= 20 for t in titles) or any(not 0 < len(i) <= 256 for i in ids):
            return "button titles 1 to 20 characters, ids 1 to 256"
        if len(set(titles)) != len(titles) or len(set(ids)) != len(ids):
            return "button titles and ids must be unique"
        return None
    if inner.get("type") == "list":
        rows = [row for section in action.get("sections") or [] for row in section.get("rows") or []]
        if not 0 < len(action.get("button") or "") <= 20 or not 1 <= len(rows) <= 10:
            return "list button label 1 to 20 characters, 1 to 10 rows"
        for row in rows:
            if not 0 < len(row.get("title") or "") <= 24 or len(row.get("description") or "") > 72:
                return "row titles 1 to 24 characters, descriptions up to 72"
        return None
    return f"unexpected interactive type {inner.get('type')!r}"


class FakeGraph:
    def __init__(
        self,
        token: str = TOKEN,
        *,
        phone_number_id: str | None = None,
        failure_rate: float = 0.0,
        seed: int = 0,
        validate: bool = False,
        clock: Callable[[], float] = time.monotonic,
        on_sent: Callable[[Sent], None] | None = None,
    ) -> None:
        """`phone_number_id`: refuse posts for any other one (400); `failure_rate` of the posts get a 503 (drawn
        from `seed`); `validate`: refuse payloads the Graph API would (400, reason in `invalid`); `clock` stamps
        each `Sent.at`; `on_sent` is called with each message recorded, from the server's thread."""
        self.token = token
        self.phone_number_id = phone_number_id
        self.failure_rate = failure_rate
        self.validate = validate
        self.clock = clock
        self.on_sent = on_sent
        self.sent: list[Sent] = []
        self.attempts = 0
        self.refused = 0  # posts answered 503 at random (failure_rate)
        self.invalid: list[str] = []  # payloads refused with a 400 (validate), and why
        self._rng = random.Random(seed)
        self._failures: list[tuple[int, dict]] = []
        self._ids = itertools.count(1)
        self._changed = threading.Condition()
        self.media: dict[str, tuple[bytes, str, object]] = {}  # media id -> (bytes, mime type, declared size)
        self.media_requests = 0  # GET /{media-id} calls
        self.downloads = 0  # downloads served with their bytes
        self._download_failures: list[int] = []
        self.app = Starlette(
            routes=[
                Route("/{version}/{phone_number_id}/messages", self.messages, methods=["POST"]),
                Route("/whatsapp_business/attachments/", self.download, methods=["GET"]),
                Route("/{version}/{media_id}", self.media_info, methods=["GET"]),
            ]
        )

    # -- media ----------------------------------------------------------------------------------------------

    def add_media(self, data: bytes, mime_type: str = "audio/ogg; codecs=opus", file_size: object = None) -> str:
        """Serve `data`; its media id. `file_size`: what the metadata declares (default: the true size, as a
        string, the way the Graph API sends it)."""
        media_id = f"{next(self._ids) + 10**15}"
        with self._changed:
            self.media[media_id] = (data, mime_type, str(len(data)) if file_size is None else file_size)
        return media_id

    def fail_downloads(self, status: int = 500, times: int = 1) -> None:
        with self._changed:
            self._download_failures.extend([status] * times)

    def _authorized(self, request: Request) -> bool:
        return request.headers.get("authorization") == f"Bearer {self.token}"

    async def media_info(self, request: Request) -> JSONResponse:
        if not self._authorized(request):
            return JSONResponse({"error": {"message": "Invalid OAuth access token", "code": 190}}, 401)
        media_id = request.path_params["media_id"]
        with self._changed:
            self.media_requests += 1
            found = self.media.get(media_id)
        if found is None:
            return JSONResponse({"error": {"message": "Unsupported get request", "code": 100}}, 404)
        data, mime_type, size = found
        url = f"{str(request.base_url).rstrip('/')}/whatsapp_business/attachments/?mid={media_id}"
        digest = hashlib.sha256(data).hexdigest()
        info = {"messaging_product": "whatsapp", "url": url, "mime_type": mime_type, "sha256": digest}
        return JSONResponse({**info, "file_size": size, "id": media_id})

    async def download(self, request: Request) -> Response:
        if not self._authorized(request):
            return Response(b"", 401)
        with self._changed:
            failure = self._download_failures.pop(0) if self._download_failures else None
            found = self.media.get(request.query_params.get("mid", ""))
            if failure is None and found is not None:
                self.downloads += 1
        if failure is not None:
            return Response(b"", failure)
        if found is None:
            return Response(b"", 404)
        return Response(found[0], media_type=found[1])

    # -- failures ---------------------------------------------------------------------------------------------

    def fail_next(self, status: int, times: int = 1, headers: dict | None = None) -> None:
        with self._changed:
            self._failures.extend([(status, headers or {})] * times)

    def clear_failures(self) -> None:
        """Drop the failures still scheduled: the next posts succeed."""
        with self._changed:
            self._failures.clear()

    async def messages(self, request: Request) -> JSONResponse:
        with self._changed:
            self.attempts += 1
            failure = self._failures.pop(0) if self._failures else None
        refusal = self._refusal(request, failure)
        if refusal is not None:
            return refusal
        if self.validate:
            try:
                payload = await request.json()
            except ValueError:
                payload = None
            problem = payload_problem(payload)
            if problem:
                with self._changed:
                    self.invalid.append(problem)
                return JSONResponse({"error": {"message": f"(#100) {problem}", "code": 100}}, 400)
        else:
            payload = await request.json()
        with self._changed:
            wamid = f"wamid.out.{next(self._ids)}"
        sent = Sent(request.path_params["phone_number_id"], payload, self.clock(), wamid)
        with self._changed:
            self.sent.append(sent)
            self._changed.notify_all()
        if self.on_sent is not None:
            self.on_sent(sent)
        return JSONResponse(
            {"messaging_product": "whatsapp", "contacts": [{"input": payload.get("to"), "wa_id": payload.get("to")}],
             "messages": [{"id": wamid}]}
        )  # fmt: skip

    def _refusal(self, request: Request, failure: tuple[int, dict] | None) -> JSONResponse | None:
        """The error answer for this post before its payload is read, or None to go on."""
        if self.phone_number_id is not None and request.path_params["phone_number_id"] != self.phone_number_id:
            return JSONResponse({"error": {"message": "Unsupported post request", "code": 100}}, 400)
        if request.headers.get("authorization") != f"Bearer {self.token}":
            return JSONResponse({"error": {"message": "Invalid OAuth access token", "code": 190}}, 401)
        if failure is not None:
            status, headers = failure
            return JSONResponse({"error": {"message": "try later", "code": 2}}, status, headers=headers)
        if self.failure_rate and self._rng.random() < self.failure_rate:
            with self._changed:
                self.refused += 1
            return JSONResponse({"error": {"message": "Service temporarily unavailable", "code": 2}}, 503)
        return None

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
