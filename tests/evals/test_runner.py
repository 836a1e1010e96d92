"""The evaluation runner: dataset checks, per-case scoring, aggregation, errors, bounds, baselines."""

from __future__ import annotations

import gzip
import json
import re

import pytest

from assistant.errors import InputError
from evals import baseline, bounds, dataset, runner, scoring
from evals.outcome import Outcome


def case(case_id="fr-a-01", language="fr", answerable=True, relevant=("a",), facts=("15 000",)) -> dict:
    return {
        "id": case_id,
        "question": f"question {case_id}",
        "language": language,
        "relevant_doc_ids": list(relevant),
        "answerable": answerable,
        "key_facts": list(facts),
    }


def outcome(ranked=("a", "b"), answer="Il y a 15,000 bénévoles. [1]", abstained=False, cited=("a",), lang="fr"):
    citations = [
        {"n": i, "doc_id": d, "chunk_id": f"{d}.{lang}#s-1", "title": d, "language": lang, "snippet": ""}
        for i, d in enumerate(cited, start=1)
    ]
    return Outcome(
        retrieved_doc_ids=list(ranked),
        context_chunk_ids=[f"{d}.{lang}#s-1" for d in ranked],
        answer=answer,
        language=lang,
        abstained=abstained,
        citations=citations,
        evidence={c["chunk_id"]: "Le programme mobilise 15 000 bénévoles canadiens." for c in citations},
        latency_ms=10.0,
    )


# ---------------------------------------------------------------------------------------------- dataset


def write_lines(path, lines):
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_dataset_loads_and_fills_optional_lists(tmp_path):
    path = write_lines(tmp_path / "d.jsonl", [json.dumps(case()), "", json.dumps(case("en-x", "en", False, (), ()))])
    cases = dataset.load_dataset(path)
    assert [c["id"] for c in cases] == ["fr-a-01", "en-x"]


def test_dataset_lists_every_bad_line_with_its_number(tmp_path):
    good = case()
    lines = [
        json.dumps(good),
        "{not json",
        json.dumps({k: v for k, v in case("b").items() if k != "question"}),
        json.dumps(case("c", language="de")),
        json.dumps(good),  # duplicate id
        json.dumps({**case("d"), "answerable": "yes"}),
        json.dumps(case("e", relevant=())),
        json.dumps({**case("f"), "key_facts": "15 000"}),
    ]
    with pytest.raises(dataset.DatasetError) as error:
        dataset.load_dataset(write_lines(tmp_path / "d.jsonl", lines))
    message = str(error.value)
    assert "7 bad line(s)" in message
    for expected in (
        "line 2: not valid JSON",
        "line 3: missing 'question'",
        "line 4: 'language' must be one of fr, es, en",
        "line 5: duplicate id 'fr-a-01'",
        "line 6: 'answerable' must be true or false",
        "line 7: an answerable case needs at least one relevant_doc_id",
        "line 8: 'key_facts' must be a list",
    ):
        assert expected in message


@pytest.mark.parametrize(
    ("content", "expected"),
    [(None, "dataset not found"), (b"\xff\xfe\x00bad", "is not UTF-8"), (b"\n\n", "holds no cases")],
)
def test_dataset_file_problems_are_clear(tmp_path, content, expected):
    path = tmp_path / "d.jsonl"
    if content is not None:
        path.write_bytes(content)
    with pytest.raises(dataset.DatasetError, match=expected):
        dataset.load_dataset(path)


def test_the_bundled_dataset_is_valid():
    cases = dataset.load_dataset(dataset.DEFAULT_DATASET)
    assert len(cases) >= 200
    assert {c["language"] for c in cases} == {"fr", "es", "en"}


# ---------------------------------------------------------------------------------------------- scoring


