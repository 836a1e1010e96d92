"""Report writers: markdown, self-contained HTML, JUnit XML and failures.jsonl from a small report + cases fixture."""

from __future__ import annotations

import copy
import json
import re
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import pytest

from evals.metrics import HEADLINE as ALL_HEADLINE
from evals.metrics import USEFUL
from evals.reports.case_lines import write_failures
from evals.reports.formatting import format_value, summary_rows
from evals.reports.html_page import write_html
from evals.reports.junit import write_junit
from evals.reports.markdown import write_markdown

CONFIGS = ("hybrid", "bm25", "dense")
LANGUAGES = ("fr", "es", "en")


def metrics(base: float, **overrides: Any) -> dict[str, Any]:
    values: dict[str, Any] = {
        "hit@1": base - 0.2,
        "hit@3": base - 0.05,
        "hit@5": base,
        "hit@10": min(1.0, base + 0.05),
        "recall@5": base - 0.1,
        "mrr@10": base - 0.11,
        "ndcg@10": base - 0.1,
        "language_match": 0.99,
        "key_fact_recall": 0.7,
        "token_f1": 0.1,
        "citation_precision": 0.8,
        "citation_recall": 0.6,
        "unretrieved_citations": 0,
        "grounded_facts": 1.0,
        "content_support": 1.0,
        "abstain_precision": 0.9,
        "abstain_recall": 0.85,
        "wrong_abstention": 0.05,
        "changed_share": 0.0,
        "latency_p50_ms": 20.1,
        "latency_p95_ms": 45.3,
        "errors": 0,
    }
    values.update(overrides)
    return values


def config_body(name: str, base: float, by_pair: bool) -> dict[str, Any]:
    overall = metrics(base)
    if name == "hybrid":
        overall["errors"] = 1
        overall["llm_faithfulness"] = 0.777
    if name == "dense":
        overall["abstain_precision"] = None  # never abstained
    return {
        "description": f"{name} retrieval, extractive answers",
        "overall": overall,
        "by_language": {lang: metrics(base - 0.01 * i) for i, lang in enumerate(LANGUAGES)},
        "by_pair": (
            {"es": {"fr": metrics(base - 0.3)}, "en": {"fr": metrics(base - 0.2)}, "fr": {"fr": metrics(base)}}
            if by_pair
            else {}
        ),
        "intervals": {
            "overall": {"hit@5": [base - 0.04, base + 0.03], "mrr@10": [base - 0.2, base - 0.05]},
            "by_language": {lang: {"hit@5": [base - 0.1, min(1.0, base + 0.05)]} for lang in LANGUAGES},
        },
        "counts": {"cases": 6, "answerable": 5, "unanswerable": 1, "errors": 1 if name == "hybrid" else 0},
    }


def make_report(*, by_pair: bool = True, baseline: bool = True, checks: bool = True) -> dict[str, Any]:
    bases = {"hybrid": 0.9, "bm25": 0.8, "dense": 0.75}
    report: dict[str, Any] = {
        "created": "2026-11-23T10:00:00+00:00",
        "dataset": "evals/datasets/questions.jsonl",
        "knowledge_base": "knowledge_base/guides",
        "repeat": 1,
        "cases": 6,
        "configs": {name: config_body(name, bases[name], by_pair) for name in CONFIGS},
        "hashes": {
            "dataset": "sha256:aaaa",
            "knowledge_base": "sha256:bbbb",
            "model": "all-MiniLM-L6-v2 sha256:cccc",
            "configs": {name: f"sha256:{name}" for name in CONFIGS},
        },
        "checks": [],
    }
    if baseline:
        report["baseline"] = {
            "path": "evals/baselines/2026-11-23",
            "diffs": {
                "hybrid": {
                    "hit@5": {"baseline": 0.88, "current": 0.9, "delta": 0.02, "p_value": 0.21, "pairs": 189},
                    "mrr@10": {"baseline": 0.70, "current": 0.79, "delta": 0.09, "p_value": 0.012, "pairs": 189},
                },
                "bm25": {"hit@5": {"baseline": 0.85, "current": 0.8, "delta": -0.05, "p_value": 0.3, "pairs": 189}},
            },
        }
    if checks:
        report["checks"] = [
            {
                "bound": "hybrid:hit@5>=0.85",
                "config": "hybrid",
                "metric": "hit@5",
                "op": ">=",
                "limit": 0.85,
                "value": 0.9,
                "passed": True,
            },
            {
                "bound": "bm25:hit@5>=0.85",
                "config": "bm25",
                "metric": "hit@5",
                "op": ">=",
                "limit": 0.85,
                "value": 0.8,
                "passed": False,
            },
        ]
    return report


