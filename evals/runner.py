"""`mentor eval run`: ask every case of a dataset to every configuration, score, aggregate, report.

The knowledge base is ingested into a temporary data directory (passage vectors come from the user's
embedding cache when they were computed before), so an evaluation never touches the live index or
database and any corpus can be evaluated. Everything is deterministic: the same dataset, knowledge base,
model and configuration give the same numbers (bootstrap intervals use a fixed seed).

Two sets can be evaluated in one run, side by side: the clean set (`questions.jsonl`: short questions, one
message each) and the realistic set (`realistic.jsonl`: messages as the participants type them, and
conversations whose follow-ups are asked with the turns before them), of which one split is asked (the test
split by default; see `evals.dataset.split_of`).

This module only orchestrates; each step is a module of its own: `dataset` (the cases), `pipelines` (the
configurations), `sections` (the guides' sections a case counts as relevant), `scoring` (one case's metrics and
its scoring rules, with `usefulness`), `aggregation` (the figures of a report section), `hashes`, `bounds`
(`--fail-under` / `--fail-over`), `baseline` (`--baseline`) and `reports` (the files written).
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path

from assistant.errors import InputError
from assistant.memory import Turn
from assistant.runtime import Runtime
from evals.aggregation import add_pair, config_report
from evals.baseline import compare, load_baseline
from evals.bounds import CITATIONS_RETRIEVED, Bound, check, parse_bound
from evals.dataset import DEFAULT_DATASET, conversations, load_dataset, select_split
from evals.hashes import run_hashes, sha256_file
from evals.judge import Judge
from evals.outcome import Outcome
from evals.pipelines import build, digest, parse_config
from evals.scoring import case_row
from evals.sections import GuideSections

__all__ = ["Options", "Plan", "evaluate", "run", "work_units"]

ROOT = Path(__file__).resolve().parents[1]


@dataclass
class Plan:
    cases: list[dict]
    configs: list[str]
    repeat: int = 1
    cross_language: bool = True
    guides: GuideSections | None = None  # the knowledge base's sections: the usefulness metrics need them


@dataclass
class Options:
    dataset: Path | None = DEFAULT_DATASET  # the clean set; None: not run
    kb: Path | None = None  # default: the settings' knowledge base folder
    configs: tuple[str, ...] = ("hybrid", "bm25", "dense", "langchain-naive")
    repeat: int = 1
    cross_language: bool = True
    fail_under: tuple[str, ...] = ()
    fail_over: tuple[str, ...] = ()
    baseline: Path | None = None
    judge: bool = False
    realistic: Path | None = None  # the realistic set (messages as typed, conversations); None: not run
    split: str = "test"  # the realistic set's split: test (reported), calibration, or all


# ---------------------------------------------------------------------------------------------- asking


def ask(pipeline, case: dict, history: list[Turn] | None = None) -> tuple[Outcome | None, str | None]:
    """One message to a pipeline; a follow-up with its conversation's earlier turns (a pipeline that keeps no
    conversation need only take the question)."""
    try:
        return (pipeline.run(case["question"], history) if history else pipeline.run(case["question"])), None
    except Exception as exc:  # an evaluation counts failures, it does not stop at the first one
        return None, f"{exc.__class__.__name__}: {exc}"


def ask_conversation(pipeline, name: str, conversation: list[dict], repeat: int, guides, judge=None) -> list[dict]:
    """The case rows of one conversation (one message, or several turns asked in order, each with the turns
    before it and the answers this pipeline gave them)."""
    rows, history = [], []
    for item in conversation:
        outcome, error = ask(pipeline, item, history)
        relevant = guides.relevant(item) if guides is not None else None
        row = case_row(name, item, repeat, outcome, error, relevant)
        if judge is not None and outcome is not None and not outcome.abstained:
            row["metrics"]["llm_faithfulness"] = judge(item, outcome)
        rows.append(row)
        if outcome is not None:
            history.append(Turn(item["question"], outcome.language, outcome.answer))
    return rows


def run(
    plan: Plan, pipelines: dict, doc_languages: list[str], tick: Callable[[], None], judge=None
) -> tuple[dict, list[dict]]:
    """Ask every case; returns (config name -> report section, case rows of the main run). `judge(case,
    outcome)`, when given, adds an LLM-judged `llm_faithfulness` beside the deterministic metrics."""
    rows: list[dict] = []
    sections: dict[str, dict] = {}
    talks = conversations(plan.cases)
    for name in plan.configs:
        pipeline = pipelines[name]
        # Not timed: the first question pays for lazy loading (model trace, vocabularies, caches).
        ask(pipeline, {"question": talks[0][0]["question"]})
        mine = _ask_all(plan, talks, name, pipeline, tick, judge)
        sections[name] = config_report(mine, pipeline.description)
        if plan.cross_language and len(doc_languages) > 1:
            for doc_lang in doc_languages:
                sliced = pipeline.restricted(doc_lang)
                pair_rows = []
                for talk in talks:
                    pair_rows += ask_conversation(sliced, name, talk, 0, plan.guides)
                    for _ in talk:
                        tick()
                add_pair(sections[name], doc_lang, pair_rows)
        rows.extend(mine)
    return sections, rows


def _ask_all(plan: Plan, talks: list[list[dict]], name: str, pipeline, tick: Callable[[], None], judge) -> list[dict]:
    """The case rows of one configuration's main run: every case, `plan.repeat` times."""
    mine = []
    for repeat in range(plan.repeat):
        for talk in talks:
            mine += ask_conversation(pipeline, name, talk, repeat, plan.guides, judge)
            for _ in talk:
                tick()
    return mine


