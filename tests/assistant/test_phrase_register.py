"""One register per language in everything the assistant says in its own voice: "tú" in Spanish (like the
Spanish guides), "vous" in French (like the French guides).

The check walks every catalogue the assistant shows her text from (its phrase catalogue, the pathways' module
texts and check questions, the resources' titles and descriptions) and reads each Spanish and French string.
The Spanish forms below are the "usted" forms the catalogue used before it moved to "tú": the pronoun, the
imperatives ("escriba", "envíe", "hágame"), the clitic "le"/"la" that addresses her ("ayudarle",
"contactarla") and the questions that ask her in the third person ("¿Acepta?", "si quiere"). Possessives
("su", "sus") are left out on purpose: they also say "her", "their" ("su compañera").

The Spanish guides (knowledge_base/guides/es) speak to her in "tú" too. Their check is narrower, because a guide
also speaks about the partner in the third person ("pregúntale qué idioma prefiere", "sea cual sea"): it reads
the pronoun "usted"/"ustedes" anywhere, and the "usted" imperatives where a sentence, a clause after a colon or
a "no"/"nunca" that starts one begins ("Guarde sus notas", "No grabe", "Nunca se burle"); inside a sentence these
forms are also third-person subjunctives ("una canadiense que no hable español").
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
SPANISH_GUIDES = sorted((ROOT / "knowledge_base" / "guides" / "es").glob("*.md"))
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
_USTED_IMPERATIVES = (
    "guarde|pregunte|evite|mantenga|cuente|envíe|pida|haga|hable|termine|agradezca|explique|anote|escriba|"
    "revise|prepare|lea|pruebe|tómese|reciba|valore|escuche|detecte|acepte|use|resuma|cumpla|responda|"
    "reconozca|plantee|describa|contacte|complete|actualícelo|indique|comparta|añada|hágase|pídale|"
    "menciónelo|piénselo|grabe|se burle|avise"
)
_USTED_GUIDE = re.compile(
    r"\bustedes?\b"
    rf"|(?:^|[.!?:;]\s+|«)(?:(?:no|nunca)\s+)?(?:{_USTED_IMPERATIVES})\b",
    re.IGNORECASE | re.MULTILINE,
)
_TU_FR = re.compile(r"(?<![\w'’-])(?:tu|toi|ton|ta|tes|te)(?![\w'’])|\bt['’]|-tu\b", re.IGNORECASE)
_TONE = re.compile(r"\b(?:le|du|au|un|même|de) ton\b", re.IGNORECASE)  # "le ton": the tone, not "your"


def _says_usted(text: str) -> bool:
    return bool(_USTED.search(text))


def _guide_says_usted(text: str) -> bool:
    return bool(_USTED_GUIDE.search(text))


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


def _body(path: Path) -> str:
    """A guide's text without its front matter (its title repeats the first heading)."""
    text = path.read_text(encoding="utf-8")
    return text.split("---", 2)[2] if text.startswith("---") else text


@pytest.mark.parametrize("path", SPANISH_GUIDES, ids=lambda p: p.stem)
def test_spanish_guides_say_tu_not_usted(path):
    found = [
        f"{path.name}:{number}: {line}"
        for number, line in enumerate(_body(path).splitlines(), start=1)
        if _guide_says_usted(line)
    ]
    assert not found, "The Spanish guides say 'tú'; these lines say 'usted':\n" + "\n".join(found)


def test_there_are_spanish_guides_to_read():
    assert len(SPANISH_GUIDES) >= 20


@pytest.mark.parametrize(
    ("text", "flagged"),
    [
        ("Guarde sus notas en un lugar seguro.", True),
        ("No grabe una reunión ni haga capturas.", True),
        ("Es curiosa. Nunca se burle de un acento.", True),
        ("Primero, plantea el tema: describa lo que pasó.", True),
        ("Valore lo que su compañera sabe, que usted no conoce.", True),
        ("Guarda tus notas en un lugar seguro.", False),
        ("No grabes una reunión ni hagas capturas. Nunca te burles de un acento.", False),
        ("Sea cual sea el formato, valen las mismas reglas.", False),
        ("En una pareja con una ruandesa, pregúntale qué idioma prefiere; quizá le guste escribir.", False),
        ("Pregunta a tu compañera qué le conviene y pida lo que pida, escúchala.", False),
        ("Una canadiense que no hable español debe prever intérprete.", False),
    ],
)
def test_the_guide_check_tells_the_forms_apart(text, flagged):
    assert _guide_says_usted(text) is flagged


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