# The fixture's report predates the usefulness metrics (they are tested on a realistic section below).
HEADLINE = tuple(m for m in ALL_HEADLINE if m not in USEFUL)


def case(config: str, lang: str, n: int, **overrides: Any) -> dict[str, Any]:
    doc = f"guide-{n}"
    line: dict[str, Any] = {
        "config": config,
        "case_id": f"{lang}-guide-{n:02d}",
        "language": lang,
        "repeat": 0,
        "question": f"Question {n} en {lang}: comment financer mon projet ?",
        "answerable": n != 2,
        "relevant_doc_ids": [doc] if n != 2 else [],
        "key_facts": ["15 000"] if n != 2 else [],
        "retrieved_doc_ids": [doc, "other"],
        "retrieved_chunk_ids": [f"{doc}.{lang}#a-1", f"other.{lang}#b-1"],
        "answer": f"Le prêt d'honneur va jusqu'à 15 000 € [1] ({config}).",
        "abstained": n == 2,
        "citations": [
            {
                "n": 1,
                "doc_id": doc,
                "chunk_id": f"{doc}.{lang}#a-1",
                "title": "Financer",
                "language": lang,
                "snippet": "jusqu'à 15 000 €",
            }
        ],
        "latency_ms": 20.0 + n + CONFIGS.index(config) * 5,
        "error": None,
        "metrics": {"hit@5": 1.0, "mrr@10": 1.0, "ndcg@10": 0.6 + 0.1 * n, "key_fact_recall": 1.0},
        "failed": False,
        "reasons": [],
    }
    if n == 2:
        line["metrics"] = {"hit@5": None, "mrr@10": None, "ndcg@10": None, "key_fact_recall": None}
    line.update(overrides)
    return line


def make_cases() -> list[dict[str, Any]]:
    lines = [case(config, lang, n) for config in CONFIGS for lang in LANGUAGES for n in (1, 2)]
    by_key = {(c["config"], c["case_id"]): c for c in lines}
    # hybrid: one failed case, one errored case
    by_key["hybrid", "fr-guide-01"].update(
        failed=True,
        reasons=["no relevant guide in the top 5", "key fact missing: 15 000"],
        metrics={"hit@5": 0.0, "mrr@10": 0.0, "ndcg@10": 0.0, "key_fact_recall": 0.0},
    )
    by_key["hybrid", "es-guide-01"].update(
        error="RuntimeError: boom", failed=True, reasons=["error: RuntimeError: boom"], answer="", latency_ms=None
    )
    # bm25: a failed case whose answer carries markup and a control character
    by_key["bm25", "en-guide-01"].update(
        failed=True,
        reasons=["did not abstain on an unanswerable question"],
        answer="Here <script>alert(1)</script> is\x0b the answer & more",
        question="What about <b>bold</b> & \x0b loans?",
    )
    # dense: a second repeat of one case
    lines.append(case("dense", "fr", 1, repeat=1))
    return lines


@pytest.fixture
def report() -> dict[str, Any]:
    return make_report()


@pytest.fixture
def cases() -> list[dict[str, Any]]:
    return make_cases()


def section(text: str, heading: str) -> str:
    """The text of one `## heading` section of the markdown, up to the next `## `."""
    start = text.index(f"## {heading}")
    end = text.find("\n## ", start + 1)
    return text[start : end if end != -1 else None]


# --- format_value / summary_rows ------------------------------------------------------------------------------------


def test_format_value_by_kind() -> None:
    assert format_value("hit@5", None) == "—"
    assert format_value("hit@5", float("nan")) == "—"
    assert format_value("hit@5", 0.9123) == "0.912"
    assert format_value("hit@5", 1) == "1.000"
    assert format_value("latency_p50_ms", 20.14) == "20.1 ms"
    assert format_value("errors", 3.0) == "3"
    assert format_value("unretrieved_citations", 0) == "0"


def test_summary_rows_follow_headline_and_config_order(report: dict[str, Any]) -> None:
    rows = summary_rows(report)
    assert [metric for metric, _ in rows] == list(HEADLINE)  # the fixture has every headline metric
    as_dict = dict(rows)
    assert as_dict["hit@5"] == ["0.900", "0.800", "0.750"]
    assert as_dict["abstain_precision"] == ["0.900", "0.900", "—"]
    assert as_dict["latency_p95_ms"] == ["45.3 ms"] * 3
    assert as_dict["errors"] == ["1", "0", "0"]
    assert "llm_faithfulness" not in as_dict and "hit@3" not in as_dict


