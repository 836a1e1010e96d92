"""The skills taxonomy (`knowledge_base/skills.yaml`): one id per skill, its labels and synonyms in French,
Spanish and English.

Profiles name skills by id, so a Spanish need ("contabilidad básica") meets a French offer ("tenue de
livres") through the id they share. Free text from the chat is mapped to ids by the labels and synonyms of
every language (accent- and case-blind, whole words), compared word by word through a light stem, so that
"financements" meets "financement" and "vendre" meets "vender"; a text that names several skills
("vendre en ligne et trouver des financements") yields each of them.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from assistant.errors import ConfigurationError
from assistant.knowledge.catalog import CatalogError, load_skills

DEFAULT_SKILLS = Path(__file__).resolve().parents[2] / "knowledge_base" / "skills.yaml"


def fold(text: str) -> str:
    """Lower case, no accents, words separated by single spaces: 'Tenue de LIVRES' -> 'tenue de livres'."""
    decomposed = unicodedata.normalize("NFKD", text)
    plain = "".join(c for c in decomposed if not unicodedata.combining(c)).lower()
    return " ".join(re.findall(r"\w+", plain))


# Inflectional endings of French, Spanish and English (plurals, the feminine e, infinitives, -ing), longest
# first; derivations ("negociación", "negocio") are left whole, so they do not meet. A stem keeps at least
# MIN_STEM letters, so short words ("en", "de", "sa") are compared whole.
_SUFFIXES = ("ings", "ing", "es", "er", "re", "ir", "ar", "s", "e")
MIN_STEM = 4


def stem(word: str) -> str:
    """'financements' -> 'financement', 'selling' -> 'sell', 'vendre'/'vender' -> 'vend' (a folded word)."""
    for suffix in _SUFFIXES:
        shortest = MIN_STEM - 1 if suffix.startswith("ing") else MIN_STEM  # "drying" -> "dry"
        if word.endswith(suffix) and len(word) - len(suffix) >= shortest:
            return word[: -len(suffix)]
    return word


def stems(text: str) -> str:
    """The folded text, each word replaced by its stem."""
    return " ".join(stem(word) for word in fold(text).split())


@dataclass(frozen=True)
class Skill:
    id: str
    category: str
    labels: dict[str, str]
    synonyms: dict[str, tuple[str, ...]]

    def label(self, lang: str) -> str:
        return self.labels.get(lang) or self.labels.get("en") or self.id


class Taxonomy:
    def __init__(self, skills: list[Skill]) -> None:
        self.skills = skills
        self.by_id = {s.id: s for s in skills}
        self.ids = [s.id for s in skills]
        self.index = {sid: i for i, sid in enumerate(self.ids)}
        self.categories = sorted({s.category for s in skills})
        self.category_index = {c: i for i, c in enumerate(self.categories)}
        phrases: dict[str, str] = {}
        for skill in skills:
            names = list(skill.labels.values()) + [w for words in skill.synonyms.values() for w in words]
            for name in names:
                key = stems(name)
                if len(fold(name)) >= 3:
                    phrases.setdefault(key, skill.id)
        # Longest phrases first, so "gestion de tresorerie" wins over "tresorerie" on the same words (keys are
        # stemmed: "gestion de tresoreri").
        self._phrases = sorted(phrases.items(), key=lambda item: -len(item[0]))
        self._memo: dict[str, tuple[str, ...]] = {}

    def __contains__(self, skill_id: object) -> bool:
        return skill_id in self.by_id

    def label(self, skill_id: str, lang: str) -> str:
        skill = self.by_id.get(skill_id)
        return skill.label(lang) if skill else skill_id

    def category(self, skill_id: str) -> str | None:
        skill = self.by_id.get(skill_id)
        return skill.category if skill else None

    def extract(self, text: str) -> list[str]:
        """Skill ids named in free text, in the order they first appear."""
        found = self._memo.get(text)
        if found is None:
            if len(self._memo) >= 4096:
                self._memo.clear()
            found = self._memo[text] = tuple(self._extract(text))
        return list(found)

    def _extract(self, text: str) -> list[str]:
        haystack = f" {stems(text or '')} "
        found: dict[str, int] = {}
        for phrase, skill_id in self._phrases:
            position = haystack.find(f" {phrase} ")
            if position >= 0 and skill_id not in found:
                found[skill_id] = position
                haystack = haystack.replace(f" {phrase} ", " " * (len(phrase) + 2), 1)
        return sorted(found, key=found.get)


def load_taxonomy(path: Path | None = None) -> Taxonomy:
    """The taxonomy of a skills file, checked by the catalogue's loader (`CatalogError` names what is
    wrong: a missing label, a duplicate id)."""
    path = Path(path or DEFAULT_SKILLS)
    if path.name != "skills.yaml":
        raise ConfigurationError(f"{path}: the skills taxonomy file must be called skills.yaml")
    entries = load_skills(path.parent)
    skills = []
    for skill_id, entry in entries.items():
        if not entry.get("category"):
            raise CatalogError(f"skills.yaml: '{skill_id}' has no category")
        synonyms = {lang: tuple(words or ()) for lang, words in (entry.get("synonyms") or {}).items()}
        skills.append(Skill(skill_id, str(entry["category"]), dict(entry["labels"]), synonyms))
    return Taxonomy(skills)


@cache
def default_taxonomy() -> Taxonomy:
    return load_taxonomy(DEFAULT_SKILLS)
