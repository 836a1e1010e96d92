"""Bounds a run must meet: `--fail-under` / `--fail-over` parsed into `Bound`s and checked against the figures.

`METRIC=VALUE` bounds every configuration of the run, `CONFIG:METRIC=VALUE` one of them; `--fail-under` is a
lower bound (">="), `--fail-over` an upper one ("<="). A missing figure (None) fails its bound. Every run also
checks `CITATIONS_RETRIEVED`: no answer may cite a chunk that retrieval did not return.
"""

from __future__ import annotations

from dataclasses import dataclass

from assistant.errors import InputError
from evals.metrics import METRICS


@dataclass(frozen=True, slots=True)
class Bound:
    config: str | None  # None: every configuration of the run
    metric: str
    op: str  # ">=" (--fail-under) or "<=" (--fail-over)
    limit: float

    @property
    def text(self) -> str:
        return f"{self.config + ':' if self.config else ''}{self.metric}{self.op}{self.limit:g}"


def parse_bound(text: str, op: str, configs: list[str]) -> Bound:
    """`METRIC=VALUE` (every configuration) or `CONFIG:METRIC=VALUE`."""
    flag = "--fail-under" if op == ">=" else "--fail-over"
    name, sep, value = text.partition("=")
    config, _, metric = name.rpartition(":") if ":" in name else (None, "", name)
    metric = metric.strip()
    if not sep or not metric:
        raise InputError(f"{flag} {text!r}: write METRIC=VALUE or CONFIG:METRIC=VALUE, e.g. hybrid:hit@5=0.9")
    if metric not in METRICS:
        raise InputError(f"{flag} {text!r}: unknown metric {metric!r}; known: {', '.join(METRICS)}")
    if config is not None and config not in configs:
        raise InputError(f"{flag} {text!r}: configuration {config!r} is not in this run ({', '.join(configs)})")
    try:
        limit = float(value)
    except ValueError:
        raise InputError(f"{flag} {text!r}: {value!r} is not a number") from None
    return Bound(config or None, metric, op, limit)


def check(bounds: list[Bound], configs: dict[str, dict]) -> list[dict]:
    results = []
    for bound in bounds:
        for name in [bound.config] if bound.config else list(configs):
            value = configs[name]["overall"].get(bound.metric)
            passed = value is not None and (value >= bound.limit if bound.op == ">=" else value <= bound.limit)
            results.append(
                {
                    "bound": Bound(name, bound.metric, bound.op, bound.limit).text,
                    "config": name,
                    "metric": bound.metric,
                    "op": bound.op,
                    "limit": bound.limit,
                    "value": value,
                    "passed": passed,
                }
            )
    return results


CITATIONS_RETRIEVED = Bound(None, "unretrieved_citations", "<=", 0)