# --- markdown -------------------------------------------------------------------------------------------------------


def test_markdown_overall_table(report: dict[str, Any], tmp_path: Path) -> None:
    text = write_markdown(report, tmp_path / "out" / "report.md").read_text(encoding="utf-8")
    assert text.startswith("# Evaluation report")
    assert "2026-11-23T10:00:00+00:00" in text
    assert "sha256:aaaa" in text and "sha256:bbbb" in text and "all-MiniLM-L6-v2 sha256:cccc" in text
    overall = section(text, "Overall")
    assert "| Metric | hybrid | bm25 | dense |" in overall
    assert "| hit@5 | 0.900 [0.860, 0.930] | 0.800 [0.760, 0.830] | 0.750 [0.710, 0.780] |" in overall
    assert "| abstain_precision | 0.900 | 0.900 | — |" in overall
    assert "| latency_p50_ms | 20.1 ms | 20.1 ms | 20.1 ms |" in overall
    assert "| errors | 1 | 0 | 0 |" in overall
    # headline order, then the extras (llm_faithfulness only exists for hybrid)
    rows = [line.split(" | ")[0].removeprefix("| ") for line in overall.splitlines() if line.startswith("| ")]
    metric_rows = rows[1:]  # past the header
    assert metric_rows[: len(HEADLINE)] == list(HEADLINE)
    assert set(metric_rows[len(HEADLINE) :]) == {"hit@3", "hit@10", "llm_faithfulness"}
    assert "| llm_faithfulness | 0.777 | — | — |" in overall


def test_markdown_per_language_tables(report: dict[str, Any], tmp_path: Path) -> None:
    text = write_markdown(report, tmp_path / "report.md").read_text(encoding="utf-8")
    by_language = section(text, "By language")
    positions = [by_language.index(f"### {lang}") for lang in LANGUAGES]
    assert positions == sorted(positions)
    es = by_language[positions[1] : positions[2]]
    assert "| Metric | hybrid | bm25 | dense |" in es
    assert "| hit@5 | 0.890 [0.800, 0.950] |" in es


def test_cross_language_only_with_pairs(tmp_path: Path) -> None:
    with_pairs = write_markdown(make_report(), tmp_path / "a.md").read_text(encoding="utf-8")
    cross = section(with_pairs, "Cross-language")
    assert "| es → fr | 0.600 | 0.500 | 0.450 |" in cross  # hit@5 = base - 0.3
    assert "| en → fr |" in cross and "| fr → fr |" in cross
    for metric in ("hit@5", "mrr@10", "ndcg@10", "key_fact_recall", "language_match"):
        assert f"### {metric}" in cross
    without = write_markdown(make_report(by_pair=False), tmp_path / "b.md").read_text(encoding="utf-8")
    assert "Cross-language" not in without and "→" not in without


def test_baseline_table_only_when_present(tmp_path: Path) -> None:
    text = write_markdown(make_report(), tmp_path / "a.md").read_text(encoding="utf-8")
    baseline = section(text, "Comparison with the baseline")
    assert "evals/baselines/2026-11-23" in baseline
    assert "| hybrid | hit@5 | 0.880 | 0.900 | +0.020 | 0.210 | 189 |" in baseline
    assert "| hybrid | mrr@10 | 0.700 | 0.790 | +0.090 | 0.012 * | 189 |" in baseline
    assert "| bm25 | hit@5 | 0.850 | 0.800 | -0.050 | 0.300 | 189 |" in baseline
    without = write_markdown(make_report(baseline=False), tmp_path / "b.md").read_text(encoding="utf-8")
    assert "baseline" not in without.lower()
    assert "0.012 *" not in without


def test_checks_and_counts(tmp_path: Path) -> None:
    text = write_markdown(make_report(), tmp_path / "a.md").read_text(encoding="utf-8")
    checks = section(text, "Checks")
    assert "1 of 2 checks passed." in checks
    assert "| hybrid:hit@5>=0.85 | 0.900 | passed |" in checks
    assert "| bm25:hit@5>=0.85 | 0.800 | FAILED |" in checks
    counts = section(text, "Counts")
    assert "| cases | 6 | 6 | 6 |" in counts
    assert "| errors | 1 | 0 | 0 |" in counts
    without = write_markdown(make_report(checks=False), tmp_path / "b.md").read_text(encoding="utf-8")
    assert "## Checks" not in without