def test_an_answered_case_is_scored_on_every_metric():
    values = scoring.score(case(relevant=("a", "c")), outcome(ranked=("b", "a", "d", "c")))
    assert values["hit@1"] == 0.0 and values["hit@3"] == 1.0
    assert values["mrr@10"] == 0.5
    assert values["recall@5"] == 1.0
    assert values["key_fact_recall"] == 1.0  # "15,000" in the answer equals the fact "15 000"
    assert values["citation_precision"] == 1.0 and values["citation_recall"] == 0.5
    assert values["unretrieved_citations"] == 0.0
    assert values["grounded_facts"] == 1.0
    assert values["wrong_abstention"] == 0.0
    assert values["language_match"] == 1.0
    assert values["abstain_recall"] is None and values["abstain_precision"] is None


def test_the_assistants_note_on_what_the_guides_lack_is_not_checked_against_the_evidence():
    from assistant.phrases import phrase

    note = phrase("found_nothing_on", "fr", missing="taux de BancoSol en 2027")
    quoted = '"Il y a 15,000 bénévoles." [1]'  # a quotation closes the sentence: no full stop before the note
    plain = scoring.score(case(), outcome(answer=quoted))
    noted = scoring.score(case(), outcome(answer=f"{quoted}\n\n{note}"))
    assert noted["content_support"] == plain["content_support"] == 1.0
    assert noted["grounded_facts"] == plain["grounded_facts"] == 1.0  # "BancoSol", "2027" are her words
    assert noted["key_fact_recall"] == plain["key_fact_recall"]


def test_an_abstention_on_an_answerable_case_scores_no_facts_and_a_wrong_abstention():
    values = scoring.score(case(), outcome(answer="Je ne sais pas.", abstained=True, cited=()))
    assert values["key_fact_recall"] == 0.0 and values["token_f1"] == 0.0
    assert values["wrong_abstention"] == 1.0 and values["abstain_precision"] == 0.0
    assert values["citation_precision"] is None and values["citation_recall"] == 0.0
    assert values["grounded_facts"] is None  # no answer to check


def test_unanswerable_cases_score_abstention_only():
    abstained = scoring.score(case(answerable=False, relevant=()), outcome(abstained=True, cited=()))
    answered = scoring.score(case(answerable=False, relevant=()), outcome())
    assert abstained["abstain_recall"] == 1.0 and abstained["abstain_precision"] == 1.0
    assert answered["abstain_recall"] == 0.0 and answered["abstain_precision"] is None
    assert abstained["hit@5"] is None and abstained["key_fact_recall"] is None


def test_a_citation_outside_the_retrieved_chunks_is_counted_and_fails_the_case():
    bad = outcome(ranked=("a",), cited=("a", "z"))
    row = scoring.case_row("hybrid", case(), 0, bad, None)
    assert row["metrics"]["unretrieved_citations"] == 1.0
    assert row["failed"] and "cites a chunk that was not retrieved" in row["reasons"]


def test_an_answer_in_another_language_fails_language_match():
    values = scoring.score(case(), outcome(answer="The programme mobilises 15,000 Canadian volunteers. [1]"))
    assert values["language_match"] == 0.0


def test_the_ranking_in_the_row_is_the_documents_ranking():
    row = scoring.case_row("hybrid", case(), 0, outcome(ranked=tuple("abcdefghijkl")), None)
    assert row["retrieved_doc_ids"] == list("abcdefghijkl")
    assert {"config", "case_id", "language", "retrieved_doc_ids", "answer", "abstained", "citations",
            "latency_ms", "error"} <= set(row)  # fmt: skip


# ---------------------------------------------------------------------------------------------- errors, repeats


class Scripted:
    """A pipeline that answers from a table and raises for the questions it is told to."""

    description = "scripted"

    def __init__(self, answers: dict, fail=()):
        self.answers, self.fail, self.calls = answers, set(fail), 0

    def run(self, question, history=None):
        self.calls += 1
        if question in self.fail:
            raise RuntimeError("boom")
        return self.answers[question]() if callable(self.answers[question]) else self.answers[question]

    def restricted(self, lang):
        return self


