"""Documents: what a file in the knowledge base becomes before it is chunked.

`load_document(path, root)` reads Markdown (with optional YAML front matter), plain text, PDF, DOCX and
HTML into a `Document` whose body is Markdown-ish text (headings as `#` lines). Anything unreadable raises
`DocumentError` with the reason the ingest summary shows; it never stops other files from being read.
"""

from __future__ import annotations

import hashlib
import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from assistant.config import SUPPORTED_LANGUAGES
from assistant.errors import DocumentError
from assistant.languages import detect_language

SUPPORTED_EXTENSIONS = {".md", ".markdown", ".txt", ".pdf", ".docx", ".html", ".htm"}
# A .docx is a zip: refuse archives that inflate absurdly (zip bombs).
MAX_DOCX_UNCOMPRESSED = 200 * 1024 * 1024
MAX_DOCX_RATIO = 200
HTML_MARKUP_FACTOR = 10  # an HTML file may be this many times its text limit in bytes before it is not parsed
_FRONT_MATTER = re.compile(r"\A---[ \t]*\r?\n(.*?)\r?\n---[ \t]*(?:\r?\n|\Z)", re.DOTALL)
# Front matter is a handful of fields; anything longer is not front matter a guide needs.
MAX_FRONT_MATTER_CHARS = 16_384


class _NoAliasLoader(yaml.SafeLoader):
    """YAML without aliases: `*name` could expand nested anchors to gigabytes (a "billion laughs"), and
    a guide's front matter never needs one. Anchors alone are harmless; the first alias is refused."""

    def compose_node(self, parent, index):
        if self.check_event(yaml.AliasEvent):
            event = self.peek_event()
            raise yaml.composer.ComposerError(
                None, None, f"uses the YAML alias *{event.anchor} (aliases are not accepted)", event.start_mark
            )
        return super().compose_node(parent, index)


@dataclass(frozen=True)
class DocumentLimits:
    """How much work one file may cost: the characters of text it yields, and for a DOCX the size of the
    XML that must be parsed whole (python-docx holds it in memory, about ten times its size)."""

    max_chars: int = 1_000_000
    max_docx_xml_mb: float = 16.0

    @property
    def max_docx_xml_bytes(self) -> int:
        return int(self.max_docx_xml_mb * 1024 * 1024)


@dataclass(slots=True)
class Document:
    """A readable document: one language version of one guide, or one ingested file."""

    doc_id: str
    lang: str
    title: str
    body: str
    source: str
    content_hash: str
    format: str
    metadata: dict = field(default_factory=dict)

    @property
    def key(self) -> str:
        """Unique in an index: the fr/es/en versions of a guide share `doc_id` but not `key`."""
        return f"{self.doc_id}.{self.lang}"