def test_markdown_survives_sparse_report(tmp_path: Path) -> None:
    """Missing intervals, null values and a pipe in a description do not break the table."""
    report = make_report(baseline=False, checks=False)
    body = report["configs"]["bm25"]
    body.pop("intervals")
    body["description"] = "a | b"
    body["overall"]["hit@5"] = None
    text = write_markdown(report, tmp_path / "r.md").read_text(encoding="utf-8")
    assert "| hit@5 | 0.900 [0.860, 0.930] | — | 0.750 [0.710, 0.780] |" in text
    assert "a \\| b" in text


# --- HTML -----------------------------------------------------------------------------------------------------------


def test_html_is_self_contained_and_escaped(
    report: dict[str, Any], cases: list[dict[str, Any]], tmp_path: Path
) -> None:
    page = write_html(report, cases, tmp_path / "report.html").read_text(encoding="utf-8")
    assert page.startswith("<!DOCTYPE html>")
    assert '<meta name="viewport"' in page and "<style>" in page
    assert not re.search(r"(src|href)=[\"']https?:", page)
    assert "<link" not in page and "<script" not in page and "@import" not in page and "<img" not in page
    assert page.count("<svg") >= 2
    assert "<?xml" not in page and "<!DOCTYPE svg" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "<script>alert" not in page
    assert "&lt;b&gt;bold&lt;/b&gt; &amp;" in page
    assert "\x0b" not in page
    # ids of the inline plots never collide
    ids = re.findall(r'\bid="([^"]+)"', page)
    assert len(ids) == len(set(ids))


def test_html_tables_and_failed_cases(report: dict[str, Any], cases: list[dict[str, Any]], tmp_path: Path) -> None:
    page = write_html(report, cases, tmp_path / "report.html").read_text(encoding="utf-8")
    assert '<td>0.900 <span class="ci">[0.860, 0.930]</span></td>' in page
    assert "<th>hybrid</th><th>bm25</th><th>dense</th>" in page
    assert "es → fr" in page and "Comparison with the baseline" in page and "0.012 *" in page
    assert '<td class="failed">FAILED</td>' in page
    failed = page[page.index("<h2>Failed cases</h2>") :]
    assert failed.count("<details>") == 3  # hybrid failed, hybrid errored, bm25 failed
    assert "<h3>hybrid: 2 failed</h3>" in failed and "<h3>bm25: 1 failed</h3>" in failed
    assert "<h3>dense" not in failed
    assert "key fact missing: 15 000" in failed and "RuntimeError: boom" in failed


def test_html_caps_failed_cases(report: dict[str, Any], tmp_path: Path) -> None:
    many = [case("hybrid", "fr", 100 + i, failed=True, reasons=["no relevant guide in the top 5"]) for i in range(60)]
    page = write_html(report, many, tmp_path / "report.html").read_text(encoding="utf-8")
    assert page.count("<details>") == 50
    assert "hybrid: 60 failed (first 50 shown)" in page


def test_html_is_deterministic(report: dict[str, Any], cases: list[dict[str, Any]], tmp_path: Path) -> None:
    first = write_html(report, cases, tmp_path / "a.html").read_bytes()
    second = write_html(copy.deepcopy(report), copy.deepcopy(cases), tmp_path / "b.html").read_bytes()
    assert first == second


def test_html_without_cases_or_pairs(tmp_path: Path) -> None:
    """No case lines: per-language bars and the latency percentiles still plot; no per-case histogram."""
    page = write_html(make_report(by_pair=False, baseline=False, checks=False), [], tmp_path / "r.html").read_text(
        encoding="utf-8"
    )
    assert page.count("<svg") == 5  # four metrics by language + latency percentiles
    assert "No failed cases." in page
    assert "→" not in page


# --- JUnit ----------------------------------------------------------------------------------------------------------


