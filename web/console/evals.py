"""The console's evaluation cases (`/staff/evals`): thumbs-down answers and content gaps as candidate
cases, each with a form to promote it, after review, into the evaluation dataset (checked against the
indexed guides first)."""

from __future__ import annotations

import re
from collections import defaultdict
from urllib.parse import quote

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from assistant import (
    REVIEWED_FILE,
    SUPPORTED_LANGUAGES,
    AssistantError,
    InputError,
    Runtime,
    StaffIdentity,
    candidate_cases,
    promote_case,
    validate_case,
)
from web.auth import EDITORS
from web.console.pages import render
from web.console.session import EditorPost, PageStaff
from web.documents import indexed_documents

router = APIRouter(prefix="/staff")

EVAL_CANDIDATES_SHOWN = 100


def _guide_texts(runtime: Runtime) -> dict[tuple[str, str], str]:
    """(doc_id, lang) -> the indexed guide's text (title, headings and chunks joined; chunks may overlap)."""
    try:
        chunks = runtime.index.chunks
    except AssistantError:
        return {}
    parts: dict[tuple[str, str], list[str]] = {}
    for chunk in chunks:
        parts.setdefault((chunk.doc_id, chunk.lang), [chunk.title]).append(f"{chunk.heading}\n{chunk.text}")
    return {key: "\n\n".join(texts) for key, texts in parts.items()}


def _doc_choices(runtime: Runtime) -> list[tuple[str, str]]:
    """(doc_id, label) for each indexed document, the label with its title (English first) and languages."""
    titles: dict[str, str] = {}
    languages: dict[str, list[str]] = defaultdict(list)
    for doc in sorted(indexed_documents(runtime), key=lambda d: d["lang"] != "en"):
        titles.setdefault(doc["doc_id"], doc["title"])
        languages[doc["doc_id"]].append(doc["lang"])
    return [(d, f"{d} — {titles[d]} ({', '.join(sorted(languages[d]))})") for d in sorted(titles)]


def _case_form(case: dict) -> dict:
    """A candidate's fields as the promote form shows them."""
    return {
        "id": case.get("id", ""),
        "question": case.get("question", ""),
        "language": case.get("language", ""),
        "answerable": bool(case.get("answerable")),
        "relevant_doc_ids": list(case.get("relevant_doc_ids") or []),
        "key_facts": "\n".join(case.get("key_facts") or []),
    }


async def _evals_page(
    request: Request,
    staff: StaffIdentity,
    status: int = 200,
    typed: dict | None = None,
    failure: str | None = None,
    notice: str | None = None,
) -> Response:
    """The candidates, each with its promote form; `typed` (with `failure`) replaces the form it came from."""
    runtime = request.app.state.runtime

    def load() -> tuple[list[dict], list[tuple[str, str]]]:
        found = candidate_cases(runtime.store, 500, runtime.settings.eval_datasets_dir)
        return found, _doc_choices(runtime)

    candidates, choices = await run_in_threadpool(load)
    items = [
        {"candidate": c, "key": c["id"], "form": _case_form(c), "error": None}
        for c in candidates[:EVAL_CANDIDATES_SHOWN]
    ]
    if typed is not None:
        item = next((i for i in items if i["key"] == typed["candidate"]), None)
        if item is None:  # the candidate is gone (or was never listed): show what was typed first
            item = {"candidate": None, "key": typed["candidate"], "form": None, "error": None}
            items.insert(0, item)
        item["form"], item["error"] = typed["form"], failure
    return render(
        request,
        "evals.html",
        staff,
        status,
        active="evals",
        items=items,
        total=len(candidates),
        choices=choices,
        known={doc_id for doc_id, _ in choices},
        languages=SUPPORTED_LANGUAGES,
        can_edit=staff.role in EDITORS,
        notice=notice,
    )


@router.get("/evals")
async def evals(request: Request, staff: PageStaff, promoted: str = "") -> Response:
    """Thumbs-down answers and content gaps as candidate evaluation cases, each with a form to promote it."""
    notice = None
    if promoted and re.fullmatch(r"[a-z]{2}-[a-z0-9-]+", promoted):
        path = request.app.state.runtime.settings.eval_datasets_dir / REVIEWED_FILE
        notice = f"Added {promoted} to {path} (and to questions.jsonl)."
    return await _evals_page(request, staff, notice=notice)


@router.post("/evals/promote")
async def evals_promote(request: Request, staff: EditorPost) -> Response:
    """Check a reviewed case against the indexed guides and append it to the evaluation dataset."""
    form = await request.form()

    def text(name: str) -> str:
        value = form.get(name)
        return value if isinstance(value, str) else ""

    facts = [line.strip() for line in text("key_facts").splitlines() if line.strip()]
    case = {
        "id": text("id"),
        "question": text("question"),
        "language": text("language"),
        "relevant_doc_ids": [v for v in form.getlist("relevant_doc_ids") if isinstance(v, str) and v],
        "answerable": text("answerable") == "yes",
        "key_facts": facts,
    }
    runtime = request.app.state.runtime

    def promote() -> dict:
        cleaned = validate_case(case, _guide_texts(runtime))
        promote_case(cleaned, runtime.settings.eval_datasets_dir)
        return cleaned

    try:
        cleaned = await run_in_threadpool(promote)
    except InputError as exc:
        typed = {"candidate": text("candidate"), "form": {**_case_form(case), "key_facts": text("key_facts")}}
        return await _evals_page(request, staff, 422, typed=typed, failure=str(exc))
    return RedirectResponse(f"/staff/evals?promoted={quote(cleaned['id'], safe='')}", status_code=303)
