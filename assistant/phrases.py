"""The phrase catalogue: what the assistant says in its own voice, per language (`phrases.yaml`)."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import yaml

from assistant.config import SUPPORTED_LANGUAGES

CATALOGUE = Path(__file__).with_name("phrases.yaml")


@lru_cache(maxsize=1)
def _catalogue() -> dict:
    data = yaml.safe_load(CATALOGUE.read_text(encoding="utf-8"))
    for key, entry in data.items():
        missing = [lang for lang in SUPPORTED_LANGUAGES if lang not in entry]
        if missing:
            raise ValueError(f"phrases.yaml: '{key}' has no {', '.join(missing)} entry")
    return data


def phrase(key: str, lang: str, **values: object) -> str:
    """The phrase `key` in `lang` (English if the language is unknown), with placeholders filled."""
    entry = _catalogue()[key]
    text = entry.get(lang, entry["en"])
    return text.format(**values) if values else text


def named(table: str, key: str, lang: str) -> str:
    """`key` as one of the catalogue's name tables (`language_names`, `country_names`, ...) gives it in
    `lang`; the key itself where the table has no entry."""
    return _catalogue()[table].get(lang, {}).get(key, key)


def language_label(code: str, in_lang: str) -> str:
    """'fr' as a reader of `in_lang` names it: 'francés' for a Spanish reader."""
    return named("language_names", code, in_lang)