def work_units(plan: Plan, doc_languages: list[str]) -> int:
    items = sum(len(talk) for talk in conversations(plan.cases))
    per_config = items * plan.repeat
    if plan.cross_language and len(doc_languages) > 1:
        per_config += items * len(doc_languages)
    return per_config * len(plan.configs)


# ---------------------------------------------------------------------------------------------- the report


def new_report(dataset: Path | None, kb: Path, plan: Plan, hashes: dict, sections: dict) -> dict:
    return {
        "created": datetime.now(UTC).replace(microsecond=0).isoformat(),
        "dataset": _shown(dataset) if dataset else None,
        "knowledge_base": _shown(kb),
        "repeat": plan.repeat,
        "cases": len(plan.cases),
        "configs": sections,
        "hashes": hashes,
        "checks": [],
    }


def realistic_section(path: Path, split: str, plan: Plan, sections: dict) -> dict:
    """report.json's `realistic`: the realistic set's figures, configuration by configuration, for one split."""
    talks = conversations(plan.cases)
    return {
        "dataset": _shown(path),
        "hash": "sha256:" + sha256_file(path),
        "split": split,
        "cases": sum(len(t) for t in talks),
        "conversations": sum(1 for t in talks if len(t) > 1),
        "configs": sections,
    }


def _shown(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(ROOT))
    except ValueError:
        return str(path)


# ---------------------------------------------------------------------------------------------- the evaluation


@dataclass
class _Inputs:
    """What `evaluate` checked before any slow work: the plans of the two sets, bounds, baseline, knowledge
    base, judge."""

    plan: Plan  # the clean set (no cases when it is not run)
    realistic: Plan | None
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
    if options.dataset is None and options.realistic is None:
        raise InputError("nothing to evaluate: give a clean set (--dataset), a realistic set (--realistic), or both")
    bounds = [parse_bound(t, ">=", configs) for t in options.fail_under]
    bounds += [parse_bound(t, "<=", configs) for t in options.fail_over]
    baseline = load_baseline(options.baseline) if options.baseline else None
    cases = load_dataset(options.dataset) if options.dataset else []
    realistic = None
    if options.realistic is not None:
        chosen = select_split(load_dataset(options.realistic), options.split)
        if not chosen:
            raise InputError(f"the {options.split} split of {options.realistic} holds no cases")
        realistic = Plan(chosen, configs, options.repeat, cross_language=False)
    kb = Path(options.kb or settings.kb_dir)
    if not kb.exists():
        raise InputError(f"knowledge base not found: {kb}")
    judge = None
    if options.judge:
        if chat_model is None and not settings.llm:
            raise InputError("--judge needs a chat model: set MENTOR_LLM (the deterministic metrics need none)")
        judge = Judge(chat_model, settings)
    plan = Plan(cases, configs, options.repeat, options.cross_language)
    return _Inputs(plan, realistic, bounds, baseline, kb, judge)


