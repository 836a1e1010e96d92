"""Checks on a document a staff member uploads, before it is saved and ingested.

The type is judged by content, not only by the name: a PDF must start like a PDF, a DOCX must be a
Word zip that does not inflate absurdly, and a text, Markdown or HTML file must be text. A rejected file
raises `UploadRejected` with the reason (and the HTTP status the web app answers with).
"""

from __future__ import annotations

import hashlib
import io
import zipfile
from pathlib import Path

from assistant.errors import UploadRejected
from assistant.knowledge.documents import MAX_DOCX_RATIO, MAX_DOCX_UNCOMPRESSED, SUPPORTED_EXTENSIONS
from assistant.text import slugify

TEXT_TYPES = {".md", ".markdown", ".txt", ".html", ".htm"}


def safe_name(filename: str) -> str:
    """A plain file name for the uploads folder: no folders, no odd characters, extension kept."""
    name = Path((filename or "").replace("\\", "/")).name
    suffix = Path(name).suffix.lower()
    stem = slugify(Path(name).stem, max_length=80)
    if stem == "section" and Path(name).stem.lower() != "section":
        # Nothing readable survives ('日本語.md'): name it after the original, so two such files do not
        # overwrite each other.
        stem = f"upload-{hashlib.sha256(name.encode('utf-8', 'surrogatepass')).hexdigest()[:10]}"
    return f"{stem}{suffix}"


def check_upload(filename: str, data: bytes, max_bytes: int) -> str:
    """The name to save the file under, or `UploadRejected` saying why it cannot be used."""
    name = safe_name(filename)
    suffix = Path(name).suffix
    if len(data) > max_bytes:
        raise UploadRejected(f"{filename}: larger than the {megabytes(max_bytes)} MB limit", 413)
    if suffix not in SUPPORTED_EXTENSIONS:
        allowed = ", ".join(sorted(SUPPORTED_EXTENSIONS))
        raise UploadRejected(f"{filename}: unsupported file type '{suffix or '?'}' (use {allowed})", 415)
    if not data.strip():
        raise UploadRejected(f"{filename}: the file is empty")
    if suffix == ".pdf":
        if not data.startswith(b"%PDF-"):
            raise UploadRejected(f"{filename}: named .pdf but its content is not a PDF", 415)
    elif suffix == ".docx":
        _check_docx(filename, data)
    elif suffix in TEXT_TYPES:
        head = data[:65536]
        if b"\x00" in head or head.startswith((b"%PDF-", b"PK\x03\x04")):
            raise UploadRejected(f"{filename}: named {suffix} but its content is binary, not text", 415)
    return name


def megabytes(size: int) -> str:
    """A size for a message: '20', '0.5', '0.01' (not '0' for a limit under 1 MB)."""
    return f"{size / (1024 * 1024):.2f}".rstrip("0").rstrip(".")


def _check_docx(filename: str, data: bytes) -> None:
    if not data.startswith(b"PK\x03\x04"):
        raise UploadRejected(f"{filename}: named .docx but its content is not a Word document", 415)
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = set(archive.namelist())
            total = sum(info.file_size for info in archive.infolist())
    except (zipfile.BadZipFile, NotImplementedError, ValueError, EOFError, OSError) as exc:
        # Not only BadZipFile: an unsupported zip version (NotImplementedError) or a member name that is not
        # the UTF-8 its flag claims (UnicodeDecodeError) come out of the zipfile module too.
        raise UploadRejected(f"{filename}: corrupt DOCX ({exc})") from None
    if "word/document.xml" not in names:
        raise UploadRejected(f"{filename}: a zip file, but not a Word document", 415)
    if total > MAX_DOCX_UNCOMPRESSED or total / max(len(data), 1) > MAX_DOCX_RATIO:
        raise UploadRejected(f"{filename}: would inflate to {total // (1024 * 1024)} MB: refused as a zip bomb")
