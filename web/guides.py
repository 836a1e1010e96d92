"""The guides as pages for the people the assistant answers (`/guides/{doc_id}?lang=fr`), and the links
the web chat gives as sources: each to the section an answer quoted, in her language when the guide
exists in it (the same section, found by its place among the sections), else in the language it was
quoted from.

A page is the guide's file read again and rendered from Markdown with raw HTML escaped (markdown-it,
`html` off), each section under the anchor its chunk ids name; no script, the chat's stylesheet, the
console's strict security headers.
"""

from __future__ import annotations

from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response
from markdown_it import MarkdownIt
from starlette.concurrency import run_in_threadpool

from assistant import SUPPORTED_LANGUAGES, AssistantError, Runtime, chunk_anchor, language_label, phrase, read_guide
from web.console.pages import PAGE_HEADERS, templates
from web.deps import RuntimeDep
from web.documents import indexed_documents

router = APIRouter(include_in_schema=False)
_markdown = MarkdownIt("commonmark", {"html": False, "linkify": False})


def _versions(runtime: Runtime, doc_id: str) -> dict[str, str]:
    """language -> the file each language version of `doc_id` was indexed from."""
    return {d["lang"]: d["source"] for d in indexed_documents(runtime) if d["doc_id"] == doc_id}


def _anchors(source: str) -> list[str]:
    try:
        return [s.anchor for s in read_guide(source).sections]
    except AssistantError:
        return []


def guide_url(runtime: Runtime, doc_id: str, chunk_id: str, language: str, wanted: str | None) -> str:
    """The page of the guide `doc_id` at the section `chunk_id` quotes, in `wanted` when it exists in it."""
    versions = _versions(runtime, doc_id)
    target = wanted if wanted in versions else language
    anchor = chunk_anchor(chunk_id)
    if target != language and anchor and language in versions:
        quoted, theirs = _anchors(versions[language]), _anchors(versions[target])
        same_shape = len(quoted) == len(theirs) and anchor in quoted
        anchor = theirs[quoted.index(anchor)] if same_shape else ""  # else the top of her version
    return f"/guides/{quote(doc_id, safe='/')}?lang={target}" + (f"#{quote(anchor)}" if anchor else "")


@router.get("/guides/{doc_id:path}")
async def guide_page(
    request: Request, doc_id: str, runtime: RuntimeDep, lang: Annotated[str | None, Query(max_length=8)] = None
) -> Response:
    """One guide, in `lang` (or its first language), section by section."""
    versions = await run_in_threadpool(_versions, runtime, doc_id)
    if not versions:
        return _missing(request, lang)
    shown = lang if lang in versions else sorted(versions)[0]
    try:
        guide = await run_in_threadpool(read_guide, versions[shown])
    except AssistantError:
        return _missing(request, shown)
    sections = [
        {"anchor": s.anchor, "heading": s.heading if s.heading != guide.title else "", "html": _markdown.render(s.text)}
        for s in guide.sections
    ]
    others = [(code, language_label(code, code).capitalize()) for code in sorted(versions) if code != shown]
    context = {
        "lang": shown, "title": guide.title, "sections": sections, "doc_id": doc_id, "others": others,
        "back": phrase("guide_back_to_chat", shown), "other_label": phrase("guide_other_languages", shown),
    }  # fmt: skip
    return templates.TemplateResponse(request, "guide.html", context, headers=PAGE_HEADERS)


def _missing(request: Request, lang: str | None) -> Response:
    shown = lang if lang in SUPPORTED_LANGUAGES else "en"
    context = {"lang": shown, "title": phrase("guide_missing", shown), "sections": [], "doc_id": "", "others": [],
               "back": phrase("guide_back_to_chat", shown), "other_label": ""}  # fmt: skip
    return templates.TemplateResponse(request, "guide.html", context, status_code=404, headers=PAGE_HEADERS)
