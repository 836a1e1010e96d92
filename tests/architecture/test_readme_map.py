"""The README's map of the tree names every module of assistant/, web/, bots/, evals/, testkit/, benchmarks/
(and every package `__init__` with code of its own).

A module added without its line in the map, or a line left for a module that is gone, fails here: the map
is the newcomer's way into the code, so it must not drift.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("assistant", "web", "bots", "evals", "testkit", "benchmarks")


def map_paths(readme: str) -> set[str]:
    """Module paths named in the map: top-level lines give a folder, indented lines are relative to it."""
    block = readme.split("## Map of the tree", 1)[1].split("```", 2)[1]
    paths, folder = set(), ""
    for line in block.splitlines():
        match = re.match(r"^( *)(\S+)", line)
        if not match or not match.group(2).endswith((".py", "/")):
            continue
        indent, name = match.groups()
        if not indent:
            folder = name.split("/", 1)[0] + "/" if name.endswith("/") and name.count("/") == 1 else ""
            paths.add(name)
        else:
            paths.add(folder + name)
    return paths


def modules() -> set[str]:
    found = set()
    for pkg in PACKAGES:
        for path in (ROOT / pkg).rglob("*.py"):
            rel = path.relative_to(ROOT)
            if "migrations" in rel.parts or "datasets" in rel.parts or rel.name == "__main__.py":
                continue
            if rel.name == "__init__.py" and not defines_something(path):
                continue  # a package's docstring and re-exports: the folder's lines say it
            found.add(str(rel))
    return found


def defines_something(path: Path) -> bool:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return any(isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef) for node in tree.body)


def test_the_map_parser_reads_folders_and_indented_lines():
    readme = "## Map of the tree\n```\nweb/   x\n  app.py   y\n  routes/search.py  z\nbots/common.py  w\n```\n"
    assert map_paths(readme) == {"web/", "web/app.py", "web/routes/search.py", "bots/common.py"}


def test_every_module_has_its_line_in_the_map():
    named = map_paths((ROOT / "README.md").read_text(encoding="utf-8"))
    globbed = {p for p in named if "*" in p}
    missing = sorted(m for m in modules() - named if not any(Path(m).match(g) for g in globbed))
    assert missing == [], f"modules missing from the README's map of the tree: {missing}"


def test_the_map_names_no_module_that_is_gone():
    named = map_paths((ROOT / "README.md").read_text(encoding="utf-8"))
    gone = sorted(p for p in named if p.endswith(".py") and "*" not in p and not (ROOT / p).exists())
    assert gone == [], f"the README's map names modules that do not exist: {gone}"
