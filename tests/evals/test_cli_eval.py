"""`mentor eval ...` end to end: the reports, the exit codes, the clear errors.

Fast tests use the hash embedder over the small corpus; the integration test runs the four configurations
with the real bundled model over a slice of the real knowledge base."""

from __future__ import annotations

import json
import re
import shutil
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from typer.testing import CliRunner

from assistant.answering.types import Answer, Citation
from assistant.cli import app
from assistant.config import Settings
from assistant.embeddings.e5_model import WEIGHTS_SHA256
from assistant.storage import Database, Store
from tests.conftest import GUIDES

runner = CliRunner()
HASH = {"MENTOR_EMBEDDING_MODEL": "hash"}
FILES = {"report.json", "report.md", "report.html", "junit.xml", "failures.jsonl", "cases.jsonl"}


def mentor(*args: str, data_dir: Path, env=HASH):
    return runner.invoke(app, ["--data-dir", str(data_dir), *args], env=env)


def dataset(path: Path, cases: list[dict]) -> Path:
    path.write_text("".join(json.dumps(c, ensure_ascii=False) + "\n" for c in cases), encoding="utf-8")
    return path


SMALL_CASES = [
    {"id": "fr-credit-01", "question": "comment préparer un dossier de prêt pour un crédit", "language": "fr",
     "relevant_doc_ids": ["credit"], "answerable": True, "key_facts": ["dossier de prêt"]},
    {"id": "en-credit-01", "question": "how do savings groups help women without collateral", "language": "en",
     "relevant_doc_ids": ["credit"], "answerable": True, "key_facts": ["microfinance"]},
    {"id": "en-meetings-01", "question": "what happens at the first meeting of the pair", "language": "en",
     "relevant_doc_ids": ["meetings"], "answerable": True, "key_facts": ["expectations"]},
    {"id": "en-out-01", "question": "best recipe for chocolate cake", "language": "en",
     "relevant_doc_ids": [], "answerable": False, "key_facts": []},
]  # fmt: skip


@pytest.fixture
def small_dataset(tmp_path) -> Path:
    return dataset(tmp_path / "cases.jsonl", SMALL_CASES)


def test_eval_run_writes_every_report_and_a_summary(tmp_path, small_corpus, small_dataset):
    folder = tmp_path / "report"
    result = mentor("eval", "run", "--kb", str(small_corpus), "--dataset", str(small_dataset), "--report",
                    str(folder), data_dir=tmp_path / "data")  # fmt: skip
    assert result.exit_code == 0, result.output
    assert {p.name for p in folder.iterdir()} == FILES
    report = json.loads((folder / "report.json").read_text())
    assert list(report["configs"]) == ["hybrid", "bm25", "dense", "langchain-naive"]
    hybrid = report["configs"]["hybrid"]
    for metric in (
        "hit@5",
        "recall@5",
        "mrr@10",
        "ndcg@10",
        "language_match",
        "key_fact_recall",
        "citation_precision",
        "abstain_precision",
        "abstain_recall",
        "errors",
        "latency_p95_ms",
    ):
        assert metric in hybrid["overall"], metric  # fmt: skip
    assert set(hybrid["by_language"]) == {"fr", "en"}
    assert set(hybrid["by_pair"]["en"]) == {"fr", "en", "es"}  # the corpus has three languages
    assert hybrid["intervals"]["overall"]["hit@5"][0] <= hybrid["overall"]["hit@5"]
    assert set(report["hashes"]) == {"dataset", "knowledge_base", "model", "configs"}
    assert report["hashes"]["configs"]["hybrid"] != report["hashes"]["configs"]["bm25"]
    rows = [json.loads(line) for line in (folder / "cases.jsonl").read_text().splitlines()]
    assert len(rows) == 4 * len(SMALL_CASES)
    assert {r["config"] for r in rows} == set(report["configs"])
    # Dense search ranks every document of the corpus; BM25 only those sharing a term with the question.
    assert all(len(r["retrieved_doc_ids"]) == 3 for r in rows if r["config"] != "bm25")
    assert all(1 <= len(r["retrieved_doc_ids"]) <= 3 for r in rows if r["config"] == "bm25" and r["answerable"])
    junit = ET.parse(folder / "junit.xml").getroot()
    assert sum(int(s.get("tests")) for s in junit.iter("testsuite") if s.get("name") != "eval.checks") == len(rows)
    assert "hybrid" in result.stdout and "langchain-naive" in result.stdout and "hit@5" in result.stdout
    assert str(folder) in result.stdout.replace("\n", "")


