"""Checks on uploaded documents (`assistant.knowledge.uploads`): the type is judged by content, names are made safe, and
oversized files and zip bombs are refused with the reason and the HTTP status to answer with."""

from __future__ import annotations

import io
import os
import zipfile
from functools import cache

import docx
import pytest
from reportlab.pdfgen import canvas

from assistant.errors import InputError
from assistant.knowledge import uploads
from assistant.knowledge.uploads import UploadRejected, check_upload, safe_name
from tests.conftest import zip_bomb

MB = 1024 * 1024
LIMIT = 20 * MB


@cache
def real_pdf() -> bytes:
    buffer = io.BytesIO()
    page = canvas.Canvas(buffer)
    page.drawString(72, 720, "Access to credit: keep cash-flow records.")
    page.showPage()
    page.save()
    return buffer.getvalue()


@cache
def real_docx() -> bytes:
    document = docx.Document()
    document.add_heading("Access to credit", level=1)
    document.add_paragraph("Keep cash-flow records and prepare a loan file.")
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def zip_file(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def rejected(filename: str, data: bytes, max_bytes: int = LIMIT) -> UploadRejected:
    with pytest.raises(UploadRejected) as caught:
        check_upload(filename, data, max_bytes)
    return caught.value


# -- safe names --------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "filename, expected",
    [
        ("guide.md", "guide.md"),
        ("Guide Crédit.MD", "guide-credit.md"),
        ("../../etc/passwd.md", "passwd.md"),
        ("..\\..\\windows\\evil.txt", "evil.txt"),
        ("/etc/cron.d/report.pdf", "report.pdf"),
        ("Rapport d'activité 2024.docx", "rapport-d-activite-2024.docx"),
        ("a\x00b.md", "a-b.md"),
        ("-rf .md", "rf.md"),
        ("section.md", "section.md"),
    ],
)
def test_safe_name_keeps_a_plain_name_and_the_extension(filename, expected):
    assert safe_name(filename) == expected


@pytest.mark.parametrize("filename", ["", "..", "日本語.md", "__.md"])
def test_a_name_with_nothing_readable_gets_one_from_its_hash(filename):
    name = safe_name(filename)
    assert name.startswith("upload-") and name.endswith(".md" if filename.endswith(".md") else "")
    assert safe_name("日本語.md") != safe_name("中文.md")


def test_safe_name_is_short_enough_for_any_file_system():
    name = safe_name("x" * 5000 + ".docx")
    assert name.endswith(".docx") and len(name) <= 100
    assert "/" not in safe_name("a/b/c.md") and "\\" not in safe_name("a\\b\\c.md")


# -- accepted files ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "filename, data, name",
    [
        ("notes.md", "# Crédit\n\nTenez vos registres de trésorerie.\n".encode(), "notes.md"),
        ("notes.markdown", b"# Notes\n\nText.\n", "notes.markdown"),
        ("notes.txt", "Ferias: vender productos artesanales, año 2024.\n".encode(), "notes.txt"),
        ("page.html", b"<!doctype html><html><body><h1>Credit</h1><p>Records.</p></body></html>", "page.html"),
        ("page.htm", b"<html><body><p>Records.</p></body></html>", "page.htm"),
    ],
)
def test_text_types_are_accepted(filename, data, name):
    assert check_upload(filename, data, LIMIT) == name


def test_a_real_pdf_is_accepted():
    data = real_pdf()
    assert data.startswith(b"%PDF-")
    assert check_upload("Guide.PDF", data, LIMIT) == "guide.pdf"


def test_a_real_docx_is_accepted():
    data = real_docx()
    assert "word/document.xml" in zipfile.ZipFile(io.BytesIO(data)).namelist()
    assert check_upload("Guide de crédit.docx", data, LIMIT) == "guide-de-credit.docx"


def test_a_hand_built_docx_is_accepted():
    data = zip_file({"[Content_Types].xml": b"<Types/>", "word/document.xml": b"<w:document>hello</w:document>"})
    assert check_upload("small.docx", data, LIMIT) == "small.docx"


