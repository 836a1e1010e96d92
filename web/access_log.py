"""The access log without query strings: uvicorn's access line names the path only.

A query string may carry what she typed (`/v1/search?q=my name is ...`) or a secret
(`/webhooks/whatsapp?hub.verify_token=...`); the access log keeps the method, the path and the status,
which is what an operator reads it for. The filter rewrites uvicorn's record before any handler sees it.
"""

from __future__ import annotations

import logging

ACCESS_LOGGER = "uvicorn.access"


class DropQueryString(logging.Filter):
    """uvicorn's access record has args `(client, method, path_with_query, http_version, status)`."""

    def filter(self, record: logging.LogRecord) -> bool:
        args = record.args
        if isinstance(args, tuple) and len(args) >= 3 and isinstance(args[2], str) and "?" in args[2]:
            record.args = (*args[:2], args[2].split("?", 1)[0], *args[3:])
        return True


def install() -> None:
    """Add the filter to uvicorn's access logger (once, however many apps a process builds)."""
    logger = logging.getLogger(ACCESS_LOGGER)
    if not any(isinstance(f, DropQueryString) for f in logger.filters):
        logger.addFilter(DropQueryString())