def test_errors_are_counted_and_score_zero_never_dropped():
    cases = [case("fr-a-01"), case("fr-a-02")]
    pipeline = Scripted({"question fr-a-01": outcome(), "question fr-a-02": outcome()}, fail={"question fr-a-02"})
    sections, rows = runner.run(runner.Plan(cases, ["hybrid"], cross_language=False), {"hybrid": pipeline}, ["fr"],
                                lambda: None)  # fmt: skip
    overall = sections["hybrid"]["overall"]
    assert overall["errors"] == 1
    assert overall["hit@5"] == 0.5  # one perfect case, one error counted as a miss
    assert overall["key_fact_recall"] == 0.5
    failed = [r for r in rows if r["error"]]
    assert failed[0]["error"] == "RuntimeError: boom" and failed[0]["failed"]
    assert sections["hybrid"]["counts"]["errors"] == 1


def test_repeats_measure_stability_without_narrowing_intervals():
    cases = [case(f"fr-a-{i:02d}") for i in range(6)]
    flip = iter(range(100))

    def changing():
        return outcome(answer=f"Réponse {next(flip)} avec 15 000 bénévoles. [1]")

    answers = {f"question fr-a-{i:02d}": outcome(ranked=("a",) if i % 2 else ("b", "a")) for i in range(6)}
    answers["question fr-a-00"] = changing
    once, _ = runner.run(runner.Plan(cases, ["x"], 1, False), {"x": Scripted(answers)}, ["fr"], lambda: None)
    twice, rows = runner.run(runner.Plan(cases, ["x"], 2, False), {"x": Scripted(answers)}, ["fr"], lambda: None)
    assert len(rows) == 12
    assert twice["x"]["overall"]["changed_share"] == pytest.approx(1 / 6, abs=1e-6)
    assert once["x"]["overall"]["changed_share"] is None
    assert twice["x"]["intervals"]["overall"]["mrr@10"] == once["x"]["intervals"]["overall"]["mrr@10"]


def test_cross_language_slices_fill_by_pair():
    cases = [case("fr-a-01"), case("es-a-01", "es")]
    pipeline = Scripted({"question fr-a-01": outcome(), "question es-a-01": outcome(lang="es")})
    sections, _ = runner.run(runner.Plan(cases, ["x"]), {"x": pipeline}, ["fr", "en"], lambda: None)
    assert set(sections["x"]["by_pair"]) == {"fr", "es"}
    assert set(sections["x"]["by_pair"]["es"]) == {"fr", "en"}
    assert sections["x"]["intervals"]["by_pair"]["es"]["fr"]["hit@5"] == [1.0, 1.0]
    assert runner.work_units(runner.Plan(cases, ["x"]), ["fr", "en"]) == 2 + 4


def test_abstention_figures_equal_the_metric_functions():
    from evals import metrics

    unanswerable = [case(f"u{i}", answerable=False, relevant=()) for i in (1, 2)]
    cases = [case("a1"), case("a2"), *unanswerable]
    abstained = [True, False, True, False]
    answers = {f"question {c['id']}": outcome(abstained=a, cited=()) for c, a in zip(cases, abstained, strict=True)}
    sections, _ = runner.run(runner.Plan(cases, ["x"], 1, False), {"x": Scripted(answers)}, ["fr"], lambda: None)
    overall = sections["x"]["overall"]
    answerable = [c["answerable"] for c in cases]
    assert overall["abstain_precision"] == metrics.abstain_precision(abstained, answerable) == 0.5
    assert overall["abstain_recall"] == metrics.abstain_recall(abstained, answerable) == 0.5
    assert overall["wrong_abstention"] == metrics.wrong_abstention_rate(abstained, answerable) == 0.5


# ---------------------------------------------------------------------------------------------- bounds


