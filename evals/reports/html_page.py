"""report.html: one self-contained page (inline CSS and SVG plots, no script, nothing fetched), with the
report's document blocks, the plots and the failed cases.
"""

from __future__ import annotations

import html
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from evals.reports.charts import plots
from evals.reports.document import Block, Cell, Facts, Heading, Paragraph, Table, report_blocks
from evals.reports.formatting import DASH, case_configs, clean, excerpt, is_failed, prepare_target
from evals.reports.realistic import failure_groups

MAX_FAILED_SHOWN = 50

_CSS = """
:root{color-scheme:light}
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,Helvetica,Arial,sans-serif;margin:0;padding:1rem;
line-height:1.45;color:#1d1d1f;background:#fff}
main{max-width:60rem;margin:0 auto}
h1{font-size:1.5rem}h2{font-size:1.25rem;margin-top:2rem;border-bottom:1px solid #ddd}h3{font-size:1.05rem}
h4{font-size:.95rem;margin:.8rem 0 .3rem}
.scroll{overflow-x:auto;-webkit-overflow-scrolling:touch}
table{border-collapse:collapse;font-size:.9rem;margin:.5rem 0 1rem}
th,td{border:1px solid #ddd;padding:.3rem .5rem;text-align:right;white-space:nowrap}
th{background:#f5f5f7}th.t,td.t{text-align:left}td.t{white-space:normal;min-width:6rem}
.ci{color:#666;font-size:.8em}
.facts{padding-left:1.2rem}code{word-break:break-all;font-size:.9em}
figure{margin:1rem 0}figcaption{font-size:.9rem;color:#444}
svg{max-width:100%;height:auto}
details{border:1px solid #ddd;border-radius:4px;padding:.4rem .6rem;margin:.4rem 0}
summary{cursor:pointer}details p,details ul{margin:.3rem 0}
.failed{color:#b00020;font-weight:600}.passed{color:#1b5e20}
""".strip()


def _escape(text: Any) -> str:
    return html.escape(clean(text))


def _html_cell(tag: str, cell: Cell, text_column: bool) -> str:
    if isinstance(cell, tuple):
        return f'<{tag}>{_escape(cell[0])} <span class="ci">{_escape(cell[1])}</span></{tag}>'
    css = "t" if text_column else {"FAILED": "failed", "passed": "passed"}.get(cell, "")
    return f'<{tag} class="{css}">{_escape(cell)}</{tag}>' if css else f"<{tag}>{_escape(cell)}</{tag}>"


def _html_blocks(blocks: Sequence[Block]) -> list[str]:
    parts: list[str] = []
    for block in blocks:
        match block:
            case Heading(level, text):
                parts.append(f"<h{level}>{_escape(text)}</h{level}>")
            case Paragraph(text):
                parts.append(f"<p>{_escape(text)}</p>")
            case Facts(items):
                lis = "".join(
                    f"<li>{_escape(label)}: <code>{_escape(value)}</code>"
                    + (f" (<code>{_escape(digest)}</code>)" if digest else "")
                    + "</li>"
                    for label, value, digest in items
                )
                parts.append(f'<ul class="facts">{lis}</ul>')
            case Table(headers, rows, left):
                head = "".join(_html_cell("th", h, i < left) for i, h in enumerate(headers))
                body = "".join(
                    "<tr>" + "".join(_html_cell("td", c, i < left) for i, c in enumerate(row)) + "</tr>" for row in rows
                )
                parts.append(
                    f'<div class="scroll"><table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table></div>'
                )
    return parts


def _failed_section(report: Mapping[str, Any], cases: Sequence[Mapping[str, Any]]) -> list[str]:
    parts = ["<h2>Failed cases</h2>"]
    any_failed = False
    for name in case_configs(report, cases):
        failed = [c for c in cases if str(c.get("config")) == name and is_failed(c)]
        if not failed:
            continue
        any_failed = True
        shown = failed[:MAX_FAILED_SHOWN]
        more = f" (first {len(shown)} shown)" if len(failed) > len(shown) else ""
        parts.append(f"<h3>{_escape(name)}: {len(failed)} failed{_escape(more)}</h3>")
        parts += [_case_details(case) for case in shown]
    if not any_failed:
        parts.append("<p>No failed cases.</p>")
    return parts


def _case_details(case: Mapping[str, Any]) -> str:
    """One failed case as a <details>: the message, the reasons, the answer, expected and retrieved guides."""
    repeat = case.get("repeat") or 0
    ident = f"{case.get('case_id', '?')}" + (f"#{repeat}" if repeat else "")
    reasons = "".join(f"<li>{_escape(r)}</li>" for r in case.get("reasons") or [])
    answer = excerpt(case.get("answer"), 400) or DASH
    status = " (abstained)" if case.get("abstained") else ""
    expected = ", ".join(str(d) for d in case.get("relevant_doc_ids") or []) or DASH
    retrieved = ", ".join(str(d) for d in (case.get("retrieved_doc_ids") or [])[:5]) or DASH
    lines = [
        f"<summary><code>{_escape(ident)}</code> [{_escape(case.get('language', '?'))}] "
        f"{_escape(excerpt(case.get('question'), 120))}</summary>",
        f"<p><strong>Question:</strong> {_escape(case.get('question'))}</p>",
    ]
    if reasons:
        lines.append(f"<ul>{reasons}</ul>")
    if case.get("error") is not None:
        lines.append(f"<p><strong>Error:</strong> {_escape(case.get('error'))}</p>")
    lines.append(f"<p><strong>Answer{_escape(status)}:</strong> {_escape(answer)}</p>")
    lines.append(
        f"<p><strong>Expected:</strong> {_escape(expected)}; <strong>retrieved:</strong> {_escape(retrieved)}</p>"
    )
    return "<details>" + "".join(lines) + "</details>"


def _by_type_section(report: Mapping[str, Any], cases: Sequence[Mapping[str, Any]]) -> list[str]:
    """Every failure of every set and configuration, grouped by failure type (none left out)."""
    groups = failure_groups(report, cases)
    if not groups:
        return []
    parts = ['<h2 id="failures-by-type">Every failure, by type</h2>']
    for label, name, kinds in groups:
        parts.append(f"<h3>{_escape(label)} · {_escape(name)}</h3>")
        for kind, found in kinds:
            parts.append(f"<h4>{_escape(kind)}: {len(found)}</h4>")
            parts += [_case_details(case) for case in found]
    return parts


def write_html(report: Mapping[str, Any], cases: Sequence[Mapping[str, Any]], path: str | Path) -> Path:
    """report.html: one self-contained page (inline CSS and SVG plots, no script, nothing fetched)."""
    target = prepare_target(path)
    title = f"Evaluation report {clean(report.get('created') or '')}".strip()
    figures = [
        f"<figure>{svg}<figcaption>{_escape(caption)}</figcaption></figure>" for svg, caption in plots(report, cases)
    ]
    body = [
        *_html_blocks(report_blocks(report)),
        *_by_type_section(report, cases),
        "<h2>Plots</h2>",
        *figures,
        *_failed_section(report, cases),
    ]
    page = (
        '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{html.escape(title)}</title>\n<style>\n{_CSS}\n</style>\n</head>\n<body>\n<main>\n"
        + "\n".join(body)
        + "\n</main>\n</body>\n</html>\n"
    )
    target.write_text(page, encoding="utf-8")
    return target
