"""Documents in the index, as the API and the console both change them: accepting uploads (checked all or
nothing, saved under `<data_dir>/uploads/`, ingested by a background job) and removing a document with
its uploaded file."""

from __future__ import annotations

from fastapi import UploadFile

from assistant import (
    AssistantError,
    Runtime,
    StaffIdentity,
    TooManyFiles,
    UploadRejected,
    check_upload,
    list_documents,
)
from web.jobs import IngestJobs
from web.schemas import UploadOut


async def accept_uploads(
    jobs: IngestJobs, runtime: Runtime, files: list[UploadFile], staff: StaffIdentity
) -> UploadOut:
    """Check every file first (all or nothing), save them under `<data_dir>/uploads/`, start the job."""
    settings = runtime.settings
    limit = int(settings.max_upload_mb * 1024 * 1024)
    if not files:
        raise UploadRejected("no files: send them as the multipart field 'files'")
    if len(files) > settings.max_upload_files:
        raise TooManyFiles(too_many_files(len(files), settings.max_upload_files))
    accepted: list[tuple[str, bytes]] = []
    for upload in files:
        data = await upload.read(limit + 1)
        accepted.append((check_upload(upload.filename or "", data, limit), data))
    names = [name for name, _ in accepted]
    if len(set(names)) != len(names):
        raise UploadRejected("two files have the same name")
    folder = settings.data_dir / "uploads"
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for name, data in accepted:
        path = folder / name
        partial = path.with_suffix(path.suffix + ".part")
        partial.write_bytes(data)
        partial.replace(path)  # a reader never sees half a file
        paths.append(path)
    job_id = jobs.submit(paths, staff.name)
    return UploadOut(job_id=job_id, files=names)


def too_many_files(count: int | None, limit: int) -> str:
    sent = f"{count} files" if count is not None else "too many files"
    return f"{sent} in one upload: at most {limit} (MENTOR_MAX_UPLOAD_FILES); send them in several uploads"


def remove_document(runtime: Runtime, doc_id: str) -> list[str]:
    uploads = (runtime.settings.data_dir / "uploads").resolve()
    sources = [d["source"] for d in list_documents(runtime.index_store) if doc_id in (d["doc_id"], d["key"])]
    removed = runtime.ingestor().remove(doc_id)  # NotFoundError (404) for an unknown id
    for source in sources:  # an uploaded file goes too, so a later ingest does not bring it back
        path = uploads / source.rsplit("/", 1)[-1]
        if source.startswith(str(uploads) + "/") and path.exists():
            path.unlink()
    return removed


def indexed_documents(runtime: Runtime) -> list[dict]:
    """The documents in the index, or none when there is no usable index (a page still shows)."""
    try:
        return list_documents(runtime.index_store)
    except AssistantError:
        return []
