"""The assistant's error tree.

Every error the core raises on purpose is an `AssistantError`; the edges translate them: the CLI prints
one line and exits non-zero, the web app maps them to JSON errors with a stable `code`, the bots
apologise. "Not enough evidence" is an ordinary answer, never an exception.

    AssistantError
    ├── ConfigurationError      a setting or model cannot be used
    ├── InputError              a user's input is unusable (empty query, unknown language...)
    │   ├── PathNotFoundError   a path given to ingest does not exist
    │   ├── UploadRejected      an uploaded file is refused (type, size, zip bomb); carries the HTTP status
    │   │   └── TooManyFiles    more files in one upload than MENTOR_MAX_UPLOAD_FILES (413, `too_many_files`)
    │   ├── AudioError          a voice note cannot be transcribed; `reason` says why (too long, silent...)
    │   └── DatasetError        an eval dataset cannot be evaluated (evals/, the one subclass outside)
    ├── NotFoundError           a named thing (answer, document, job, participant) does not exist
    ├── NotIndexedError         search or ask before any ingest
    ├── IndexCorruptError       the on-disk index cannot be read
    ├── RebuildRefused          the index must be rebuilt but a document's source is gone (nothing changed)
    ├── IngestCancelled         staff cancelled an ingest job (or the server stopped it); nothing changed
    ├── DocumentError           one document cannot be read (ingest skips it with this reason)
    └── CatalogError            a knowledge-base catalogue (skills, resources, pathways) is malformed

This module is a leaf: it imports nothing from the project, so every layer can raise and catch these.
"""

from __future__ import annotations


class AssistantError(Exception):
    """Base of every error the assistant raises on purpose."""

    code = "assistant_error"
    exit_code = 1


class ConfigurationError(AssistantError):
    code = "configuration_error"


class InputError(AssistantError):
    code = "invalid_input"
    exit_code = 2  # a usage error, like a bad option


class PathNotFoundError(InputError):
    """A path given to ingest does not exist."""

    exit_code = 2


class UploadRejected(InputError):
    code = "upload_rejected"

    def __init__(self, message: str, status: int = 422) -> None:
        super().__init__(message)
        self.status = status


class TooManyFiles(UploadRejected):
    code = "too_many_files"

    def __init__(self, message: str) -> None:
        super().__init__(message, 413)


class AudioError(InputError):
    """A voice note that cannot be transcribed; `reason` says why, for the reply in her language."""

    code = "audio_unusable"
    REASONS = (
        "too_long", "too_short", "too_large", "silent", "unintelligible", "other_language", "unreadable", "unavailable"
    )  # fmt: skip

    def __init__(self, message: str, reason: str) -> None:
        if reason not in self.REASONS:
            raise ValueError(f"unknown audio error reason {reason!r}; one of {', '.join(self.REASONS)}")
        super().__init__(message)
        self.reason = reason


class NotFoundError(AssistantError):
    code = "not_found"


class NotIndexedError(AssistantError):
    code = "not_indexed"

    def __init__(self, message: str = "No index yet: run `mentor ingest` first.") -> None:
        super().__init__(message)


class IndexCorruptError(AssistantError):
    code = "index_corrupt"


class RebuildRefused(AssistantError):
    """The index cannot be reused and rebuilding it would lose documents whose files are gone."""

    code = "rebuild_refused"
    status = 409


class IngestCancelled(AssistantError):
    """An ingest stopped before writing anything: cancelled by staff, or the server is stopping."""

    code = "ingest_cancelled"

    def __init__(self, message: str = "cancelled", requeue: bool = False) -> None:
        super().__init__(message)
        self.requeue = requeue  # the server is stopping: the job goes back to the queue


class DocumentError(AssistantError):
    """One document cannot be ingested; the message is the reason shown in the ingest summary."""

    code = "document_error"


class CatalogError(AssistantError):
    code = "catalog_error"
