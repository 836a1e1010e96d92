"""`mentor eval run`: ask every case of a dataset to every configuration, score, aggregate, report.

The knowledge base is ingested into a temporary data directory (passage vectors come from the user's
embedding cache when they were computed before), so an evaluation never touches the live index or
database and any corpus can be evaluated. Everything is deterministic: the same dataset, knowledge base,
model and configuration give the same numbers (bootstrap intervals use a fixed seed).

Scoring rules, in one place:
- Retrieval metrics (hit@k, recall@k, MRR@10, nDCG@10) are on distinct document ids, answerable cases only.
- Answer metrics: key-fact recall and token F1 on answerable cases (an abstention scores 0: the asker got
  no facts); citation precision where the answer cites something; citation recall on answerable cases;
  groundedness (`grounded_facts`, `content_support`) on every answer that was given, against the text of
  the chunks it cites; language match on every case.
- Abstention: `abstain_recall` over unanswerable cases, `abstain_precision` over abstentions,
  `wrong_abstention` over answerable cases.
- An error is never dropped: it scores 0 on every quality metric the case has and is counted in `errors`.
- With `--repeat N`, each case's metrics are averaged over its repeats before the intervals are computed
  (repeating does not narrow them), and `changed_share` is the share of cases whose answer changed.
"""

from __future__ import annotations

import gzip
import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from assistant.config import SUPPORTED_LANGUAGES
from assistant.embeddings import resolve_model
from assistant.errors import AssistantError, InputError
from assistant.knowledge.ingest import collect_files
from assistant.languages import detect_language
from evals import metrics as m
from evals.pipelines import Outcome

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_DATASET = Path(__file__).resolve().parent / "datasets" / "questions.jsonl"
KS = (1, 3, 5, 10)
RETRIEVAL = (*(f"hit@{k}" for k in KS), "recall@5", "recall@10", "mrr@10", "ndcg@10")
ANSWER = (
    "language_match",
    "key_fact_recall",
    "token_f1",
    "citation_precision",
    "citation_recall",
    "unretrieved_citations",
    "grounded_facts",
    "content_support",
)
ABSTENTION = ("abstain_precision", "abstain_recall", "wrong_abstention")
PER_CASE = (*RETRIEVAL, *ANSWER, *ABSTENTION)
SUMMED = ("unretrieved_citations",)  # counts: summed over cases, not averaged
RUN_LEVEL = ("changed_share", "latency_p50_ms", "latency_p95_ms", "errors")
OPTIONAL = ("llm_faithfulness",)
METRICS = (*PER_CASE, *RUN_LEVEL, *OPTIONAL)


class DatasetError(InputError):
    """The dataset cannot be evaluated; the message lists every problem found (up to 20)."""


# ---------------------------------------------------------------------------------------------- inputs


def load_dataset(path: Path) -> list[dict]:
    """The cases of a JSONL dataset in the architecture's format, checked line by line."""
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise DatasetError(f"dataset not found: {path}") from None
    except OSError as exc:
        raise DatasetError(f"cannot read dataset {path}: {exc.strerror or exc}") from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise DatasetError(f"{path} is not UTF-8 text (byte {exc.start})") from None
    cases, problems, ids = [], [], set()
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            case = json.loads(line)
        except json.JSONDecodeError as exc:
            problems.append(f"line {number}: not valid JSON ({exc.msg})")
            continue
        problem = _case_problem(case)
        if problem is None and case["id"] in ids:
            problem = f"duplicate id {case['id']!r}"
        if problem:
            problems.append(f"line {number}: {problem}")
            continue
        ids.add(case["id"])
        cases.append(case)
    if problems:
        shown = "\n  ".join(problems[:20]) + (f"\n  ... and {len(problems) - 20} more" if len(problems) > 20 else "")
        raise DatasetError(f"{path} has {len(problems)} bad line(s):\n  {shown}")
    if not cases:
        raise DatasetError(f"{path} holds no cases")
    return cases


