"""Shared fixtures. Fast tests use the hash embedder; `integration` tests use the real default model
(multilingual-e5-small), and MiniLM where a test is about MiniLM or needs torch's speed on many passages."""

from __future__ import annotations

import io
import os
import zipfile
from functools import cache
from pathlib import Path

import pytest

from assistant.config import Settings
from assistant.embeddings import E5Embedder, HashEmbedder, SentenceTransformerEmbedder
from assistant.runtime import Runtime

ROOT = Path(__file__).resolve().parents[1]
GUIDES = ROOT / "knowledge_base" / "guides"
QUESTIONS = ROOT / "evals" / "datasets" / "questions.jsonl"

# Tests never read the developer's .env or MENTOR_* variables unless a test sets them on purpose.
for _name in [n for n in os.environ if n.startswith("MENTOR_") and n != "MENTOR_TEST_DATABASE_URL"]:
    del os.environ[_name]


@cache
def zip_bomb() -> bytes:
    """A Word-shaped zip whose document.xml inflates to 200 MB of zeros, about 200 KB packed, written in chunks."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", '<?xml version="1.0"?><Types/>')
        with archive.open("word/document.xml", "w", force_zip64=True) as member:
            chunk = b"\0" * (1 << 20)
            for _ in range(200):
                member.write(chunk)
    return buffer.getvalue()


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def guide(doc_id: str, lang: str, title: str, sections: dict[str, str]) -> str:
    body = "\n\n".join(f"## {heading}\n\n{text}" for heading, text in sections.items())
    return f"---\nid: {doc_id}\nlang: {lang}\ntitle: {title}\ntopics: [finance]\n---\n\n# {title}\n\n{body}\n"


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(data_dir=tmp_path / "data", embedding_model="hash", _env_file=None)


@pytest.fixture
def hash_runtime(settings: Settings) -> Runtime:
    return Runtime(settings, embedder=HashEmbedder())


@pytest.fixture
def small_corpus(tmp_path: Path) -> Path:
    """Parallel French/English guides on credit and meetings, plus a Spanish-only one."""
    return write_small_corpus(tmp_path / "corpus")


def write_small_corpus(root: Path) -> Path:
    """The small corpus's files under `root` (for fixtures of a wider scope than one test)."""
    write(
        root / "fr" / "credit.md",
        guide(
            "credit",
            "fr",
            "Accès au crédit",
            {
                "Préparer un dossier de prêt": "Pour obtenir un crédit, tenez vos registres de trésorerie et "
                "préparez un dossier de prêt avec vos ventes et dépenses mensuelles.",
                "Groupes d'épargne": "Les groupes d'épargne et la microfinance aident les femmes sans garantie.",
            },
        ),
    )
    write(
        root / "en" / "credit.md",
        guide(
            "credit",
            "en",
            "Access to credit",
            {
                "Preparing a loan file": "To obtain credit, keep cash-flow records and prepare a loan file with "
                "your monthly sales and expenses.",
                "Savings groups": "Savings groups and microfinance help women who have no collateral.",
            },
        ),
    )
    write(
        root / "fr" / "meetings.md",
        guide(
            "meetings",
            "fr",
            "Première rencontre",
            {
                "Ordre du jour": "Lors de la première rencontre du binôme, présentez vos entreprises et vos attentes.",
            },
        ),
    )
    write(
        root / "en" / "meetings.md",
        guide(
            "meetings",
            "en",
            "First meeting",
            {
                "Agenda": "At the pair's first meeting, introduce your businesses and your expectations.",
            },
        ),
    )
    write(
        root / "es" / "ferias.md",
        guide(
            "ferias",
            "es",
            "Ferias comerciales",
            {
                "Vender en ferias": "Las ferias comerciales permiten conocer compradores y vender productos "
                "artesanales como textiles y quinua.",
            },
        ),
    )
    return root


@pytest.fixture
def corpus_runtime(hash_runtime, small_corpus) -> Runtime:
    """The hash runtime with the small corpus ingested and a low abstention threshold (hash vectors)."""
    from assistant.knowledge.ingest import Ingestor

    hash_runtime.settings.abstain_threshold = 0.2
    Ingestor(hash_runtime.settings, hash_runtime.embedder).ingest([small_corpus])
    return hash_runtime


@pytest.fixture(scope="session")
def real_embedder() -> E5Embedder:
    """The default model, multilingual-e5-small."""
    return E5Embedder()


@pytest.fixture(scope="session")
def minilm_embedder() -> SentenceTransformerEmbedder:
    """The bundled all-MiniLM-L6-v2 (the alternative and fallback)."""
    return SentenceTransformerEmbedder()


@pytest.fixture(scope="session")
def kb_runtime(tmp_path_factory, real_embedder) -> Runtime:
    """The real knowledge base ingested with the default model into a temporary data directory (its passage
    vectors come from the shipped ones, so this takes seconds)."""
    data = tmp_path_factory.mktemp("kb-data")
    runtime = Runtime(Settings(data_dir=data, _env_file=None), embedder=real_embedder)
    report = runtime.ingestor().ingest([GUIDES])
    assert not report.skipped, report.skipped
    return runtime
