"""The realistic set's machinery: conversations in the dataset, the split rule, the relevant sections, scoring
for usefulness, asking follow-ups with their history, bounds and baselines on the realistic set."""

from __future__ import annotations

import json

import pytest

from assistant.errors import InputError
from evals import baseline, bounds, dataset, runner, scoring
from evals.outcome import Outcome
from evals.sections import GuideSections
from tests.conftest import guide, write

CREDIT_FILE = "Un dossier de prêt contient vos ventes et dépenses sur six mois, et le montant demandé."
SAVINGS = "Les groupes d'épargne prêtent à leurs membres sans garantie."


def conversation(case_id="fr-talk-01", **turn2) -> dict:
    first = {"question": "comment avoir un credit", "answerable": True, "relevant_doc_ids": ["credit"],
             "key_facts": ["six mois"]}  # fmt: skip
    second = {"question": "et sans garantie?", "answerable": True, "relevant_doc_ids": ["credit"],
              "key_facts": ["groupes d'épargne"], **turn2}  # fmt: skip
    return {"id": case_id, "language": "fr", "tags": ["follow-up"], "turns": [first, second]}


def lines(path, rows):
    path.write_text("\n".join(r if isinstance(r, str) else json.dumps(r) for r in rows) + "\n", encoding="utf-8")
    return path


@pytest.fixture
def kb(tmp_path):
    root = tmp_path / "kb"
    sections = {"Le dossier de prêt": CREDIT_FILE, "Épargne": SAVINGS, "Ailleurs": "Le Canada compte 10 provinces."}
    write(root / "fr" / "credit.md", guide("credit", "fr", "Crédit", sections))
    return root


# ---------------------------------------------------------------------------------------------- dataset


def test_conversations_load_and_expand_into_numbered_turns(tmp_path):
    single = {"id": "fr-one", "question": "q", "language": "fr", "answerable": False}
    cases = dataset.load_dataset(lines(tmp_path / "d.jsonl", [single, conversation()]))
    talks = dataset.conversations(cases)
    assert [[item["id"] for item in talk] for talk in talks] == [["fr-one"], ["fr-talk-01#1", "fr-talk-01#2"]]
    follow_up = talks[1][1]
    assert (follow_up["turn"], follow_up["conversation"], follow_up["language"]) == (2, "fr-talk-01", "fr")
    assert follow_up["key_facts"] == ["groupes d'épargne"] and follow_up["relevant_sections"] == []
    assert talks[0][0]["relevant_doc_ids"] == [] and talks[0][0]["tags"] == []


def test_bad_conversations_name_their_line_and_turn(tmp_path):
    rows = [
        conversation("fr-a"),
        {**conversation("fr-b"), "turns": [conversation()["turns"][0]]},
        conversation("fr-c", answerable="yes"),
        {**conversation("fr-d"), "question": "both"},
        conversation("fr-e", relevant_sections=["credit"]),
        conversation("fr-f", relevant_sections=["other#epargne"]),
        {**conversation("fr-g"), "tags": "sms"},
        {**conversation("fr-h"), "turns": [conversation()["turns"][0], {"question": " ", "answerable": False}]},
        {**conversation("fr-i"), "id": ""},
    ]
    with pytest.raises(dataset.DatasetError) as error:
        dataset.load_dataset(lines(tmp_path / "d.jsonl", rows))
    message = str(error.value)
    assert "8 bad line(s)" in message
    for expected in (
        "line 2: 'turns' must be a list of at least two JSON objects",
        "line 3: turn 2: 'answerable' must be true or false",
        "line 4: a case has either 'question' or 'turns', not both",
        "line 5: turn 2: relevant section 'credit' must be '<doc-id>#<heading-slug>'",
        "line 6: turn 2: relevant section 'other#epargne'",
        "line 7: 'tags' must be a list of non-empty strings",
        "line 8: turn 2: 'question' must not be empty",
        "line 9: 'id' must not be empty",
    ):
        assert expected in message, expected


def test_the_split_rule_is_fixed_and_puts_one_case_in_three_in_calibration():
    ids = [f"es-case-{i:03d}" for i in range(600)]
    splits = [dataset.split_of(i) for i in ids]
    assert splits == [dataset.split_of(i) for i in ids]  # no state, no seed: the id decides
    assert 0.28 < splits.count("calibration") / len(ids) < 0.39
    cases = [{"id": i} for i in ids]
    test, calibration = dataset.select_split(cases, "test"), dataset.select_split(cases, "calibration")
    assert len(test) + len(calibration) == len(ids) and not {c["id"] for c in test} & {c["id"] for c in calibration}
    assert dataset.select_split(cases, "all") == cases
    with pytest.raises(InputError, match="unknown split 'dev'"):
        dataset.select_split(cases, "dev")


# ---------------------------------------------------------------------------------------------- sections