def test_bounds_parse_and_check():
    configs = ["hybrid", "bm25"]
    everywhere = bounds.parse_bound("hit@5=0.9", ">=", configs)
    hybrid = bounds.parse_bound("hybrid:mrr@10=0.8", ">=", configs)
    errors = bounds.parse_bound("errors=0", "<=", configs)
    assert (everywhere.config, hybrid.config, errors.op) == (None, "hybrid", "<=")
    report = {
        "hybrid": {"overall": {"hit@5": 0.95, "mrr@10": 0.79, "errors": 0}},
        "bm25": {"overall": {"hit@5": 0.85, "mrr@10": None, "errors": 2}},
    }
    results = {r["bound"]: r["passed"] for r in bounds.check([everywhere, hybrid, errors], report)}
    assert results == {
        "hybrid:hit@5>=0.9": True,
        "bm25:hit@5>=0.9": False,
        "hybrid:mrr@10>=0.8": False,
        "hybrid:errors<=0": True,
        "bm25:errors<=0": False,
    }


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("hit@5", "write METRIC=VALUE"),
        ("hits@5=0.9", "unknown metric 'hits@5'"),
        ("dense:hit@5=0.9", "configuration 'dense' is not in this run"),
        ("hit@5=high", "'high' is not a number"),
    ],
)
def test_bad_bounds_are_clear_errors(text, message):
    with pytest.raises(InputError, match=re.escape(message)):
        bounds.parse_bound(text, ">=", ["hybrid"])


def test_a_missing_metric_value_fails_its_bound():
    bound = bounds.parse_bound("abstain_precision=0.5", ">=", ["x"])
    assert bounds.check([bound], {"x": {"overall": {"abstain_precision": None}}})[0]["passed"] is False


# ---------------------------------------------------------------------------------------------- baseline


def rows_for(values: list[float], config="hybrid") -> list[dict]:
    return [
        {"config": config, "case_id": f"c{i}", "repeat": 0, "metrics": {"hit@5": v, "mrr@10": v}}
        for i, v in enumerate(values)
    ]


def test_compare_gives_differences_and_a_paired_test():
    before = {"configs": {"hybrid": {"overall": {"hit@5": 0.2, "mrr@10": 0.2}}}, "hashes": {"dataset": "x"}}
    after = {"configs": {"hybrid": {"overall": {"hit@5": 1.0, "mrr@10": 1.0}}}, "hashes": {"dataset": "x"}}
    old, new = rows_for([0.0] * 8 + [1.0] * 2), rows_for([1.0] * 10)
    result = baseline.compare(after, new, before, old, "base")
    entry = result["diffs"]["hybrid"]["hit@5"]
    assert entry["delta"] == pytest.approx(0.8) and entry["pairs"] == 10
    assert entry["p_value"] < 0.05
    assert result["same_dataset"] is True
    same = baseline.compare(before, old, before, old, "base")["diffs"]["hybrid"]["hit@5"]
    assert same["delta"] == 0 and same["p_value"] == 1.0


def test_baseline_folder_problems_are_clear(tmp_path):
    with pytest.raises(InputError, match=r"no report\.json"):
        baseline.load_baseline(tmp_path)
    (tmp_path / "report.json").write_text(json.dumps({"configs": {}}))
    with pytest.raises(InputError, match=r"cases\.jsonl is missing"):
        baseline.load_baseline(tmp_path)
    (tmp_path / "cases.jsonl").write_text("{broken")
    with pytest.raises(InputError, match="damaged"):
        baseline.load_baseline(tmp_path)


def test_a_committed_baseline_may_be_gzipped(tmp_path):
    (tmp_path / "report.json").write_text(json.dumps({"configs": {"hybrid": {"overall": {}}}}))
    (tmp_path / "cases.jsonl.gz").write_bytes(gzip.compress(b'{"config": "hybrid", "case_id": "c0"}\n'))
    _, cases = baseline.load_baseline(tmp_path)
    assert cases == [{"config": "hybrid", "case_id": "c0"}]


# ---------------------------------------------------------------------------------------------- LLM judge


