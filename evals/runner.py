"""`mentor eval run`: ask every case of a dataset to every configuration, score, aggregate, report.

The knowledge base is ingested into a temporary data directory (passage vectors come from the user's
embedding cache when they were computed before), so an evaluation never touches the live index or
database and any corpus can be evaluated. Everything is deterministic: the same dataset, knowledge base,
model and configuration give the same numbers (bootstrap intervals use a fixed seed).

This module only orchestrates; each step is a module of its own: `dataset` (the cases), `pipelines` (the
configurations), `scoring` (one case's metrics and its scoring rules), `aggregation` (the figures of a
report section), `hashes`, `bounds` (`--fail-under` / `--fail-over`), `baseline` (`--baseline`) and `reports`
(the files written).
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from assistant.errors import InputError
from assistant.runtime import Runtime
from evals.aggregation import add_pair, config_report
from evals.baseline import compare, load_baseline
from evals.bounds import CITATIONS_RETRIEVED, Bound, check, parse_bound
from evals.dataset import DEFAULT_DATASET, load_dataset
from evals.hashes import run_hashes
from evals.judge import Judge
from evals.outcome import Outcome
from evals.pipelines import build, digest, parse_config
from evals.scoring import case_row
from evals.splits import SPLITS, split

__all__ = ["Options", "Plan", "evaluate", "run", "work_units"]

ROOT = Path(__file__).resolve().parents[1]


@dataclass
class Plan:
    cases: list[dict]
    configs: list[str]
    repeat: int = 1
    cross_language: bool = True


@dataclass
class Options:
    dataset: Path = DEFAULT_DATASET
    kb: Path | None = None  # default: the settings' knowledge base folder
    configs: tuple[str, ...] = ("hybrid", "bm25", "dense", "langchain-naive")
    repeat: int = 1
    cross_language: bool = True
    fail_under: tuple[str, ...] = ()
    fail_over: tuple[str, ...] = ()
    baseline: Path | None = None
    judge: bool = False
    split: str = "all"  # 'report': only the half no calibration was measured on (evals/splits.py)


# ---------------------------------------------------------------------------------------------- asking


def ask(pipeline, case: dict) -> tuple[Outcome | None, str | None]:
    try:
        return pipeline.run(case["question"]), None
    except Exception as exc:  # an evaluation counts failures, it does not stop at the first one
        return None, f"{exc.__class__.__name__}: {exc}"


def run(
    plan: Plan, pipelines: dict, doc_languages: list[str], tick: Callable[[], None], judge=None
) -> tuple[dict, list[dict]]:
    """Ask every case; returns (config name -> report section, case rows of the main run). `judge(case,
    outcome)`, when given, adds an LLM-judged `llm_faithfulness` beside the deterministic metrics."""
    rows: list[dict] = []
    sections: dict[str, dict] = {}
    for name in plan.configs:
        pipeline = pipelines[name]
        # Not timed: the first question pays for lazy loading (model trace, vocabularies, caches).
        ask(pipeline, {"question": plan.cases[0]["question"]})
        mine = _ask_all(plan, name, pipeline, tick, judge)
        sections[name] = config_report(mine, pipeline.description)
        if plan.cross_language and len(doc_languages) > 1:
            for doc_lang in doc_languages:
                sliced = pipeline.restricted(doc_lang)
                pair_rows = []
                for case in plan.cases:
                    outcome, error = ask(sliced, case)
                    pair_rows.append(case_row(name, case, 0, outcome, error))
                    tick()
                add_pair(sections[name], doc_lang, pair_rows)
        rows.extend(mine)
    return sections, rows


def _ask_all(plan: Plan, name: str, pipeline, tick: Callable[[], None], judge) -> list[dict]:
    """The case rows of one configuration's main run: every case, `plan.repeat` times."""
    mine = []
    for repeat in range(plan.repeat):
        for case in plan.cases:
            outcome, error = ask(pipeline, case)
            row = case_row(name, case, repeat, outcome, error)
            if judge is not None and outcome is not None and not outcome.abstained:
                row["metrics"]["llm_faithfulness"] = judge(case, outcome)
            mine.append(row)
            tick()
    return mine


def work_units(plan: Plan, doc_languages: list[str]) -> int:
    per_config = len(plan.cases) * plan.repeat
    if plan.cross_language and len(doc_languages) > 1:
        per_config += len(plan.cases) * len(doc_languages)
    return per_config * len(plan.configs)


# ---------------------------------------------------------------------------------------------- the report


def new_report(dataset: Path, kb: Path, plan: Plan, hashes: dict, sections: dict) -> dict:
    return {
        "created": datetime.now(UTC).replace(microsecond=0).isoformat(),
        "dataset": _shown(dataset),
        "knowledge_base": _shown(kb),
        "repeat": plan.repeat,
        "cases": len(plan.cases),
        "configs": sections,
        "hashes": hashes,
        "checks": [],
    }


def _shown(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(ROOT))
    except ValueError:
        return str(path)


# ---------------------------------------------------------------------------------------------- the evaluation


