"""Candidate evaluation cases from thumbs-down answers and content gaps; reviewing and promoting them to the
evaluation dataset (a real SQLite store, datasets in tmp_path)."""

from __future__ import annotations

import io
import json
import re
import time
from pathlib import Path

import pytest

from assistant.answering.types import Answer, Citation
from assistant.errors import InputError
from assistant.eval_cases import (
    DATASET_KEYS,
    candidate_cases,
    candidate_id,
    export_candidates,
    promote_case,
    validate_case,
    write_candidates,
)
from assistant.storage import Database, Store

PHONE = "+22177000111"  # a WhatsApp user id: personal data that must never reach a candidate


@pytest.fixture
def store(tmp_path: Path):
    database = Database(f"sqlite:///{tmp_path / 'mentor.db'}")
    database.migrate()
    yield Store(database)
    database.dispose()


@pytest.fixture
def datasets(tmp_path: Path) -> Path:
    folder = tmp_path / "datasets"
    folder.mkdir()
    return folder


def thumbs_down(store: Store, question: str, language: str = "en", doc_ids=("credit",), comment=None, person=None):
    citations = [Citation(n, d, f"{d}.{language}#a-1", d.title(), language, "...") for n, d in enumerate(doc_ids, 1)]
    answer = Answer(question, language, f"Shown answer to {question} [1].", False, citations)
    answer_id = store.record_answer(answer, "whatsapp" if person else "api", person)
    store.add_feedback(answer_id, -1, comment)
    return answer_id


def by_question(candidates: list[dict]) -> dict[str, dict]:
    return {c["question"]: c for c in candidates}


# -- candidates ----------------------------------------------------------------------------------------------------


def test_thumbs_down_and_gaps_become_cases_in_the_dataset_format(store, datasets):
    thumbs_down(store, "How do I get a loan?", doc_ids=("credit", "savings", "credit"), comment="Too vague")
    store.record_gap("What time does the Lima office open?", "en", {"dense": 0.1})
    found = by_question(candidate_cases(store, datasets_dir=datasets))
    down, gap = found["How do I get a loan?"], found["What time does the Lima office open?"]
    for case in (down, gap):
        assert list(case) == [*DATASET_KEYS, "review"]
        assert re.fullmatch(r"en-candidate-[0-9a-f]{8}", case["id"])
        assert case["key_facts"] == []
    assert down["id"] == candidate_id("en", "How do I get a loan?")
    assert down["relevant_doc_ids"] == ["credit", "savings"] and down["answerable"] is True
    assert down["review"]["source"] == "thumbs_down" and down["review"]["count"] == 1
    assert down["review"]["answer"] == "Shown answer to How do I get a loan? [1]."
    assert down["review"]["comment"] == "Too vague"
    assert gap["relevant_doc_ids"] == [] and gap["answerable"] is False
    assert gap["review"]["source"] == "content_gap" and "answer" not in gap["review"]
    assert gap["review"]["last_seen"].startswith("20")


def test_same_question_is_grouped_and_counted_most_frequent_first(store, datasets):
    store.record_gap("Where is the office?", "en", {})
    time.sleep(0.01)
    wordings = (
        "how do I export coffee to Japan",
        "How do I export  coffee to JAPAN?",
        "How do I export coffee to Japan?",
    )
    for wording in wordings:
        store.record_gap(wording, "en", {})
        time.sleep(0.01)
    store.record_gap("¿Cómo exporto café a Japón?", "es", {})
    store.record_gap("como exporto cafe a japon", "es", {})
    time.sleep(0.01)
    thumbs_down(store, "Need a loan", comment="wrong")
    thumbs_down(store, "need a LOAN!", comment=None)
    cases = candidate_cases(store, datasets_dir=datasets)
    # Most frequent first; equal counts, the most recently seen first.
    assert [(c["language"], c["review"]["count"]) for c in cases] == [("en", 3), ("en", 2), ("es", 2), ("en", 1)]
    assert cases[0]["question"] == "How do I export coffee to Japan?"  # the newest wording
    assert cases[1]["review"]["source"] == "thumbs_down" and cases[1]["review"]["comment"] == "wrong"
    assert cases[1]["question"] == "need a LOAN!" and cases[1]["review"]["answer"].startswith("Shown answer to need")
    assert cases[2]["question"] == "como exporto cafe a japon"  # accents ignored when grouping
    store.record_gap("Where is the office", "en", {})
    cases = candidate_cases(store, datasets_dir=datasets)
    assert [c["question"] for c in cases[1:3]] == ["Where is the office", "need a LOAN!"]
    assert len(candidate_cases(store, limit=2, datasets_dir=datasets)) == 2


