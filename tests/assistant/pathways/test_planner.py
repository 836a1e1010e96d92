"""The pathway planner on a small hand-written catalog (expectations worked out by hand from the
need formula in planner.py) and on the bundled catalog (properties over many random women).

The small catalog:

    money (fin, beginner, 30')      digital (dig, beginner, 30')      team (lead, beginner, 15')
      |                               |            |
    customers (mkt, beginner, 40')    |          story (com, beginner, 20')
      |                               |
      +------------ online (dig + mkt, intermediate, 60') ----+

Cycles and dangling prerequisites in pathways.yaml are covered in tests/knowledge_base/test_content.py.
"""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from assistant.knowledge.catalog import Catalog, load_catalog
from assistant.pathways.planner import Needs, Planner
from assistant.phrases import phrase

KB = Path(__file__).resolve().parents[3] / "knowledge_base"

LABELS = {
    "fin": {"fr": "Gestion financière", "es": "Gestión financiera", "en": "Financial management"},
    "mkt": {"fr": "Accès aux marchés", "es": "Acceso a mercados", "en": "Market access"},
    "dig": {"fr": "Compétences numériques", "es": "Competencias digitales", "en": "Digital skills"},
    "com": {"fr": "Communication", "es": "Comunicación", "en": "Communication"},
    "lead": {"fr": "Leadership", "es": "Liderazgo", "en": "Leadership"},
}
MODULES = {
    # id: (titles fr/es/en, competencies, level, minutes, prerequisites)
    "money": (("Tenir sa caisse", "Llevar la caja", "Keeping the cash book"), ["fin"], "beginner", 30, []),
    "customers": (
        ("Connaître ses clientes", "Conocer a sus clientas", "Knowing your customers"),
        ["mkt"],
        "beginner",
        40,
        ["money"],
    ),
    "digital": (
        ("Premiers pas numériques", "Primeros pasos digitales", "Digital first steps"),
        ["dig"],
        "beginner",
        30,
        [],
    ),
    "online": (
        ("Vendre en ligne", "Vender en línea", "Selling online"),
        ["dig", "mkt"],
        "intermediate",
        60,
        ["customers", "digital"],
    ),
    "story": (
        ("Raconter son histoire", "Contar su historia", "Telling your story"),
        ["com"],
        "beginner",
        20,
        ["digital"],
    ),
    "team": (("Animer une équipe", "Animar un equipo", "Leading a small team"), ["lead"], "beginner", 15, []),
}


def small_catalog() -> Catalog:
    modules, resources = {}, {}
    for mid, (titles, comps, level, minutes, prerequisites) in MODULES.items():
        rid = f"{mid}-sheet"
        modules[mid] = {
            "id": mid,
            "titles": dict(zip(("fr", "es", "en"), titles, strict=True)),
            "description": {lang: f"{t}." for lang, t in zip(("fr", "es", "en"), titles, strict=True)},
            "prerequisites": list(prerequisites),
            "competencies": list(comps),
            "level": level,
            "minutes": minutes,
            "resources": [rid],
            "guide_ids": [f"{mid}-guide"],
        }
        resources[rid] = {
            "id": rid,
            "titles": {lang: f"{t} (fiche)" for lang, t in zip(("fr", "es", "en"), titles, strict=True)},
            "level": level,
            "minutes": 5,
            "format": "worksheet",
            "languages": ["fr", "es", "en"],
        }
    competencies = {c: {"id": c, "labels": labels} for c, labels in LABELS.items()}
    return Catalog(skills={}, resources=resources, competencies=competencies, modules=modules)


@pytest.fixture(scope="module")
def planner() -> Planner:
    return Planner(small_catalog())


@pytest.fixture(scope="module")
def real_planner() -> Planner:
    return Planner(load_catalog(KB))


def ids(steps) -> list[str]:
    return [s.module_id for s in steps]


def label(competency: str, lang: str) -> str:
    return LABELS[competency][lang]


def title(module: str, lang: str) -> str:
    return MODULES[module][0][("fr", "es", "en").index(lang)]


def known_by_hand(module: dict, ratings: dict[str, int]) -> bool:
    bar = 3 if module.get("level") == "beginner" else 4
    comps = module.get("competencies") or []
    return bool(comps) and all(ratings.get(c, 0) >= bar for c in comps)


def random_needs(rng: random.Random, competencies: list[str]) -> Needs:
    ratings = {c: rng.randint(1, 5) for c in competencies if rng.random() < 0.85}
    questions = {c: rng.randint(1, 4) for c in competencies if rng.random() < 0.3}
    stated = {c for c in competencies if rng.random() < 0.2}
    return Needs(ratings, questions, stated)


