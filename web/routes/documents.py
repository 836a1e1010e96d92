"""The knowledge base's documents (staff): list, upload (ingested by a background job), remove, and the
job's progress (`/v1/jobs/{job_id}`)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, File, UploadFile
from starlette.concurrency import run_in_threadpool

from assistant import NotFoundError, list_documents
from web.deps import EditorDep, JobsDep, ReaderDep, RuntimeDep
from web.documents import accept_uploads, remove_document
from web.errors import ERRORS, NOT_FOUND
from web.schemas import DocumentOut, ErrorBody, JobOut, RemovedOut, UploadOut

router = APIRouter()


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
)
async def upload(
    runtime: RuntimeDep,
    jobs: JobsDep,
    files: Annotated[list[UploadFile], File(description="One or several guides (md, txt, pdf, docx, html).")],
    staff: EditorDep,
):
    """Upload documents; they are ingested in the background (follow `GET /v1/jobs/{job_id}`)."""
    return await accept_uploads(jobs, runtime, files, staff)


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
