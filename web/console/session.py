"""Signing in to the console and the page guards.

Staff sign in with their token; the HttpOnly, SameSite=Strict cookie (`web.auth.COOKIE`) holds a
server-side session id, never the token, checked on every request: signing out ends the session on the
server, and a revoked token stops its sessions at once. Failed sign-ins count against the client's limit.
A page or a state-changing post
asks for the signed-in staff member through a dependency (`PageStaff`, `EditorPost`) that raises
`ConsoleRedirect` (to the sign-in form) or `ConsoleRefusal` (the error page, or JSON for the script);
`install(app)` turns both into their responses. Posts must come from this origin (the `Origin` and
`Sec-Fetch-Site` headers, when present, are checked).
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, FastAPI, Form, Request
from fastapi.responses import RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from assistant import StaffIdentity
from web.auth import COOKIE, EDITORS, READERS, ApiError, cross_origin, identify
from web.console.pages import refuse, render, wants_json
from web.ratelimit import count_failure, refuse_if_too_many_failures

router = APIRouter()

MAX_TOKEN_CHARS = 512


class ConsoleRedirect(Exception):
    """Not signed in (or a stale cookie): back to the sign-in form."""


class ConsoleRefusal(Exception):
    """Signed in (or not) but refused: the error page, or `{code, message}` for the console's script."""

    def __init__(self, staff: StaffIdentity | None, status: int, code: str, message: str) -> None:
        super().__init__(message)
        self.staff, self.status, self.code, self.message = staff, status, code, message


def to_login(request: Request) -> RedirectResponse:
    """Back to the sign-in form; a stale cookie (revoked or unknown token) is cleared on the way."""
    response = RedirectResponse("/staff/login", status_code=303)
    if request.cookies.get(COOKIE):
        clear_cookie(request, response)
    return response


def clear_cookie(request: Request, response: Response) -> None:
    response.delete_cookie(COOKIE, path="/", httponly=True, samesite="strict", secure=request.url.scheme == "https")


async def page_staff(request: Request) -> StaffIdentity:
    """The signed-in staff member for a page; raises to send anyone else to sign in or away."""
    staff = await identify(request)
    if staff is None:
        raise ConsoleRedirect()
    if staff.role not in READERS:
        raise ConsoleRefusal(staff, 403, "forbidden", f"The role '{staff.role}' may not use the console.")
    return staff


async def post_staff(request: Request, roles: tuple[str, ...] = EDITORS) -> StaffIdentity:
    """The signed-in staff member for a state-changing request; raises to refuse it."""
    staff = await identify(request)
    if cross_origin(request):
        raise ConsoleRefusal(staff, 403, "cross_origin", "This request came from another site.")
    if staff is None:
        if wants_json(request):
            raise ConsoleRefusal(None, 401, "unauthorized", "Sign in again.")
        raise ConsoleRedirect()
    if staff.role not in roles:
        message = f"The role '{staff.role}' may read the console but not change documents."
        raise ConsoleRefusal(staff, 403, "forbidden", message)
    return staff


async def editor_post(request: Request) -> StaffIdentity:
    return await post_staff(request, EDITORS)


PageStaff = Annotated[StaffIdentity, Depends(page_staff)]
EditorPost = Annotated[StaffIdentity, Depends(editor_post)]


def install(app: FastAPI) -> None:
    """The responses for the guards' exceptions."""

    @app.exception_handler(ConsoleRedirect)
    async def redirect(request: Request, exc: ConsoleRedirect) -> Response:
        return to_login(request)

    @app.exception_handler(ConsoleRefusal)
    async def refusal(request: Request, exc: ConsoleRefusal) -> Response:
        return refuse(request, exc.staff, exc.status, exc.code, exc.message)


@router.get("/login")
async def login_form(request: Request) -> Response:
    """The sign-in form (signed-in staff go straight to the dashboard)."""
    if await identify(request) is not None:
        return RedirectResponse("/staff", status_code=303)
    return render(request, "login.html", None)


@router.post("/login")
async def login(request: Request, token: Annotated[str, Form()] = "") -> Response:
    """Check the token; on success keep it in an HttpOnly, SameSite=Strict cookie."""
    if cross_origin(request):
        return render(request, "login.html", None, 403, error="This sign-in came from another site.")
    token = token.strip()
    try:
        await refuse_if_too_many_failures(request)
    except ApiError as exc:
        refused = render(request, "login.html", None, 429, error=f"Too many failed sign-ins: {exc.message}.")
        refused.headers.update(exc.headers or {})
        return refused
    store, hours = request.app.state.runtime.store, request.app.state.runtime.settings.console_session_hours
    opened = await run_in_threadpool(store.open_session, token, hours) if 0 < len(token) <= MAX_TOKEN_CHARS else None
    if opened is None:
        if token:
            await count_failure(request)
        message = "That token is unknown or has been revoked." if token else "Enter your staff token."
        return render(request, "login.html", None, 401, error=message)
    response = RedirectResponse("/staff", status_code=303)
    response.set_cookie(
        COOKIE, opened[0], max_age=int(hours * 3600), path="/", httponly=True, samesite="strict",
        secure=request.url.scheme == "https",
    )  # fmt: skip
    return response


@router.post("/logout")
async def logout(request: Request) -> Response:
    """End the session on the server (the cookie stops working everywhere at once) and forget the cookie."""
    if cross_origin(request):
        return refuse(request, None, 403, "cross_origin", "This request came from another site.")
    await run_in_threadpool(request.app.state.runtime.store.close_session, request.cookies.get(COOKIE))
    response = RedirectResponse("/staff/login", status_code=303)
    clear_cookie(request, response)
    return response