def _case_problem(case) -> str | None:
    if not isinstance(case, dict):
        return "a case must be a JSON object"
    for key, kind in (("id", str), ("question", str), ("language", str), ("answerable", bool)):
        if key not in case:
            return f"missing {key!r}"
        if not isinstance(case[key], kind):
            return f"{key!r} must be {'true or false' if kind is bool else 'a string'}"
    if not case["id"].strip() or not case["question"].strip():
        return "'id' and 'question' must not be empty"
    if case["language"] not in SUPPORTED_LANGUAGES:
        return f"'language' must be one of {', '.join(SUPPORTED_LANGUAGES)}, not {case['language']!r}"
    for key in ("relevant_doc_ids", "key_facts"):
        value = case.setdefault(key, [])
        if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
            return f"{key!r} must be a list of non-empty strings"
    if case["answerable"] and not case["relevant_doc_ids"]:
        return "an answerable case needs at least one relevant_doc_id"
    return None


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def tree_hash(paths: list[Path]) -> str:
    """One hash of every file's relative path and content (the knowledge base, a model folder)."""
    digest = hashlib.sha256()
    for file, root, _ in collect_files(paths):
        digest.update(str(file.relative_to(root)).encode() + b"\0" + sha256_file(file).encode() + b"\n")
    return "sha256:" + digest.hexdigest()


def model_hash(name: str) -> str:
    try:
        location = Path(resolve_model(name))
    except AssistantError:  # a missing bundled package or folder is reported by the runtime itself
        return f"{name} (unresolved)"
    return f"{name} {tree_hash([location])}" if location.is_dir() else f"{name} (hub name, not hashed)"


# ---------------------------------------------------------------------------------------------- scoring


def score(case: dict, outcome: Outcome) -> dict[str, float | None]:
    """Every per-case metric of one answered case (None where the metric does not apply)."""
    lang = case["language"]
    relevant = set(case["relevant_doc_ids"])
    answerable = case["answerable"]
    ranked = outcome.retrieved_doc_ids
    values: dict[str, float | None] = dict.fromkeys(PER_CASE)
    if answerable:
        for k in KS:
            values[f"hit@{k}"] = m.hit_at(ranked, relevant, k)
        values["recall@5"] = m.recall_at(ranked, relevant, 5)
        values["recall@10"] = m.recall_at(ranked, relevant, 10)
        values["mrr@10"] = m.mrr_at(ranked, relevant, 10)
        values["ndcg@10"] = m.ndcg_at(ranked, relevant, 10)
    text = " ".join(m.strip_citations(outcome.answer).split())
    if outcome.abstained or not text:
        detected = outcome.language
    else:
        detected = detect_language(text, preferred=outcome.language).language
    values["language_match"] = m.language_match(lang, detected)
    cited_docs = [c["doc_id"] for c in outcome.citations]
    values["unretrieved_citations"] = float(
        m.unretrieved_citations([c["chunk_id"] for c in outcome.citations], outcome.context_chunk_ids)
    )
    if answerable:
        facts = case["key_facts"]
        if facts:
            values["key_fact_recall"] = 0.0 if outcome.abstained else m.key_fact_recall(facts, text, lang)
            values["token_f1"] = 0.0 if outcome.abstained else m.token_f1(text, facts, lang)
        values["citation_precision"] = m.citation_precision(cited_docs, relevant)
        values["citation_recall"] = m.citation_recall(cited_docs, relevant)
        values["wrong_abstention"] = 1.0 if outcome.abstained else 0.0
    else:
        values["abstain_recall"] = 1.0 if outcome.abstained else 0.0
    if outcome.abstained:
        values["abstain_precision"] = 0.0 if answerable else 1.0
    else:
        evidence = " ".join(outcome.evidence.values())
        values["grounded_facts"] = m.grounded_facts(text, evidence, lang)
        values["content_support"] = m.content_support(text, evidence, lang)
    return values


def error_score(case: dict) -> dict[str, float | None]:
    """An errored case scores 0 on every quality metric it has; it is not dropped from any average."""
    values: dict[str, float | None] = dict.fromkeys(PER_CASE)
    values["language_match"] = 0.0
    if case["answerable"]:
        for name in (*RETRIEVAL, "citation_recall"):
            values[name] = 0.0
        if case["key_facts"]:
            values["key_fact_recall"] = values["token_f1"] = 0.0
    else:
        values["abstain_recall"] = 0.0
    return values


def failure_reasons(case: dict, values: dict, outcome: Outcome | None, error: str | None) -> list[str]:
    if error:
        return [f"error: {error}"]
    reasons = []
    if case["answerable"]:
        if values["hit@5"] == 0.0:
            reasons.append("no relevant guide in the top 5")
        if outcome.abstained:
            reasons.append("abstained on an answerable question")
        elif values["key_fact_recall"] == 0.0:
            reasons.append("no key fact in the answer: " + ", ".join(case["key_facts"]))
    elif not outcome.abstained:
        reasons.append("did not abstain on an unanswerable question")
    if values["language_match"] == 0.0:
        reasons.append(f"answered in another language than {case['language']}")
    if values["unretrieved_citations"]:
        reasons.append("cites a chunk that was not retrieved")
    return reasons


