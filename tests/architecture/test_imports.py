"""The import graph: no module cycle anywhere, and channels reach the domain only through its public names.

The layer contracts themselves (assistant imports no web/bots/evals, bots no web, evals only assistant)
are import-linter contracts in pyproject.toml, run by `make test` as `lint-imports`; these tests add what
import-linter has no contract for. Both read every import statement, those inside functions too, so a
cycle hidden behind a function-level import is still a cycle here.
"""

from __future__ import annotations

from functools import cache

import grimp
import pytest

PACKAGES = ("assistant", "web", "bots", "evals")


@cache
def graph() -> grimp.ImportGraph:
    return grimp.build_graph(*PACKAGES, cache_dir=None)


def cycles(modules: set[str], imports_of) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan, iterative), each sorted."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    for root in sorted(modules):
        if root in index:
            continue
        work = [(root, iter(sorted(imports_of(root) & modules)))]
        index[root] = low[root] = len(index)
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is None:
                work.pop()
                if work:
                    low[work[-1][0]] = min(low[work[-1][0]], low[node])
                if low[node] == index[node]:
                    component = []
                    while True:
                        member = stack.pop()
                        on_stack.discard(member)
                        component.append(member)
                        if member == node:
                            break
                    if len(component) > 1:
                        found.append(sorted(component))
            elif child not in index:
                index[child] = low[child] = len(index)
                stack.append(child)
                on_stack.add(child)
                work.append((child, iter(sorted(imports_of(child) & modules))))
            elif child in on_stack:
                low[node] = min(low[node], index[child])
    return found


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
