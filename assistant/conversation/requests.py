"""What she asks of the assistant itself, in words rather than a command or a button: to delete her data ("pls
delete all my data", "borra mis datos", "supprimez mes données": /forget, which asks her to confirm), to speak
another language ("parle-moi en français stp", "háblame en español", "in english please": /lang), and her 👎 on
the last answer ("thumbs down", "mala respuesta").

Whole requests only, matched accent- and case-insensitively: a question that merely names data or a language
("how do I protect my customers' data?", "do pairs speak French?") is still a question for the guides.
"""

from __future__ import annotations

import re

from assistant.text import fold_accents

_PLEASE = r"(?:\s+(?:please|pls|plz|por favor|porfa|porfavor|svp|stp|s il vous plait|s il te plait|po))?"
_MY = r"(?:(?:all|todos|todas|toutes|tous)\s+)?(?:my|mis|mes|mi|mon|ma|of my|de mis|de mes)"
_DATA = (
    r"(?:data|datos|donnees|information|informations|informacion|info|infos|profile|perfil|profil|account|"
    r"cuenta|compte|details|messages|mensajes|conversation|conversacion|historial|historique)"
)
_ERASE = (
    r"(?:delete|erase|remove|wipe|borra|borre|borrar|borren|elimina|elimine|eliminar|eliminen|supprime|supprimez|"
    r"supprimer|efface|effacez|effacer)"
)
_FORGET = re.compile(
    rf"^\W*(?:(?:please|pls|plz|por favor|porfa|porfavor|xfa|svp|stp|can you|could you|puedes|pueden|puede|"
    rf"pouvez vous|peux tu|"
    rf"je veux|quiero|i want to|i want you to|je voudrais|quisiera)\s+)*{_ERASE}\s+(?:\w+\s+)?{_MY}\s+"
    rf"(?:\w+\s+)?{_DATA}\b"
)
_LANGUAGES = {
    "fr": r"(?:francais|french|frances|en francais)",
    "es": r"(?:espagnol|spanish|espanol|castellano)",
    "en": r"(?:anglais|english|ingles)",
}
_CODES = {"fr": r"(?:fr|fra|fre)", "es": r"(?:es|esp|spa)", "en": r"(?:en|eng|ang)"}  # typed at the language choice
_SPEAK = (
    r"(?:(?:can you|could you|please|pls|peux tu|pouvez vous|puedes|puede)\s+)?(?:speak|talk|write|answer|reply|"
    r"respond|parle|parlez|parler|ecris|ecrivez|reponds|repondez|habla|hablame|hableme|hablar|escribe|escribeme|"
    r"responde|respondeme|contesta|contestame)(?:\s+(?:to me|with me|moi|me|conmigo))?(?:-moi)?"
)


_THUMBS_DOWN = re.compile(
    r"^\W*(?:thumbs? down|dislike|bad answer|wrong answer|not useful|pulgar (?:abajo|hacia abajo)|no me gusta|"
    r"mala respuesta|respuesta (?:mala|incorrecta|equivocada)|pouce (?:en bas|vers le bas|baisse)|"
    r"mauvaise reponse|reponse (?:fausse|incorrecte))\W*$"
)


def says_thumbs_down(text: str) -> bool:
    """Whether the message is a 👎 in words ("thumbs down", "mala respuesta", "mauvaise réponse")."""
    return bool(_THUMBS_DOWN.match(_folded(text)))


def asks_to_forget(text: str) -> bool:
    """Whether the message asks to delete her data ("pls delete all my data", "borra mis datos")."""
    return bool(_FORGET.search(_folded(text)))


def asks_for_language(text: str) -> str | None:
    """The language she asks to be spoken to in ("parle-moi en français", "in english please"), if that is
    all the message asks."""
    folded = _folded(text)
    for code, name in _LANGUAGES.items():
        asked = rf"^\W*(?:{_SPEAK}\s+(?:(?:in|en)\s+)?|(?:in|en)\s+){name}{_PLEASE}\W*$"
        if re.match(asked, folded):
            return code
    return None


def names_language(text: str) -> str | None:
    """The language a message names and nothing else ("fr", "FR", "español", "english", "en français"): her
    answer to the language choice, read only while one is shown to her (alone, "english" may be a question)."""
    folded = _folded(text)
    for code, name in _LANGUAGES.items():
        if re.match(rf"^\W*(?:(?:in|en)\s+)?(?:{name}|{_CODES[code]}){_PLEASE}\W*$", folded):
            return code
    return None


def _folded(text: str) -> str:
    words = fold_accents(text.lower()).replace("’", "'").replace("'", " ").replace("-", " ")
    return " ".join(words.split())
