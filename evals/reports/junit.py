"""junit.xml: the run as test results for CI, one suite per configuration (and per configuration on the realistic
set, `eval.realistic.<config>`) and one for the threshold checks."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from evals.reports.formatting import (
    as_mapping,
    as_number,
    case_configs,
    clean,
    excerpt,
    format_value,
    prepare_target,
    report_configs,
)


def _seconds(latency_ms: Any) -> str:
    number = as_number(latency_ms)
    return f"{number / 1000:.3f}" if number is not None and number >= 0 else "0.000"


def write_junit(report: Mapping[str, Any], cases: Sequence[Mapping[str, Any]], path: str | Path) -> Path:
    """junit.xml: one suite per configuration, one test case per case line, plus an `eval.checks` suite.

    An errored case (non-null `error`) is an <error>, otherwise a failed case is a <failure>; never both."""
    target = prepare_target(path)
    root = ET.Element("testsuites", name="eval")
    totals = {"tests": 0, "failures": 0, "errors": 0}
    for name in case_configs(report, cases):
        own = [c for c in cases if str(c.get("config")) == name]
        _config_suite(root, totals, report, name, [c for c in own if c.get("set", "clean") == "clean"])
        realistic = [c for c in own if c.get("set") == "realistic"]
        if realistic:
            _config_suite(root, totals, report, name, realistic, "realistic.")
    checks = [c for c in report.get("checks") or [] if isinstance(c, Mapping)]
    if checks:
        _checks_suite(root, totals, checks)
    for key, value in totals.items():
        root.set(key, str(value))
    tree = ET.ElementTree(root)
    ET.indent(tree)
    tree.write(target, encoding="utf-8", xml_declaration=True)
    return target


def _suite(
    root: ET.Element, totals: dict[str, int], name: str, counts: tuple[int, int, int], time: float
) -> ET.Element:
    """A <testsuite> under `root`; its (tests, failures, errors) also count in the root's `totals`."""
    tests, failures, errors = counts
    totals["tests"] += tests
    totals["failures"] += failures
    totals["errors"] += errors
    return ET.SubElement(
        root,
        "testsuite",
        name=clean(name),
        tests=str(tests),
        failures=str(failures),
        errors=str(errors),
        skipped="0",
        time=f"{time:.3f}",
    )


def _config_suite(
    root: ET.Element,
    totals: dict[str, int],
    report: Mapping[str, Any],
    name: str,
    own: list[Mapping[str, Any]],
    prefix: str = "",
) -> None:
    errored = sum(1 for c in own if c.get("error") is not None)
    failed = sum(1 for c in own if c.get("error") is None and c.get("failed"))
    total_time = sum(float(_seconds(c.get("latency_ms"))) for c in own)
    element = _suite(root, totals, f"eval.{prefix}{name}", (len(own), failed, errored), total_time)
    description = as_mapping(report_configs(report).get(name)).get("description")
    if description:
        props = ET.SubElement(element, "properties")
        ET.SubElement(props, "property", name="description", value=clean(description))
    for case in own:
        _case_testcase(element, prefix + name, case)


def _case_testcase(element: ET.Element, name: str, case: Mapping[str, Any]) -> None:
    repeat = case.get("repeat") or 0
    testcase = ET.SubElement(
        element,
        "testcase",
        classname=clean(f"eval.{name}.{case.get('language', 'unknown')}"),
        name=clean(f"{case.get('case_id', '?')}" + (f"#{repeat}" if repeat else "")),
        time=_seconds(case.get("latency_ms")),
    )
    reasons = [clean(r) for r in case.get("reasons") or []]
    detail = "\n".join(
        [*reasons, f"question: {clean(case.get('question'))}", f"answer: {excerpt(case.get('answer'), 1000)}"]
    )
    if case.get("error") is not None:
        error = clean(case.get("error"))
        child = ET.SubElement(testcase, "error", message=error, type=error.split(":", 1)[0] or "Error")
        child.text = detail
    elif case.get("failed"):
        child = ET.SubElement(testcase, "failure", message="; ".join(reasons) or "failed", type="EvalFailure")
        child.text = detail


def _checks_suite(root: ET.Element, totals: dict[str, int], checks: list[Mapping[str, Any]]) -> None:
    element = _suite(root, totals, "eval.checks", (len(checks), sum(1 for c in checks if not c.get("passed")), 0), 0.0)
    for check in checks:
        metric = str(check.get("metric") or "")
        bound = clean(check.get("bound") or f"{check.get('config')}:{metric}{check.get('op')}{check.get('limit')}")
        testcase = ET.SubElement(element, "testcase", classname="eval.checks", name=bound, time="0.000")
        if not check.get("passed"):
            value = format_value(metric, check.get("value"))
            message = f"{bound}: measured {value}"
            ET.SubElement(testcase, "failure", message=message, type="ThresholdFailure").text = message
