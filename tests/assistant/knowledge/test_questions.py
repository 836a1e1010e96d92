"""Section questions: read beside the guides, stored in the index with their chunk rows, used by retrieval; a bad
question file is reported and left out, never stopping the ingest (fast, hash embedder)."""

from __future__ import annotations

import json

import numpy as np
import pytest

from assistant.embeddings import HashEmbedder
from assistant.errors import IndexCorruptError
from assistant.knowledge.ingest import Ingestor
from assistant.knowledge.questions import best_per_chunk, question_file, read_questions
from assistant.retrieval.index import IndexStore
from assistant.retrieval.search import Retriever
from tests.conftest import write

CREDIT_EN = """\
"Preparing a loan file":
  - "What goes in a loan application?"
  - "The bank wants papers from me, which ones?"
"Savings groups":
  - "Can a tontine lend me money without a guarantee?"
"""


@pytest.fixture
def questions(small_corpus):
    return write(small_corpus.parent / "questions" / "en" / "credit.yaml", CREDIT_EN)


def ingest(settings, corpus):
    return Ingestor(settings, HashEmbedder()).ingest([corpus])


def test_a_guide_s_questions_file_sits_beside_the_guides_folder(small_corpus):
    entry = {"format": "markdown", "source": str(small_corpus / "en" / "credit.md"), "lang": "en", "doc_id": "credit"}
    assert question_file(entry) == small_corpus.parent / "questions" / "en" / "credit.yaml"
    assert question_file({**entry, "format": "docx"}) is None  # an upload lists none


def test_reading_questions_keeps_each_section_s_list(questions):
    table = read_questions(questions)
    assert table["Preparing a loan file"] == [
        "What goes in a loan application?",
        "The bank wants papers from me, which ones?",
    ]
    assert list(table) == ["Preparing a loan file", "Savings groups"]


@pytest.mark.parametrize(
    ("text", "said"),
    [
        ("- just a list\n", "not a mapping"),
        ('"Savings groups": "one question, not a list"\n', "does not map to a list"),
        ('"Savings groups":\n  - 42\n', "not a question"),
        ('"Savings groups": [unclosed\n', "cannot be read"),
    ],
)
def test_a_malformed_questions_file_says_what_is_wrong(tmp_path, text, said):
    with pytest.raises(ValueError, match=said):
        read_questions(write(tmp_path / "q.yaml", text))


def test_ingest_stores_each_question_with_the_chunk_of_its_section(settings, small_corpus, questions):
    report = ingest(settings, small_corpus)
    assert report.questions == 3 and not report.question_problems
    data = IndexStore(settings.index_dir).load()
    assert len(data.question_texts) == len(data.question_rows) == len(data.question_vectors) == 3
    for text, row in zip(data.question_texts, data.question_rows.tolist(), strict=True):
        chunk = data.chunks[row]
        assert (chunk.doc_key, chunk.heading in read_questions(questions)) == ("credit.en", True)
        assert text in read_questions(questions)[chunk.heading]
    expected = HashEmbedder().embed_batch(data.question_texts)  # the hash fake's query prompt is empty
    assert np.allclose(data.question_vectors, expected, atol=1e-6)


def test_a_question_file_naming_a_missing_section_is_reported_and_the_rest_kept(settings, small_corpus, questions):
    write(questions, CREDIT_EN + '"A section that was renamed":\n  - "Where did it go?"\n')
    report = ingest(settings, small_corpus)
    assert report.questions == 3
    assert "no section of the guide is headed 'A section that was renamed'" in report.question_problems[0]
    assert "questions/en/credit.yaml" in report.question_problems[0] and str(small_corpus) not in report.to_dict()


def test_a_broken_question_file_leaves_its_guide_indexed(settings, small_corpus, questions):
    write(questions, "- not: [a mapping\n")
    report = ingest(settings, small_corpus)
    assert report.questions == 0 and "credit.en" in report.added
    assert "questions/en/credit.yaml cannot be read" in report.question_problems[0]
    assert "searched without it" in report.question_problems[0]


def test_changing_only_a_question_file_writes_a_new_version(settings, small_corpus, questions):
    first = ingest(settings, small_corpus)
    again = ingest(settings, small_corpus)
    assert not again.changed and again.questions == 3 and not again.questions_changed  # nothing to do
    write(questions, CREDIT_EN + '  - "Is a savings group safe?"\n')
    changed = ingest(settings, small_corpus)
    assert changed.changed and changed.questions_changed and changed.version != first.version
    assert changed.to_dict()["questions_changed"] and not changed.added + changed.updated
    assert "Is a savings group safe?" in IndexStore(settings.index_dir).load().question_texts


def test_removing_a_document_keeps_the_others_questions_on_their_chunks(settings, small_corpus, questions):
    write(
        small_corpus.parent / "questions" / "fr" / "meetings.yaml",
        '"Ordre du jour":\n  - "On se prépare comment ?"\n',
    )
    ingest(settings, small_corpus)
    Ingestor(settings, HashEmbedder()).remove("credit")
    data = IndexStore(settings.index_dir).load()
    assert data.question_texts == ["On se prépare comment ?"]
    assert data.chunks[int(data.question_rows[0])].heading == "Ordre du jour"


def test_an_index_version_without_questions_still_loads(settings, small_corpus):
    ingest(settings, small_corpus)
    data = IndexStore(settings.index_dir).load()
    assert data.question_texts == [] and data.question_vectors is None


def test_questions_out_of_step_with_their_vectors_are_a_corrupt_version(settings, small_corpus, questions):
    ingest(settings, small_corpus)
    store = IndexStore(settings.index_dir)
    folder = settings.index_dir / store.current_version()
    stored = json.loads((folder / "questions.json").read_text(encoding="utf-8"))
    stored["rows"][0] = 10_000  # a chunk the version does not hold
    (folder / "questions.json").write_text(json.dumps(stored), encoding="utf-8")
    with pytest.raises(IndexCorruptError, match="questions of chunks it does not hold"):
        store.load()
    np.save(folder / "questions.npy", np.zeros((1, 8), dtype=np.float32))
    with pytest.raises(IndexCorruptError, match="out of step"):
        store.load()


def test_a_message_in_a_question_s_words_finds_that_section(settings, small_corpus, questions):
    """The hash fake's vectors are bags of words: the message shares words with a question, none with the passage."""
    ingest(settings, small_corpus)
    data = IndexStore(settings.index_dir).load()
    retriever = Retriever(data, HashEmbedder(), settings)
    hits = retriever.search("the bank wants papers from me", k=3, lang="en", mode="dense").hits
    assert (hits[0].chunk.heading, hits[0].asked is not None) == ("Preparing a loan file", True)
    assert hits[0].asked > hits[0].dense  # the question, not the passage, brought it


def test_each_chunk_takes_its_closest_question():
    best = best_per_chunk(np.array([0.2, 0.9, 0.4]), np.array([0, 0, 2]), 4)
    assert best.tolist() == pytest.approx([0.9, -1.0, 0.4, -1.0])