@pytest.mark.parametrize("which", ["small", "real"])
def test_prerequisites_always_come_first_and_every_open_module_is_listed_once(which, planner, real_planner):
    p = planner if which == "small" else real_planner
    rng = random.Random(20240611)
    competencies = list(p.competencies)
    for _ in range(300):
        needs = random_needs(rng, competencies)
        completed = {m for m in p.modules if rng.random() < 0.25}
        lang = rng.choice(["fr", "es", "en"])
        steps = p.plan(needs, completed, lang)
        assert p.violations(steps, completed, needs) == []
        # the same check, by hand: each prerequisite is completed, known, or an earlier step
        met = set(completed) | {m for m, module in p.modules.items() if known_by_hand(module, needs.ratings)}
        for step in steps:
            assert set(p.modules[step.module_id].get("prerequisites") or []) <= met, (step.module_id, needs)
            met.add(step.module_id)
        expected = {
            m for m, module in p.modules.items() if m not in completed and not known_by_hand(module, needs.ratings)
        }
        assert sorted(ids(steps)) == sorted(expected)
        assert all(s.title == p.modules[s.module_id]["titles"][lang] and s.why for s in steps)


def test_violations_reports_a_prerequisite_placed_after_the_module(planner):
    steps = planner.plan(Needs({c: 1 for c in LABELS}), lang="en")
    order = ids(steps)
    assert order.index("money") < order.index("customers")
    swapped = sorted(steps, key=lambda s: s.module_id != "customers")  # customers moved to the front
    assert planner.violations(swapped) == ["customers before money"]
    assert planner.violations(swapped, completed={"money"}) == []


@pytest.mark.parametrize(
    ("weak", "module", "lang"), [("fin", "money", "fr"), ("dig", "digital", "es"), ("lead", "team", "en")]
)
def test_the_first_step_is_on_her_weakest_competency_when_it_has_a_root_module(planner, weak, module, lang):
    # everything else at 3: the beginner modules are known, only `online` (intermediate) and hers are left
    ratings = {c: 3 for c in LABELS} | {weak: 1}
    steps = planner.plan(Needs(ratings), lang=lang)
    assert ids(steps)[0] == module
    assert set(ids(steps)) == {module, "online"}
    assert steps[0].title == title(module, lang)
    # ratings [1, 3, 3, 3, 3]: the two weakest cut at 3, so every competency ties in
    assert steps[0].why == phrase("why_weakest", lang, competency=label(weak, lang), rating=1)
    assert steps[0].minutes == MODULES[module][3]
    assert steps[0].resources == [f"{module}-sheet"]


def test_the_weakest_area_beats_other_weak_roots(planner):
    # own needs: money .75, digital .75, online .75, team 1.0 (customers, story known)
    steps = planner.plan(Needs({"fin": 2, "mkt": 4, "dig": 2, "com": 4, "lead": 1}), lang="en")
    assert ids(steps)[0] == "team"
    assert steps[0].need == 1.0


@pytest.mark.parametrize("lang", ["fr", "es", "en"])
def test_a_prerequisite_of_her_weakest_area_comes_first_and_says_what_it_prepares(planner, lang):
    # market access is weakest (1) and its module needs `money`:
    # own: money .75, customers 1.0, online 1.0, team .75; money carries .9 x 1.0 from customers,
    # so it goes before `team` (same own need, shorter) and names `customers`.
    needs = Needs({"fin": 2, "mkt": 1, "dig": 4, "com": 4, "lead": 2})
    steps = planner.plan(needs, lang=lang)
    assert ids(steps) == ["money", "customers", "online", "team"]
    assert steps[0].why == phrase(
        "why_prerequisite_rated", lang, module=title("customers", lang), competency=label("mkt", lang), rating=1
    )
    assert steps[0].claims == [{"kind": "prerequisite", "module": "customers", "competency": "mkt", "rating": 1}]
    assert steps[0].need == 0.9
    assert title("customers", lang) in steps[0].why


def test_without_the_weak_area_behind_it_the_shorter_root_wins_the_tie(planner):
    # same as above but market access rated 4: nothing to carry, money and team tie at .75; team is shorter
    steps = planner.plan(Needs({"fin": 2, "mkt": 4, "dig": 4, "com": 4, "lead": 2}), lang="en")
    assert ids(steps) == ["team", "money"]
    assert steps[1].why == phrase("why_weakest", "en", competency=label("fin", "en"), rating=2)