def case_row(config: str, case: dict, repeat: int, outcome: Outcome | None, error: str | None) -> dict:
    values = error_score(case) if outcome is None else score(case, outcome)
    reasons = failure_reasons(case, values, outcome, error)
    return {
        "config": config,
        "case_id": case["id"],
        "language": case["language"],
        "repeat": repeat,
        "question": case["question"],
        "answerable": case["answerable"],
        "relevant_doc_ids": case["relevant_doc_ids"],
        "key_facts": case["key_facts"],
        "retrieved_doc_ids": outcome.retrieved_doc_ids if outcome else [],
        "retrieved_chunk_ids": outcome.context_chunk_ids if outcome else [],
        "answer": outcome.answer if outcome else "",
        "answer_language": outcome.language if outcome else None,
        "abstained": outcome.abstained if outcome else False,
        "citations": outcome.citations if outcome else [],
        "latency_ms": round(outcome.latency_ms, 2) if outcome else None,
        "error": error,
        "metrics": {k: (None if v is None else round(v, 6)) for k, v in values.items()},
        "failed": bool(reasons),
        "reasons": reasons,
    }


def ask(pipeline, case: dict) -> tuple[Outcome | None, str | None]:
    try:
        return pipeline.run(case["question"]), None
    except Exception as exc:  # an evaluation counts failures, it does not stop at the first one
        return None, f"{exc.__class__.__name__}: {exc}"


# ---------------------------------------------------------------------------------------------- aggregation


def per_case_means(rows: list[dict], names=PER_CASE) -> dict[str, dict[str, float | None]]:
    """case id -> metric -> mean over the case's repeats (None where it never applied)."""
    grouped: dict[str, list[dict]] = {}
    for row in rows:
        grouped.setdefault(row["case_id"], []).append(row["metrics"])
    out = {}
    for case_id, runs in grouped.items():
        means = {}
        for name in names:
            values = [r.get(name) for r in runs if r.get(name) is not None]
            means[name] = sum(values) / len(values) if values else None
        out[case_id] = means
    return out


def summarise(rows: list[dict], intervals: bool = True) -> dict:
    """Overall figures of a group of rows (one configuration, maybe one language)."""
    names = [*PER_CASE, *[n for n in OPTIONAL if any(n in r["metrics"] for r in rows)]]
    cases = per_case_means(rows, names)
    overall: dict[str, float | None] = {}
    spans: dict[str, list[float]] = {}
    for name in names:
        values = [c[name] for c in cases.values() if c[name] is not None]
        if name in SUMMED:
            overall[name] = int(sum(r["metrics"].get(name) or 0 for r in rows))
            continue
        overall[name] = round(sum(values) / len(values), 6) if values else None
        if intervals and values:
            ci = m.mean_ci(values)
            if ci is not None:
                spans[name] = [round(ci[0], 6), round(ci[1], 6)]
    answers: dict[str, list[str]] = {}
    for row in rows:
        answers.setdefault(row["case_id"], []).append(json.dumps([row["answer"], row["abstained"], row["error"]]))
    repeats = {row["repeat"] for row in rows}
    overall["changed_share"] = round(m.changed_share(list(answers.values())), 6) if len(repeats) > 1 else None
    latencies = [row["latency_ms"] for row in rows if row["latency_ms"] is not None]
    p50, p95 = m.percentile(latencies, 50), m.percentile(latencies, 95)
    overall["latency_p50_ms"] = None if p50 is None else round(p50, 2)
    overall["latency_p95_ms"] = None if p95 is None else round(p95, 2)
    overall["errors"] = sum(1 for row in rows if row["error"])
    counts = {
        "cases": len(cases),
        "answerable": len({r["case_id"] for r in rows if r["answerable"]}),
        "unanswerable": len({r["case_id"] for r in rows if not r["answerable"]}),
        "rows": len(rows),
        "errors": overall["errors"],
    }
    return {"overall": overall, "intervals": spans, "counts": counts}


