"""The structured knowledge base: skills taxonomy, resources, learning pathways and the demo cohort.

Each loader reads one file under `knowledge_base/`, checks it, and returns plain data. A broken file
fails with `CatalogError` naming the file and the offending entry (a dangling reference, a cycle in the
pathway graph, a malformed line), never with a bare KeyError.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import yaml

from assistant.config import SUPPORTED_LANGUAGES
from assistant.errors import CatalogError


@dataclass(frozen=True)
class Catalog:
    skills: dict[str, dict]
    resources: dict[str, dict]
    competencies: dict[str, dict]
    modules: dict[str, dict]


def _yaml(path: Path, key: str) -> list[dict]:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise CatalogError(f"{path.name}: cannot be read ({exc})") from exc
    items = (data or {}).get(key)
    if not isinstance(items, list):
        raise CatalogError(f"{path.name}: expected a list under '{key}'")
    return items


def _by_id(items: list[dict], file: str) -> dict[str, dict]:
    out: dict[str, dict] = {}
    for n, item in enumerate(items, start=1):
        if not isinstance(item, dict) or not item.get("id"):
            raise CatalogError(f"{file}: entry {n} has no id")
        if item["id"] in out:
            raise CatalogError(f"{file}: id '{item['id']}' appears twice")
        out[item["id"]] = item
    return out


def _check_languages(entry: dict, field: str, file: str) -> None:
    values = entry.get(field) or {}
    missing = [lang for lang in SUPPORTED_LANGUAGES if not values.get(lang)]
    if missing:
        raise CatalogError(f"{file}: '{entry['id']}' has no {field} in {', '.join(missing)}")


def load_skills(root: Path) -> dict[str, dict]:
    skills = _by_id(_yaml(root / "skills.yaml", "skills"), "skills.yaml")
    for skill in skills.values():
        _check_languages(skill, "labels", "skills.yaml")
    return skills


def load_resources(root: Path, guide_ids: set[str] | None = None) -> dict[str, dict]:
    resources = _by_id(_yaml(root / "resources.yaml", "resources"), "resources.yaml")
    for resource in resources.values():
        _check_languages(resource, "titles", "resources.yaml")
        if guide_ids is not None and resource.get("guide_id") not in guide_ids:
            raise CatalogError(
                f"resources.yaml: '{resource['id']}' points to unknown guide '{resource.get('guide_id')}'"
            )
    return resources


def load_pathways(root: Path, resource_ids: set[str] | None = None) -> tuple[dict[str, dict], dict[str, dict]]:
    """(competencies, modules); fails on a dangling or cyclic prerequisite, naming the modules."""
    path = root / "pathways.yaml"
    competencies = _by_id(_yaml(path, "competencies"), "pathways.yaml")
    modules = _by_id(_yaml(path, "modules"), "pathways.yaml")
    for module in modules.values():
        _check_languages(module, "titles", "pathways.yaml")
        for prerequisite in module.get("prerequisites") or []:
            if prerequisite not in modules:
                raise CatalogError(f"pathways.yaml: module '{module['id']}' requires unknown module '{prerequisite}'")
        for competency in module.get("competencies") or []:
            if competency not in competencies:
                raise CatalogError(f"pathways.yaml: module '{module['id']}' names unknown competency '{competency}'")
        for resource in module.get("resources") or []:
            if resource_ids is not None and resource not in resource_ids:
                raise CatalogError(f"pathways.yaml: module '{module['id']}' names unknown resource '{resource}'")
    cycle = find_cycle({m: list(modules[m].get("prerequisites") or []) for m in modules})
    if cycle:
        raise CatalogError(f"pathways.yaml: prerequisites form a cycle: {' -> '.join(cycle)}")
    return competencies, modules


def find_cycle(graph: dict[str, list[str]]) -> list[str] | None:
    """A cycle in a dependency graph as a list of nodes (first == last), or None."""
    state: dict[str, int] = {}  # 1 = on the current path, 2 = done
    stack: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        stack.append(node)
        for nxt in graph.get(node, []):
            if state.get(nxt) == 1:
                return [*stack[stack.index(nxt) :], nxt]
            if nxt not in state and (found := visit(nxt)):
                return found
        stack.pop()
        state[node] = 2
        return None

    for node in sorted(graph):
        if node not in state and (found := visit(node)):
            return found
    return None


def load_catalog(root: Path, guide_ids: set[str] | None = None) -> Catalog:
    skills = load_skills(root)
    resources = load_resources(root, guide_ids)
    competencies, modules = load_pathways(root, set(resources))
    return Catalog(skills=skills, resources=resources, competencies=competencies, modules=modules)
