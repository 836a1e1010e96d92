"""The knowledge base's content: every file parses, references resolve, no copied sentences."""

from __future__ import annotations

import collections
import json
import re
import unicodedata

import pytest
import yaml

from assistant.config import SUPPORTED_LANGUAGES
from assistant.knowledge.catalog import CatalogError, find_cycle, load_catalog, load_pathways
from assistant.knowledge.documents import load_document
from assistant.matching.profiles import load_profiles
from assistant.matching.taxonomy import load_taxonomy
from tests.conftest import GUIDES, QUESTIONS, ROOT

KB = ROOT / "knowledge_base"
REALISTIC = ROOT / "evals" / "datasets" / "realistic.jsonl"
# The seed documents sit in a `shared/seeds` folder beside the checkout (or beside the folder of worktrees).
SEEDS = next((p / "shared" / "seeds" for p in ROOT.parents if (p / "shared" / "seeds").is_dir()), ROOT / "no-seeds")
TOPICS = {
    "programme",
    "mentoring",
    "meetings",
    "goals",
    "ethics",
    "matching",
    "diaspora",
    "empowerment",
    "finance",
    "credit",
    "markets",
    "networks",
    "green",
    "climate",
    "inclusion",
    "rights",
    "digital",
    "ai",
    "communication",
    "leadership",
    "partnerships",
    "collective-impact",
    "missions",
    "country",
}
COUNTRIES = {"canada", "bolivia", "senegal", "benin", "guatemala", "rwanda", "cote-divoire", "philippines"}


def guide_ids() -> set[str]:
    return {p.stem for p in (GUIDES / "en").glob("*.md")}


@pytest.fixture(scope="module")
def guides() -> dict[tuple[str, str], object]:
    out = {}
    for lang in SUPPORTED_LANGUAGES:
        for path in sorted((GUIDES / lang).glob("*.md")):
            document = load_document(path, GUIDES)
            out[(document.doc_id, document.lang)] = (path, document)
    return out


def test_at_least_25_guides_each_in_three_languages(guides):
    ids = guide_ids()
    assert len(ids) >= 25
    for lang in SUPPORTED_LANGUAGES:
        assert {p.stem for p in (GUIDES / lang).glob("*.md")} == ids, f"{lang} versions differ"


def test_front_matter_matches_the_file_and_vocabulary(guides):
    for (doc_id, lang), (path, document) in guides.items():
        assert doc_id == path.stem and lang == path.parent.name, path
        assert document.title and document.title != path.stem
        assert set(document.metadata["topics"]) <= TOPICS, path
        countries = set(document.metadata["countries"])
        assert countries == {"all"} or countries <= COUNTRIES, path
        assert document.metadata["audience"], path


def test_each_guide_has_the_same_sections_in_each_language(guides):
    """A hit in another language is read as her guide's section at the same position
    (assistant/answering/counterpart.py): the translations keep their sections in the same order, which the
    figures of each section show (written "15 000" or "15,000", "20 h" or "20:00": compared without separators)."""
    for doc_id in guide_ids():
        versions = {
            lang: re.split(r"^## ", guides[(doc_id, lang)][1].body, flags=re.MULTILINE)[1:] for lang in SUPPORTED_LANGUAGES
        }
        assert len({len(v) for v in versions.values()}) == 1, f"{doc_id}: sections differ in number"
        for n, sections in enumerate(zip(*versions.values(), strict=True)):
            figures = [set(re.findall(r"\d+", re.sub(r"(?<=\d)[ ,.\u202f\u00a0](?=\d{3})", "", s))) - {"00"} for s in sections]
            assert all(f == figures[0] for f in figures), f"{doc_id}: section {n + 1} holds other figures"


def test_every_programme_country_has_a_page():
    assert {f"country-{c}" for c in COUNTRIES} <= guide_ids()


def test_guides_are_cut_in_short_sections(guides):
    for path, document in guides.values():
        sections = re.split(r"^## ", document.body, flags=re.MULTILINE)[1:]
        assert len(sections) >= 3, path
        longest = max(len(s.split()) for s in sections)
        assert longest <= 200, f"{path}: a section has {longest} words"


_HYPHENATED_BREAK = re.compile(r"(\w)-[ \t]*\n\s*(\w)")
_SCANNED_ELISION = re.compile(r"(?<!\w)[|I](?=['’]\w)")  # a scan reads the "l" of "l'économie" as "I" or "|"


def _words(text: str) -> list[str]:
    """The words a copy check compares, folded so that the seeds' scanned text and the guides' typeset text
    agree: a word hyphenated across a line break joined, the scan's "I'" or "|'" read as "l'", accents and case
    dropped (the guide's "À" is the scan's "A")."""
    text = _HYPHENATED_BREAK.sub(r"\1\2", unicodedata.normalize("NFKC", text))
    text = _SCANNED_ELISION.sub("l", text)
    folded = "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c)).casefold()
    return re.findall(r"[^\W_]+", folded)


