"""Resource pages (anyone): what a recommended resource gives her to open, in her language. A page rendered
from the resource's text (its own body, or the section of its guide it builds on), its link, and the file the
app serves for it (`GET /resources/{id}/file`). Resources hold no personal data, so no token is asked."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import FileResponse, RedirectResponse, Response
from markdown_it import MarkdownIt

from web.console.pages import PAGE_HEADERS, templates
from web.deps import RuntimeDep

router = APIRouter(tags=["resources"])
_markdown = MarkdownIt("commonmark", {"html": False})  # guide text is Markdown; raw HTML in it is not rendered


@router.get("/resources/{resource_id}", response_model=None)
async def resource_page(
    request: Request,
    runtime: RuntimeDep,
    resource_id: str,
    lang: Annotated[str, Query(pattern="^(fr|es|en)$")] = "en",
) -> Response:
    """The resource's page in `lang` (or the first language it exists in); only a link: a redirect to it."""
    service = runtime.pathways
    found = service.resource_page(resource_id, lang)
    if found.url and not found.body and not found.file:
        return RedirectResponse(found.url, status_code=307)
    context = {
        "page": found,
        "body_html": _markdown.render(found.body) if found.body else "",
        "file_url": f"/resources/{resource_id}/file" if found.file else None,
    }
    return templates.TemplateResponse(request, "resource.html", context, headers=PAGE_HEADERS)


@router.get("/resources/{resource_id}/file", response_model=None)
async def resource_file(runtime: RuntimeDep, resource_id: str) -> FileResponse:
    path = runtime.pathways.resource_file(resource_id)  # NotFoundError (404) when it has none
    return FileResponse(path, filename=path.name)
