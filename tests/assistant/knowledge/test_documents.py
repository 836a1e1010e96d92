"""load_document: every supported format read into a Document, every unusable file refused with a reason."""

from __future__ import annotations

import os
import zipfile
from pathlib import Path

import pytest

from assistant.errors import DocumentError
from assistant.knowledge.documents import Document, load_document


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def write_bytes(path: Path, data: bytes) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return path


def make_pdf(path: Path, lines: list[str]) -> Path:
    pytest.importorskip("reportlab")
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen import canvas

    path.parent.mkdir(parents=True, exist_ok=True)
    pdf = canvas.Canvas(str(path), pagesize=A4)
    y = 800
    for line in lines:
        pdf.drawString(72, y, line)
        y -= 20
    pdf.showPage()
    pdf.save()
    return path


PDF_LINES = [
    "Cash-flow records help women entrepreneurs obtain credit.",
    "Keep a notebook of monthly sales and expenses.",
]


# --- Markdown and plain text -------------------------------------------------------------------------


def test_markdown_front_matter_is_read_and_removed_from_body(tmp_path: Path) -> None:
    path = write(
        tmp_path / "guides" / "fr" / "credit.md",
        "---\n"
        "id: access-to-credit\n"
        "lang: fr\n"
        'title: "L\'accès au crédit"\n'
        "topics: [credit, finance]\n"
        "audience: [entrepreneurs]\n"
        "---\n"
        "\n"
        "# Un autre titre dans le corps\n"
        "\n"
        "Tenez vos registres de trésorerie pour préparer un dossier de prêt.\n",
    )
    doc = load_document(path, tmp_path / "guides")

    assert doc.doc_id == "access-to-credit"
    assert doc.lang == "fr"
    assert doc.title == "L'accès au crédit"  # front matter wins over the first heading
    assert doc.metadata == {"topics": ["credit", "finance"], "audience": ["entrepreneurs"]}
    assert doc.format == "markdown"
    assert doc.body.startswith("# Un autre titre dans le corps")
    assert "---" not in doc.body
    assert "topics:" not in doc.body
    assert "access-to-credit" not in doc.body
    assert doc.source == str(path)
    assert len(doc.content_hash) == 64


@pytest.mark.parametrize(
    ("name", "text", "lang"),
    [
        (
            "notes.txt",
            "Les femmes entrepreneures du programme se rencontrent chaque mois pour échanger leurs "
            "expériences. Elles préparent ensemble un plan d'affaires et un budget de trésorerie. "
            "Cette collaboration renforce leur confiance et leur réseau.",
            "fr",
        ),
        (
            "notas.md",
            "Las mujeres emprendedoras del programa se reúnen cada mes para compartir sus experiencias. "
            "Preparan juntas un plan de negocios y un presupuesto de caja. "
            "Esta colaboración fortalece su confianza y su red de contactos.",
            "es",
        ),
        (
            "notes.markdown",
            "The women entrepreneurs in the programme meet every month to share their experiences. "
            "Together they prepare a business plan and a cash-flow budget. "
            "This collaboration strengthens their confidence and their network.",
            "en",
        ),
    ],
)
def test_without_front_matter_id_is_relative_path_and_language_is_detected(
    tmp_path: Path, name: str, text: str, lang: str
) -> None:
    root = tmp_path / "root"
    path = write(root / "sub" / name, text + "\n")
    doc = load_document(path, root)

    assert doc.doc_id == f"sub/{Path(name).stem}"
    assert doc.lang == lang
    assert doc.body == text
    assert doc.metadata == {}
    assert doc.title == Path(name).stem  # no front matter, no heading: the file name
    assert doc.format == ("text" if name.endswith(".txt") else "markdown")


def test_title_falls_back_to_first_heading(tmp_path: Path) -> None:
    path = write(
        tmp_path / "first-meeting.md",
        "Intro line.\n\n# Agenda for the first meeting\n\nIntroduce your businesses and expectations.\n",
    )
    doc = load_document(path, tmp_path)
    assert doc.title == "Agenda for the first meeting"
    assert doc.doc_id == "first-meeting"


@pytest.mark.parametrize(
    ("front_matter", "line"),
    [
        # The flow sequence never closes: YAML hits the end of the block on the 'title' line (file line 4).
        ("id: x\nlang: en\ntitle: [unclosed", 4),
        # A mapping value where none is allowed, on file line 5.
        ("id: x\nlang: en\ntitle: ok\n  bad: indent: here\ntopics: [a]", 5),
        # A tab cannot start a YAML token: file line 3.
        ("id: x\n\tlang: en\ntitle: ok", 3),
    ],
)
def test_unparsable_front_matter_names_the_file_line(tmp_path: Path, front_matter: str, line: int) -> None:
    path = write(tmp_path / "broken.md", f"---\n{front_matter}\n---\n\n# Title\n\nSome English text here.\n")
    with pytest.raises(DocumentError, match="front matter") as info:
        load_document(path, tmp_path)
    message = str(info.value)
    assert f"line {line}" in message, message


