"""A request-body limit, as plain ASGI middleware: a body over the limit gets 413 before it is read in
full, whether or not the client sent Content-Length. Uploads and the paths given their own limit (the
WhatsApp webhook, whose batches from Meta reach megabytes) are measured against theirs."""

from __future__ import annotations

import json

from starlette.exceptions import HTTPException


class BodyTooLarge(HTTPException):
    """Raised from `receive` once the body passes the limit. An HTTPException, so that FastAPI, which turns
    other errors met while reading a body into a 400, passes it on to the app's handler as a 413."""

    def __init__(self, limit: int) -> None:
        super().__init__(413, too_large_message(limit))


def too_large_message(limit: int) -> str:
    return f"the request body is over the {limit // 1024} KB limit"


class BodyLimit:
    def __init__(
        self,
        app,
        default_bytes: int,
        upload_bytes: int,
        upload_paths: tuple[str, ...],
        path_bytes: dict[str, int] | None = None,
    ) -> None:
        self.app = app
        self.default_bytes = default_bytes
        self.upload_bytes = upload_bytes
        self.upload_paths = upload_paths
        self.path_bytes = dict(path_bytes or {})  # exact path -> its own limit

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        path = scope.get("path", "")
        limit = self.upload_bytes if path.startswith(self.upload_paths) else self.default_bytes
        limit = self.path_bytes.get(path.rstrip("/") or "/", limit)
        length = dict(scope.get("headers") or []).get(b"content-length")
        if length is not None and (not length.isdigit() or int(length) > limit):
            return await self._reject(send, limit)
        seen = 0
        started = False

        async def limited_receive():
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > limit:
                    raise BodyTooLarge(limit)
            return message

        async def tracking_send(message):
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, limited_receive, tracking_send)
        except BodyTooLarge:
            if not started:
                await self._reject(send, limit)

    @staticmethod
    async def _reject(send, limit: int) -> None:
        body = json.dumps({"code": "too_large", "message": too_large_message(limit)}).encode()
        await send(
            {
                "type": "http.response.start",
                "status": 413,
                "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())],
            }
        )
        await send({"type": "http.response.body", "body": body})
