"""What a resource gives her to open: a link (`url`), a file the app serves (`file`, under the knowledge base's
`resource_files/`), its own text (`body`, per language), or a page rendered from the section of its guide it
builds on (`section`: the heading, per language, in `guides/<lang>/<guide_id>.md`).

`page(...)` gathers one resource's page in one language (title, description, Markdown body, link, file);
`problems(...)` is the catalogue check: a resource with nothing to open in one of its languages is named.
`find_by_name(...)` finds a resource she names in a message ("where can I download the am I ready for a loan
checklist?"), by its title in any language.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from rapidfuzz import fuzz

from assistant.knowledge.catalog import Catalog
from assistant.text import fold_accents

FILES = "resource_files"
NAME_MATCH = 90  # rapidfuzz partial ratio of a folded title inside a folded message
MIN_TITLE = 12  # shorter titles ("Checklist") are too common to be named on purpose
_FRONT = re.compile(r"\A---\n.*?\n---\n", re.S)


def fold(text: str) -> str:
    """Lower case, no accents, words separated by single spaces."""
    return " ".join(re.findall(r"\w+", fold_accents(text).lower()))


@dataclass
class ResourcePage:
    resource_id: str
    language: str
    title: str
    description: str
    body: str  # Markdown
    url: str | None
    file: str | None
    guide_title: str | None
    minutes: int
    format: str


def _section(root: Path, guide_id: str, lang: str, heading: str) -> tuple[str, str] | None:
    """(the guide's title, the Markdown under `## heading` up to the next `## `), or None."""
    path = root / "guides" / lang / f"{guide_id}.md"
    if not path.is_file():
        return None
    text = _FRONT.sub("", path.read_text(encoding="utf-8"))
    title = next((line[2:].strip() for line in text.splitlines() if line.startswith("# ")), guide_id)
    lines, keep = [], False
    for line in text.splitlines():
        if line.startswith("## "):
            if keep:
                break
            keep = line[3:].strip() == heading.strip()
            continue
        if keep:
            lines.append(line)
    body = "\n".join(lines).strip()
    return (title, body) if keep or body else None


def page(catalog_root: Path, resource: dict, lang: str) -> ResourcePage | None:
    """Her page of the resource in `lang` (None when it has nothing to open in that language)."""
    body = (resource.get("body") or {}).get(lang) or ""
    guide_title = None
    heading = (resource.get("section") or {}).get(lang)
    if not body and heading:
        found = _section(catalog_root, resource.get("guide_id", ""), lang, heading)
        if found:
            guide_title, section_text = found
            body = f"## {heading}\n\n{section_text}"
    file = resource.get("file")
    if file and not (catalog_root / FILES / file).is_file():
        file = None
    url = resource.get("url")
    if not (body or url or file):
        return None
    return ResourcePage(
        resource_id=resource["id"],
        language=lang,
        title=resource["titles"][lang],
        description=(resource.get("description") or {}).get(lang, ""),
        body=body,
        url=url,
        file=file,
        guide_title=guide_title,
        minutes=int(resource.get("minutes") or 0),
        format=resource.get("format", ""),
    )


def problems(catalog: Catalog, catalog_root: Path) -> list[str]:
    """Each resource and language with nothing to open (the catalogue check; empty when all can be opened)."""
    out = []
    for rid, resource in catalog.resources.items():
        for lang in resource.get("languages") or []:
            if page(catalog_root, resource, lang) is None:
                out.append(f"resources.yaml: '{rid}' has nothing to open in '{lang}' (no url, file, body or section)")
    return out


def find_by_name(catalog: Catalog, text: str) -> str | None:
    """The id of the resource whose title (in any language) her message names, best match first."""
    message = fold(text or "")
    best: tuple[float, str] | None = None
    for rid, resource in catalog.resources.items():
        for title in (resource.get("titles") or {}).values():
            folded = fold(title)
            if len(folded) < MIN_TITLE or len(message) < len(folded) * 0.6:
                continue
            score = fuzz.partial_ratio(folded, message)
            if score >= NAME_MATCH and (best is None or score > best[0]):
                best = (score, rid)
    return best[1] if best else None
