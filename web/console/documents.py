"""The console's documents pages: the documents in the index with the upload form and a remove button per
document (editors), the removal's confirmation, and an upload job's progress (`/staff/jobs/{id}`)."""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Form, Request
from fastapi.responses import JSONResponse, RedirectResponse, Response
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile

from assistant import AssistantError, StaffIdentity, UploadRejected
from web.auth import EDITORS
from web.console.pages import render, wants_json
from web.console.session import EditorPost, PageStaff, post_staff
from web.deps import JobsDep, RuntimeDep
from web.documents import accept_uploads, indexed_documents, remove_document
from web.errors import error_status

router = APIRouter(prefix="/staff")


async def documents_page(request: Request, staff: StaffIdentity, status: int = 200, **context: Any) -> Response:
    runtime = request.app.state.runtime
    docs = await run_in_threadpool(indexed_documents, runtime)
    return render(
        request,
        "documents.html",
        staff,
        status,
        active="documents",
        documents=docs,
        can_edit=staff.role in EDITORS,
        max_mb=runtime.settings.max_upload_mb,
        **context,
    )


@router.get("/documents")
async def documents(request: Request, staff: PageStaff, removed: str = "") -> Response:
    """The documents in the index, the upload form and a remove button per document (editors)."""
    notice = f"Removed {removed}." if removed else None
    return await documents_page(request, staff, notice=notice)


@router.post("/documents")
async def upload(request: Request, staff: EditorPost, runtime: RuntimeDep, jobs: JobsDep) -> Response:
    """Upload one or several files (field `files`): JSON for the script, else a redirect to the job page."""
    form = await request.form()
    files = [f for f in form.getlist("files") if isinstance(f, UploadFile) and f.filename]
    try:
        accepted = await accept_uploads(jobs, runtime, files, staff)
    except UploadRejected as exc:
        if wants_json(request):
            return JSONResponse({"code": exc.code, "message": str(exc)}, status_code=exc.status)
        return await documents_page(request, staff, exc.status, error=f"Upload refused: {exc}")
    finally:
        await form.close()
    if wants_json(request):
        return JSONResponse(accepted.model_dump(), status_code=202)
    return RedirectResponse(f"/staff/jobs/{quote(accepted.job_id, safe='')}", status_code=303)


@router.post("/documents/{doc_id:path}/delete")
async def delete(request: Request, doc_id: str, confirmed: Annotated[str, Form()] = "") -> Response:
    """Remove a document (`doc_id` or `doc_id.lang`), once confirmed (a dialog, or a page without script)."""
    # Guarded here, not as a dependency: FastAPI checks the form field first, as it always has.
    staff = await post_staff(request)
    if confirmed != "yes":
        return render(request, "confirm_delete.html", staff, active="documents", doc_id=doc_id)
    try:
        removed = await run_in_threadpool(remove_document, request.app.state.runtime, doc_id)
    except AssistantError as exc:
        return await documents_page(request, staff, error_status(exc), error=str(exc))
    return RedirectResponse(f"/staff/documents?removed={quote(', '.join(removed))}", status_code=303)


@router.get("/jobs/{job_id}")
async def job(request: Request, job_id: str, staff: PageStaff, runtime: RuntimeDep) -> Response:
    """An upload's progress; the page refreshes itself until the job is done or failed."""
    found = await run_in_threadpool(runtime.store.job, job_id)
    if found is None:
        return render(request, "error.html", staff, 404, title="Not found", message=f"No job with id {job_id}.")
    running = found["status"] in ("queued", "running")
    can_cancel = running and staff.role in EDITORS and not found.get("cancel_requested")
    return render(request, "job.html", staff, active="documents", job=found, running=running, can_cancel=can_cancel)


@router.post("/jobs/{job_id}/cancel")
async def cancel_job(request: Request, job_id: str, staff: EditorPost, jobs: JobsDep) -> Response:
    """Cancel an upload's job (a queued one at once, a running one at its next step), back to its page."""
    try:
        await run_in_threadpool(jobs.cancel, job_id)
    except AssistantError as exc:
        return render(request, "error.html", staff, error_status(exc), title="Not found", message=str(exc))
    return RedirectResponse(f"/staff/jobs/{quote(job_id, safe='')}", status_code=303)
