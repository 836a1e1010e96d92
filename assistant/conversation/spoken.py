"""The languages she speaks, from what she types: "español, quechua y un poco de inglés" -> es, qu, en.

Names come from CLDR through Babel: every language's name in French, Spanish and English and, where CLDR
has it, in the language itself ("Runasimi", "Ikinyarwanda"), accents and one typo forgiven; a few names
people use that CLDR lacks are added below. Codes are stored (ISO 639: 'wo', 'fon', 'quc'); she reads the
names in her language (`language_name`). A word that names no language is skipped, never a reason to
refuse the rest.
"""

from __future__ import annotations

import re
from functools import cache

from babel import Locale, UnknownLocaleError
from rapidfuzz.distance import OSA

from assistant.config import SUPPORTED_LANGUAGES
from assistant.conversation.places import fold

# Names CLDR does not give in fr/es/en or in the language itself, as people write them.
ALIASES = {
    "castellano": "es", "castillan": "es", "kichwa": "qu", "quichua": "qu", "kiche": "quc", "quiche": "quc",
    "kiche maya": "quc", "jula": "dyu", "dyula": "dyu", "dioula": "dyu", "peul": "ff", "pulaar": "ff",
    "fulfulde": "ff", "fulani": "ff", "creole": "ht", "kreyol": "ht", "creole haitien": "ht", "bisaya": "ceb",
    "visaya": "ceb", "binisaya": "ceb", "cebuano": "ceb", "tagalog": "tl", "filipino": "fil", "pilipino": "fil",
    "kinyarwanda": "rw", "kiswahili": "sw", "swahili": "sw", "fongbe": "fon", "fon gbe": "fon", "mandarin": "zh",
    "ilocano": "ilo", "ilokano": "ilo", "hiligaynon": "hil", "ilonggo": "hil", "guarani": "gn", "aimara": "ay",
    "wolof": "wo", "yoruba": "yo", "bambara": "bm", "lingala": "ln", "moore": "mos", "mossi": "mos",
    "baoule": "bci", "mam": "mam", "kaqchikel": "cak", "qeqchi": "kek", "kekchi": "kek", "garifuna": "cab",
    "arabe": "ar", "lsq": "fcs", "asl": "ase", "langue des signes": "sgn", "lengua de senas": "sgn",
}  # fmt: skip
# Words between names in a list ("y un poco de", "and a little") and what people say around it.
GLUE = frozenset(
    re.findall(
        r"\w+",
        """
    et and y e ou or o aussi also tambien un une peu a bit little poco poquito de del des du some basic basique
    basico basica i speak je parle hablo parlo le la el l los las les the mi my ma mon me moi yo plus mas more bien
    well good bueno buena tres muy very fluent courant couramment fluido idioma idiomas langue langues language
    languages lengua lenguas materna maternal mother tongue native natal maternelle natif only solo solamente
    seulement just con with avec avanzado intermedio intermediate nivel level niveau lo leo escribo entiendo
    understand comprends read write lis ecris pero but mais todo all tout
""",
    )
)


@cache
def _names() -> dict[str, str]:
    """Folded language name -> code."""
    names: dict[str, str] = {}
    for lang in SUPPORTED_LANGUAGES:
        for code, name in Locale(lang).languages.items():
            if "_" not in code and fold(name) not in GLUE:
                names.setdefault(fold(name), code)
    codes = set(names.values())
    for code in sorted(codes):
        try:
            own = Locale(code).languages.get(code)
        except (UnknownLocaleError, ValueError):
            continue
        if own and fold(own) not in GLUE:
            names.setdefault(fold(own), code)
    names.update(ALIASES)
    for code in SUPPORTED_LANGUAGES:
        names[code] = code  # "fr, en"
    return names


def _find(words: list[str], start: int) -> tuple[int, str] | None:
    """The language named at `start` (longest name first, one typo forgiven in a long word)."""
    names = _names()
    for size in (3, 2, 1):
        key = " ".join(words[start : start + size])
        if len(words) - start >= size and key in names:
            return size, names[key]
    word = words[start]
    if len(word) >= 5:
        close = {code for name, code in names.items() if " " not in name and abs(len(name) - len(word)) <= 1
                 and OSA.distance(word, name, score_cutoff=1) <= 1}  # fmt: skip
        if len(close) == 1:
            return 1, close.pop()
    return None


def parse_languages(text: str, button: str | None = None) -> list[str] | None:
    """The codes of the languages named, in order, without repeats; None when none is named or the text is
    mostly about something else ("I like cats")."""
    words = re.findall(r"[a-z0-9]+", fold(text.replace("'", " ").replace("’", " ")))
    found: list[str] = []
    unknown = 0
    i = 0
    while i < len(words):
        if words[i] in GLUE:
            i += 1
            continue
        hit = _find(words, i)
        if hit is None:
            unknown += 1
            i += 1
            continue
        size, code = hit
        if code not in found:
            found.append(code)
        i += size
    if not found or unknown > len(found):
        return None
    return found


def language_name(code: str, lang: str) -> str:
    """'quc' for a Spanish reader: 'quiché'; the code itself when CLDR has no name."""
    return Locale(lang if lang in SUPPORTED_LANGUAGES else "en").languages.get(code, code)