def test_relevant_sections_hold_a_key_fact_or_are_named(kb):
    guides = GuideSections.load(kb)
    assert guides.slugs("credit", "fr") == ["le-dossier-de-pret", "epargne", "ailleurs"]  # no text under the title
    item = dataset.conversations([conversation()])[0][0]
    assert guides.relevant(item)[0] == [f"Le dossier de prêt\n{CREDIT_FILE}"]  # a section starts with its heading
    named = {**item, "relevant_sections": ["credit#epargne"]}
    assert guides.relevant(named)[0] == [f"Épargne\n{SAVINGS}"]
    chosen, whole = guides.relevant({**item, "key_facts": ["nulle part"]})
    assert chosen == whole and CREDIT_FILE in whole[0] and SAVINGS in whole[0]  # no section holds it: the guide
    assert guides.relevant({**item, "language": "es"})[0] == [f"Le dossier de prêt\n{CREDIT_FILE}"]  # French


# ---------------------------------------------------------------------------------------------- scoring


def answered(text: str, abstained=False) -> Outcome:
    cited = [] if abstained else [{"n": 1, "doc_id": "credit", "chunk_id": "credit.fr#x-1", "title": "Crédit",
                                   "language": "fr", "snippet": ""}]  # fmt: skip
    return Outcome(["credit"], ["credit.fr#x-1"], text, "fr", abstained, cited, {"credit.fr#x-1": text}, 5.0)


@pytest.mark.parametrize(
    ("answer", "abstained", "useful", "first", "kind"),
    [
        (f"{CREDIT_FILE} [1]", False, 1.0, 1.0, None),
        (f"Le dossier de prêt :\n{CREDIT_FILE} [1]", False, 1.0, 1.0, None),  # opens on the section's title
        (f"{SAVINGS} [1] {CREDIT_FILE} [1]", False, 0.0, 0.0, "off_topic"),  # the key fact comes second
        (f"{SAVINGS} [1]", False, 0.0, 0.0, "key_fact_missing"),
        ("Le Bénin a 12 départements.", False, 0.0, 0.0, "wrong_guide"),
        ("Les guides du programme ne répondent pas à cette question.", True, 0.0, None, "wrong_refusal"),
    ],
)
def test_an_answerable_case_is_useful_or_gets_one_failure_type(kb, answer, abstained, useful, first, kind):
    item = dataset.conversations([conversation()])[0][0]
    relevant = GuideSections.load(kb).relevant(item)
    row = scoring.case_row("hybrid", item, 0, answered(answer, abstained), None, relevant)
    assert row["metrics"]["useful_answer"] == useful
    assert row["metrics"]["first_sentence_relevant"] == first
    assert row["failure_type"] == kind
    assert row["metrics"]["followup_useful"] is None  # turn 1 is not a follow-up
    assert row["conversation"] == "fr-talk-01" and row["turn"] == 1


def test_a_follow_up_is_handled_when_useful_or_rightly_refused(kb):
    guides = GuideSections.load(kb)
    answerable = dataset.conversations([conversation()])[0][1]
    unanswerable = {**answerable, "answerable": False, "relevant_doc_ids": [], "key_facts": []}
    scored = {
        "useful": scoring.case_row("x", answerable, 0, answered(SAVINGS), None, guides.relevant(answerable)),
        "refused": scoring.case_row("x", unanswerable, 0, answered("", True), None, guides.relevant(unanswerable)),
        "answered": scoring.case_row("x", unanswerable, 0, answered(SAVINGS), None, guides.relevant(unanswerable)),
        "error": scoring.case_row("x", answerable, 0, None, "RuntimeError: boom", guides.relevant(answerable)),
    }
    assert {k: r["metrics"]["followup_useful"] for k, r in scored.items()} == {
        "useful": 1.0, "refused": 1.0, "answered": 0.0, "error": 0.0}  # fmt: skip
    assert scored["answered"]["failure_type"] == "missed_refusal" and scored["error"]["failure_type"] == "error"
    assert scored["refused"]["metrics"]["useful_answer"] is None  # an unanswerable turn has no useful answer


# ---------------------------------------------------------------------------------------------- asking


class Remembering:
    """Answers every question with the savings sentence and records the history each question came with."""

    description = "remembering"

    def __init__(self):
        self.seen = []

    def run(self, question, history=None):
        self.seen.append((question, [t.question for t in history or []]))
        return answered(f"{SAVINGS} [1]")

    def restricted(self, lang):
        return self


def test_a_follow_up_is_asked_with_the_turns_before_it(kb):
    cases = [conversation(), {"id": "fr-one", "question": "seul", "language": "fr", "answerable": False}]
    pipeline = Remembering()
    plan = runner.Plan(cases, ["x"], cross_language=False, guides=GuideSections.load(kb))
    sections, rows = runner.run(plan, {"x": pipeline}, ["fr"], lambda: None)
    asked = pipeline.seen[1:]  # the first call warms the pipeline up
    assert asked == [("comment avoir un credit", []), ("et sans garantie?", ["comment avoir un credit"]),
                     ("seul", [])]  # fmt: skip
    assert [r["case_id"] for r in rows] == ["fr-talk-01#1", "fr-talk-01#2", "fr-one"]
    overall = sections["x"]["overall"]
    # Turn 1 lacks its key fact, turn 2 is useful; the unanswerable one is answered: a missed refusal.
    assert (overall["useful_answer"], overall["followup_useful"]) == (0.5, 1.0)
    assert sections["x"]["failure_types"]["overall"] == {"key_fact_missing": 1, "missed_refusal": 1}
    assert runner.work_units(plan, ["fr"]) == 3