def _shingles(words: list[str], n: int = 12) -> set[tuple[str, ...]]:
    return {tuple(words[i : i + n]) for i in range(len(words) - n + 1)}


@pytest.mark.skipif(not SEEDS.is_dir(), reason="the seed documents (../shared/seeds) are not beside this checkout")
def test_no_twelve_word_run_is_copied_from_a_seed():
    seeds = set()
    for path in SEEDS.glob("*.txt"):
        seeds |= _shingles(_words(path.read_text(encoding="utf-8")))
    files = [*GUIDES.rglob("*.md"), *KB.glob("*.yaml"), KB / "demo_cohort.jsonl", QUESTIONS, REALISTIC]
    copied = {}
    for path in files:
        shared = _shingles(_words(path.read_text(encoding="utf-8"))) & seeds
        if shared:
            copied[str(path.relative_to(ROOT))] = sorted(" ".join(run) for run in shared)
    assert not copied, copied


def test_the_overlap_check_itself_catches_a_copied_run():
    sentence = "un deux trois quatre cinq six sept huit neuf dix onze douze treize"
    assert _shingles(_words(sentence)) & _shingles(_words("Avant. " + sentence.upper()))


def test_the_overlap_check_folds_a_scan_as_it_folds_a_guide():
    scanned = "A chaque réu-\nnion, |'équipe et les autorités locales, régionales et nationales ont\nété sollicitées"
    typeset = "À chaque réunion, l'équipe et les autorités locales, régionales et nationales ont été sollicitées"
    assert _words(scanned) == _words(typeset)
    assert _shingles(_words(scanned)) & _shingles(_words(typeset))


def test_catalog_loads_and_references_resolve():
    catalog = load_catalog(KB, guide_ids())
    assert len(catalog.skills) >= 40
    assert len(catalog.resources) >= 40
    assert len(catalog.modules) >= 12
    for module in catalog.modules.values():
        assert set(module["guide_ids"]) <= guide_ids(), module["id"]
        assert set(module["competencies"]) <= set(catalog.competencies)
    for skill in catalog.skills.values():
        assert all(skill["synonyms"][lang] for lang in SUPPORTED_LANGUAGES), skill["id"]


def test_resources_have_the_documented_fields():
    catalog = load_catalog(KB, guide_ids())
    for resource in catalog.resources.values():
        assert resource["level"] in {"beginner", "intermediate", "advanced"}
        assert resource["minutes"] > 0
        assert set(resource["languages"]) <= set(SUPPORTED_LANGUAGES)
        assert all(resource["description"][lang] for lang in SUPPORTED_LANGUAGES)


def test_pathway_graph_is_acyclic_and_has_roots():
    _, modules = load_pathways(KB)
    assert any(not m.get("prerequisites") for m in modules.values())


def test_a_cyclic_pathway_file_fails_naming_the_modules(tmp_path):
    data = yaml.safe_load((KB / "pathways.yaml").read_text(encoding="utf-8"))
    first, second = data["modules"][0], data["modules"][1]
    first["prerequisites"] = [second["id"]]
    second["prerequisites"] = [first["id"]]
    (tmp_path / "pathways.yaml").write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    with pytest.raises(CatalogError, match=f"cycle.*{first['id']}"):
        load_pathways(tmp_path)


def test_a_dangling_prerequisite_fails_naming_it(tmp_path):
    data = yaml.safe_load((KB / "pathways.yaml").read_text(encoding="utf-8"))
    data["modules"][0]["prerequisites"] = ["no-such-module"]
    (tmp_path / "pathways.yaml").write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    with pytest.raises(CatalogError, match="no-such-module"):
        load_pathways(tmp_path)


def test_find_cycle():
    assert find_cycle({"a": ["b"], "b": ["c"], "c": []}) is None
    assert find_cycle({"a": ["b"], "b": ["a"]}) == ["a", "b", "a"]


def test_demo_cohort_is_fictional_varied_and_consistent():
    path = KB / "demo_cohort.jsonl"
    loaded, problems = load_profiles(path, load_taxonomy(KB / "skills.yaml"))
    assert problems == []
    profiles = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    assert len(loaded) == len(profiles) >= 120
    assert len({p["id"] for p in profiles}) == len(profiles)
    assert all(p["fictional"] is True for p in profiles)
    countries = collections.Counter(p["country"] for p in profiles)
    assert set(countries) == COUNTRIES
    assert all(countries[c] >= 8 for c in COUNTRIES)
    assert sum(1 for p in profiles if p.get("diaspora_origin")) >= 3
    assert sum(1 for p in profiles if p["kind"] == "organisation") >= 3
    for p in profiles:
        assert set(p["languages"]) <= set(SUPPORTED_LANGUAGES) and p["preferred_language"] in p["languages"]
        assert p["offers"] and p["needs"] and p["offers_text"] and p["needs_text"]


