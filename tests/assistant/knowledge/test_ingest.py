"""Ingestion: incremental by content hash, removals, skipped files, crash safety (fast, hash embedder)."""

from __future__ import annotations

import numpy as np
import pytest

from assistant.embeddings import HashEmbedder
from assistant.errors import IndexCorruptError, NotFoundError, NotIndexedError
from assistant.knowledge.ingest import Ingestor, PathNotFoundError
from assistant.retrieval import index as index_module
from assistant.retrieval.index import IndexStore
from tests.conftest import guide, write


class CountingEmbedder(HashEmbedder):
    """Counts the texts it really embeds (cache misses reach it, hits do not)."""

    def __init__(self) -> None:
        super().__init__()
        self.embedded: list[str] = []

    def embed_batch(self, texts):
        self.embedded.extend(texts)
        return super().embed_batch(texts)


@pytest.fixture
def embedder():
    return CountingEmbedder()


def test_first_ingest_indexes_every_document(settings, small_corpus, embedder):
    report = Ingestor(settings, embedder).ingest([small_corpus])
    assert report.documents == 5
    assert report.languages == {"en": 2, "es": 1, "fr": 2}
    assert sorted(report.added) == ["credit.en", "credit.fr", "ferias.es", "meetings.en", "meetings.fr"]
    assert report.chunks == len(embedder.embedded) > 0
    data = IndexStore(settings.index_dir).load()
    assert len(data.chunks) == report.chunks
    assert {c.chunk_id for c in data.chunks} >= {
        "credit.fr#preparer-un-dossier-de-pret-1",
        "ferias.es#vender-en-ferias-1",
    }


def test_unchanged_reingest_embeds_nothing_and_keeps_the_version(settings, small_corpus, embedder):
    ingestor = Ingestor(settings, embedder)
    first = ingestor.ingest([small_corpus])
    embedder.embedded.clear()
    second = ingestor.ingest([small_corpus])
    assert not second.changed
    assert second.unchanged == 5
    assert embedder.embedded == []
    assert IndexStore(settings.index_dir).current_version() == first.version


def test_changed_document_is_the_only_one_reembedded(settings, small_corpus, embedder):
    ingestor = Ingestor(settings, embedder)
    ingestor.ingest([small_corpus])
    embedder.embedded.clear()
    path = small_corpus / "en" / "meetings.md"
    path.write_text(path.read_text().replace("expectations", "expectations and a next date"))
    report = ingestor.ingest([small_corpus])
    assert report.updated == ["meetings.en"]
    assert report.unchanged == 4
    assert len(embedder.embedded) == 1 and "next date" in embedder.embedded[0]
    texts = [c.text for c in IndexStore(settings.index_dir).load().chunks]
    assert any("next date" in t for t in texts)


def test_removed_file_disappears_from_the_index(settings, small_corpus, embedder):
    ingestor = Ingestor(settings, embedder)
    ingestor.ingest([small_corpus])
    (small_corpus / "es" / "ferias.md").unlink()
    report = ingestor.ingest([small_corpus])
    assert report.removed == ["ferias.es"]
    data = IndexStore(settings.index_dir).load()
    assert all(c.doc_id != "ferias" for c in data.chunks)
    assert "es" not in data.bm25


def test_ingesting_another_folder_keeps_the_first(settings, small_corpus, tmp_path, embedder):
    ingestor = Ingestor(settings, embedder)
    ingestor.ingest([small_corpus])
    other = write(tmp_path / "other" / "note.txt", "Notes about export paperwork and customs forms for crafts.")
    report = ingestor.ingest([other.parent])
    assert report.added == ["note.en"]
    assert report.documents == 6


def test_bad_files_are_skipped_with_reasons_and_the_rest_ingested(settings, small_corpus, embedder):
    write(small_corpus / "empty.md", "   \n")
    write(small_corpus / "table.xlsx", "not really a spreadsheet")
    write(small_corpus / "broken.md", "---\nid: broken\ntitle: [unclosed\n---\n\n# Broken\n\nText.")
    (small_corpus / "bad.pdf").write_bytes(b"%PDF-1.4 this is not a real pdf")
    report = Ingestor(settings, embedder).ingest([small_corpus])
    reasons = {s.path.rsplit("/", 1)[-1]: s.reason for s in report.skipped}
    assert reasons["empty.md"] == "empty file"
    assert "unsupported file type '.xlsx'" in reasons["table.xlsx"]
    assert "front matter is not valid YAML at line 3" in reasons["broken.md"]
    assert "PDF" in reasons["bad.pdf"]
    assert report.documents == 5