def test_the_same_run_gives_the_same_numbers(tmp_path, small_corpus, small_dataset):
    figures = []
    for n in range(2):
        folder = tmp_path / f"r{n}"
        result = mentor("eval", "run", "--kb", str(small_corpus), "--dataset", str(small_dataset), "--config",
                        "hybrid", "--report", str(folder), data_dir=tmp_path / "data")  # fmt: skip
        assert result.exit_code == 0, result.output
        section = json.loads((folder / "report.json").read_text())["configs"]["hybrid"]
        for name in ("latency_p50_ms", "latency_p95_ms"):
            section["overall"].pop(name)
            for lang in section["by_language"].values():
                lang.pop(name)
            for row in section["by_pair"].values():
                for cell in row.values():
                    cell.pop(name)
        figures.append(section)
    assert figures[0] == figures[1]


def test_documents_without_front_matter_get_their_path_as_doc_id(tmp_path):
    kb = tmp_path / "kb"
    (kb / "notes").mkdir(parents=True)
    (kb / "notes" / "tontine.md").write_text(
        "# Tontines\n\nA tontine is a rotating savings group where each member receives the pot in turn.\n"
    )
    (kb / "weather.txt").write_text("The rainy season brings heavy storms and flooded roads in October.\n")
    data = dataset(tmp_path / "d.jsonl", [
        {"id": "en-t-01", "question": "what is a tontine rotating savings group", "language": "en",
         "relevant_doc_ids": ["notes/tontine"], "answerable": True, "key_facts": ["pot"]},
    ])  # fmt: skip
    folder = tmp_path / "report"
    result = mentor("eval", "run", "--kb", str(kb), "--dataset", str(data), "--config", "bm25", "--config",
                    "langchain-naive", "--report", str(folder), data_dir=tmp_path / "data")  # fmt: skip
    assert result.exit_code == 0, result.output
    rows = [json.loads(line) for line in (folder / "cases.jsonl").read_text().splitlines()]
    assert [r["retrieved_doc_ids"][0] for r in rows] == ["notes/tontine", "notes/tontine"]
    assert "warning" not in result.stderr


def test_relevant_ids_missing_from_the_knowledge_base_are_warned_about(tmp_path, small_corpus):
    data = dataset(tmp_path / "d.jsonl", [{**SMALL_CASES[0], "relevant_doc_ids": ["credit", "no-such-guide"]}])
    result = mentor("eval", "run", "--kb", str(small_corpus), "--dataset", str(data), "--config", "bm25",
                    "--no-cross-language", "--report", str(tmp_path / "r"), data_dir=tmp_path / "data")  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "no-such-guide" in result.stderr and "warning" in result.stderr


def test_a_bound_below_the_measured_value_fails_the_run_and_keeps_the_reports(tmp_path, small_corpus, small_dataset):
    folder = tmp_path / "report"
    result = mentor("eval", "run", "--kb", str(small_corpus), "--dataset", str(small_dataset), "--config", "bm25",
                    "--no-cross-language", "--fail-under", "bm25:hit@1=1.01", "--fail-under", "hit@10=0",
                    "--fail-over", "errors=0", "--report", str(folder), data_dir=tmp_path / "data")  # fmt: skip
    assert result.exit_code == 1
    assert "below bound: bm25:hit@1>=1.01" in result.stderr
    checks = {c["bound"]: c["passed"] for c in json.loads((folder / "report.json").read_text())["checks"]}
    assert checks["bm25:hit@1>=1.01"] is False
    assert checks["bm25:hit@10>=0"] is True and checks["bm25:errors<=0"] is True
    assert (folder / "junit.xml").exists()


