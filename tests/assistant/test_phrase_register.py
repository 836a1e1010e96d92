"""One register per language in everything the assistant says in its own voice: "tú" in Spanish (like the
Spanish guides), "vous" in French (like the French guides).

The check walks every catalogue the assistant shows her text from (its phrase catalogue, the pathways' module
texts and check questions, the resources' titles and descriptions) and reads each Spanish and French string.
The Spanish forms below are the "usted" forms the catalogue used before it moved to "tú": the pronoun, the
imperatives ("escriba", "envíe", "hágame"), the clitic "le"/"la" that addresses her ("ayudarle",
"contactarla") and the questions that ask her in the third person ("¿Acepta?", "si quiere"). Possessives
("su", "sus") are left out on purpose: they also say "her", "their" ("su compañera").
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
CATALOGUES = [
    ROOT / "assistant" / "phrases.yaml",
    ROOT / "knowledge_base" / "pathways.yaml",
    ROOT / "knowledge_base" / "resources.yaml",
]

_USTED_WORDS = (
    "usted|ustedes|escriba|escríbame|escríbalo|escríbalos|envíe|envíela|elija|elíjalo|describa|dígame|hágame|"
    "haga|responda con|responda simplemente|toque|inténtelo|tómese|cuénteme|grábela|use|complete|pida|vuelva|"
    "acepte|preocupe|mantenga|"
    "identifique|defina|sume|dibuje|evalúe|compruebe|anote|revise|busque|agregue|prepare|pregunte|"
    "ayudarle|proponerle|responderle|decirle|ponerla|contactarla|leerla|verla|le respondo|le hablo|le aviso|"
    "le responderá|le presentará|se lo digo|se lo volveré"
)
_USTED = re.compile(
    rf"\b(?:{_USTED_WORDS})\b"
    r"|¿\s*(?:puede|quiere|acepta|prefiere|desea|tiene|sabe|pudo|completó|anotó|eligió)\b"
    r"|\bsi (?:quiere|desea|cambia)\b|\bcuando quiera\b",
    re.IGNORECASE,
)
_TU_FR = re.compile(r"(?<![\w'’-])(?:tu|toi|ton|ta|tes|te)(?![\w'’])|\bt['’]|-tu\b", re.IGNORECASE)
_TONE = re.compile(r"\b(?:le|du|au|un|même|de) ton\b", re.IGNORECASE)  # "le ton": the tone, not "your"


def _says_usted(text: str) -> bool:
    return bool(_USTED.search(text))


def _says_tu(text: str) -> bool:
    return bool(_TU_FR.search(_TONE.sub(" ", text)))


def _strings(node: object, lang: str, path: str = ""):
    """Every string under a `lang` key, wherever it sits in the YAML tree, with where it was found."""
    if isinstance(node, dict):
        for key, value in node.items():
            where = f"{path}.{key}" if path else str(key)
            if key == lang and isinstance(value, str):
                yield where, value
            else:
                yield from _strings(value, lang, where)
    elif isinstance(node, list):
        for i, value in enumerate(node):
            yield from _strings(value, lang, f"{path}[{i}]")


def _catalogue(path: Path) -> object:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


@pytest.mark.parametrize("path", CATALOGUES, ids=lambda p: p.name)
def test_spanish_catalogue_strings_say_tu_not_usted(path):
    found = [f"{where}: {text}" for where, text in _strings(_catalogue(path), "es") if _says_usted(text)]
    assert not found, "Spanish says 'tú' (like the guides); these say 'usted':\n" + "\n".join(found)


@pytest.mark.parametrize("path", CATALOGUES, ids=lambda p: p.name)
def test_french_catalogue_strings_say_vous_not_tu(path):
    found = [f"{where}: {text}" for where, text in _strings(_catalogue(path), "fr") if _says_tu(text)]
    assert not found, "French says 'vous' (like the guides); these say 'tu':\n" + "\n".join(found)


def test_the_catalogues_hold_strings_in_both_languages():
    """The walk finds the strings (a catalogue whose shape changed would pass the checks above vacuously)."""
    for path in CATALOGUES:
        tree = _catalogue(path)
        assert len(list(_strings(tree, "es"))) >= 20 and len(list(_strings(tree, "fr"))) >= 20, path


@pytest.mark.parametrize(
    ("lang", "text", "flagged"),
    [
        ("es", "Escriba su pregunta, o /quit para salir.", True),
        ("es", "¿Acepta que guarde sus respuestas?", True),
        ("es", "Puedo ponerla en contacto con el equipo.", True),
        ("es", "No conozco a usted.", True),
        ("es", "Escribe tu pregunta, o /quit para salir.", False),
        ("es", "Cada una cuenta un reto de su negocio.", False),
        ("es", "¿Aceptas que guarde tus respuestas?", False),
        ("fr", "Écris ta question.", True),
        ("fr", "Je peux t'aider.", True),
        ("fr", "Qu'as-tu appris ?", True),
        ("fr", "Écrivez votre question ; je vous réponds en français.", False),
        ("fr", "Le ton et la longueur ; testez le message.", False),
    ],
)
def test_the_register_checks_tell_the_forms_apart(lang, text, flagged):
    assert (_says_usted(text) if lang == "es" else _says_tu(text)) is flagged


def test_the_french_assistant_is_always_feminine():
    """She introduces herself as "l'assistante": no French phrase switches to "l'assistant"."""
    phrases = _catalogue(CATALOGUES[0])
    found = [f"{where}: {text}" for where, text in _strings(phrases, "fr") if re.search(r"\bl'assistant\b", text)]
    assert "assistante" in phrases["start_greeting"]["fr"]
    assert not found, "\n".join(found)
