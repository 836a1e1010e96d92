"""A fake Telegram Bot API server: the part of https://core.telegram.org/bots/api the bot uses.

`FakeTelegram` is an ASGI app (Starlette); run it with `testkit.loopback.serve(fake)` and point the bot at
the URL it yields (`build_application(..., api_base=url)`, so the bot calls `{url}/bot{token}/{method}`).

It answers like Telegram: `{"ok": true, "result": ...}`, or `{"ok": false, "error_code": ..., "description":
...}` with the same HTTP status. Requests are read the way python-telegram-bot sends them (form fields whose
non-string values are JSON-encoded) or as a JSON body. Tests enqueue updates for `getUpdates` (`text`,
`press`, `voice`, `enqueue`), add files for getFile (`files`, testkit/telegram_files.py), read what the bot
did (`sent`, `edits`, `answered`, `calls`), wait for replies (`wait_sent` from a plain thread, `await
wait_sent_async` from the bot's loop), inject faults (`fail_next`). Shared state sits behind one lock.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import threading
import time
from dataclasses import dataclass, field
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from testkit.telegram_files import TelegramFiles

TOKEN = "123456789:TEST-fake-token_for-the-local-server"
BOT_ID = 123456789
TEXT_LIMIT = 4096  # UTF-16 code units, as Telegram counts
# Fields python-telegram-bot JSON-encodes in its form bodies (strings such as `text` are sent as they are).
JSON_FIELDS = frozenset(
    {"chat_id", "message_id", "offset", "limit", "timeout", "allowed_updates", "reply_markup", "cache_time",
     "drop_pending_updates", "show_alert", "commands", "scope", "disable_notification", "protect_content",
     "link_preview_options", "reply_parameters", "entities", "max_connections"}
)  # fmt: skip


@dataclass
class Call:
    """One request the bot made, as the server understood it, and the HTTP status it got back."""

    method: str
    params: dict[str, Any]
    status: int = 200


@dataclass
class _Fault:
    status: int
    times: int
    retry_after: int | None = None
    description: str | None = None
    after: int = 0  # calls let through before this fault starts


@dataclass
class FakeTelegram:
    token: str = TOKEN
    url: str = ""  # where it is served, once it is (set by whoever serves it)
    max_poll_s: float = 0.5  # a long poll waits at most this long, whatever `timeout` the bot asks for
    calls: list[Call] = field(default_factory=list)
    sent: list[dict] = field(default_factory=list)  # the Message objects sendMessage created, in order
    edits: list[dict] = field(default_factory=list)  # editMessageReplyMarkup parameters
    answered: list[str] = field(default_factory=list)  # callback query ids answered
    delivered: list[int] = field(default_factory=list)  # update ids getUpdates handed out, repeats included

    def __post_init__(self) -> None:
        self._cond = threading.Condition()
        self._updates: list[dict] = []
        self._faults: dict[str, list[_Fault]] = {}
        self._update_ids = itertools.count(1000)
        self._message_ids = itertools.count(1)
        self._query_ids = itertools.count(1)
        self.me = {
            "id": BOT_ID,
            "is_bot": True,
            "first_name": "Mentor",
            "username": "mentor_test_bot",
            "can_join_groups": False,
            "can_read_all_group_messages": False,
            "supports_inline_queries": False,
        }
        self.files = TelegramFiles(self.token)
        self.app = Starlette(routes=[Route("/bot{token}/{method}", self._endpoint, methods=["GET", "POST"]),
                                     Route("/file/bot{token}/{path:path}", self.files.download)])  # fmt: skip

    async def __call__(self, scope, receive, send) -> None:
        await self.app(scope, receive, send)

    # -- updates the bot will receive ------------------------------------------------------------------------

    def enqueue(self, *updates: dict) -> dict:
        """Queue updates for getUpdates, all at once (one poll sees all of them); the last one."""
        with self._cond:
            self._updates.extend(updates)
            self._cond.notify_all()
        return updates[-1]

    def _user(self, chat_id: int, language_code: str | None) -> dict:
        user = {"id": chat_id, "is_bot": False, "first_name": "Test", "last_name": f"User{chat_id}"}
        if language_code:
            user["language_code"] = language_code
        return user

    def _incoming(self, chat_id: int, language_code: str | None, **content: Any) -> dict:
        return {
            "update_id": next(self._update_ids),
            "message": {
                "message_id": next(self._message_ids),
                "date": int(time.time()),
                "chat": {"id": chat_id, "type": "private", "first_name": "Test"},
                "from": self._user(chat_id, language_code),
                **content,
            },
        }

    def text_update(self, chat_id: int, text: str, language_code: str | None = "fr") -> dict:
        content: dict[str, Any] = {"text": text}
        if text.startswith("/"):
            command = text.split()[0]
            content["entities"] = [{"type": "bot_command", "offset": 0, "length": len(command)}]
        return self._incoming(chat_id, language_code, **content)

    def voice_update(self, chat_id: int, language_code: str | None = "fr", kind: str = "voice", **note: Any) -> dict:
        """A voice note (or, `kind="audio"`, an audio file); `note` overrides its fields (`file_id`...)."""
        voice = {"file_id": "voice-file", "file_unique_id": "voice-unique", "duration": 3, "mime_type": "audio/ogg"}
        return self._incoming(chat_id, language_code, **{kind: {**voice, **note}})

    def press_update(
        self, chat_id: int, data: str, message_id: int | None = None, language_code: str | None = "fr"
    ) -> dict:
        """A callback query: she pressed the button `data` under the bot's message `message_id` (by default
        the latest message sent to her that has that button)."""
        message = self.message_with_button(chat_id, data) if message_id is None else self.message(chat_id, message_id)
        if message is None:
            raise AssertionError(f"no message {message_id} with button {data!r} was sent to chat {chat_id}")
        return {
            "update_id": next(self._update_ids),
            "callback_query": {
                "id": f"cq-{next(self._query_ids)}",
                "from": self._user(chat_id, language_code),
                "chat_instance": f"instance-{chat_id}",
                "data": data,
                "message": message,
            },
        }

    def text(self, chat_id: int, text: str, language_code: str | None = "fr") -> dict:
        return self.enqueue(self.text_update(chat_id, text, language_code))

    def voice(self, chat_id: int, language_code: str | None = "fr", kind: str = "voice", **note: Any) -> dict:
        return self.enqueue(self.voice_update(chat_id, language_code, kind, **note))

    def press(self, chat_id: int, data: str, message_id: int | None = None, language_code: str | None = "fr") -> dict:
        return self.enqueue(self.press_update(chat_id, data, message_id, language_code))

    # -- what the bot did --------------------------------------------------------------------------------------

    def message(self, chat_id: int, message_id: int) -> dict | None:
        with self._cond:
            return next((m for m in self.sent if m["chat"]["id"] == chat_id and m["message_id"] == message_id), None)

    def message_with_button(self, chat_id: int, data: str) -> dict | None:
        with self._cond:
            for message in reversed(self.sent):
                if message["chat"]["id"] == chat_id and data in button_data(message):
                    return message
        return None

    def calls_to(self, method: str) -> list[Call]:
        with self._cond:
            return [c for c in self.calls if c.method == method]

    def wait_sent(self, count: int, timeout: float = 10.0) -> list[dict]:
        """Block until at least `count` messages were sent; the messages sent so far. For code that does not
        run on the bot's event loop (it would block it)."""
        deadline = time.monotonic() + timeout
        with self._cond:
            while len(self.sent) < count:
                left = deadline - time.monotonic()
                if left <= 0:
                    raise AssertionError(f"expected {count} sent messages, got {len(self.sent)}: {self._texts()}")
                self._cond.wait(left)
            return list(self.sent)

    async def wait_sent_async(self, count: int, timeout: float = 10.0) -> list[dict]:
        """`wait_sent` for a coroutine on the bot's own event loop."""
        deadline = time.monotonic() + timeout
        while True:
            with self._cond:
                if len(self.sent) >= count:
                    return list(self.sent)
                if time.monotonic() > deadline:
                    raise AssertionError(f"expected {count} sent messages, got {len(self.sent)}: {self._texts()}")
            await asyncio.sleep(0.01)

    def _texts(self) -> list[str]:
        return [m["text"][:80] for m in self.sent]

    # -- faults --------------------------------------------------------------------------------------------------

    def fail_next(
        self,
        method: str,
        status: int = 500,
        times: int = 1,
        retry_after: int | None = None,
        description: str | None = None,
        after: int = 0,
    ) -> None:
        """The next `times` calls to `method` fail with HTTP `status` (429 with `retry_after` seconds, say).
        Faults queue up: this one starts once the earlier ones are spent and `after` more calls went through."""
        with self._cond:
            self._faults.setdefault(method, []).append(_Fault(status, times, retry_after, description, after))

    def _take_fault(self, method: str) -> _Fault | None:
        with self._cond:
            queue = self._faults.get(method) or []
            while queue and queue[0].times <= 0:
                queue.pop(0)
            if not queue:
                return None
            if queue[0].after > 0:
                queue[0].after -= 1
                return None
            queue[0].times -= 1
            return queue[0]

    # -- the HTTP side ---------------------------------------------------------------------------------------------

    async def _endpoint(self, request: Request) -> JSONResponse:
        method = request.path_params["method"]
        params = await _params(request)
        if request.path_params["token"] != self.token:
            return self._answer(method, params, _error(401, "Unauthorized"))
        fault = self._take_fault(method)
        if fault is not None:
            description = fault.description or {
                429: f"Too Many Requests: retry after {fault.retry_after}",
                500: "Internal Server Error",
                502: "Bad Gateway",
            }.get(fault.status, f"Error {fault.status}")
            parameters = {"retry_after": fault.retry_after} if fault.retry_after is not None else None
            return self._answer(method, params, _error(fault.status, description, parameters))
        handler = getattr(self, f"_m_{method}", None) or getattr(self.files, f"_m_{method}", None)
        if handler is None:
            return self._answer(method, params, _error(404, "Not Found"))
        return self._answer(method, params, await handler(params))

    def _answer(self, method: str, params: dict, response: JSONResponse) -> JSONResponse:
        with self._cond:
            self.calls.append(Call(method, params, response.status_code))
            self._cond.notify_all()
        return response

    async def _m_getMe(self, params: dict) -> JSONResponse:
        return _ok(self.me)

    async def _m_deleteWebhook(self, params: dict) -> JSONResponse:
        if params.get("drop_pending_updates"):
            with self._cond:
                self._updates.clear()
        return _ok(True)

    async def _m_setWebhook(self, params: dict) -> JSONResponse:
        return _ok(True)

    async def _m_setMyCommands(self, params: dict) -> JSONResponse:
        return _ok(True)

    async def _m_getMyCommands(self, params: dict) -> JSONResponse:
        return _ok([])

    async def _m_close(self, params: dict) -> JSONResponse:
        return _ok(True)

    async def _m_getUpdates(self, params: dict) -> JSONResponse:
        offset = int(params.get("offset") or 0)
        limit = int(params.get("limit") or 100)
        wait = min(float(params.get("timeout") or 0), self.max_poll_s)
        deadline = time.monotonic() + wait
        while True:
            with self._cond:
                if offset:  # like Telegram: an offset confirms (and forgets) every earlier update
                    self._updates = [u for u in self._updates if u["update_id"] >= offset]
                pending = self._updates[:limit]
                if pending:
                    self.delivered.extend(u["update_id"] for u in pending)
            if pending or time.monotonic() >= deadline:
                return _ok(pending)
            await asyncio.sleep(0.01)

    async def _m_sendMessage(self, params: dict) -> JSONResponse:
        chat_id, text = params.get("chat_id"), params.get("text")
        if isinstance(chat_id, str) and chat_id.lstrip("-").isdigit():
            chat_id = int(chat_id)
        if not isinstance(chat_id, int):
            return _error(400, "Bad Request: chat not found")
        if not isinstance(text, str) or not text.strip():
            return _error(400, "Bad Request: message text is empty")
        if len(text.encode("utf-16-le")) // 2 > TEXT_LIMIT:
            return _error(400, "Bad Request: message is too long")
        markup = params.get("reply_markup")
        if markup is not None and not _valid_markup(markup):
            return _error(400, "Bad Request: can't parse reply keyboard markup JSON object")
        message = {
            "message_id": next(self._message_ids),
            "date": int(time.time()),
            "chat": {"id": chat_id, "type": "private", "first_name": "Test"},
            "from": self.me,
            "text": text,
        }
        if markup:
            message["reply_markup"] = markup
        with self._cond:
            self.sent.append(message)
            self._cond.notify_all()
        return _ok(message)

    async def _m_answerCallbackQuery(self, params: dict) -> JSONResponse:
        if not params.get("callback_query_id"):
            return _error(400, "Bad Request: query is too old and response timeout expired or query ID is invalid")
        with self._cond:
            self.answered.append(str(params["callback_query_id"]))
        return _ok(True)

    async def _m_editMessageReplyMarkup(self, params: dict) -> JSONResponse:
        if params.get("inline_message_id"):
            return _ok(True)
        chat_id, message_id = params.get("chat_id"), params.get("message_id")
        with self._cond:
            self.edits.append(dict(params))
            message = next((m for m in self.sent if m["chat"]["id"] == chat_id and m["message_id"] == message_id), None)
            if message is None:
                return _error(400, "Bad Request: message to edit not found")
            markup = params.get("reply_markup")
            if markup and markup.get("inline_keyboard"):
                message["reply_markup"] = markup
            else:
                message.pop("reply_markup", None)
            return _ok(dict(message))