def test_cohort_loader_reports_malformed_lines_and_keeps_the_rest(tmp_path):
    good = '"country": "canada", "languages": ["fr"], "offers": ["bookkeeping"], "needs": ["marketing-strategy"]'
    path = tmp_path / "cohort.jsonl"
    path.write_text(
        f'{{"id": "a", {good}}}\n{{not json\n{{"name": "no id"}}\n{{"id": "b", {good}}}\n', encoding="utf-8"
    )
    profiles, problems = load_profiles(path, load_taxonomy(KB / "skills.yaml"))
    assert [p.id for p in profiles] == ["a", "b"]
    assert [p.line for p in problems] == [2, 3]
    assert problems[0].message.startswith("not valid JSON")
    assert "'id'" in problems[1].message


def _questions() -> list[dict]:
    return [json.loads(line) for line in QUESTIONS.read_text(encoding="utf-8").splitlines() if line.strip()]


def _fold(text: str) -> str:
    return unicodedata.normalize("NFKD", text.lower()).encode("ascii", "ignore").decode()


def test_eval_questions_follow_the_format_and_resolve():
    rows = _questions()
    assert len({r["id"] for r in rows}) == len(rows)
    ids = guide_ids()
    for row in rows:
        assert set(row) == {"id", "question", "language", "relevant_doc_ids", "answerable", "key_facts"}
        assert row["language"] in SUPPORTED_LANGUAGES
        assert set(row["relevant_doc_ids"]) <= ids, row["id"]
        if row["answerable"]:
            assert row["relevant_doc_ids"] and 1 <= len(row["key_facts"]) <= 3, row["id"]
        else:
            assert not row["relevant_doc_ids"] and not row["key_facts"], row["id"]


def test_eval_set_sizes():
    counts = collections.Counter((r["language"], r["answerable"]) for r in _questions())
    assert all(counts[(lang, True)] >= 60 for lang in SUPPORTED_LANGUAGES)
    assert sum(counts[(lang, False)] for lang in SUPPORTED_LANGUAGES) >= 40
    assert all(counts[(lang, False)] > 0 for lang in SUPPORTED_LANGUAGES)


def test_key_facts_appear_in_a_gold_guide_of_the_question_language():
    for row in _questions():
        text = _fold(
            " ".join(
                (GUIDES / row["language"] / f"{d}.md").read_text(encoding="utf-8") for d in row["relevant_doc_ids"]
            )
        )
        for fact in row["key_facts"]:
            assert _fold(fact) in text, (row["id"], fact)


def test_questions_are_not_mere_translations():
    by_lang = collections.defaultdict(set)
    for row in _questions():
        if row["answerable"]:
            by_lang[row["language"]].add(tuple(sorted(row["key_facts"])) + tuple(row["relevant_doc_ids"]))
    shared = by_lang["fr"] & by_lang["es"] & by_lang["en"]
    assert len(shared) <= len(by_lang["en"]) // 2


def test_hand_judgements_quote_their_guide_and_are_applied():
    from evals.datasets.widen_relevance import guide_texts, judged

    by_hand = judged(guide_texts())  # stops if a quote is not in its guide
    rows = {r["id"]: r for r in _questions()}
    assert by_hand
    for case_id, doc_ids in by_hand.items():
        assert rows[case_id]["answerable"], case_id
        assert set(doc_ids) <= set(rows[case_id]["relevant_doc_ids"]), case_id


def test_every_resource_has_something_to_open_in_each_of_its_languages():
    from assistant.knowledge.resource_pages import page, problems

    catalog = load_catalog(KB)
    assert problems(catalog, KB) == []
    for rid, resource in catalog.resources.items():
        for lang in resource["languages"]:
            opened = page(KB, resource, lang)
            assert opened.body or opened.url or opened.file, rid
            if opened.body:  # a page from the guide's section: real text, in that language's guide
                assert len(opened.body) > 200, (rid, lang)


def test_the_catalogue_check_names_a_resource_with_nothing_to_open(tmp_path):
    from dataclasses import replace

    from assistant.knowledge.resource_pages import problems

    catalog = load_catalog(KB)
    resource = dict(catalog.resources["loan-readiness-checklist"])
    bare = {k: v for k, v in resource.items() if k not in ("url", "body", "section", "file")}
    wrong = {**resource, "section": {"fr": "No such heading", "es": "No such heading", "en": "No such heading"}}
    found = problems(
        replace(catalog, resources={"bare": {**bare, "id": "bare"}, "wrong": {**wrong, "id": "wrong"}}), KB
    )
    assert len(found) == 6 and all("nothing to open" in p for p in found)
    assert any("'bare'" in p and "'es'" in p for p in found) and any("'wrong'" in p for p in found)