def test_two_files_claiming_the_same_id_and_language(settings, small_corpus, embedder):
    write(small_corpus / "copy.md", guide("credit", "fr", "Copie", {"Section": "Un autre texte sur le crédit."}))
    report = Ingestor(settings, embedder).ingest([small_corpus])
    assert len(report.skipped) == 1
    assert "same id and language" in report.skipped[0].reason


def test_document_without_front_matter_gets_its_relative_path_as_id(settings, tmp_path, embedder):
    root = tmp_path / "kb"
    write(
        root / "notes" / "ventas.txt", "Para vender en línea necesitas buenas fotos y precios claros para tus clientes."
    )
    report = Ingestor(settings, embedder).ingest([root])
    assert report.added == ["notes/ventas.es"]


def test_missing_path_is_an_error_naming_it(settings, tmp_path, embedder):
    with pytest.raises(PathNotFoundError, match="does-not-exist"):
        Ingestor(settings, embedder).ingest([tmp_path / "does-not-exist"])


def test_remove_document_by_id(settings, small_corpus, embedder):
    ingestor = Ingestor(settings, embedder)
    ingestor.ingest([small_corpus])
    assert ingestor.remove("credit") == ["credit.en", "credit.fr"]
    assert ingestor.remove("meetings.fr") == ["meetings.fr"]
    data = IndexStore(settings.index_dir).load()
    assert sorted(data.documents) == ["ferias.es", "meetings.en"]
    with pytest.raises(NotFoundError, match="no document"):
        ingestor.remove("credit")


def test_crash_while_writing_leaves_the_previous_index_usable(settings, small_corpus, embedder, monkeypatch):
    ingestor = Ingestor(settings, embedder)
    first = ingestor.ingest([small_corpus])
    write(small_corpus / "en" / "new.md", guide("new", "en", "New", {"Part": "Brand new text about packaging."}))

    def crash(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(index_module.faiss, "write_index", crash)
    with pytest.raises(OSError, match="disk full"):
        ingestor.ingest([small_corpus])
    monkeypatch.undo()
    store = IndexStore(settings.index_dir)
    assert store.current_version() == first.version
    assert len(store.load().documents) == 5
    assert not list(settings.index_dir.glob("tmp-*"))  # cleaned up on the way out
    assert ingestor.ingest([small_corpus]).added == ["new.en"]


def test_leftover_temporary_folder_from_a_killed_ingest_is_ignored_then_cleaned(settings, small_corpus, embedder):
    ingestor = Ingestor(settings, embedder)
    first = ingestor.ingest([small_corpus])
    junk = settings.index_dir / "tmp-deadbeef"
    junk.mkdir()
    (junk / "chunks.jsonl").write_text("{half a line")
    store = IndexStore(settings.index_dir)
    assert store.load().version == first.version
    write(small_corpus / "en" / "x.md", guide("x", "en", "X", {"Part": "Another text about pricing."}))
    ingestor.ingest([small_corpus])
    assert not junk.exists()


def test_corrupt_index_gives_a_clear_error(settings, small_corpus, embedder):
    report = Ingestor(settings, embedder).ingest([small_corpus])
    (settings.index_dir / report.version / "vectors.npy").write_bytes(b"garbage")
    with pytest.raises(IndexCorruptError, match="mentor ingest"):
        IndexStore(settings.index_dir).load()
    # A corrupt index is rebuilt from scratch by the next ingest instead of blocking it.
    rebuilt = Ingestor(settings, embedder).ingest([small_corpus])
    assert rebuilt.documents == 5
    assert IndexStore(settings.index_dir).load().version == rebuilt.version


def test_vectors_load_without_pickle(settings, small_corpus, embedder):
    report = Ingestor(settings, embedder).ingest([small_corpus])
    vectors = np.load(settings.index_dir / report.version / "vectors.npy", allow_pickle=False)
    assert vectors.dtype == np.float32


def test_loading_before_any_ingest(settings):
    with pytest.raises(NotIndexedError, match="mentor ingest"):
        IndexStore(settings.index_dir).load()


def test_changing_the_embedding_model_rebuilds_everything(settings, small_corpus, embedder):
    Ingestor(settings, embedder).ingest([small_corpus])
    other = CountingEmbedder()
    other.name = "hash-other"
    report = Ingestor(settings, other).ingest([small_corpus])
    assert len(report.added) == 5
    assert IndexStore(settings.index_dir).load().model == "hash-other"
