"""How a console page is made: the Jinja2 environment (autoescaping on, strict undefined), `render`, the
navigation, the security headers every page carries, the refusal page, and the fixed set of static files
(stylesheets and scripts, with content-hashed URLs)."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime
from functools import lru_cache
from pathlib import Path
from typing import Any
from urllib.parse import quote

import jinja2
from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response
from fastapi.templating import Jinja2Templates

from assistant import SUPPORTED_LANGUAGES, StaffIdentity

router = APIRouter()

WEB_DIR = Path(__file__).resolve().parents[1]
STATIC_DIR = WEB_DIR / "static"
STATIC_TYPES = {
    "console.css": "text/css; charset=utf-8",
    "console.js": "text/javascript; charset=utf-8",
    "chat.css": "text/css; charset=utf-8",
    "chat.js": "text/javascript; charset=utf-8",
}
NAV = (
    ("/staff", "Dashboard", "dashboard"),
    ("/staff/search", "Search", "search"),
    ("/staff/documents", "Documents", "documents"),
    ("/staff/gaps", "Gaps", "gaps"),
    ("/staff/feedback", "Feedback", "feedback"),
    ("/staff/evals", "Eval cases", "evals"),
    ("/staff/handoffs", "Conversations", "handoffs"),
    ("/staff/matching", "Matching", "matching"),
    ("/staff/nudges", "Nudges", "nudges"),
)
PAGE_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; object-src 'none'; "
        "base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
    ),
    "Cache-Control": "no-store",
    "Referrer-Policy": "same-origin",
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
}


@lru_cache(maxsize=len(STATIC_TYPES))
def static_file(name: str) -> tuple[bytes, str]:
    """The file's bytes and a short content hash (for cache-busting URLs)."""
    data = (STATIC_DIR / name).read_bytes()
    return data, hashlib.sha256(data).hexdigest()[:12]


def static_url(name: str) -> str:
    return f"/staff/static/{name}?v={static_file(name)[1]}"


def when(value: str | None) -> str:
    """'2024-05-01T09:30:12.123+00:00' -> '2024-05-01 09:30 UTC'."""
    if not value:
        return ""
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return value
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")


def path_segment(value: str) -> str:
    """One URL path segment: '/' and dots encoded too, so an id such as '../x' cannot be normalised away by
    the browser into another path (the route decodes it back)."""
    encoded = quote(str(value), safe="")
    return encoded.replace(".", "%2E") if encoded in (".", "..") else encoded


def _environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(WEB_DIR / "templates"),
        autoescape=True,  # every template, whatever its name: nothing user-supplied is ever raw
        trim_blocks=True,
        lstrip_blocks=True,
        undefined=jinja2.StrictUndefined,
    )
    env.globals.update(static=static_url, nav=NAV, all_languages=list(SUPPORTED_LANGUAGES))
    env.filters["when"] = when
    env.filters["segment"] = path_segment
    return env


templates = Jinja2Templates(env=_environment())


def render(request: Request, name: str, staff: StaffIdentity | None, status: int = 200, **context: Any) -> Response:
    context.setdefault("active", "")
    context.setdefault("error", None)
    context.setdefault("notice", None)
    return templates.TemplateResponse(
        request, name, {"staff": staff, **context}, status_code=status, headers=PAGE_HEADERS
    )


def wants_json(request: Request) -> bool:
    """The console's script asks for JSON; a plain form post gets pages and redirects."""
    return "application/json" in request.headers.get("accept", "")


def refuse(request: Request, staff: StaffIdentity | None, status: int, code: str, message: str) -> Response:
    """An error as JSON for the script, else as the error page."""
    if wants_json(request):
        return JSONResponse({"code": code, "message": message}, status_code=status)
    return render(
        request, "error.html", staff, status, title="Not allowed" if status == 403 else "Error", message=message
    )


@router.get("/static/{name}")
async def static(name: str) -> Response:
    """The console's stylesheet and script (a fixed list: nothing else on disk can be reached)."""
    if name not in STATIC_TYPES:
        return Response("not found", status_code=404, media_type="text/plain")
    data, _ = static_file(name)
    headers = {"Cache-Control": "public, max-age=86400", "X-Content-Type-Options": "nosniff"}
    return Response(data, media_type=STATIC_TYPES[name], headers=headers)