@dataclass
class _Inputs:
    """What `evaluate` checked before any slow work: the run's plan, bounds, baseline, knowledge base, judge."""

    plan: Plan
    bounds: list[Bound]
    baseline: tuple[dict, list[dict]] | None
    kb: Path
    judge: Judge | None


def _checked_inputs(settings, options: Options, chat_model) -> _Inputs:
    configs = list(dict.fromkeys(options.configs))
    for name in configs:
        parse_config(name)  # InputError for an unknown one, before any slow work
    if options.repeat < 1:
        raise InputError("--repeat must be at least 1")
    bounds = [parse_bound(t, ">=", configs) for t in options.fail_under]
    bounds += [parse_bound(t, "<=", configs) for t in options.fail_over]
    baseline = load_baseline(options.baseline) if options.baseline else None
    if options.split not in ("all", *SPLITS):
        raise InputError(f"unknown split {options.split!r}: use all, calibration or report")
    cases = split(load_dataset(options.dataset), options.split)
    kb = Path(options.kb or settings.kb_dir)
    if not kb.exists():
        raise InputError(f"knowledge base not found: {kb}")
    judge = None
    if options.judge:
        if chat_model is None and not settings.llm:
            raise InputError("--judge needs a chat model: set MENTOR_LLM (the deterministic metrics need none)")
        judge = Judge(chat_model, settings)
    plan = Plan(cases, configs, options.repeat, options.cross_language)
    return _Inputs(plan, bounds, baseline, kb, judge)


def _ingested(runtime: Runtime, kb: Path, cases: list[dict], progress, warn) -> None:
    """The knowledge base into the runtime's private index; warns about relevant ids it does not hold."""
    ingested = runtime.ingestor().ingest([kb], progress=progress)
    if not runtime.index.chunks:
        reasons = "; ".join(f"{s.path}: {s.reason}" for s in ingested.skipped[:3])
        raise InputError(f"no readable documents in {kb}" + (f" ({reasons})" if reasons else ""))
    known = {c.doc_id for c in runtime.index.chunks}
    unknown = sorted({d for c in cases for d in c["relevant_doc_ids"] if d not in known})
    if unknown:
        warn(
            f"{len(unknown)} relevant doc id(s) of the dataset are not in {kb} (cases naming them can never "
            f"hit): {', '.join(unknown[:8])}{' ...' if len(unknown) > 8 else ''}"
        )


def _asked(runtimes: dict, inputs: _Inputs, dataset: Path, progress) -> tuple[dict, list[dict], dict]:
    """Every configuration built and asked over its model's runtime: (report sections, case rows, hashes)."""
    runtime = runtimes[None]
    plan, languages = inputs.plan, runtime.index.languages
    progress("preparing", 0, len(plan.configs))
    built = {}
    for i, name in enumerate(plan.configs):
        built[name] = build(name, runtimes[parse_config(name)[1]], inputs.kb)
        progress("preparing", i + 1, len(plan.configs))
    total, done = work_units(plan, languages), 0

    def tick() -> None:
        nonlocal done
        done += 1
        progress("asking", done, total)

    progress("asking", 0, total)
    sections, rows = run(plan, built, languages, tick, inputs.judge)
    fingerprints = {name: digest(built[name].fingerprint()) for name in plan.configs}
    return sections, rows, run_hashes(dataset, inputs.kb, runtime.embedder.name, fingerprints)


def evaluate(settings, options: Options, progress=None, warn=None, chat_model=None) -> tuple[dict, list[dict]]:
    """The whole evaluation: check the inputs, ingest into a temporary folder, ask, score, compare.

    `progress(stage, done, total)` follows the ingest's progress protocol; `warn(text)` hears about cases
    whose relevant documents are not in the knowledge base. Raises `InputError` on bad input before any
    slow work starts."""
    progress = progress or (lambda stage, done, total: None)
    warn = warn or (lambda text: None)
    inputs = _checked_inputs(settings, options, chat_model)
    with tempfile.TemporaryDirectory(prefix="mentor-eval-") as tmp:
        # A private index; the passage vectors cache is the user's, so a second run embeds nothing.
        private = settings.model_copy(update={"data_dir": Path(tmp), "embedding_cache_dir": settings.cache_dir})
        runtimes = {None: Runtime(private)}
        for model in sorted({parse_config(c)[1] for c in inputs.plan.configs} - {None}):
            folder = Path(tmp) / f"model-{len(runtimes)}"  # the other model's own index
            runtimes[model] = Runtime(private.model_copy(update={"data_dir": folder, "embedding_model": model}))
        for runtime in runtimes.values():
            _ingested(runtime, inputs.kb, inputs.plan.cases, progress, warn)
        sections, rows, hashes = _asked(runtimes, inputs, options.dataset, progress)
    report = new_report(options.dataset, inputs.kb, inputs.plan, hashes, sections)
    if inputs.baseline is not None:
        before, before_rows = inputs.baseline
        report["baseline"] = compare(report, rows, before, before_rows, _shown(options.baseline))
    report["checks"] = check(inputs.bounds, report["configs"]) + check([CITATIONS_RETRIEVED], report["configs"])
    return report, rows