def test_a_question_in_two_languages_is_two_candidates(store, datasets):
    store.record_gap("taxi", "fr", {})
    store.record_gap("taxi", "es", {})
    cases = candidate_cases(store, datasets_dir=datasets)
    assert sorted(c["language"] for c in cases) == ["es", "fr"]
    assert len({c["id"] for c in cases}) == 2


def test_no_participant_or_channel_user_id_in_a_candidate(store, datasets):
    person = store.give_consent("whatsapp", PHONE, language="fr")
    answer_id = thumbs_down(store, "Comment obtenir un prêt ?", "fr", comment="pas clair", person=person.id)
    store.record_gap("Quel est le numéro du bureau ?", "fr", {"dense": 0.2})
    cases = candidate_cases(store, datasets_dir=datasets)
    assert len(cases) == 2
    dumped = json.dumps(cases, ensure_ascii=False)
    for secret in (person.id, PHONE, answer_id, "whatsapp"):
        assert secret not in dumped
    assert all(set(c["review"]) <= {"source", "count", "last_seen", "answer", "comment", "content_gaps"} for c in cases)


def test_questions_already_in_the_datasets_are_left_out(store, datasets):
    (datasets / "parts").mkdir()
    (datasets / "parts" / "group-a.jsonl").write_text(
        json.dumps({"id": "en-x-01", "question": "How do I get a LOAN", "language": "en"}) + "\n\nnot json\n",
        encoding="utf-8",
    )
    (datasets / "judgements.jsonl").write_text('{"id": "en-x-01", "doc_id": "credit", "quote": "q"}\n')
    thumbs_down(store, "how do I get a loan?")
    store.record_gap("How do I get a loan?", "fr", {})  # same words, another language: still a candidate
    store.record_gap("Is there a bus?", "en", {})
    cases = candidate_cases(store, datasets_dir=datasets)
    assert sorted((c["question"], c["language"]) for c in cases) == [
        ("How do I get a loan?", "fr"),
        ("Is there a bus?", "en"),
    ]


def test_write_candidates_round_trips_jsonl(store, datasets, tmp_path):
    thumbs_down(store, "¿Cómo consigo un préstamo?", "es", comment="no sirvió")
    store.record_gap("Où est le bureau ?", "fr", {})
    cases = candidate_cases(store, datasets_dir=datasets)
    stream = io.StringIO()
    assert write_candidates(cases, stream) == 2
    text = stream.getvalue()
    assert "préstamo" in text and "\\u" not in text  # not ASCII-escaped
    assert [json.loads(line) for line in text.splitlines()] == cases
    out = tmp_path / "candidates.jsonl"
    assert export_candidates(store, out, datasets_dir=datasets) == 2
    assert [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()] == cases
    assert write_candidates([], io.StringIO()) == 0


# -- validation ------------------------------------------------------------------------------------------------------

DOCUMENTS = {
    ("credit", "en"): "# Access to credit\n\nKeep **cash-flow records** for 6 months before asking a bank.",
    ("credit", "fr"): "# Accès au crédit\n\nTenez vos registres de trésorerie pendant 6 mois.",
    ("meetings", "en"): "# First meeting\n\nMeet for 45 minutes and agree on three goals.",
}