def file_hash(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def default_doc_id(path: Path, root: Path) -> str:
    """The path relative to the ingested folder, without extension, with forward slashes."""
    try:
        rel = path.resolve().relative_to(root.resolve())
    except ValueError:
        rel = Path(path.name)
    return rel.with_suffix("").as_posix()


def load_document(path: Path, root: Path, limits: DocumentLimits | None = None) -> Document:
    """Read one file into a `Document`, or raise `DocumentError` saying why it cannot be used."""
    limits = limits or DocumentLimits()
    ext = path.suffix.lower()
    if ext not in SUPPORTED_EXTENSIONS:
        raise DocumentError(f"unsupported file type '{ext or path.name}'")
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise DocumentError(f"cannot read file: {exc.strerror or exc}") from exc
    if not data.strip():
        raise DocumentError("empty file")
    meta: dict = {}
    if ext in {".md", ".markdown", ".txt"}:
        text = _decode(data)
        if ext != ".txt":
            meta, text = _split_front_matter(text)
        fmt = "markdown" if ext != ".txt" else "text"
        _check_chars(len(text), limits)
    elif ext == ".pdf":
        text, fmt = _read_pdf(path, limits), "pdf"
    elif ext == ".docx":
        text, fmt = _read_docx(path, limits), "docx"
    else:
        if len(data) > limits.max_chars * HTML_MARKUP_FACTOR:
            raise DocumentError(
                f"an HTML file of {len(data) // 1024} KB is too large to read (the limit on a document's text is "
                f"{limits.max_chars} characters, MENTOR_INGEST_MAX_DOCUMENT_CHARS)"
            )
        text, meta_title = _read_html(data)
        fmt = "html"
        if meta_title:
            meta.setdefault("title", meta_title)
    if not text.strip():
        raise DocumentError("no text could be extracted (a scanned or image-only file?)")
    _check_chars(len(text), limits)
    return _make_document(path, root, text, meta, fmt, file_hash(data))


def clean_doc_id(value: object) -> str:
    """A document id every route can name: no control characters, no empty, `.` or `..` segment, no `#`
    (it separates a chunk id's heading), no backslash, at most 200 characters. Blank when nothing is left."""
    text = "".join(ch for ch in str(value if value is not None else "") if ch.isprintable())
    segments = [" ".join(part.split()) for part in text.replace("\\", "/").replace("#", "-").split("/")]
    return "/".join(part for part in segments if part not in ("", ".", ".."))[:200].strip("/ ")


def _make_document(path: Path, root: Path, text: str, meta: dict, fmt: str, content_hash: str) -> Document:
    doc_id = clean_doc_id(meta.get("id")) or clean_doc_id(default_doc_id(path, root)) or "document"
    lang = meta.get("lang")
    if lang is not None:
        lang = str(lang).strip().lower()
        if lang not in SUPPORTED_LANGUAGES:
            raise DocumentError(f"front matter lang '{lang}' is not one of {', '.join(SUPPORTED_LANGUAGES)}")
    else:
        detection = detect_language(text[:3000])
        if detection.unsupported:
            raise DocumentError(f"language '{detection.detected}' is not supported (fr, es, en)")
        lang = detection.language
    title = str(meta.get("title") or _first_heading(text) or path.stem.replace("_", " ").replace("-", " "))
    extra = {k: meta[k] for k in ("topics", "audience", "countries") if k in meta}
    return Document(
        doc_id=doc_id,
        lang=lang,
        title=title.strip(),
        body=text.strip(),
        source=str(path),
        content_hash=content_hash,
        format=fmt,
        metadata=extra,
    )


def _check_chars(count: int, limits: DocumentLimits) -> None:
    if count > limits.max_chars:
        raise DocumentError(
            f"has {count} characters of text, over the limit of {limits.max_chars} per document "
            "(MENTOR_INGEST_MAX_DOCUMENT_CHARS): split it into several guides"
        )


def _decode(data: bytes) -> str:
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    return data.decode("latin-1")


def _split_front_matter(text: str) -> tuple[dict, str]:
    match = _FRONT_MATTER.match(text)
    if not match:
        return {}, text
    if len(match.group(1)) > MAX_FRONT_MATTER_CHARS:
        raise DocumentError(f"front matter is longer than {MAX_FRONT_MATTER_CHARS // 1024} KB")
    try:
        meta = yaml.load(match.group(1), Loader=_NoAliasLoader) or {}
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        # +2: the opening '---' is line 1 of the file, and YAML counts lines from 0.
        where = f" at line {mark.line + 2}" if mark is not None else ""
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise DocumentError(f"front matter is not valid YAML{where}: {problem}") from exc
    if not isinstance(meta, dict):
        raise DocumentError("front matter must be a YAML mapping (key: value lines)")
    return meta, text[match.end() :]


def _first_heading(text: str) -> str | None:
    for line in text.splitlines():
        if line.startswith("# "):
            return line[2:].strip()
    return None


def _read_pdf(path: Path, limits: DocumentLimits) -> str:
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError, PyPdfError

    try:
        reader = PdfReader(path)
        if reader.is_encrypted:
            raise DocumentError("encrypted PDF (remove the password and ingest it again)")
        pages, count = [], 0
        for page in reader.pages:  # page by page, so a huge PDF stops at the limit instead of at the end
            pages.append(page.extract_text() or "")
            count += len(pages[-1])
            _check_chars(count, limits)
    except DocumentError:
        raise
    except (PdfReadError, PyPdfError, ValueError, KeyError, TypeError, OSError) as exc:
        raise DocumentError(f"corrupt or unreadable PDF: {_without_paths(exc, path)}") from exc
    return "\n\n".join(p.strip() for p in pages if p.strip())


def _read_docx(path: Path, limits: DocumentLimits) -> str:
    check_zip_safety(path, limits)
    import docx

    try:
        document = docx.Document(str(path))
    except Exception as exc:  # python-docx raises many types for a broken package; all mean "unreadable"
        raise DocumentError(f"corrupt or unreadable DOCX: {_without_paths(exc, path)}") from exc
    lines = []
    for paragraph in document.paragraphs:
        text = paragraph.text.strip()
        if not text:
            continue
        style = (paragraph.style.name or "").lower() if paragraph.style is not None else ""
        level = {"title": 1, "heading 1": 1, "heading 2": 2, "heading 3": 3}.get(style)
        lines.append(f"{'#' * level} {text}" if level else text)
    return "\n\n".join(lines)


def _without_paths(exc: Exception, path: Path) -> str:
    """A library's message with the file's server path replaced by its name (python-docx quotes it)."""
    return str(exc).replace(str(path.resolve()), path.name).replace(str(path), path.name)


def check_zip_safety(path: Path, limits: DocumentLimits | None = None) -> None:
    """Refuse a zip container that is broken or would inflate far beyond its size (a zip bomb), or a DOCX
    whose text XML is too large to parse within the limits."""
    limits = limits or DocumentLimits()
    try:
        with zipfile.ZipFile(path) as archive:
            total = sum(info.file_size for info in archive.infolist())
            xml = sum(i.file_size for i in archive.infolist() if i.filename == "word/document.xml")
    except (zipfile.BadZipFile, OSError) as exc:
        raise DocumentError(f"corrupt or unreadable DOCX: {exc.__class__.__name__}") from exc
    packed = max(path.stat().st_size, 1)
    if total > MAX_DOCX_UNCOMPRESSED or total / packed > MAX_DOCX_RATIO:
        raise DocumentError(
            f"DOCX would inflate to {total // (1024 * 1024)} MB from {packed // 1024} KB: refused as a zip bomb"
        )
    if xml > limits.max_docx_xml_bytes:
        raise DocumentError(docx_xml_message(xml, limits))


def docx_xml_message(size: int, limits: DocumentLimits) -> str:
    return (
        f"its text XML inflates to {size / (1024 * 1024):.0f} MB, over the {limits.max_docx_xml_mb:g} MB a DOCX may "
        "take to read (MENTOR_INGEST_MAX_DOCX_XML_MB): split it into several documents"
    )


def _read_html(data: bytes) -> tuple[str, str | None]:
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(data, "html.parser")
    for tag in soup(["script", "style", "noscript", "nav", "footer", "header", "form"]):
        tag.decompose()
    title = soup.title.get_text(strip=True) if soup.title else None
    blocks = ["h1", "h2", "h3", "h4", "p", "li", "td", "pre", "blockquote"]
    lines = []
    for element in soup.find_all(blocks):
        # Only the text whose nearest block is this element, so a <p> inside an <li> is read once.
        own = [s for s in element.strings if s.find_parent(blocks) is element]
        text = " ".join(" ".join(own).split())
        if not text:
            continue
        if element.name in {"h1", "h2", "h3", "h4"}:
            lines.append(f"{'#' * min(int(element.name[1]), 3)} {text}")
        else:
            lines.append(f"- {text}" if element.name == "li" else text)
    if not lines:
        lines = [" ".join(soup.get_text(" ", strip=True).split())]
    return "\n\n".join(lines), title
