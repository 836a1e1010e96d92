"""Report writers of the offline evaluation: pure functions from report.json and cases.jsonl data to files.

`report` is the content of report.json (configurations with overall / per-language / per-pair metrics, intervals,
counts, hashes, an optional baseline comparison and threshold checks); `cases` are the lines of cases.jsonl. The writers
never compute metrics: they only format what the runner measured. One module per file written (`report_json`,
`case_lines`, `markdown`, `html_page` with its `charts`, `junit`); `write` writes them all. The HTML is
self-contained (inline CSS, matplotlib plots inlined as SVG) and byte-identical for the same input.
"""

from __future__ import annotations

from pathlib import Path

from evals.reports.case_lines import write_cases, write_failures
from evals.reports.html_page import write_html
from evals.reports.junit import write_junit
from evals.reports.markdown import write_markdown
from evals.reports.report_json import write_report_json

__all__ = ["write"]


def write(report: dict, rows: list[dict], folder: Path) -> list[Path]:
    """Every report file into `folder` (created); returns the paths written."""
    folder.mkdir(parents=True, exist_ok=True)
    return [
        write_report_json(report, folder / "report.json"),
        write_cases(rows, folder / "cases.jsonl"),
        write_markdown(report, folder / "report.md", rows),
        write_html(report, rows, folder / "report.html"),
        write_junit(report, rows, folder / "junit.xml"),
        write_failures(rows, folder / "failures.jsonl"),
    ]
