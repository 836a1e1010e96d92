"""NUL and other control characters are refused at the edge: a request whose path, query string, JSON body
or form fields hold one gets 400 `invalid_characters`, before any route, so SQLite and PostgreSQL (which
cannot store NUL in text) never see one and answer alike.

Refused: the C0 controls (U+0000 to U+001F) and DEL, except tab, line feed and carriage return inside a
body's strings (what a pasted paragraph holds). Uploads (multipart) are checked by the ingestion instead,
and the signed webhooks' bodies pass untouched, because the signature covers the raw bytes and a refusal
would only make the platform send them again: the channels strip those characters from the messages they
hand the engine (`Message`).
"""

from __future__ import annotations

import json
import re
from urllib.parse import parse_qsl, unquote

CONTROL = re.compile(r"[\x00-\x1f\x7f]")
CONTROL_IN_TEXT = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")  # tab, LF and CR allowed
SIGNED_BODIES = ("/webhooks/",)
MESSAGE = "the request holds a NUL or another control character, which no field accepts"


def _strings(value) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for k, v in value.items() for s in (*_strings(k), *_strings(v))]
    if isinstance(value, list):
        return [s for v in value for s in _strings(v)]
    return []


def body_has_control(content_type: str, body: bytes) -> bool:
    if content_type.startswith("application/json"):
        try:
            data = json.loads(body)
        except (UnicodeDecodeError, json.JSONDecodeError):
            return False  # malformed JSON is the validation's 422
        return any(CONTROL_IN_TEXT.search(s) for s in _strings(data))
    if content_type.startswith("application/x-www-form-urlencoded"):
        fields = parse_qsl(body.decode("latin-1"), keep_blank_values=True)
        return any(CONTROL_IN_TEXT.search(part) for pair in fields for part in pair)
    return False


def head_has_control(scope) -> bool:
    if CONTROL.search(scope.get("path", "")):
        return True
    query = scope.get("query_string", b"").decode("latin-1")
    return bool(CONTROL.search(unquote(query)))


class RefuseControlCharacters:
    """Plain ASGI middleware; the body is read (it is already bounded by `BodyLimit`) and handed on whole."""

    def __init__(self, app) -> None:
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        if head_has_control(scope):
            return await _refuse(send)
        headers = dict(scope.get("headers") or [])
        content_type = headers.get(b"content-type", b"").decode("latin-1").lower()
        checked = content_type.startswith(("application/json", "application/x-www-form-urlencoded"))
        if not checked or scope.get("path", "").startswith(SIGNED_BODIES):
            return await self.app(scope, receive, send)
        chunks, more = [], True
        while more:
            message = await receive()
            if message["type"] != "http.request":
                return await self.app(scope, _replay([message]), send)  # the client went away
            chunks.append(message.get("body", b""))
            more = message.get("more_body", False)
        body = b"".join(chunks)
        if body_has_control(content_type, body):
            return await _refuse(send)
        await self.app(scope, _replay([{"type": "http.request", "body": body, "more_body": False}], receive), send)


def _replay(messages: list[dict], then=None):
    async def receive():
        if messages:
            return messages.pop(0)
        if then is not None:
            return await then()
        return {"type": "http.disconnect"}

    return receive


async def _refuse(send) -> None:
    body = json.dumps({"code": "invalid_characters", "message": MESSAGE}).encode()
    await send(
        {
            "type": "http.response.start",
            "status": 400,
            "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())],
        }
    )
    await send({"type": "http.response.body", "body": body})