def good_case(**changes) -> dict:
    case = {
        "id": "en-credit-review-01",
        "question": "  how long should I keep records before the bank?  ",
        "language": "en",
        "relevant_doc_ids": ["credit", "meetings"],
        "answerable": True,
        "key_facts": ["6 MONTHS", " cash-flow records"],
        "review": {"source": "thumbs_down", "count": 2},
    }
    return {**case, **changes}


def test_a_good_case_is_cleaned_to_the_six_keys():
    cleaned = validate_case(good_case(), DOCUMENTS)
    assert cleaned == {
        "id": "en-credit-review-01",
        "question": "how long should I keep records before the bank?",
        "language": "en",
        "relevant_doc_ids": ["credit", "meetings"],
        "answerable": True,
        "key_facts": ["6 MONTHS", "cash-flow records"],
    }
    unanswerable = good_case(id="fr-candidate-0a1b2c3d", language="fr", relevant_doc_ids=[], answerable=False,
                             key_facts=[])  # fmt: skip
    assert validate_case(unanswerable, DOCUMENTS)["answerable"] is False


def rejects(case: dict, field: str, words: str = "") -> str:
    with pytest.raises(InputError) as caught:
        validate_case(case, DOCUMENTS)
    message = str(caught.value)
    assert message.startswith(f"{field}:"), message
    assert words in message
    return message


def test_the_question_must_not_be_empty():
    rejects(good_case(question="   "), "question", "empty")
    rejects(good_case(question=None), "question")


def test_the_question_is_at_most_500_characters():
    rejects(good_case(question="x" * 501), "question", "500")
    assert validate_case(good_case(question="records " + "y" * 492), DOCUMENTS)


def test_the_language_is_one_of_fr_es_en():
    rejects(good_case(language="de"), "language", "'de'")


@pytest.mark.parametrize("bad", ["EN-credit", "en_credit", "en-", "english-credit", "en-crédit", "", 7])
def test_the_id_has_the_dataset_shape(bad):
    rejects(good_case(id=bad), "id")


def test_the_id_starts_with_its_language():
    rejects(good_case(id="fr-credit-review-01"), "id", "'en-'")


def test_relevant_doc_ids_must_be_known_documents():
    rejects(good_case(relevant_doc_ids=["credit", "no-such-guide"]), "relevant_doc_ids", "no-such-guide")
    rejects(good_case(relevant_doc_ids="credit"), "relevant_doc_ids")


def test_relevant_doc_ids_must_exist_in_the_case_language():
    case = good_case(id="fr-x-01", language="fr", relevant_doc_ids=["meetings"], key_facts=["45"])
    rejects(case, "relevant_doc_ids", "no fr version")


def test_answerable_must_be_a_boolean():
    rejects(good_case(answerable="yes"), "answerable")


def test_an_answerable_case_needs_a_relevant_guide():
    rejects(good_case(relevant_doc_ids=[]), "relevant_doc_ids", "at least one")


@pytest.mark.parametrize("facts", [[], ["6 months", "records", "bank", "cash-flow"]])
def test_an_answerable_case_needs_one_to_three_key_facts(facts):
    rejects(good_case(key_facts=facts), "key_facts", "1 to 3")


def test_key_facts_must_occur_in_a_relevant_guide_in_the_case_language():
    rejects(good_case(key_facts=["6 months", "12 months"]), "key_facts", "'12 months'")
    # In the guide, but in another language's version:
    rejects(good_case(key_facts=["registres de trésorerie"]), "key_facts", "registres")
    # In a guide, but not a relevant one:
    rejects(good_case(relevant_doc_ids=["credit"], key_facts=["45 minutes"]), "key_facts", "45 minutes")
    rejects(good_case(key_facts=["", "6 months"]), "key_facts", "empty")


