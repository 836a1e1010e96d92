"""The conversation eval: its dataset's shape and size, and `mentor eval conversation` end to end."""

from __future__ import annotations

import json
from collections import Counter

import pytest
from typer.testing import CliRunner

from assistant.cli import app
from evals.conversation import DATASET, confirmation_ok, evaluate, load, onboarding_ok, small_talk_ok


def test_the_dataset_has_at_least_20_cases_of_each_kind_per_language():
    cases = load(DATASET)
    per_language = Counter(c["language"] for c in cases)
    assert all(per_language[lang] >= 20 for lang in ("fr", "es", "en"))
    kinds = Counter((c["language"], c["type"]) for c in cases)
    for lang in ("fr", "es", "en"):
        for kind in ("small_talk", "confirmation", "onboarding"):
            assert kinds[(lang, kind)] >= 20, (lang, kind)
        assert kinds[(lang, "edit")] and kinds[(lang, "restart")]
    assert len({c["id"] for c in cases}) == len(cases)


def test_a_bad_line_is_named_by_its_number(tmp_path):
    path = tmp_path / "c.jsonl"
    path.write_text(json.dumps({"id": "a", "type": "small_talk", "language": "fr"}) + "\n{oops\n", encoding="utf-8")
    with pytest.raises(ValueError, match=":2:"):
        load(path)
    path.write_text(json.dumps({"id": "a", "type": "chitchat", "language": "fr"}) + "\n", encoding="utf-8")
    with pytest.raises(ValueError, match=":1:"):
        load(path)


def test_each_case_kind_can_fail():
    assert small_talk_ok({"text": "gracias", "expect": "thanks"})
    assert not small_talk_ok({"text": "gracias", "expect": "question"})
    assert confirmation_ok({"language": "es", "offered": "forget", "text": "sí, borrar", "expect": "confirm"})
    assert not confirmation_ok({"language": "es", "offered": "forget", "text": "sí, borrar", "expect": "cancel"})
    assert onboarding_ok(
        {"language": "es", "step": "timezone", "text": "la hora de Bolivia", "expect": "America/La_Paz"}
    )
    assert not onboarding_ok({"language": "es", "step": "stage", "text": "ya tengo 8 años", "expect": "idea"})


def test_the_command_prints_figures_per_language(tmp_path):
    cases = [c for c in load(DATASET) if c["type"] in ("small_talk", "edit", "restart")][:40]
    cases += [c for c in load(DATASET) if c["type"] in ("edit", "restart") and c["language"] == "en"]
    path = tmp_path / "c.jsonl"
    path.write_text("\n".join(json.dumps(c, ensure_ascii=False) for c in cases), encoding="utf-8")
    result = evaluate(load(path), "all")
    assert result["by_language"]["en"]["edits_and_restarts"]["share"] == 1.0
    run = CliRunner().invoke(
        app, ["--data-dir", str(tmp_path / "data"), "eval", "conversation", "--dataset", str(path), "--json"]
    )
    assert run.exit_code == 0, run.output
    shown = json.loads(run.stdout[run.stdout.index("{") :])
    assert shown["split"] == "report" and set(shown["by_language"]) == {"fr", "es", "en"}
