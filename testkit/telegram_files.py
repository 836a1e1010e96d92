"""The files side of the fake Telegram Bot API: `getFile` and the download at `/file/bot<token>/<file_path>`.

Like Telegram, `getFile` answers a File (`file_id`, `file_unique_id`, `file_size`, `file_path`), refuses an
unknown id (400 "wrong file_id") and a file over 20 MB (400 "file is too big"), and the download serves the
bytes at the path it gave, with the bot's token in the URL. Tests add files (`add`), make the next downloads
fail (`fail_downloads`) and count what was served (`downloads`). `FakeTelegram` holds one as `files`.
"""

from __future__ import annotations

import itertools
import threading

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

MAX_DOWNLOAD_BYTES = 20 * 1024 * 1024  # the Bot API serves files up to 20 MB
_EXTENSIONS = {"voice": "oga", "audio": "mp3"}


class TelegramFiles:
    def __init__(self, token: str) -> None:
        self.token = token
        self.downloads = 0  # downloads served with their bytes
        self._lock = threading.Lock()
        self._files: dict[str, tuple[bytes, str, int]] = {}  # file_id -> (bytes, file_path, declared size)
        self._ids = itertools.count(1)
        self._failures: list[int] = []

    def add(self, data: bytes, kind: str = "voice", file_size: int | None = None) -> str:
        """Serve `data` as a `kind` file; its file_id. `file_size`: what getFile declares (default the truth)."""
        n = next(self._ids)
        file_id = f"AwACAgQAAxkBAAI{n:04d}-{kind}"
        with self._lock:
            self._files[file_id] = (data, f"{kind}/file_{n}.{_EXTENSIONS.get(kind, 'bin')}", file_size or len(data))
        return file_id

    def fail_downloads(self, status: int = 500, times: int = 1) -> None:
        with self._lock:
            self._failures.extend([status] * times)

    async def _m_getFile(self, params: dict) -> JSONResponse:
        file_id = str(params.get("file_id") or "")
        with self._lock:
            found = self._files.get(file_id)
        if found is None:
            return _error(400, "Bad Request: wrong file_id or the file is temporarily unavailable")
        _, path, size = found
        if size > MAX_DOWNLOAD_BYTES:
            return _error(400, "Bad Request: file is too big")
        file = {"file_id": file_id, "file_unique_id": f"u{file_id[-12:]}", "file_size": size, "file_path": path}
        return JSONResponse({"ok": True, "result": file})

    async def download(self, request: Request) -> Response:
        if request.path_params["token"] != self.token:
            return _error(401, "Unauthorized")
        path = request.path_params["path"]
        with self._lock:
            failure = self._failures.pop(0) if self._failures else None
            found = next((data for data, p, _ in self._files.values() if p == path), None)
            if failure is None and found is not None:
                self.downloads += 1
        if failure is not None:
            return _error(failure, "Internal Server Error")
        if found is None:
            return _error(404, "Not Found")
        return Response(found, media_type="application/octet-stream")


def _error(status: int, description: str) -> JSONResponse:
    return JSONResponse({"ok": False, "error_code": status, "description": description}, status_code=status)