def test_junit_counts(report: dict[str, Any], cases: list[dict[str, Any]], tmp_path: Path) -> None:
    root = ET.parse(write_junit(report, cases, tmp_path / "junit.xml")).getroot()
    assert root.tag == "testsuites"
    suites = {s.get("name"): s for s in root.findall("testsuite")}
    assert list(suites) == ["eval.hybrid", "eval.bm25", "eval.dense", "eval.checks"]
    expected = {
        "eval.hybrid": ("6", "1", "1"),
        "eval.bm25": ("6", "1", "0"),
        "eval.dense": ("7", "0", "0"),
        "eval.checks": ("2", "1", "0"),
    }
    for name, (tests, failures, errors) in expected.items():
        suite = suites[name]
        assert (suite.get("tests"), suite.get("failures"), suite.get("errors")) == (tests, failures, errors)
        assert len(suite.findall("testcase")) == int(tests)
        assert len(suite.findall("testcase/failure")) == int(failures)
        assert len(suite.findall("testcase/error")) == int(errors)
    assert (root.get("tests"), root.get("failures"), root.get("errors")) == ("21", "3", "1")


def test_junit_testcase_details(report: dict[str, Any], cases: list[dict[str, Any]], tmp_path: Path) -> None:
    root = ET.parse(write_junit(report, cases, tmp_path / "junit.xml")).getroot()
    hybrid = {tc.get("name"): tc for tc in root.find("testsuite[@name='eval.hybrid']").findall("testcase")}
    failed = hybrid["fr-guide-01"]
    assert failed.get("classname") == "eval.hybrid.fr"
    assert failed.get("time") == "0.021"
    assert failed.find("failure").get("message") == "no relevant guide in the top 5; key fact missing: 15 000"
    errored = hybrid["es-guide-01"]
    assert errored.find("failure") is None
    assert errored.find("error").get("message") == "RuntimeError: boom"
    assert errored.get("time") == "0.000"
    assert hybrid["en-guide-02"].find("failure") is None
    dense_names = [tc.get("name") for tc in root.find("testsuite[@name='eval.dense']").findall("testcase")]
    assert "fr-guide-01#1" in dense_names and "fr-guide-01" in dense_names
    bm25 = root.find("testsuite[@name='eval.bm25']/testcase[@name='en-guide-01']")
    assert "<script>alert(1)</script>" in bm25.find("failure").text  # kept as text, escaped in the file
    checks = {tc.get("name"): tc for tc in root.find("testsuite[@name='eval.checks']").findall("testcase")}
    assert checks["hybrid:hit@5>=0.85"].get("classname") == "eval.checks"
    assert checks["hybrid:hit@5>=0.85"].find("failure") is None
    assert "0.800" in checks["bm25:hit@5>=0.85"].find("failure").get("message")


def test_junit_strips_forbidden_characters(report: dict[str, Any], tmp_path: Path) -> None:
    nasty = "".join(chr(c) for c in range(32)) + "\ufffe fin"
    lines = [case("hybrid", "fr", 1, failed=True, reasons=[f"reason {nasty}"], answer=nasty, question=nasty)]
    lines.append(case("bm25", "fr", 1, error=f"ValueError: {nasty}", failed=True))
    data = write_junit(report, lines, tmp_path / "junit.xml").read_bytes()
    root = ET.fromstring(data)
    message = root.find(".//failure").get("message")
    assert message.startswith("reason ") and message.endswith(" fin")
    assert "\x0b" not in message and "\x00" not in message
    assert "\t" in message  # allowed whitespace survives
    assert root.find(".//error").get("message").startswith("ValueError:")


def test_junit_without_checks(cases: list[dict[str, Any]], tmp_path: Path) -> None:
    root = ET.parse(write_junit(make_report(checks=False), cases, tmp_path / "junit.xml")).getroot()
    assert [s.get("name") for s in root.findall("testsuite")] == ["eval.hybrid", "eval.bm25", "eval.dense"]


# --- failures.jsonl -------------------------------------------------------------------------------------------------


def test_failures_jsonl_has_exactly_the_failed_cases(cases: list[dict[str, Any]], tmp_path: Path) -> None:
    text = write_failures(cases, tmp_path / "failures.jsonl").read_text(encoding="utf-8")
    lines = [json.loads(line) for line in text.splitlines()]
    assert lines == [c for c in cases if c["failed"]]
    assert [(c["config"], c["case_id"]) for c in lines] == [
        ("hybrid", "fr-guide-01"),
        ("hybrid", "es-guide-01"),
        ("bm25", "en-guide-01"),
    ]
    assert "prêt d'honneur" in text  # ensure_ascii=False
    assert write_failures([c for c in cases if not c["failed"]], tmp_path / "none.jsonl").read_text() == ""


# --- the realistic set: useful answers at the top, failures by type, the two sets side by side ----------------------