def test_a_baseline_run_adds_differences_and_paired_tests(tmp_path, small_corpus, small_dataset):
    args = ["eval", "run", "--kb", str(small_corpus), "--dataset", str(small_dataset), "--config", "hybrid",
            "--config", "dense", "--no-cross-language"]  # fmt: skip
    assert mentor(*args, "--report", str(tmp_path / "before"), data_dir=tmp_path / "data").exit_code == 0
    result = mentor(*args, "--report", str(tmp_path / "after"), "--baseline", str(tmp_path / "before"),
                    data_dir=tmp_path / "data")  # fmt: skip
    assert result.exit_code == 0, result.output
    report = json.loads((tmp_path / "after" / "report.json").read_text())
    entry = report["baseline"]["diffs"]["hybrid"]["mrr@10"]
    assert entry["delta"] == 0 and entry["p_value"] == 1.0 and entry["pairs"] == 3
    assert report["baseline"]["same_dataset"] is True
    assert "Baseline" in (tmp_path / "after" / "report.md").read_text()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--config", "bm26"], "unknown configuration 'bm26'"),
        (["--fail-under", "hit@5"], "write METRIC=VALUE"),
        (["--baseline", "/nowhere/at/all"], "no report.json"),
        (["--kb", "/nowhere/at/all"], "knowledge base not found"),
        (["--judge"], "--judge needs a chat model"),
    ],
)
def test_bad_options_are_one_clear_line_and_no_report(tmp_path, small_corpus, small_dataset, args, message):
    folder = tmp_path / "report"
    full = ["eval", "run", "--dataset", str(small_dataset), "--report", str(folder)]
    if "--kb" not in args:
        full += ["--kb", str(small_corpus)]
    result = mentor(*full, *args, data_dir=tmp_path / "data")
    assert result.exit_code == 2
    assert message in result.stderr
    assert not folder.exists()


def test_a_bad_dataset_names_its_lines(tmp_path, small_corpus):
    bad = tmp_path / "bad.jsonl"
    bad.write_text(json.dumps(SMALL_CASES[0]) + "\n{oops\n")
    result = mentor("eval", "run", "--kb", str(small_corpus), "--dataset", str(bad), data_dir=tmp_path / "data")
    assert result.exit_code == 2
    assert "line 2: not valid JSON" in result.stderr


def test_export_feedback_writes_candidate_cases(tmp_path):
    data = tmp_path / "data"
    settings = Settings(data_dir=data, _env_file=None)
    database = Database(settings.database)
    database.migrate()
    store = Store(database)
    citations = [Citation(1, "access-to-credit", "access-to-credit.en#a-1", "Credit", "en", "...")]
    answer_id = store.record_answer(Answer("how to get a loan", "en", "An answer [1].", False, citations), "api", None)
    store.add_feedback(answer_id, -1, "not what I asked")
    store.record_gap("when is the next cohort", "en", {"dense": 0.1})
    database.dispose()
    out = tmp_path / "candidates.jsonl"
    result = mentor("eval", "export-feedback", "--out", str(out), data_dir=data)
    assert result.exit_code == 0, result.output
    cases = {c["question"]: c for c in map(json.loads, out.read_text().splitlines())}
    assert cases["how to get a loan"]["relevant_doc_ids"] == ["access-to-credit"]
    assert cases["when is the next cohort"]["answerable"] is False
    assert "2 candidate case(s)" in result.stdout
    printed = mentor("eval", "export-feedback", data_dir=data)
    assert len(printed.stdout.splitlines()) == 2


def test_eval_matching_prints_and_writes_the_figures(tmp_path):
    result = mentor("eval", "matching", "--report", str(tmp_path / "m"), data_dir=tmp_path / "data")
    assert result.exit_code == 0, result.output
    figures = json.loads((tmp_path / "m" / "matching.json").read_text())
    assert {"ours", "random", "one_directional", "checks"} <= set(figures)
    assert "match_rate" in result.stdout


