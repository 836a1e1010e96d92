"""The console's search page (`/staff/search`): the knowledge base searched as the assistant does, each
result's matching words highlighted."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool

from assistant import SUPPORTED_LANGUAGES, AssistantError
from web.console.highlight import ResultView, result_views
from web.console.pages import render
from web.console.session import PageStaff
from web.deps import RuntimeDep
from web.errors import error_status

router = APIRouter(prefix="/staff")


@router.get("/search")
async def search(request: Request, staff: PageStaff, runtime: RuntimeDep, q: str = "", lang: str = "") -> Response:
    """Search the knowledge base; each result's matching words are highlighted."""
    context: dict[str, Any] = {"active": "search", "q": q, "lang": lang, "results": None, "searched_in": None}
    if lang and lang not in SUPPORTED_LANGUAGES:
        return render(request, "search.html", staff, 422, error=f"Unknown language {lang!r}.", **context)
    if not q.strip():
        return render(request, "search.html", staff, **context)

    def run() -> tuple[str, list[ResultView]]:
        retriever = runtime.retriever
        response = retriever.search(q, k=10, lang=lang or None)
        return response.language, result_views(retriever, response.query, response.hits)

    try:
        context["searched_in"], context["results"] = await run_in_threadpool(run)
    except AssistantError as exc:
        return render(request, "search.html", staff, error_status(exc), error=str(exc), **context)
    return render(request, "search.html", staff, **context)
