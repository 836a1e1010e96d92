"""The import graph: no module cycle anywhere, and channels reach the domain only through its public names.

The layer contracts themselves (assistant imports no web/bots/evals, bots no web, evals only assistant)
are import-linter contracts in pyproject.toml, run by `make test` as `lint-imports`; these tests add what
import-linter has no contract for. Both read every import statement, those inside functions too, so a
cycle hidden behind a function-level import is still a cycle here.
"""

from __future__ import annotations

from functools import cache

import grimp
import numpy as np
import pytest
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import connected_components

PACKAGES = ("assistant", "web", "bots", "evals")


@cache
def graph() -> grimp.ImportGraph:
    return grimp.build_graph(*PACKAGES, cache_dir=None)


def cycles(modules: set[str], imports_of) -> list[list[str]]:
    """The strongly connected components of more than one module (SciPy's csgraph), each sorted."""
    names = sorted(modules)
    position = {name: i for i, name in enumerate(names)}
    edges = [(position[m], position[i]) for m in names for i in imports_of(m) & modules]
    rows, cols = zip(*edges, strict=True) if edges else ((), ())
    matrix = csr_matrix((np.ones(len(edges)), (rows, cols)), shape=(len(names), len(names)))
    count, labels = connected_components(matrix, directed=True, connection="strong")
    groups = [[names[i] for i in np.flatnonzero(labels == label)] for label in range(count)]
    return sorted(group for group in groups if len(group) > 1)


def test_the_cycle_finder_finds_a_cycle_and_nothing_else():
    edges = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}, "e": set()}
    assert cycles(set(edges), lambda m: edges[m]) == [["a", "b", "c"]]
    assert cycles({"x", "y"}, lambda m: {"y"} if m == "x" else set()) == []


def test_no_import_cycle_between_modules():
    g = graph()
    found = cycles(set(g.modules), g.find_modules_directly_imported_by)
    assert found == [], "import cycles (a shared name lives at the wrong depth):\n" + "\n".join(
        " <-> ".join(c) for c in found
    )


@pytest.mark.parametrize("channel", ["bots", "web"])
def test_channels_import_only_the_public_names_of_assistant(channel):
    g = graph()
    private = sorted(
        f"{module} -> {imported}"
        for module in g.find_descendants(channel) | {channel}
        for imported in g.find_modules_directly_imported_by(module)
        if imported.startswith("assistant.")
    )
    assert private == [], f"{channel} imports assistant's internals instead of `from assistant import ...`:\n" + (
        "\n".join(private)
    )


def test_every_public_name_resolves_from_its_home():
    import assistant

    assert sorted(assistant.__all__) == sorted(assistant._HOMES)
    for name in assistant.__all__:
        assert getattr(assistant, name) is not None, name
    with pytest.raises(AttributeError):
        assistant.NoSuchName  # noqa: B018
