"""`ApiError`: an HTTP error with a stable code, answered as `{code, message}` (by `web.errors`). A leaf
module, so that authentication and the rate limits, which both raise it, need not import each other."""

from __future__ import annotations


class ApiError(Exception):
    """An HTTP error with a stable code, answered as `{code, message}`."""

    def __init__(self, status: int, code: str, message: str, headers: dict | None = None) -> None:
        super().__init__(message)
        self.status, self.code, self.message, self.headers = status, code, message, headers
