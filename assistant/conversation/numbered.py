"""A button named by its number, as people type it on a phone: "2", "2.", "2)", "#2", "2️⃣", "el 2", "le 2",
"la 2 porfa", "option 2", "opción número 2", "numéro 2", "la segunda", "le premier", "the first one", "dos".

`typed_number` reads the whole message (accents, case and a "please" aside) and returns the number, or None
when the message says anything else. Which button a number names is the caller's business: the buttons of the
question she was asked, in the order they are shown.
"""

from __future__ import annotations

import re
import unicodedata

_WORDS = {
    "uno": 1, "una": 1, "un": 1, "une": 1, "one": 1, "dos": 2, "deux": 2, "two": 2, "tres": 3, "trois": 3,
    "three": 3, "cuatro": 4, "quatre": 4, "four": 4, "cinco": 5, "cinq": 5, "five": 5,
}  # fmt: skip
_ORDINALS = {
    "primero": 1, "primera": 1, "primer": 1, "premier": 1, "premiere": 1, "first": 1, "1er": 1, "1ere": 1, "1re": 1,
    "1st": 1, "1ro": 1, "1ra": 1, "1o": 1, "1a": 1, "segundo": 2, "segunda": 2, "deuxieme": 2, "second": 2,
    "seconde": 2, "2e": 2, "2eme": 2, "2nd": 2, "2do": 2, "2da": 2, "2o": 2, "2a": 2, "tercero": 3, "tercera": 3,
    "tercer": 3, "troisieme": 3, "third": 3, "3e": 3, "3eme": 3, "3rd": 3, "3ro": 3, "3ra": 3, "3o": 3, "3a": 3,
    "cuarto": 4, "cuarta": 4, "quatrieme": 4, "fourth": 4, "4e": 4, "4eme": 4, "4th": 4, "4to": 4, "4ta": 4,
}  # fmt: skip
_ARTICLE = r"(?:el|la|lo|le|l|the|a|an)"
_OPTION = r"(?:option|options|opcion|opciones|choix|choice|respuesta|reponse|answer|boton|bouton|button)"
_NUMBER_WORD = r"(?:numero|number|num|nro|no\.|n°|#)"
_PLEASE = r"(?:por favor|porfa|porfavor|xfa|please|pls|plz|svp|stp|s il vous plait|s il te plait|po)"
_WHOLE = re.compile(
    rf"^(?:{_ARTICLE}\s+)?(?:{_OPTION}\s*)?(?:{_NUMBER_WORD}\s*)?(?P<n>[a-z0-9]+)(?:\s*[.)°])?"
    rf"(?:\s+(?:one|{_OPTION}))?(?:\s+{_PLEASE})?$"
)


def _fold(text: str) -> str:
    """Lower case, no accents, apostrophes as spaces, keycaps as digits ("2️⃣" -> "2"), no closing marks."""
    text = text.replace("\ufe0f", "").replace("\u20e3", "").replace("🔟", "10")
    decomposed = unicodedata.normalize("NFKD", text.replace("º", "°"))
    plain = "".join(c for c in decomposed if not unicodedata.combining(c)).lower()
    plain = re.sub(r"['’`´]", " ", plain)
    return " ".join(plain.split()).strip(" !,;:")


def typed_number(text: str) -> int | None:
    """The number her whole message names (1 for "el 1", "1.", "la primera"), or None."""
    match = _WHOLE.match(_fold(text))
    if not match:
        return None
    word = match.group("n")
    if word.isdigit():
        return int(word) if len(word) <= 2 else None  # "2024" is a year, not an option
    return _ORDINALS.get(word) or _WORDS.get(word)