# -- content that does not match the name ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "filename, make, reason",
    [
        ("guide.pdf", lambda: b"# Just Markdown\n\ntext\n", "not a PDF"),
        ("guide.pdf", lambda: b"\x7fELF\x02\x01\x01\x00" + b"\x00" * 64, "not a PDF"),
        ("guide.pdf", real_docx, "not a PDF"),
        ("guide.docx", lambda: b"plain text, not a zip\n", "not a Word document"),
        ("guide.docx", real_pdf, "not a Word document"),
        ("guide.docx", lambda: zip_file({"data.csv": b"a,b\n1,2\n"}), "not a Word document"),
        ("guide.md", real_pdf, "binary"),
        ("guide.md", real_docx, "binary"),
        ("guide.txt", lambda: b"\x7fELF\x02\x01\x01\x00" + b"\x00" * 64, "binary"),
        ("page.html", lambda: b"<html>\x00\x01\x02</html>", "binary"),
    ],
)
def test_content_that_does_not_match_the_name_is_415(filename, make, reason):
    error = rejected(filename, make())
    assert error.status == 415
    assert filename in str(error) and reason in str(error)


@pytest.mark.parametrize("filename", ["setup.exe", "archive.zip", "script.sh", "noextension", "guide.md.exe", ".md"])
def test_unsupported_types_are_415_naming_the_allowed_ones(filename):
    error = rejected(filename, b"# Looks like Markdown\n")
    assert error.status == 415
    assert "unsupported file type" in str(error) and ".md" in str(error) and ".pdf" in str(error)


def test_a_corrupt_docx_is_refused():
    data = b"PK\x03\x04" + os.urandom(200)
    error = rejected("broken.docx", data)
    assert 400 <= error.status < 500
    assert "broken.docx" in str(error)


def patched_central_directory(data: bytes, offset: int, value: bytes) -> bytes:
    """`data` with `value` written at `offset` in its first central-directory entry."""
    at = data.index(b"PK\x01\x02") + offset
    return data[:at] + value + data[at + len(value) :]


@pytest.mark.parametrize(
    "patches",
    [
        [(6, b"\xff\x00")],  # "version needed to extract" 25.5: zipfile raises NotImplementedError
        [(8, b"\x00\x08"), (46, b"\xff")],  # the UTF-8 name flag on a name that is not UTF-8: UnicodeDecodeError
    ],
    ids=["zip-version", "bad-utf8-name"],
)
def test_a_docx_zipfile_cannot_read_is_refused_not_crashing(patches):
    data = zip_file({"word/document.xml": b"<w:document>hello</w:document>", "[Content_Types].xml": b"<Types/>"})
    for offset, value in patches:
        data = patched_central_directory(data, offset, value)
    error = rejected("odd.docx", data)
    assert error.status == 422 and "corrupt DOCX" in str(error)


@pytest.mark.parametrize("filename", ["empty.md", "empty.txt", "empty.pdf", "empty.docx", "empty.html"])
@pytest.mark.parametrize("data", [b"", b"   \n\t\r\n"])
def test_an_empty_file_is_refused(filename, data):
    error = rejected(filename, data)
    assert error.status == 422 and "empty" in str(error)


# -- zip bombs and size --------------------------------------------------------------------------------------------


def test_a_docx_zip_bomb_is_refused():
    bomb = zip_bomb()
    assert len(bomb) < MB
    error = rejected("report.docx", bomb)
    assert 400 <= error.status < 500
    assert "zip bomb" in str(error) and "200 MB" in str(error)


def test_a_docx_that_inflates_past_the_absolute_cap_is_refused(monkeypatch):
    # Incompressible content, so the ratio is normal and only the absolute cap can catch it.
    data = zip_file({"[Content_Types].xml": b"<Types/>", "word/document.xml": os.urandom(64 * 1024)})
    assert check_upload("big.docx", data, LIMIT) == "big.docx"
    monkeypatch.setattr(uploads, "MAX_DOCX_UNCOMPRESSED", 32 * 1024)
    assert "zip bomb" in str(rejected("big.docx", data))


def test_a_file_over_the_limit_is_413_with_the_limit_in_the_message():
    data = b"# Big\n\n" + b"w" * (512 * 1024)
    error = rejected("big.md", data, max_bytes=512 * 1024)
    assert error.status == 413
    assert "big.md" in str(error) and "0.5 MB limit" in str(error)
    assert check_upload("big.md", data[: 512 * 1024], 512 * 1024) == "big.md"  # exactly at the limit is fine


def test_the_size_is_checked_before_anything_else():
    assert rejected("setup.exe", b"MZ" * 100, max_bytes=100).status == 413
    assert "20 MB limit" in str(rejected("huge.pdf", b"%PDF-" + b"0" * LIMIT))


def test_a_rejection_is_an_input_error_with_a_stable_code():
    error = rejected("setup.exe", b"MZ")
    assert isinstance(error, InputError)
    assert error.code == "upload_rejected"
