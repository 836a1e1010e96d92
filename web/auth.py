"""Staff authentication: a bearer token (API) or the console's HttpOnly session cookie (a server-side session
id, never the token: `Store.open_session`), checked on every request.

Tokens are verified against their stored hash in constant time (`Store.verify_token`), and nothing is
cached, so a revoked token stops working on the next request. No token or a wrong one is 401; a token
whose role may not use the route is 403. Refused tokens count against the client's failure limit
(`web.ratelimit`): past it, 429 without checking anything.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from fastapi import Depends, Request
from starlette.concurrency import run_in_threadpool

from assistant import ROLES, StaffIdentity
from web.apierror import ApiError
from web.ratelimit import count_failure, refuse_if_too_many_failures

__all__ = ["COOKIE", "EDITORS", "READERS", "ApiError", "cross_origin", "identify", "require", "token_from"]

COOKIE = "mentor_staff"
READERS = ROLES  # every role may read documents, gaps, feedback, stats, jobs
EDITORS = tuple(r for r in ROLES if r != "evaluator")  # may also upload and remove documents
SAFE_METHODS = ("GET", "HEAD", "OPTIONS")


def cross_origin(request: Request) -> bool:
    """True when the browser says the request comes from another site (a forged form post)."""
    fetch_site = request.headers.get("sec-fetch-site")
    if fetch_site is not None and fetch_site not in ("same-origin", "none"):
        return True
    origin = request.headers.get("origin")
    if origin is None:
        return False
    # A proxy may rewrite Host and say the public one in X-Forwarded-Host; a forged form cannot set either.
    hosts = {request.headers.get("host", "").lower()}
    hosts.update(h.strip().lower() for h in request.headers.get("x-forwarded-host", "").split(",") if h.strip())
    return origin == "null" or urlsplit(origin).netloc.lower() not in hosts


def _bearer(request: Request) -> str | None:
    scheme, _, value = request.headers.get("authorization", "").partition(" ")
    return value.strip() if scheme.lower() == "bearer" and value.strip() else None


def token_from(request: Request) -> str | None:
    header = request.headers.get("authorization", "")
    scheme, _, value = header.partition(" ")
    if scheme.lower() == "bearer" and value.strip():
        return value.strip()
    return request.cookies.get(COOKIE) or None


async def identify(request: Request) -> StaffIdentity | None:
    """The staff member behind the bearer token, or else behind the console's session cookie."""
    store = request.app.state.runtime.store
    bearer = _bearer(request)
    if bearer is not None:
        return await run_in_threadpool(store.verify_token, bearer)
    session = request.cookies.get(COOKIE)
    return await run_in_threadpool(store.session_identity, session) if session else None


def require(*roles: str):
    """A dependency that lets through a staff member with one of `roles`."""

    async def check(request: Request) -> StaffIdentity:
        token = token_from(request)
        if not token:
            raise ApiError(
                401,
                "unauthorized",
                "a staff token is required (Authorization: Bearer <token>)",
                {"WWW-Authenticate": "Bearer"},
            )
        await refuse_if_too_many_failures(request)
        identity = await identify(request)
        if identity is None:
            await count_failure(request)
            raise ApiError(401, "invalid_token", "the token is unknown or revoked", {"WWW-Authenticate": "Bearer"})
        if identity.role not in roles:
            raise ApiError(403, "forbidden", f"the role '{identity.role}' may not use this route")
        if request.method not in SAFE_METHODS and _bearer(request) is None and cross_origin(request):
            # The console's cookie rides along on any request the browser makes; a change must come from here.
            raise ApiError(403, "cross_origin", "a change signed by the console's cookie must come from this site")
        return identity

    return Depends(check)
