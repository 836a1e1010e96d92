"""The staff console (`/staff`): server-rendered pages, no front-end build step.

Pages are Jinja2 templates with autoescaping on (`pages`); the one script (`static/console.js`) only adds
the upload progress indicator and the remove confirmation, and every page works without it. Signing in and
the page guards are in `session`; each page group has its module. `router` holds them all, and
`install(app)` adds the guards' exception handlers.
"""

from __future__ import annotations

from fastapi import APIRouter

from web.console import dashboard, documents, evals, handoffs, insights, matching, nudges, pages, search, session
from web.console.chart import build_chart
from web.console.highlight import Highlighter
from web.console.session import install

router = APIRouter(include_in_schema=False)
router.include_router(pages.router, prefix="/staff")
router.include_router(session.router, prefix="/staff")
for _page in (dashboard, search, documents, insights, evals, handoffs, matching, nudges):
    router.include_router(_page.router)

__all__ = ["Highlighter", "build_chart", "install", "router"]
