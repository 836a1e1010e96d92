"""Bad input in cohort files: every problem is reported with its line and the field at fault, and the rest
of the cohort still loads (and still runs)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from assistant.embeddings import HashEmbedder
from assistant.errors import InputError
from assistant.matching.matcher import Matcher
from assistant.matching.profiles import load_profiles, parse_profile
from tests.assistant.matching.conftest import demo_lines, person


def _line(**row) -> bytes:
    return json.dumps(row, ensure_ascii=False).encode("utf-8")


@pytest.fixture
def messy_file(tmp_path: Path) -> tuple[Path, dict[str, int]]:
    """A cohort file mixing three good demo lines with one of every kind of problem; returns the file and
    the line number of each case."""
    good = [line.encode("utf-8") for line in demo_lines()[:3]]
    cases: list[tuple[str, bytes]] = [
        ("comment", b"# a comment line: ignored"),
        ("good1", good[0]),
        ("bad json", b'{"id": "broken", "languages": ["fr"'),
        ("no offers", _line(**person("no-offers", offers=[], needs=["bookkeeping"]))),
        ("no needs", _line(**person("no-needs", offers=["bookkeeping"], needs=[]))),
        ("good2", good[1]),
        ("unknown skill", _line(**person("odd-skill", offers=["bookkeeping", "basket-juggling"], needs=["branding"]))),
        ("extra language", _line(**person("klingon-too", ["bookkeeping"], ["branding"], languages=["fr", "tlh"]))),
        ("only unknown languages", _line(**person("klingon", ["bookkeeping"], ["branding"], languages=["tlh", "xx"]))),
        ("capacity 0", _line(**person("resting", ["bookkeeping"], ["branding"], capacity=0))),
        ("blank", b"   "),
        ("duplicate", good[0]),
        ("not utf-8", b'{"id": "latin1", "name": "Genevi\xe8ve", "languages": ["fr"]}'),
        ("good3", good[2]),
    ]
    path = tmp_path / "cohort.jsonl"
    path.write_bytes(b"\n".join(content for _, content in cases) + b"\n")
    return path, {name: number for number, (name, _) in enumerate(cases, 1)}


def _by_line(problems) -> dict[int, list]:
    out: dict[int, list] = {}
    for problem in problems:
        out.setdefault(problem.line, []).append(problem)
    return out


def test_the_good_lines_still_load(taxonomy, messy_file):
    path, _ = messy_file
    profiles, _ = load_profiles(path, taxonomy)
    good_ids = [json.loads(line)["id"] for line in demo_lines()[:3]]
    ids = [p.id for p in profiles]
    assert ids == [good_ids[0], good_ids[1], "odd-skill", "klingon-too", good_ids[2]]


def test_only_the_problem_lines_are_reported(taxonomy, messy_file):
    path, line = messy_file
    _, problems = load_profiles(path, taxonomy)
    reported = set(_by_line(problems))
    expected = {
        line[name]
        for name in (
            "bad json",
            "no offers",
            "no needs",
            "unknown skill",
            "extra language",
            "only unknown languages",
            "capacity 0",
            "duplicate",
            "not utf-8",
        )
    }
    assert reported == expected
    for problem in problems:
        assert str(problem).startswith(f"line {problem.line}")


@pytest.mark.parametrize(
    ("case", "words"),
    [
        ("bad json", ["JSON"]),
        ("no offers", ["skipped", "'offers'"]),
        ("no needs", ["skipped", "'needs'"]),
        ("only unknown languages", ["skipped", "'languages'", "tlh"]),
        ("capacity 0", ["skipped", "'capacity'"]),
        ("duplicate", ["skipped", "earlier line"]),
        ("not utf-8", ["UTF-8"]),
    ],
)
def test_a_skipped_line_says_which_field_is_wrong(taxonomy, messy_file, case, words):
    path, line = messy_file
    _, problems = load_profiles(path, taxonomy)
    messages = [p.message for p in _by_line(problems)[line[case]]]
    assert len(messages) == 1, messages
    for word in words:
        assert word in messages[0], (word, messages[0])


def test_an_unknown_skill_id_is_dropped_with_a_warning_naming_field_and_id(taxonomy, messy_file):
    path, line = messy_file
    profiles, problems = load_profiles(path, taxonomy)
    (warning,) = _by_line(problems)[line["unknown skill"]]
    assert warning.id == "odd-skill"
    assert "'offers'" in warning.message and "basket-juggling" in warning.message
    assert "skipped" not in warning.message
    kept = next(p for p in profiles if p.id == "odd-skill")
    assert kept.offers == ("bookkeeping",)


def test_an_unknown_language_beside_a_known_one_is_a_warning(taxonomy, messy_file):
    path, line = messy_file
    profiles, problems = load_profiles(path, taxonomy)
    (warning,) = _by_line(problems)[line["extra language"]]
    assert "tlh" in warning.message and "skipped" not in warning.message
    assert next(p for p in profiles if p.id == "klingon-too").languages == ("fr",)


def test_the_rest_of_the_cohort_still_runs(taxonomy, messy_file):
    path, _ = messy_file
    profiles, _ = load_profiles(path, taxonomy)
    result = Matcher(taxonomy, HashEmbedder()).cohort(profiles)
    assert result.people == len(profiles)
    assert {u["id"] for u in result.unmatched} | {p.a for p in result.pairs} | {p.b for p in result.pairs} == {
        p.id for p in profiles
    }


def test_a_missing_file_is_an_input_error(taxonomy, tmp_path):
    with pytest.raises(InputError, match="cannot read"):
        load_profiles(tmp_path / "nowhere.jsonl", taxonomy)


def test_parse_profile_names_the_field(taxonomy):
    with pytest.raises(InputError, match="'capacity'"):
        parse_profile(person("a", ["bookkeeping"], ["branding"], capacity=-1), taxonomy)
    with pytest.raises(InputError, match="'languages'"):
        parse_profile(person("a", ["bookkeeping"], ["branding"], languages=[]), taxonomy)
    with pytest.raises(InputError, match="'kind'"):
        parse_profile(person("a", ["bookkeeping"], ["branding"], kind="robot"), taxonomy)
    with pytest.raises(InputError, match="'availability'"):
        parse_profile(
            person("a", ["bookkeeping"], ["branding"], availability=[{"day": "tue", "from": "14:00", "to": "12:00"}]),
            taxonomy,
        )
    with pytest.raises(InputError, match="JSON object"):
        parse_profile(["not", "an", "object"], taxonomy)


def test_free_text_alone_is_enough_for_offers_and_needs(taxonomy):
    profile = parse_profile(
        person("texty", offers_text="Je peux aider en comptabilité", needs_text="Busco ayuda con el flujo de caja"),
        taxonomy,
    )
    assert profile.offers == ("bookkeeping",)
    assert profile.needs == ("cash-flow-management",)


# A line whose field has the wrong JSON type is malformed input like any other: a message naming the line and
# the field, and the rest of the cohort keeps running.
WRONG_TYPES = [
    pytest.param("offers", {"offers": [{"id": "bookkeeping"}]}, id="offers-item-object"),
    pytest.param("country", {"country": 5}, id="country-number"),
    pytest.param("diaspora", {"diaspora_origin": 7}, id="diaspora-number"),
    pytest.param("stage", {"business_stage": ["early"]}, id="stage-list"),
    pytest.param("modality", {"modality": ["virtual"]}, id="modality-list"),
]


@pytest.mark.parametrize(("field", "bad"), WRONG_TYPES)
def test_a_wrongly_typed_field_is_reported_and_the_rest_still_loads(taxonomy, tmp_path, field, bad):
    good = demo_lines()[:2]
    bad_line = json.dumps({**person("typo", ["bookkeeping"], ["branding"]), **bad})
    path = tmp_path / "cohort.jsonl"
    path.write_text("\n".join([good[0], bad_line, good[1]]) + "\n", encoding="utf-8")
    profiles, problems = load_profiles(path, taxonomy)
    assert {json.loads(line)["id"] for line in good} <= {p.id for p in profiles}
    assert [p.line for p in problems] == [2]  # skipped or kept with a warning, but named
    assert field in problems[0].message