def config_report(rows: list[dict], description: str) -> dict:
    whole = summarise(rows)
    languages = sorted({r["language"] for r in rows}, key=_language_order)
    by_language = {lang: summarise([r for r in rows if r["language"] == lang]) for lang in languages}
    return {
        "description": description,
        "overall": whole["overall"],
        "by_language": {lang: part["overall"] for lang, part in by_language.items()},
        "by_pair": {},
        "intervals": {
            "overall": whole["intervals"],
            "by_language": {lang: part["intervals"] for lang, part in by_language.items()},
        },
        "counts": whole["counts"],
    }


def _language_order(lang: str) -> tuple[int, str]:
    return (SUPPORTED_LANGUAGES.index(lang) if lang in SUPPORTED_LANGUAGES else 99, lang)


# ---------------------------------------------------------------------------------------------- bounds


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


# ---------------------------------------------------------------------------------------------- baseline


def load_baseline(folder: Path) -> tuple[dict, list[dict]]:
    """An earlier run's report.json and its cases (cases.jsonl, or cases.jsonl.gz as committed baselines are)."""
    report_file = folder / "report.json"
    if not report_file.is_file():
        raise InputError(f"--baseline {folder}: no report.json there (give the --report folder of an earlier run)")
    cases_file = next((f for f in (folder / "cases.jsonl", folder / "cases.jsonl.gz") if f.is_file()), None)
    if cases_file is None:
        raise InputError(f"--baseline {folder}: cases.jsonl is missing beside report.json")
    try:
        report = json.loads(report_file.read_text(encoding="utf-8"))
        raw = cases_file.read_bytes()
        text = (gzip.decompress(raw) if cases_file.suffix == ".gz" else raw).decode("utf-8")
        cases = [json.loads(line) for line in text.splitlines() if line.strip()]
    except (json.JSONDecodeError, UnicodeDecodeError, gzip.BadGzipFile, EOFError) as exc:
        raise InputError(f"--baseline {folder}: the report is damaged ({exc})") from None
    if not isinstance(report, dict) or not isinstance(report.get("configs"), dict):
        raise InputError(f"--baseline {folder}: report.json has no 'configs'")
    return report, cases


def compare(report: dict, rows: list[dict], baseline: dict, baseline_rows: list[dict], where: str) -> dict:
    """Per configuration and metric: baseline, current, difference, and a paired permutation test on the
    cases both runs share."""
    diffs: dict[str, dict] = {}
    for name, current in report["configs"].items():
        before = baseline["configs"].get(name)
        if before is None:
            continue
        now_cases = per_case_means([r for r in rows if r["config"] == name])
        old_cases = per_case_means([r for r in baseline_rows if r.get("config") == name])
        shared = sorted(set(now_cases) & set(old_cases))
        table = {}
        for metric in METRICS:
            a, b = before["overall"].get(metric), current["overall"].get(metric)
            if a is None and b is None:
                continue
            entry = {"baseline": a, "current": b, "delta": None if a is None or b is None else round(b - a, 6)}
            if metric in PER_CASE and metric not in SUMMED:
                pairs = [
                    (old_cases[c][metric], now_cases[c][metric])
                    for c in shared
                    if old_cases[c].get(metric) is not None and now_cases[c].get(metric) is not None
                ]
                entry["pairs"] = len(pairs)
                entry["p_value"] = m.paired_p_value([p[0] for p in pairs], [p[1] for p in pairs]) if pairs else None
            table[metric] = entry
        diffs[name] = table
    same_data = baseline.get("hashes", {}).get("dataset") == report["hashes"]["dataset"]
    return {"path": where, "same_dataset": same_data, "created": baseline.get("created"), "diffs": diffs}


# ---------------------------------------------------------------------------------------------- the run


@dataclass
class Plan:
    cases: list[dict]
    configs: list[str]
    repeat: int = 1
    cross_language: bool = True


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
        mine = []
        for repeat in range(plan.repeat):
            for case in plan.cases:
                outcome, error = ask(pipeline, case)
                row = case_row(name, case, repeat, outcome, error)
                if judge is not None and outcome is not None and not outcome.abstained:
                    row["metrics"]["llm_faithfulness"] = judge(case, outcome)
                mine.append(row)
                tick()
        sections[name] = config_report(mine, pipeline.description)
        if plan.cross_language and len(doc_languages) > 1:
            for doc_lang in doc_languages:
                sliced = pipeline.restricted(doc_lang)
                pair_rows = []
                for case in plan.cases:
                    outcome, error = ask(sliced, case)
                    pair_rows.append(case_row(name, case, 0, outcome, error))
                    tick()
                for query_lang in sorted({c["language"] for c in plan.cases}, key=_language_order):
                    part = summarise([r for r in pair_rows if r["language"] == query_lang])
                    sections[name]["by_pair"].setdefault(query_lang, {})[doc_lang] = part["overall"]
                    spans = sections[name]["intervals"].setdefault("by_pair", {}).setdefault(query_lang, {})
                    spans[doc_lang] = part["intervals"]
        rows.extend(mine)
    return sections, rows


