"""Bounds a run must meet: `--fail-under` / `--fail-over` parsed into `Bound`s and checked against the figures.

`METRIC=VALUE` bounds every configuration of the run, `CONFIG:METRIC=VALUE` one of them, both on the clean set;
a `realistic:` prefix puts the bound on the realistic set instead (`realistic:hybrid:useful_answer=0.8`), and a
`/LANG` suffix on the metric bounds one language's figure (`realistic:hybrid:useful_answer/fr=0.8`).
`--fail-under` is a lower bound (">="), `--fail-over` an upper one ("<="). A missing figure (None), or a set that
was not run, fails its bound. Every run also checks `CITATIONS_RETRIEVED`: no answer may cite a chunk that
retrieval did not return.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from assistant.config import SUPPORTED_LANGUAGES
from assistant.errors import InputError
from evals.metrics import METRICS

SETS = ("clean", "realistic")


@dataclass(frozen=True, slots=True)
class Bound:
    config: str | None  # None: every configuration of the run
    metric: str
    op: str  # ">=" (--fail-under) or "<=" (--fail-over)
    limit: float
    dataset: str = "clean"  # or "realistic"
    language: str | None = None  # None: the overall figure

    @property
    def text(self) -> str:
        prefix = "" if self.dataset == "clean" else f"{self.dataset}:"
        metric = self.metric + (f"/{self.language}" if self.language else "")
        return f"{prefix}{self.config + ':' if self.config else ''}{metric}{self.op}{self.limit:g}"


def parse_bound(text: str, op: str, configs: list[str]) -> Bound:
    """`[realistic:][CONFIG:]METRIC[/LANG]=VALUE`."""
    flag = "--fail-under" if op == ">=" else "--fail-over"
    name, sep, value = text.partition("=")
    parts = [p.strip() for p in name.split(":")]
    dataset = parts.pop(0) if len(parts) > 1 and parts[0] in SETS else "clean"
    metric, _, language = (parts.pop() if parts else "").partition("/")
    config = parts.pop() if parts else None
    if language and language not in SUPPORTED_LANGUAGES:
        raise InputError(f"{flag} {text!r}: unknown language {language!r}; use one of {', '.join(SUPPORTED_LANGUAGES)}")
    if not sep or not metric or parts:
        raise InputError(f"{flag} {text!r}: write METRIC=VALUE or CONFIG:METRIC=VALUE, e.g. hybrid:hit@5=0.9")
    if metric not in METRICS:
        raise InputError(f"{flag} {text!r}: unknown metric {metric!r}; known: {', '.join(METRICS)}")
    if config is not None and config not in configs:
        raise InputError(f"{flag} {text!r}: configuration {config!r} is not in this run ({', '.join(configs)})")
    try:
        limit = float(value)
    except ValueError:
        raise InputError(f"{flag} {text!r}: {value!r} is not a number") from None
    return Bound(config or None, metric, op, limit, dataset, language or None)


def check(bounds: list[Bound], configs: dict[str, dict], realistic: dict[str, dict] | None = None) -> list[dict]:
    """Each bound against the clean set's `configs` or the realistic set's (None: that set was not run)."""
    results = []
    for bound in bounds:
        figures = configs if bound.dataset == "clean" else (realistic or {})
        names = [bound.config] if bound.config else list(configs or figures)
        for name in names:
            section = figures.get(name, {})
            part = section.get("overall", {}) if bound.language is None else section.get("by_language", {})
            value = (part if bound.language is None else part.get(bound.language, {})).get(bound.metric)
            passed = value is not None and (value >= bound.limit if bound.op == ">=" else value <= bound.limit)
            results.append(
                {
                    "bound": replace(bound, config=name).text,
                    "config": name,
                    "metric": bound.metric,
                    "op": bound.op,
                    "limit": bound.limit,
                    "value": value,
                    "passed": passed,
                    "set": bound.dataset,
                }
            )
    return results


CITATIONS_RETRIEVED = Bound(None, "unretrieved_citations", "<=", 0)