def with_realistic() -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """The fixture's report plus a realistic section (hybrid only), and 60 realistic failures of three types."""
    report = make_report(checks=False, baseline=False)
    for body in report["configs"].values():
        body["overall"]["useful_answer"] = 0.7
        for lang, part in body["by_language"].items():
            part["useful_answer"] = {"fr": 0.61, "es": 0.72, "en": 0.83}[lang]
    useful = {"fr": 0.25, "es": 0.5, "en": 0.75}
    report["realistic"] = {
        "dataset": "evals/datasets/realistic.jsonl", "hash": "sha256:rrrr", "split": "test", "cases": 60,
        "conversations": 5,
        "configs": {"hybrid": {
            "overall": {"useful_answer": 0.5, "wrong_abstention": 0.2, "abstain_recall": 0.9, "followup_useful": 0.4,
                        "hit@5": 0.8},
            "by_language": {lang: {"useful_answer": v, "followup_useful": v / 2} for lang, v in useful.items()},
            "failure_types": {"overall": {"wrong_refusal": 30, "off_topic": 20, "missed_refusal": 10},
                              "by_language": {"fr": {"wrong_refusal": 30}, "es": {"off_topic": 20},
                                              "en": {"missed_refusal": 10}}},
        }},
    }  # fmt: skip
    kinds = ["wrong_refusal"] * 30 + ["off_topic"] * 20 + ["missed_refusal"] * 10
    rows = [
        case("hybrid", LANGUAGES[i % 3], 100 + i, set="realistic", failure_type=kind, failed=True, reasons=[kind])
        for i, kind in enumerate(kinds)
    ]
    return report, rows


def test_markdown_opens_on_useful_answers_per_language_for_both_sets(tmp_path: Path) -> None:
    report, rows = with_realistic()
    text = write_markdown(report, tmp_path / "report.md", rows).read_text(encoding="utf-8")
    assert text.index("## Useful answers") < text.index("## Configurations") < text.index("## Overall")
    useful = section(text, "Useful answers")
    assert "| Set | Configuration | fr | es | en | all |" in useful
    assert "| realistic (test split) | hybrid | 0.250 | 0.500 | 0.750 | 0.500 |" in useful
    assert "| clean | hybrid | 0.610 | 0.720 | 0.830 | 0.700 |" in useful
    assert "| follow-ups handled (useful, or rightly refused) | hybrid | 0.125 | 0.250 | 0.375 | 0.400 |" in useful
    side = section(text, "Clean and realistic sets side by side")
    pairs = " | ".join(f"{name} {key}" for name in ("hybrid", "bm25", "dense") for key in ("realistic", "clean"))
    assert f"| Metric | {pairs} |" in side
    assert "| useful_answer | 0.500 | 0.700 | — | 0.700 |" in side
    counts = section(text, "Failures by type")
    assert "| Wrong refusal (a guide answers it) | 30 (30/0/0) |" in counts
    listed = section(text, "Every failure, by type")
    assert listed.count("| fr-guide-") + listed.count("| es-guide-") + listed.count("| en-guide-") == 60
    assert "### realistic (test split) · hybrid · Off-topic sentences" in listed


def test_html_lists_every_failure_by_type_and_junit_has_a_realistic_suite(tmp_path: Path) -> None:
    report, rows = with_realistic()
    page = write_html(report, rows, tmp_path / "report.html").read_text(encoding="utf-8")
    assert page.index("<h2>Useful answers</h2>") < page.index("<h2>Configurations</h2>")
    listed = page[page.index('<h2 id="failures-by-type">') : page.index("<h2>Plots</h2>")]
    assert listed.count("<details>") == 60  # every one, no cap
    assert "<h4>Wrong refusal (a guide answers it): 30</h4>" in listed
    assert listed.index("Wrong refusal") < listed.index("Off-topic") < listed.index("Answered a question")
    root = ET.parse(write_junit(report, rows, tmp_path / "junit.xml")).getroot()
    suites = {s.get("name"): s for s in root.iter("testsuite")}
    assert suites["eval.realistic.hybrid"].get("tests") == "60"
    assert suites["eval.realistic.hybrid"].get("failures") == "60"
    assert next(iter(suites["eval.realistic.hybrid"])).tag in {"properties", "testcase"}


def test_a_report_without_a_realistic_set_has_no_realistic_sections(report: dict[str, Any], tmp_path: Path) -> None:
    text = write_markdown(report, tmp_path / "report.md").read_text(encoding="utf-8")
    assert "side by side" not in text and "Every failure" not in text and "Realistic" not in text