def test_an_unanswerable_case_has_no_relevant_guides_or_key_facts():
    rejects(good_case(answerable=False, key_facts=[]), "relevant_doc_ids", "unanswerable")
    rejects(good_case(answerable=False, relevant_doc_ids=[]), "key_facts", "unanswerable")


def test_a_missing_field_is_named():
    case = good_case()
    del case["key_facts"]
    rejects(case, "key_facts", "required")
    with pytest.raises(InputError, match=r"^case:"):
        validate_case(["not", "a", "dict"], DOCUMENTS)  # type: ignore[arg-type]


# -- promotion ---------------------------------------------------------------------------------------------------


def snapshot(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*.jsonl"))}


def test_promote_appends_to_the_part_and_to_the_set(datasets):
    (datasets / "questions.jsonl").write_text('{"id": "en-old-01", "question": "old", "language": "en"}', "utf-8")
    case = validate_case(good_case(question="¿Cuánto tiempo? records", id="en-credit-review-01"), DOCUMENTS)
    written = promote_case(case, datasets)
    assert written == datasets / "parts" / "reviewed.jsonl"
    line = json.dumps(case, ensure_ascii=False)
    assert written.read_text(encoding="utf-8") == line + "\n"
    assert "¿Cuánto" in line
    questions = (datasets / "questions.jsonl").read_text(encoding="utf-8").splitlines()
    assert [json.loads(q)["id"] for q in questions] == ["en-old-01", "en-credit-review-01"]  # newline added first
    second = validate_case(good_case(id="en-credit-review-02", question="another one"), DOCUMENTS)
    promote_case(second, datasets)
    assert len(written.read_text(encoding="utf-8").splitlines()) == 2
    assert (datasets / ".promote.lock").exists()


def test_promote_refuses_a_duplicate_id_and_leaves_the_files_unchanged(datasets):
    promote_case(validate_case(good_case(), DOCUMENTS), datasets)
    before = snapshot(datasets)
    with pytest.raises(InputError, match=r"^id:.*already"):
        promote_case(validate_case(good_case(question="a different question"), DOCUMENTS), datasets)
    assert snapshot(datasets) == before


def test_promote_refuses_a_question_already_there_in_that_language(datasets):
    (datasets / "questions.jsonl").write_text(
        json.dumps(
            {"id": "en-group-01", "question": "How long should I keep RECORDS before the bank", "language": "en"}
        )
        + "\n",
        encoding="utf-8",
    )
    before = snapshot(datasets)
    with pytest.raises(InputError, match=r"^question:.*en-group-01"):
        promote_case(validate_case(good_case(), DOCUMENTS), datasets)
    assert snapshot(datasets) == before and not (datasets / "parts").exists()
    french = good_case(id="fr-x-01", language="fr", relevant_doc_ids=["credit"], key_facts=["6 mois"])
    promote_case(validate_case(french, DOCUMENTS), datasets)  # the same words in French are a new case


def test_promote_checks_the_format_before_writing(datasets):
    with pytest.raises(InputError, match=r"^language:"):
        promote_case(good_case(language="xx"), datasets)
    assert snapshot(datasets) == {}


def test_promote_leaves_nothing_partial_when_a_write_fails(datasets, monkeypatch):
    from assistant import eval_cases

    (datasets / "questions.jsonl").write_text('{"id": "en-old-01", "question": "old", "language": "en"}\n', "utf-8")
    before = snapshot(datasets)
    real = eval_cases._append

    def fail_on_the_set(path: Path, line: str) -> None:
        if path.name == "questions.jsonl":
            raise OSError("disk full")
        real(path, line)

    monkeypatch.setattr(eval_cases, "_append", fail_on_the_set)
    with pytest.raises(OSError):
        promote_case(validate_case(good_case(), DOCUMENTS), datasets)
    assert snapshot(datasets) == before
