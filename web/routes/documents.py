"""The knowledge base's documents (staff): list, upload (ingested by a background job), remove, and the
job's progress (`/v1/jobs/{job_id}`)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile

from assistant import NotFoundError, list_documents
from web.auth import ApiError
from web.deps import EditorDep, JobsDep, ReaderDep, RuntimeDep
from web.documents import accept_uploads, remove_document
from web.errors import ERRORS, NOT_FOUND
from web.schemas import DocumentOut, ErrorBody, JobOut, RemovedOut, UploadOut

router = APIRouter()

UPLOAD_BODY = {
    "required": True,
    "content": {
        "multipart/form-data": {
            "schema": {
                "type": "object",
                "required": ["files"],
                "properties": {
                    "files": {
                        "type": "array",
                        "items": {"type": "string", "format": "binary"},
                        "description": "One or several guides (md, txt, pdf, docx, html).",
                    }
                },
            }
        }
    },
}


@router.get("/v1/documents", response_model=list[DocumentOut], responses=ERRORS)
async def documents(runtime: RuntimeDep, staff: ReaderDep):
    """The documents in the index (staff)."""
    docs = await run_in_threadpool(list_documents, runtime.index_store)
    return [
        DocumentOut(
            doc_id=d["doc_id"],
            lang=d["lang"],
            title=d["title"],
            chunks=d["count"],
            source=d["source"],
            format=d.get("format"),
            languages=d.get("languages", [d["lang"]]),
        )
        for d in docs
    ]


@router.post(
    "/v1/documents",
    response_model=UploadOut,
    status_code=202,
    responses={**ERRORS, 413: {"model": ErrorBody}, 415: {"model": ErrorBody}},
    openapi_extra={"requestBody": UPLOAD_BODY},
)
async def upload(request: Request, runtime: RuntimeDep, jobs: JobsDep, staff: EditorDep):
    """Upload documents; they are ingested in the background (follow `GET /v1/jobs/{job_id}`)."""
    # The form is read here, after `staff` was checked: a declared `File` parameter would make FastAPI read
    # and spool the whole body before any dependency runs, so anyone could make it store 200 MB.
    form = await request.form()
    try:
        files = [f for f in form.getlist("files") if isinstance(f, UploadFile) and f.filename]
        if not files:
            raise ApiError(422, "invalid_request", "files: send one or several files as the multipart field 'files'")
        return await accept_uploads(jobs, runtime, files, staff)
    finally:
        await form.close()


@router.delete("/v1/documents/{doc_id:path}", response_model=RemovedOut, responses={**ERRORS, **NOT_FOUND})
async def remove(doc_id: str, runtime: RuntimeDep, staff: EditorDep):
    """Remove a document (every language, or one as `doc_id.lang`) from the index. An id with `/` is sent
    with it percent-encoded (`%2F`) or as it is."""
    return RemovedOut(removed=await run_in_threadpool(remove_document, runtime, doc_id))


@router.get("/v1/jobs/{job_id}", response_model=JobOut, responses={**ERRORS, **NOT_FOUND})
async def job(job_id: str, runtime: RuntimeDep, staff: ReaderDep):
    """A background job's status and progress."""
    found = await run_in_threadpool(runtime.store.job, job_id)
    if found is None:
        raise NotFoundError(f"no job with id {job_id!r}")
    return found


@router.post("/v1/jobs/{job_id}/cancel", response_model=JobOut, status_code=202, responses={**ERRORS, **NOT_FOUND})
async def cancel(job_id: str, jobs: JobsDep, staff: EditorDep):
    """Cancel a job: a queued one at once, a running one at its next step (the index is not changed)."""
    return await run_in_threadpool(jobs.cancel, job_id)