def test_known_modules_are_left_out(planner):
    # beginner modules are known from 3, the others from 4
    assert ids(planner.plan(Needs({c: 3 for c in LABELS}))) == ["online"]
    assert ids(planner.plan(Needs({c: 4 for c in LABELS}))) == []
    # `online` needs both of its competencies at 4
    assert ids(planner.plan(Needs({c: 3 for c in LABELS} | {"dig": 4}))) == ["online"]
    assert ids(planner.plan(Needs({c: 4 for c in LABELS} | {"mkt": 3}))) == ["online"]
    # a 2 in one competency brings back its beginner module only
    assert sorted(ids(planner.plan(Needs({c: 3 for c in LABELS} | {"com": 2})))) == ["online", "story"]
    # nothing rated: nothing known
    assert sorted(ids(planner.plan(Needs()))) == sorted(MODULES)
    assert planner.known("money", Needs({"fin": 3}))
    assert not planner.known("online", Needs({"dig": 5, "mkt": 3}))


def test_completed_modules_are_left_out_and_count_as_met(planner):
    needs = Needs({c: 1 for c in LABELS})
    completed = {"money", "digital"}
    steps = planner.plan(needs, completed, "en")
    assert sorted(ids(steps)) == ["customers", "online", "story", "team"]
    assert planner.violations(steps, completed) == []
    assert planner.plan(needs, set(MODULES), "en") == []
    assert planner.plan(needs, set(MODULES) | {"no-such-module"}, "en") == []


def test_questions_raise_a_competency_and_the_guide_that_answered_them_is_named_in_the_why(planner):
    ratings = {c: 2 for c in LABELS}  # all equal: team first (shortest of the tied roots)
    assert ids(planner.plan(Needs(ratings), lang="en"))[0] == "team"
    # three questions answered from the digital module's guide: .75 + 3 x .15 = 1.2
    asked = {"guide_questions": {"digital-guide": 3}, "guide_titles": {"digital-guide": "Digital tools"}}
    steps = planner.plan(Needs(ratings, questions={"dig": 3}, **asked), lang="en")
    assert ids(steps)[0] == "digital"
    assert steps[0].need == 1.2
    assert steps[0].why == (
        phrase("why_weakest", "en", competency=label("dig", "en"), rating=2)
        + " "
        + phrase("why_questions", "en", count=3, guide="Digital tools")
    )
    assert {"kind": "questions", "guide": "digital-guide", "count": 3, "title": "Digital tools"} in steps[0].claims
    # questions answered from another module's guide are not claimed for this one
    steps = planner.plan(Needs(ratings, questions={"dig": 3}, guide_questions={"story-guide": 3}), lang="en")
    assert not any(c["kind"] == "questions" for c in steps[0].claims)
    # one question still raises it (.9 > .75), but is not worth a mention
    steps = planner.plan(Needs(ratings, questions={"dig": 1}, guide_questions={"digital-guide": 1}), lang="fr")
    assert ids(steps)[0] == "digital"
    assert steps[0].why == phrase("why_weakest", "fr", competency=label("dig", "fr"), rating=2)


def test_need_formula():
    assert Needs().need("x") == 0.5
    assert Needs({"x": 1}).need("x") == 1.0
    assert Needs({"x": 5}).need("x") == 0.0
    assert Needs({"x": 3}, questions={"x": 2}).need("x") == pytest.approx(0.5 + 0.3)
    assert Needs({"x": 3}, questions={"x": 10}).need("x") == pytest.approx(0.5 + 0.45)  # capped
    assert Needs({"x": 3}, stated={"x"}).need("x") == pytest.approx(0.6)


def test_weakest_includes_ties():
    assert Needs({"a": 1, "b": 2, "c": 2, "d": 3}).weakest() == {"a", "b", "c"}
    assert Needs({"a": 1, "b": 2, "c": 2, "d": 3}).weakest(1) == {"a"}
    assert Needs({"a": 2, "b": 2, "c": 2}).weakest(1) == {"a", "b", "c"}
    assert Needs({"a": 4, "b": 1}).weakest(5) == {"a", "b"}
    assert Needs().weakest() == set()


def test_the_bundled_catalog_loads_with_six_to_ten_diagnostic_competencies(real_planner):
    competencies = real_planner.diagnostic_competencies()
    assert 6 <= len(competencies) <= 10
    assert len(set(competencies)) == len(competencies)
    assert competencies == list(real_planner.catalog.competencies)
    used = {c for m in real_planner.modules.values() for c in m.get("competencies") or []}
    assert used <= set(competencies)
    # a woman without a diagnostic gets every module, in an order that respects prerequisites
    steps = real_planner.plan(Needs(), lang="fr")
    assert len(steps) == len(real_planner.modules)
    assert real_planner.violations(steps) == []
