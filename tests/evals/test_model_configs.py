"""`config@model`: the same pipeline over another embedding model's own index, side by side in one run."""

from __future__ import annotations

import json

import pytest

from assistant.config import Settings
from assistant.errors import InputError
from evals import runner
from evals.pipelines import parse_config
from evals.splits import split, split_of


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("hybrid", ("hybrid", None)),
        ("dense@all-MiniLM-L6-v2", ("dense", "all-MiniLM-L6-v2")),
        ("langchain-naive@multilingual-e5-small", ("langchain-naive", "multilingual-e5-small")),
    ],
)
def test_a_configuration_may_name_a_model(name, expected):
    assert parse_config(name) == expected


@pytest.mark.parametrize("name", ["hybird", "hybrid@", "@all-MiniLM-L6-v2", "bm25@ "])
def test_a_bad_configuration_is_a_clear_error(name):
    with pytest.raises(InputError, match="unknown configuration"):
        parse_config(name)


def test_the_halves_are_fixed_by_case_id_and_cover_every_case():
    cases = [{"id": f"fr-x-{n:02}"} for n in range(40)]
    calibration, report = split(cases, "calibration"), split(cases, "report")
    assert len(calibration) + len(report) == 40 and calibration and report
    assert not {c["id"] for c in calibration} & {c["id"] for c in report}
    assert split_of("fr-x-01") == split_of("fr-x-01")
    with pytest.raises(ValueError):
        split(cases, "test")


@pytest.mark.integration
def test_two_models_are_evaluated_side_by_side(tmp_path, small_corpus):
    data = tmp_path / "d.jsonl"
    case = {"id": "en-c-01", "question": "how do savings groups and microfinance help women", "language": "en",
            "relevant_doc_ids": ["credit"], "answerable": True, "key_facts": ["microfinance"]}  # fmt: skip
    data.write_text(json.dumps(case) + "\n")
    settings = Settings(data_dir=tmp_path / "data", embedding_model="hash", _env_file=None)
    options = runner.Options(
        dataset=data, kb=small_corpus, configs=("hybrid", "hybrid@all-MiniLM-L6-v2"), cross_language=False
    )
    report, rows = runner.evaluate(settings, options)
    sections = report["configs"]
    assert set(sections) == {"hybrid", "hybrid@all-MiniLM-L6-v2"}
    assert "model hash-256" in sections["hybrid"]["description"]
    assert "model all-MiniLM-L6-v2" in sections["hybrid@all-MiniLM-L6-v2"]["description"]
    assert {r["config"] for r in rows} == set(sections)
    assert report["hashes"]["configs"]["hybrid"] != report["hashes"]["configs"]["hybrid@all-MiniLM-L6-v2"]
