"""Per-client rate limits: anonymous questions, searches and chat messages, and failed authentication.

Over a limit the answer is 429 `rate_limited` with `Retry-After` (seconds until the window that refused
it ends). The limits are settings (`MENTOR_RATE_LIMIT_ANONYMOUS`, `MENTOR_RATE_LIMIT_AUTH_FAILURES`, in
`limits`' notation: `30/minute;600/hour`). A client is its address, seen only as a keyed pseudonym, so
no store holds an IP address. The counts live where `MENTOR_RATE_LIMIT_STORE` says (`limits` storages):
this process's memory (one worker), Redis (`MENTOR_REDIS_URL`), or the database (`DatabaseStorage`,
shared by every worker on it); `auto` takes Redis when configured, else a database that is not SQLite,
else memory. A store that fails lets requests through and says so in the log: a limit is a defence
against floods, not a reason to refuse everyone.

A request with a valid staff bearer token is not anonymous and is not counted.
"""

from __future__ import annotations

import logging
import math
import time
from collections.abc import Callable

from fastapi import Depends, Request
from limits import RateLimitItem, parse_many
from limits.storage import MemoryStorage, Storage, storage_from_string
from limits.strategies import FixedWindowRateLimiter
from starlette.concurrency import run_in_threadpool

from assistant import DatabaseStorage, Settings, pseudonym
from web.apierror import ApiError

log = logging.getLogger(__name__)


def store_kind(settings: Settings) -> str:
    """memory, database or redis: what `rate_limit_store` means with these settings."""
    if settings.rate_limit_store != "auto":
        return settings.rate_limit_store
    if settings.redis_url:
        return "redis"
    return "memory" if settings.database.startswith("sqlite") else "database"


def build_storage(settings: Settings, database: Callable[[], object]) -> Storage:
    kind = store_kind(settings)
    if kind == "redis":
        if not settings.redis_url:
            raise ValueError("MENTOR_RATE_LIMIT_STORE=redis needs MENTOR_REDIS_URL")
        return storage_from_string(settings.redis_url)
    if kind == "database":
        return DatabaseStorage(database())
    return MemoryStorage()


def _items(value: str) -> list[RateLimitItem]:
    return [] if value == "off" else parse_many(value)


class RateLimits:
    """The app's limits (`app.state.rate_limits`); the storage is built on first use."""

    def __init__(self, settings: Settings, database: Callable[[], object]) -> None:
        self.settings = settings
        self.anonymous = _items(settings.rate_limit_anonymous)
        self.auth_failures = _items(settings.rate_limit_auth_failures)
        self._database = database
        self._limiter: FixedWindowRateLimiter | None = None

    @property
    def limiter(self) -> FixedWindowRateLimiter:
        if self._limiter is None:
            self._limiter = FixedWindowRateLimiter(build_storage(self.settings, self._database))
        return self._limiter

    def hit(self, scope: str, client: str, items: list[RateLimitItem]) -> float | None:
        """Count one request; None when it is allowed, else the seconds until it would be."""
        return self._guarded(lambda: self._hit(scope, client, items))

    def blocked(self, scope: str, client: str, items: list[RateLimitItem]) -> float | None:
        """Without counting: None when one more request is allowed, else the seconds to wait."""
        return self._guarded(lambda: self._test(scope, client, items))

    def _hit(self, scope: str, client: str, items: list[RateLimitItem]) -> float | None:
        waits = [self._wait(item, scope, client) for item in items if not self.limiter.hit(item, scope, client)]
        return max(waits) if waits else None

    def _test(self, scope: str, client: str, items: list[RateLimitItem]) -> float | None:
        waits = [self._wait(item, scope, client) for item in items if not self.limiter.test(item, scope, client)]
        return max(waits) if waits else None

    def _wait(self, item: RateLimitItem, scope: str, client: str) -> float:
        return max(1.0, self.limiter.get_window_stats(item, scope, client).reset_time - time.time())

    @staticmethod
    def _guarded(check: Callable[[], float | None]) -> float | None:
        try:
            return check()
        except Exception as exc:  # the store is down: let the request through, say so
            log.warning("rate-limit store unavailable, request not limited: %s", type(exc).__name__)
            return None


def client_of(request: Request) -> str:
    """The client, as a keyed pseudonym of its address."""
    return pseudonym("client", request.client.host if request.client else "unknown")


def too_many(wait: float, what: str) -> ApiError:
    seconds = math.ceil(wait)
    return ApiError(
        429,
        "rate_limited",
        f"too many {what} from this client: try again in {seconds} s",
        {"Retry-After": str(seconds)},
    )


def limits_of(request: Request) -> RateLimits:
    return request.app.state.rate_limits


async def limit_anonymous(request: Request) -> None:
    """Count an anonymous question, search or chat message; 429 over the limit."""
    limits = limits_of(request)
    if not limits.anonymous or await _is_staff(request):
        return
    wait = await run_in_threadpool(limits.hit, "anonymous", client_of(request), limits.anonymous)
    if wait is not None:
        raise too_many(wait, "requests")


async def refuse_if_too_many_failures(request: Request) -> None:
    """429 once this client's failed sign-ins and refused tokens reach the limit (nothing is checked then)."""
    limits = limits_of(request)
    if limits.auth_failures:
        wait = await run_in_threadpool(limits.blocked, "auth", client_of(request), limits.auth_failures)
        if wait is not None:
            raise too_many(wait, "failed sign-ins")


async def count_failure(request: Request) -> None:
    limits = limits_of(request)
    if limits.auth_failures:
        await run_in_threadpool(limits.hit, "auth", client_of(request), limits.auth_failures)


async def _is_staff(request: Request) -> bool:
    scheme, _, value = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not value.strip():
        return False
    verify = request.app.state.runtime.store.verify_token
    return await run_in_threadpool(verify, value.strip()) is not None


AnonymousLimit = Depends(limit_anonymous)