def button_data(message: dict) -> list[str]:
    """The callback data of every inline button under `message`, row by row."""
    rows = (message.get("reply_markup") or {}).get("inline_keyboard") or []
    return [button.get("callback_data") for row in rows for button in row]


def _valid_markup(markup: Any) -> bool:
    if not isinstance(markup, dict):
        return False
    rows = markup.get("inline_keyboard")
    if rows is None:
        return True  # another keyboard kind: not checked here
    return isinstance(rows, list) and all(
        isinstance(row, list)
        and all(isinstance(b, dict) and isinstance(b.get("text"), str) and b.get("callback_data") for b in row)
        for row in rows
    )


async def _params(request: Request) -> dict[str, Any]:
    """The call's parameters, from a JSON body, a form (urlencoded or multipart) or the query string."""
    params: dict[str, Any] = dict(request.query_params)
    content_type = request.headers.get("content-type", "")
    if "application/json" in content_type:
        body = await request.body()
        if body:
            try:
                decoded = json.loads(body)
            except ValueError:
                decoded = None
            if isinstance(decoded, dict):
                params.update(decoded)
        return params
    if request.method == "POST" and ("form" in content_type):
        form = await request.form()
        params.update({k: v for k, v in form.items() if isinstance(v, str)})
    for key in JSON_FIELDS & params.keys():
        if isinstance(params[key], str):
            with contextlib.suppress(ValueError):  # else kept as sent (a chat @username, say)
                params[key] = json.loads(params[key])
    return params


def _ok(result: Any) -> JSONResponse:
    return JSONResponse({"ok": True, "result": result})


def _error(status: int, description: str, parameters: dict | None = None) -> JSONResponse:
    body: dict[str, Any] = {"ok": False, "error_code": status, "description": description}
    if parameters:
        body["parameters"] = parameters
    return JSONResponse(body, status_code=status)