def test_front_matter_that_is_not_a_mapping_is_refused(tmp_path: Path) -> None:
    path = write(tmp_path / "list.md", "---\n- just\n- a list\n---\n\nSome English text here.\n")
    with pytest.raises(DocumentError, match="mapping"):
        load_document(path, tmp_path)


def test_front_matter_with_unsupported_lang_is_refused(tmp_path: Path) -> None:
    path = write(
        tmp_path / "de.md",
        "---\nid: guide\nlang: de\ntitle: Kredit\n---\n\nFrauen gründen Unternehmen und brauchen Kredite.\n",
    )
    with pytest.raises(DocumentError, match="'de'"):
        load_document(path, tmp_path)


def test_front_matter_lang_is_normalised(tmp_path: Path) -> None:
    path = write(tmp_path / "g.md", "---\nid: g\nlang: ' ES '\n---\n\nThis body is actually English.\n")
    assert load_document(path, tmp_path).lang == "es"


@pytest.mark.parametrize("content", [b"", b"   \n\t\r\n  \n"])
def test_empty_or_whitespace_file_is_refused(tmp_path: Path, content: bytes) -> None:
    path = write_bytes(tmp_path / "empty.md", content)
    with pytest.raises(DocumentError, match="empty file"):
        load_document(path, tmp_path)


@pytest.mark.parametrize("name", ["budget.xlsx", "photo.png"])
def test_unsupported_extension_is_refused_by_name(tmp_path: Path, name: str) -> None:
    path = write_bytes(tmp_path / name, b"PK\x03\x04 not really anything")
    ext = Path(name).suffix
    with pytest.raises(DocumentError, match="unsupported") as info:
        load_document(path, tmp_path)
    assert f"'{ext}'" in str(info.value)


def test_document_key_is_doc_id_dot_lang(tmp_path: Path) -> None:
    path = write(tmp_path / "x.md", "---\nid: pairing-types\nlang: es\n---\n\nTipos de binomios.\n")
    doc = load_document(path, tmp_path)
    assert doc.key == "pairing-types.es"
    other = Document("a/b", "fr", "t", "body", "src", "h", "text")
    assert other.key == "a/b.fr"


# --- PDF -----------------------------------------------------------------------------------------------


def test_pdf_text_is_extracted(tmp_path: Path) -> None:
    path = make_pdf(tmp_path / "docs" / "credit.pdf", PDF_LINES)
    doc = load_document(path, tmp_path)

    assert doc.format == "pdf"
    assert doc.doc_id == "docs/credit"
    assert doc.lang == "en"
    body = " ".join(doc.body.split())
    for line in PDF_LINES:
        assert line in body