# ---------------------------------------------------------------------------------------------- bounds, baseline


def test_bounds_on_the_realistic_set():
    bound = bounds.parse_bound("realistic:hybrid:useful_answer=0.8", ">=", ["hybrid"])
    anywhere = bounds.parse_bound("realistic:wrong_abstention=0.1", "<=", ["hybrid"])
    assert (bound.dataset, bound.config, bound.text) == ("realistic", "hybrid", "realistic:hybrid:useful_answer>=0.8")
    clean = {"hybrid": {"overall": {"useful_answer": 0.9, "wrong_abstention": 0.0}}}
    realistic = {"hybrid": {"overall": {"useful_answer": 0.7, "wrong_abstention": 0.05}}}
    results = {r["bound"]: r["passed"] for r in bounds.check([bound, anywhere], clean, realistic)}
    assert results == {"realistic:hybrid:useful_answer>=0.8": False, "realistic:hybrid:wrong_abstention<=0.1": True}
    french = bounds.parse_bound("realistic:hybrid:useful_answer/fr=0.8", ">=", ["hybrid"])
    realistic["hybrid"]["by_language"] = {"fr": {"useful_answer": 0.85}, "es": {"useful_answer": 0.6}}
    spanish = bounds.parse_bound("realistic:useful_answer/es=0.8", ">=", ["hybrid"])
    checked = bounds.check([french, spanish], clean, realistic)
    assert [(r["bound"], r["value"], r["passed"]) for r in checked] == [
        ("realistic:hybrid:useful_answer/fr>=0.8", 0.85, True),
        ("realistic:hybrid:useful_answer/es>=0.8", 0.6, False),
    ]
    with pytest.raises(InputError, match="unknown language 'de'"):
        bounds.parse_bound("realistic:useful_answer/de=0.8", ">=", ["hybrid"])
    missing = bounds.check([bound], clean, None)
    assert missing[0]["passed"] is False and missing[0]["value"] is None  # the set was not run: the bound fails
    with pytest.raises(InputError, match="write METRIC=VALUE"):
        bounds.parse_bound("realistic:hybrid:x:useful_answer=0.8", ">=", ["hybrid"])


def test_a_baseline_compares_the_realistic_set_too():
    def report(value):
        section = {"hybrid": {"overall": {"useful_answer": value}}}
        return {"configs": section, "hashes": {"dataset": "h"},
                "realistic": {"hash": "r", "split": "test", "configs": section}}  # fmt: skip

    def rows(values):
        return [{"config": "hybrid", "case_id": f"c{i}", "repeat": 0, "set": "realistic",
                 "metrics": {"useful_answer": v}} for i, v in enumerate(values)]  # fmt: skip

    result = baseline.compare(report(0.75), rows([1, 1, 1, 0]), report(0.25), rows([0, 0, 1, 0]), "before")
    entry = result["realistic"]["diffs"]["hybrid"]["useful_answer"]
    assert entry["delta"] == 0.5 and entry["pairs"] == 4 and result["realistic"]["same_dataset"] is True
    assert result["diffs"]["hybrid"]["useful_answer"]["pairs"] == 0  # the clean set has no rows here


def test_the_makefile_gate_bounds_both_sets_and_every_language():
    """`make eval-gate`: every bound parses, and the realistic set is bounded overall and in each language."""
    from tests.conftest import ROOT

    text = (ROOT / "Makefile").read_text(encoding="utf-8").replace("\\\n", " ")
    found = {}
    for name in ("EVAL_GATE", "EVAL_GATE_REALISTIC"):
        line = next(line for line in text.splitlines() if line.startswith(f"{name} :="))
        words = line.partition(":=")[2].split()
        found[name] = [
            bounds.parse_bound(value, ">=" if flag == "--fail-under" else "<=", ["hybrid", "bm25"])
            for flag, value in zip(words[::2], words[1::2], strict=True)
        ]
    realistic = found["EVAL_GATE_REALISTIC"]
    assert all(b.dataset == "realistic" for b in realistic) and all(b.dataset == "clean" for b in found["EVAL_GATE"])
    useful = {b.language for b in realistic if b.metric == "useful_answer"}
    assert useful == {None, "fr", "es", "en"}
    assert {"wrong_abstention", "abstain_recall", "followup_useful", "errors"} <= {b.metric for b in realistic}
    assert "$(EVAL_GATE_REALISTIC)" in text