def _ingested(runtime: Runtime, kb: Path, cases: list[dict], progress, warn) -> None:
    """The knowledge base into the runtime's private index; warns about relevant ids it does not hold."""
    ingested = runtime.ingestor().ingest([kb], progress=progress)
    if not runtime.index.chunks:
        reasons = "; ".join(f"{s.path}: {s.reason}" for s in ingested.skipped[:3])
        raise InputError(f"no readable documents in {kb}" + (f" ({reasons})" if reasons else ""))
    known = {c.doc_id for c in runtime.index.chunks}
    named = {d for talk in conversations(cases) for item in talk for d in item["relevant_doc_ids"]}
    unknown = sorted(d for d in named if d not in known)
    if unknown:
        warn(
            f"{len(unknown)} relevant doc id(s) of the dataset are not in {kb} (cases naming them can never "
            f"hit): {', '.join(unknown[:8])}{' ...' if len(unknown) > 8 else ''}"
        )


def _asked(runtimes: dict, inputs: _Inputs, progress) -> tuple[dict, dict | None, list[dict], dict]:
    """Every configuration built over its model's runtime (`runtimes[None]`: the configured model) and asked
    both sets: (clean sections, realistic sections, case rows, config fingerprints)."""
    plans = [p for p in (inputs.plan, inputs.realistic) if p is not None and p.cases]
    languages = runtimes[None].index.languages
    progress("preparing", 0, len(inputs.plan.configs))
    built = {}
    for i, name in enumerate(inputs.plan.configs):
        built[name] = build(name, runtimes[parse_config(name)[1]], inputs.kb)
        progress("preparing", i + 1, len(inputs.plan.configs))
    total, done = sum(work_units(p, languages) for p in plans), 0

    def tick() -> None:
        nonlocal done
        done += 1
        progress("asking", done, total)

    progress("asking", 0, total)
    guides = GuideSections.load(inputs.kb)
    sections, rows, realistic = {}, [], None
    if inputs.plan.cases:
        inputs.plan.guides = guides
        sections, rows = run(inputs.plan, built, languages, tick, inputs.judge)
    if inputs.realistic is not None:
        inputs.realistic.guides = guides
        realistic, more = run(inputs.realistic, built, languages, tick, inputs.judge)
        rows += [{**row, "set": "realistic"} for row in more]
    fingerprints = {name: digest(built[name].fingerprint()) for name in inputs.plan.configs}
    return sections, realistic, rows, fingerprints


def evaluate(settings, options: Options, progress=None, warn=None, chat_model=None) -> tuple[dict, list[dict]]:
    """The whole evaluation: check the inputs, ingest into a temporary folder, ask, score, compare.

    The clean set (`options.dataset`) fills the report's `configs`; the realistic set (`options.realistic`, one
    split) its `realistic` section, and its case rows say `"set": "realistic"`. `progress(stage, done, total)`
    follows the ingest's progress protocol; `warn(text)` hears about cases whose relevant documents are not in
    the knowledge base. Raises `InputError` on bad input before any slow work starts."""
    progress = progress or (lambda stage, done, total: None)
    warn = warn or (lambda text: None)
    inputs = _checked_inputs(settings, options, chat_model)
    everything = inputs.plan.cases + (inputs.realistic.cases if inputs.realistic else [])
    with tempfile.TemporaryDirectory(prefix="mentor-eval-") as tmp:
        # A private index; the passage vectors cache is the user's, so a second run embeds nothing.
        private = settings.model_copy(update={"data_dir": Path(tmp), "embedding_cache_dir": settings.cache_dir})
        runtime = Runtime(private)
        runtimes = {None: runtime}
        for model in sorted({parse_config(c)[1] for c in inputs.plan.configs} - {None}):
            folder = Path(tmp) / f"model-{len(runtimes)}"  # the other model's own index
            runtimes[model] = Runtime(private.model_copy(update={"data_dir": folder, "embedding_model": model}))
        for each in runtimes.values():
            _ingested(each, inputs.kb, everything, progress, warn)
        sections, realistic, rows, fingerprints = _asked(runtimes, inputs, progress)
        hashes = run_hashes(options.dataset, inputs.kb, runtime.embedder.name, fingerprints)
    report = new_report(options.dataset, inputs.kb, inputs.plan, hashes, sections)
    if realistic is not None:
        report["realistic"] = realistic_section(options.realistic, options.split, inputs.realistic, realistic)
    if inputs.baseline is not None:
        before, before_rows = inputs.baseline
        report["baseline"] = compare(report, rows, before, before_rows, _shown(options.baseline))
    sets = (report["configs"], (report.get("realistic") or {}).get("configs"))
    cited = [CITATIONS_RETRIEVED] + ([replace(CITATIONS_RETRIEVED, dataset="realistic")] if realistic else [])
    report["checks"] = check(inputs.bounds, *sets) + check(cited, *sets)
    return report, rows