def work_units(plan: Plan, doc_languages: list[str]) -> int:
    per_config = len(plan.cases) * plan.repeat
    if plan.cross_language and len(doc_languages) > 1:
        per_config += len(plan.cases) * len(doc_languages)
    return per_config * len(plan.configs)


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


def write(report: dict, rows: list[dict], folder: Path) -> list[Path]:
    """Every report file into `folder` (created); returns the paths written."""
    from evals import reports

    folder.mkdir(parents=True, exist_ok=True)
    written = []
    path = folder / "report.json"
    path.write_text(json.dumps(report, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    written.append(path)
    path = folder / "cases.jsonl"
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    written.append(path)
    for name, writer in (
        ("report.md", lambda p: reports.write_markdown(report, p)),
        ("report.html", lambda p: reports.write_html(report, rows, p)),
        ("junit.xml", lambda p: reports.write_junit(report, rows, p)),
        ("failures.jsonl", lambda p: reports.write_failures(rows, p)),
    ):
        writer(folder / name)
        written.append(folder / name)
    return written


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


def evaluate(settings, options: Options, progress=None, warn=None, chat_model=None) -> tuple[dict, list[dict]]:
    """The whole evaluation: check the inputs, ingest into a temporary folder, ask, score, compare.

    `progress(stage, done, total)` follows the ingest's progress protocol; `warn(text)` hears about cases
    whose relevant documents are not in the knowledge base. Raises `InputError` on bad input before any
    slow work starts."""
    import tempfile

    from evals import pipelines as p
    from evals.judge import Judge

    progress = progress or (lambda stage, done, total: None)
    warn = warn or (lambda text: None)
    configs = list(dict.fromkeys(options.configs))
    for name in configs:
        if name not in p.CONFIGS:
            raise InputError(f"unknown configuration {name!r}: use one of {', '.join(p.CONFIGS)}")
    if options.repeat < 1:
        raise InputError("--repeat must be at least 1")
    bounds = [parse_bound(t, ">=", configs) for t in options.fail_under]
    bounds += [parse_bound(t, "<=", configs) for t in options.fail_over]
    baseline = load_baseline(options.baseline) if options.baseline else None
    cases = load_dataset(options.dataset)
    kb = Path(options.kb or settings.kb_dir)
    if not kb.exists():
        raise InputError(f"knowledge base not found: {kb}")
    judge = None
    if options.judge:
        if chat_model is None and not settings.llm:
            raise InputError("--judge needs a chat model: set MENTOR_LLM (the deterministic metrics need none)")
        judge = Judge(chat_model, settings)
    plan = Plan(cases, configs, options.repeat, options.cross_language)
    with tempfile.TemporaryDirectory(prefix="mentor-eval-") as tmp:
        from assistant.runtime import Runtime

        # A private index; the passage vectors cache is the user's, so a second run embeds nothing.
        private = settings.model_copy(update={"data_dir": Path(tmp), "embedding_cache_dir": settings.cache_dir})
        runtime = Runtime(private)
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
        languages = runtime.index.languages
        progress("preparing", 0, len(configs))
        built = {}
        for i, name in enumerate(configs):
            built[name] = p.build(name, runtime, kb)
            progress("preparing", i + 1, len(configs))
        total, done = work_units(plan, languages), 0

        def tick() -> None:
            nonlocal done
            done += 1
            progress("asking", done, total)

        progress("asking", 0, total)
        sections, rows = run(plan, built, languages, tick, judge)
        hashes = {
            "dataset": "sha256:" + sha256_file(options.dataset),
            "knowledge_base": tree_hash([kb]),
            "model": model_hash(runtime.embedder.name),
            "configs": {name: p.digest(built[name].fingerprint()) for name in configs},
        }
    report = new_report(options.dataset, kb, plan, hashes, sections)
    if baseline is not None:
        report["baseline"] = compare(report, rows, baseline[0], baseline[1], _shown(options.baseline))
    report["checks"] = check(bounds, report["configs"]) + check(
        [Bound(None, "unretrieved_citations", "<=", 0)], report["configs"]
    )
    return report, rows