@pytest.mark.integration
def test_the_four_configurations_on_the_real_model(tmp_path):
    """A slice of the real knowledge base and dataset, the real default model, every configuration."""
    kb = tmp_path / "kb"
    wanted = ("access-to-credit", "first-meeting-agenda", "reciprocal-mentoring", "programme-overview")
    for lang in ("fr", "es", "en"):
        for path in (GUIDES / lang).glob("*.md"):
            if any(f"id: {doc_id}\n" in path.read_text(encoding="utf-8") for doc_id in wanted):
                (kb / lang).mkdir(parents=True, exist_ok=True)
                shutil.copy(path, kb / lang / path.name)
    from evals.dataset import DEFAULT_DATASET

    bundled = [json.loads(line) for line in DEFAULT_DATASET.read_text(encoding="utf-8").splitlines()]
    chosen = [c for c in bundled if c["answerable"] and set(c["relevant_doc_ids"]) <= set(wanted)][:12]
    chosen += [c for c in bundled if not c["answerable"]][:3]
    data = dataset(tmp_path / "d.jsonl", chosen)
    folder = tmp_path / "report"
    result = mentor("eval", "run", "--kb", str(kb), "--dataset", str(data), "--report", str(folder),
                    "--fail-under", "hybrid:hit@5=0.8", data_dir=tmp_path / "data", env={})  # fmt: skip
    assert result.exit_code == 0, result.output
    report = json.loads((folder / "report.json").read_text())
    assert report["hashes"]["model"] == f"multilingual-e5-small sha256:{WEIGHTS_SHA256}"  # the checked weights
    for name, section in report["configs"].items():
        assert section["overall"]["errors"] == 0, name
        assert section["overall"]["unretrieved_citations"] == 0, name
        assert set(section["by_pair"]["es"]) == {"fr", "es", "en"}, name
    assert report["configs"]["langchain-naive"]["overall"]["abstain_recall"] == 0.0  # it never abstains
    assert report["configs"]["hybrid"]["overall"]["abstain_recall"] > 0.0
    html = (folder / "report.html").read_text()
    assert html.count("<svg") >= 2
    assert not re.search(r"""(src|href)=["']https?:""", html)  # self-contained


def test_match_report_and_eval_matching_give_the_same_figures(tmp_path):
    direct = mentor("match", "report", "--json", data_dir=tmp_path / "data")
    via_eval = mentor("eval", "matching", "--json", data_dir=tmp_path / "data")
    assert direct.exit_code == 0 and via_eval.exit_code == 0, direct.output + via_eval.output
    figures = [json.loads(r.stdout) for r in (direct, via_eval)]
    for f in figures:
        f["checks"]["solver"].pop("seconds")  # the solver's wall time differs run to run
    assert figures[0] == figures[1]
    assert json.loads(direct.stdout)["ours"]["language_violations"] == 0


def test_eval_matching_with_a_missing_cohort_file_is_a_clear_error(tmp_path):
    result = mentor("eval", "matching", "--profiles", str(tmp_path / "none.jsonl"), data_dir=tmp_path / "data")
    assert result.exit_code != 0
    assert "none.jsonl" in result.stderr


def test_eval_run_reads_the_promoted_cases_of_the_configured_datasets_folder(tmp_path, small_corpus):
    """Staff promote cases into MENTOR_EVAL_DATASETS_DIR (the console's Eval cases page); `eval run` without
    --dataset evaluates that folder's questions.jsonl, promoted cases included."""
    from assistant.eval_cases import promote_case

    datasets = tmp_path / "datasets"
    datasets.mkdir()
    dataset(datasets / "questions.jsonl", SMALL_CASES[:2])
    promoted = {"id": "en-meetings-02", "question": "what do we agree on at the first meeting", "language": "en",
                "relevant_doc_ids": ["meetings"], "answerable": True, "key_facts": ["expectations"]}  # fmt: skip
    promote_case(promoted, datasets)
    folder = tmp_path / "report"
    env = {**HASH, "MENTOR_EVAL_DATASETS_DIR": str(datasets)}
    result = mentor("eval", "run", "--kb", str(small_corpus), "--config", "bm25", "--no-cross-language",
                    "--report", str(folder), data_dir=tmp_path / "data", env=env)  # fmt: skip
    assert result.exit_code == 0, result.output
    rows = [json.loads(line) for line in (folder / "cases.jsonl").read_text().splitlines()]
    assert [r["case_id"] for r in rows] == ["fr-credit-01", "en-credit-01", "en-meetings-02"]
    report = json.loads((folder / "report.json").read_text())
    assert report["dataset"] == str(datasets / "questions.jsonl")
