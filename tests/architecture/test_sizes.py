"""Small modules and small functions: past a few hundred lines a module usually holds two concepts.

The bounds of the project's style (STYLE.md 14): no module of assistant/, web/, bots/ or evals/ over 400
lines (database migrations are data and excepted), no function over 60 lines, decorators included.
"""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("assistant", "web", "bots", "evals")
MAX_MODULE_LINES = 400
MAX_FUNCTION_LINES = 60


def modules() -> list[Path]:
    return [p for pkg in PACKAGES for p in sorted((ROOT / pkg).rglob("*.py")) if "migrations" not in p.parts]


def long_functions(source: str, limit: int) -> list[tuple[str, int, int]]:
    """(name, first line, length) of every function or method longer than `limit` lines."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            start = min([d.lineno for d in node.decorator_list] + [node.lineno])
            length = node.end_lineno - start + 1
            if length > limit:
                found.append((node.name, node.lineno, length))
    return found


def test_the_function_measure_counts_decorators_and_nested_functions():
    source = "@decorator\ndef outer():\n    def inner():\n        return 1\n    return inner\n"
    assert long_functions(source, 4) == [("outer", 2, 5)]
    assert long_functions(source, 5) == []


def test_no_module_is_over_400_lines():
    found = [(p.relative_to(ROOT), n) for p in modules() if (n := p.read_text().count("\n")) > MAX_MODULE_LINES]
    assert found == [], f"modules over {MAX_MODULE_LINES} lines: {found}"


def test_no_function_is_over_60_lines():
    found = [
        f"{p.relative_to(ROOT)}:{line} {name} ({length} lines)"
        for p in modules()
        for name, line, length in long_functions(p.read_text(), MAX_FUNCTION_LINES)
    ]
    assert found == [], "functions over 60 lines:\n" + "\n".join(found)