@pytest.mark.parametrize("kind", ["random", "truncated"])
def test_corrupt_pdf_is_refused(tmp_path: Path, kind: str) -> None:
    if kind == "random":
        data = os.urandom(4096)
    else:
        data = make_pdf(tmp_path / "good.pdf", PDF_LINES).read_bytes()
        data = data[: len(data) // 3]
    path = write_bytes(tmp_path / "bad.pdf", data)
    with pytest.raises(DocumentError, match="corrupt"):
        load_document(path, tmp_path)


def test_encrypted_pdf_is_refused(tmp_path: Path) -> None:
    from pypdf import PdfReader, PdfWriter

    plain = make_pdf(tmp_path / "plain.pdf", PDF_LINES)
    writer = PdfWriter()
    for page in PdfReader(plain).pages:
        writer.add_page(page)
    writer.encrypt(user_password="secret", owner_password="owner", algorithm="RC4-128")
    path = tmp_path / "locked.pdf"
    with path.open("wb") as handle:
        writer.write(handle)

    with pytest.raises(DocumentError, match="encrypted"):
        load_document(path, tmp_path)


# --- DOCX ----------------------------------------------------------------------------------------------


def test_docx_headings_become_markdown_headings(tmp_path: Path) -> None:
    import docx

    document = docx.Document()
    document.add_heading("Preparing a loan file", level=1)
    document.add_paragraph("Keep cash-flow records for at least six months before you apply.")
    document.add_heading("Savings groups", level=2)
    document.add_paragraph("Savings groups help women who have no collateral to build a credit history.")
    path = tmp_path / "loans.docx"
    document.save(str(path))

    doc = load_document(path, tmp_path)
    assert doc.format == "docx"
    assert doc.title == "Preparing a loan file"
    lines = [line for line in doc.body.splitlines() if line.strip()]
    assert lines == [
        "# Preparing a loan file",
        "Keep cash-flow records for at least six months before you apply.",
        "## Savings groups",
        "Savings groups help women who have no collateral to build a credit history.",
    ]


def test_corrupt_docx_is_refused(tmp_path: Path) -> None:
    path = write_bytes(tmp_path / "broken.docx", os.urandom(4096))
    with pytest.raises(DocumentError, match="corrupt"):
        load_document(path, tmp_path)


def test_zip_that_is_not_a_word_document_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "not-word.docx"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("hello.txt", "just a zip, no [Content_Types].xml")
    with pytest.raises(DocumentError, match="DOCX"):
        load_document(path, tmp_path)


def _zip_of_zeros(path: Path, megabytes: int) -> Path:
    chunk = bytes(1024 * 1024)
    with (
        zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive,
        archive.open("word/document.xml", "w", force_zip64=True) as member,
    ):
        for _ in range(megabytes):
            member.write(chunk)
    return path


def test_docx_zip_bomb_is_refused(tmp_path: Path) -> None:
    path = _zip_of_zeros(tmp_path / "bomb.docx", 300)
    assert path.stat().st_size < 2 * 1024 * 1024  # the bomb itself is small on disk
    with pytest.raises(DocumentError, match="zip bomb") as info:
        load_document(path, tmp_path)
    assert "300 MB" in str(info.value)


def test_docx_with_absurd_compression_ratio_is_refused(tmp_path: Path) -> None:
    # Far below the absolute size limit, but it inflates about a thousand times: refused on the ratio.
    path = _zip_of_zeros(tmp_path / "small-bomb.docx", 20)
    with pytest.raises(DocumentError, match="zip bomb"):
        load_document(path, tmp_path)


# --- HTML ----------------------------------------------------------------------------------------------


def test_html_title_headings_and_no_script_or_style(tmp_path: Path) -> None:
    html = """<!doctype html>
<html><head>
  <title>Access to credit</title>
  <style>.secret-style { color: red; }</style>
  <script>var trackingSecret = "do-not-index";</script>
</head>
<body>
  <h1>Preparing a loan file</h1>
  <p>Keep cash-flow records and prepare a loan file with your monthly sales.</p>
  <script>console.log("inline-script-text");</script>
  <h2>Savings groups</h2>
  <p>Savings groups and microfinance help women who have no collateral.</p>
  <ul><li>Open a savings account</li></ul>
</body></html>
"""
    path = write(tmp_path / "web" / "credit.html", html)
    doc = load_document(path, tmp_path)

    assert doc.format == "html"
    assert doc.title == "Access to credit"
    assert doc.doc_id == "web/credit"
    lines = [line for line in doc.body.splitlines() if line.strip()]
    assert "# Preparing a loan file" in lines
    assert "## Savings groups" in lines
    assert "- Open a savings account" in lines
    assert lines.index("# Preparing a loan file") < lines.index("## Savings groups")
    for leaked in ("secret-style", "trackingSecret", "do-not-index", "inline-script-text", "color: red"):
        assert leaked not in doc.body


def test_html_nested_blocks_are_not_duplicated(tmp_path: Path) -> None:
    html = (
        "<html><head><title>Quotes</title></head><body>"
        "<blockquote><p>Mentoring is a two-way street for every entrepreneur.</p></blockquote>"
        "<ul><li><p>Share your accounts with your pair every month.</p></li></ul>"
        "<table><tr><td><h2>Layout table heading</h2>"
        "<p>Text laid out inside a table cell.</p></td></tr></table>"
        "</body></html>"
    )
    path = write(tmp_path / "quotes.htm", html)
    body = load_document(path, tmp_path).body
    assert body.count("two-way street") == 1, body
    assert body.count("Share your accounts") == 1, body
    assert body.count("Text laid out inside a table cell.") == 1, body
    assert "## Layout table heading" in body.splitlines()


def billion_laughs() -> str:
    """Nine nested levels of nine aliases: 9**9 strings (about 1.9 GB as JSON) from a 461-byte-ish file."""
    lines = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for prev, name in zip("abcdefgh", "bcdefghi", strict=True):
        lines.append(f"{name}: &{name} [{','.join([f'*{prev}'] * 9)}]")
    lines.append("topics: *i")
    return "---\n" + "\n".join(lines) + "\n---\n\n# Laughs\n\nSome English text about laughing.\n"


def test_front_matter_aliases_are_refused_not_expanded(tmp_path: Path) -> None:
    path = write(tmp_path / "laughs.md", billion_laughs())
    assert path.stat().st_size < 700
    with pytest.raises(DocumentError, match=r"alias \*a") as info:
        load_document(path, tmp_path)
    assert "line 3" in str(info.value)  # the first alias, on the 'b' line


def test_front_matter_anchors_without_aliases_are_read(tmp_path: Path) -> None:
    path = write(tmp_path / "anchor.md", "---\nid: g\nlang: en\ntopics: &t [credit]\n---\n\nEnglish text.\n")
    assert load_document(path, tmp_path).metadata["topics"] == ["credit"]


def test_oversized_front_matter_is_refused(tmp_path: Path) -> None:
    big = "\n".join(f"k{i}: {'v' * 60}" for i in range(400))
    path = write(tmp_path / "big.md", f"---\nid: g\n{big}\n---\n\nEnglish text.\n")
    with pytest.raises(DocumentError, match="front matter is longer than 16 KB"):
        load_document(path, tmp_path)
