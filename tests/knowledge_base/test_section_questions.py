"""The questions each guide section answers (knowledge_base/questions/): one file per guide and language, every
section listed under its exact heading, written anew (no run copied from the guide, a seed, or any eval message)."""

from __future__ import annotations

import json
import re

import pytest
import yaml

from assistant.config import SUPPORTED_LANGUAGES
from assistant.knowledge.questions import read_questions
from tests.conftest import GUIDES, ROOT
from tests.knowledge_base.test_content import SEEDS, _shingles, _words

FOLDER = ROOT / "knowledge_base" / "questions"
DATASETS = ROOT / "evals" / "datasets"
MIN_PER_SECTION = 3
RUN = 10  # words in a row shared with an eval message: more than a common phrasing ("what does the programme do in")
GUIDE_RUN = 12  # as for the seeds (test_content.py)


def headings(path) -> list[str]:
    return re.findall(r"^## (.+?)\s*$", path.read_text(encoding="utf-8"), re.M)


def all_questions() -> dict[str, list[str]]:
    return {
        str(p.relative_to(FOLDER)): [q for qs in read_questions(p).values() for q in qs] for p in FOLDER.rglob("*.yaml")
    }


@pytest.mark.parametrize("lang", SUPPORTED_LANGUAGES)
def test_every_section_of_every_guide_lists_its_questions_under_its_exact_heading(lang):
    for guide in sorted((GUIDES / lang).glob("*.md")):
        path = FOLDER / lang / f"{guide.stem}.yaml"
        assert path.is_file(), f"{guide.stem}.{lang} has no questions file"
        table = read_questions(path)
        assert list(table) == headings(guide), path.name  # every section, in the guide's order
        short = [h for h, qs in table.items() if len(qs) < MIN_PER_SECTION]
        assert not short, (path.name, short)


def test_questions_are_written_in_their_guide_s_words_never_copied_from_its_sentences():
    copied = {}
    for name, questions in all_questions().items():
        guide = _shingles(_words((GUIDES / name).with_suffix(".md").read_text(encoding="utf-8")), GUIDE_RUN)
        runs = [q for q in questions if _shingles(_words(q), GUIDE_RUN) & guide]
        if runs:
            copied[name] = runs
    assert not copied, copied


def test_no_question_repeats_an_evaluation_message():
    """Written from the guides alone: a question sharing a run of words with an eval message would make the
    evals measure that message's wording, not the assistant (the fresh and blind sets' messages included)."""
    messages = set()
    for path in DATASETS.glob("*.jsonl"):
        for line in path.read_text(encoding="utf-8").splitlines():
            case = json.loads(line) if line.strip() else {}
            for turn in case.get("turns", [case]):
                messages |= _shingles(_words(turn.get("question", "")), RUN)
    shared = {name: [q for q in qs if _shingles(_words(q), RUN) & messages] for name, qs in all_questions().items()}
    assert not {k: v for k, v in shared.items() if v}


@pytest.mark.skipif(not SEEDS.is_dir(), reason="the seed documents (../shared/seeds) are not beside this checkout")
def test_no_question_copies_a_seed():
    seeds = set()
    for path in SEEDS.glob("*.txt"):
        seeds |= _shingles(_words(path.read_text(encoding="utf-8")), 10)
    assert not [q for qs in all_questions().values() for q in qs if _shingles(_words(q), 10) & seeds]


def test_the_question_files_are_plain_yaml_mappings():
    for path in FOLDER.rglob("*.yaml"):
        assert isinstance(yaml.safe_load(path.read_text(encoding="utf-8")), dict), path.name
