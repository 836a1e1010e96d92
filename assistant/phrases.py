"""The phrase catalogue: what the assistant says in its own voice, per language (`phrases.yaml`)."""

from __future__ import annotations

import re
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
    if not values:
        return text
    if lang == "fr":
        text = _ELIDABLE.sub(lambda m: _elide(m, values), text)
    return text.format(**values)


# French elides "de" and "que" before a vowel or a mute h: "le besoin d'Aya", "ce qu'Élodie a décrit".
_ELIDABLE = re.compile(r"\b([Dd]e|[Qq]ue) \{(\w+)\}")
_VOWELS = "aeiouyàâäéèêëîïôöùûüœæ"


def _starts_with_vowel_sound(value: str) -> bool:
    """'Aya', 'Élodie', 'Hannah' (a name's h is taken as mute), 'Yvonne' but not 'Yasmine', 'haricots'."""
    word = value.strip()
    if not word:
        return False
    first, second = word[0], word[1:2].lower()
    if first.lower() == "y":
        return bool(second) and second not in _VOWELS
    if first == "H":
        return bool(second) and second in _VOWELS
    return first.lower() in _VOWELS


def _elide(match: re.Match, values: dict) -> str:
    word, field = match.group(1), match.group(2)
    if field in values and _starts_with_vowel_sound(str(values[field])):
        return f"{word[:-1]}'{{{field}}}"
    return match.group(0)


def named(table: str, key: str, lang: str) -> str:
    """`key` as one of the catalogue's name tables (`language_names`, `country_names`, ...) gives it in
    `lang`; the key itself where the table has no entry."""
    return _catalogue()[table].get(lang, {}).get(key, key)


def language_label(code: str, in_lang: str) -> str:
    """'fr' as a reader of `in_lang` names it: 'francés' for a Spanish reader."""
    return named("language_names", code, in_lang)