@pytest.mark.parametrize(
    ("reply", "expected"),
    [("0.8", 0.8), ("Score: 1", 1.0), ("0", 0.0), ("1.0 - all supported", 1.0), ("7/10", None), ("high", None)],
)
def test_the_judges_reply_is_read_as_one_number_between_0_and_1(reply, expected):
    from evals.judge import parse_score

    assert parse_score(reply) == expected


def test_the_judge_adds_a_score_beside_the_deterministic_metrics(tmp_path, small_corpus):
    from assistant.answering.llm import ScriptedChatModel
    from assistant.config import Settings

    data = tmp_path / "d.jsonl"
    data.write_text(json.dumps(case("en-c-01", "en", relevant=("credit",), facts=("microfinance",))
                               | {"question": "how do savings groups and microfinance help women"}) + "\n")  # fmt: skip
    settings = Settings(data_dir=tmp_path / "data", embedding_model="hash", abstain_threshold=0.0, _env_file=None)
    judge = ScriptedChatModel(responses=["0.75"])
    options = runner.Options(dataset=data, kb=small_corpus, configs=("hybrid",), cross_language=False, judge=True)
    with_judge, rows = runner.evaluate(settings, options, chat_model=judge)
    plain, _ = runner.evaluate(settings, runner.Options(dataset=data, kb=small_corpus, configs=("hybrid",),
                                                        cross_language=False))  # fmt: skip
    assert rows[0]["metrics"]["llm_faithfulness"] == 0.75
    assert with_judge["configs"]["hybrid"]["overall"]["llm_faithfulness"] == 0.75
    assert "llm_faithfulness" not in plain["configs"]["hybrid"]["overall"]
    deterministic = {k: v for k, v in with_judge["configs"]["hybrid"]["overall"].items() if "latency" not in k}
    deterministic.pop("llm_faithfulness")
    assert deterministic == {k: v for k, v in plain["configs"]["hybrid"]["overall"].items() if "latency" not in k}
    assert "microfinance" in judge.calls[0][1].content  # it was shown the cited evidence


def test_a_failing_judge_gives_no_score_and_changes_nothing(tmp_path, small_corpus):
    from assistant.answering.llm import ScriptedChatModel
    from assistant.config import Settings

    data = tmp_path / "d.jsonl"
    data.write_text(json.dumps(case("en-c-01", "en", relevant=("credit",), facts=("microfinance",))
                               | {"question": "how do savings groups and microfinance help women"}) + "\n")  # fmt: skip
    settings = Settings(data_dir=tmp_path / "data", embedding_model="hash", abstain_threshold=0.0, _env_file=None)
    options = runner.Options(dataset=data, kb=small_corpus, configs=("hybrid",), cross_language=False, judge=True)
    report, rows = runner.evaluate(settings, options, chat_model=ScriptedChatModel(responses=["x"], fail_with="down"))
    assert rows[0]["metrics"]["llm_faithfulness"] is None
    assert report["configs"]["hybrid"]["overall"]["errors"] == 0


def test_langchain_naive_embeds_every_query_and_caches_only_passages(tmp_path, small_corpus):
    """Its latency must include embedding the question, as ours does (no cached query vectors)."""
    from assistant.embeddings import HashEmbedder
    from evals.pipelines import LangChainNaive

    class Counting(HashEmbedder):
        calls = 0

        def embed_batch(self, texts):
            Counting.calls += 1
            return super().embed_batch(texts)

    embedder = Counting()
    naive = LangChainNaive(small_corpus, embedder, tmp_path / "cache", 600)
    before = Counting.calls
    naive.run("savings groups microfinance")
    naive.run("savings groups microfinance")
    assert Counting.calls - before == 2
    rebuilt = LangChainNaive(small_corpus, embedder, tmp_path / "cache", 600)
    assert rebuilt.vector_store.index.ntotal == naive.vector_store.index.ntotal
    assert Counting.calls - before == 2  # the passages came from the cache the second time
