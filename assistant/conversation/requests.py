"""What she asks of the assistant itself, in words rather than a command or a button: to delete her data ("pls
delete all my data", "borra mis datos", "supprimez mes données": /forget, which asks her to confirm), to speak
another language ("parle-moi en français stp", "háblame en español", "in english please": /lang), her 👎 on
the last answer ("thumbs down", "mala respuesta"), what the assistant can do ("what can you do?", "ayuda", "aide":
/help) and how to join the programme ("quiero inscribirme", "comment m'inscrire ?": /start).

Whole requests only, matched accent- and case-insensitively: a question that merely names data or a language
("how do I protect my customers' data?", "do pairs speak French?", "can you help me price my soap?") is still a
question for the guides.
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
# The same said of the assistant's answers ("pq no me respondes bien", "tu réponds à côté", "that's not what I
# asked"): her 👎 on the last answer, whose reasons are then asked, not a question for the guides. Matched on the
# `_folded` text, whose apostrophes are spaces ("that s", "n est").
_COMPLAINT = re.compile(
    r"^\W*(?:(?:pq|xq|porque|por que|pourquoi|pk|why)\s+)?(?:"
    r"no me (?:respondes|contestas|entiendes)(?: bien| nada)?|no (?:me )?entiendes nada|"
    r"eso no (?:es )?(?:lo que )?(?:te )?pregunte|no (?:es|era) (?:eso|lo que pregunte|mi pregunta)|"
    r"tu (?:ne )?(?:comprends|reponds) (?:rien|pas|a cote|mal)|vous (?:ne )?(?:comprenez|repondez) "
    r"(?:rien|pas|a cote|mal)|(?:c|ce) (?:n )?est pas (?:ma question|ce que (?:j ai|jai) demande)|"
    r"(?:you(?: re| are)? )?not answering(?: my question)?|you don ?t (?:understand|get it)|"
    r"that ?s not what i (?:asked|meant)|(?:this|that) (?:is|was) not my question|wrong answer again)"
    r"(?:\s+(?:po|bien|nada|rien|at all))?\W*$"
)


# What the assistant does, or help in general, per language (a request for help with something is a question).
_HELP = {
    "fr": r"(?:aide|aidez moi|aide moi|a l aide|au secours|j ai besoin d aide|menu|commandes|"
    r"(?:qu est ce que|que) (?:tu sais|vous savez|tu peux|vous pouvez) faire|que (?:sais tu|savez vous|peux tu|"
    r"pouvez vous) faire|(?:tu|vous) (?:sais|savez|peux|pouvez|fais|faites) quoi|a quoi (?:tu sers|vous servez|"
    r"ca sert|sert ce bot))",
    "es": r"(?:ayuda|ayudame|auxilio|necesito ayuda|menu|comandos|que (?:puedes|sabes|podes) hacer|que haces|"
    r"que (?:te )?puedo preguntar|para que sirves|para que sirve esto)",
    "en": r"(?:help|help me|i need help|menu|commands|what (?:can|do) you do|what can you do for me|"
    r"what can i (?:ask|do here)|what are you for)",
}
# Joining the programme, per language ("quiero inscribirme al programa", "how do I sign up?").
_JOIN = {
    "fr": r"(?:(?:je )?(?:veux|voudrais|souhaite|aimerais) (?:m inscrire|rejoindre|participer|faire partie)|"
    r"comment (?:m inscrire|je m inscris|s inscrire|on s inscrit|rejoindre|participer)|je m inscris|inscription)",
    "es": r"(?:(?:quiero|quisiera|me gustaria|deseo) (?:inscribirme|registrarme|unirme|participar|ser parte)|"
    r"como (?:me inscribo|me registro|me uno|participo|(?:puedo |hago para )?(?:inscribirme|registrarme|unirme|"
    r"participar))|donde me inscribo|inscripcion)",
    "en": r"(?:(?:i want to|i would like to|i d like to|id like to|i wanna|can i|how (?:do|can) i|how to) "
    r"(?:sign up|register|join|enroll|enrol|apply|take part|participate)|sign up|sign me up|registration)",
}
_PROGRAMME = (
    r"(?:\s+(?:(?:a|au|al|en|el|la|le|to|for|in|the|dans|del|du|de|ce|este|this)\s+){0,2}(?:programme|programa|"
    r"program|mentorat|mentoria|mentoring|mentorship|plateforme|plataforma|platform))?"
)
_ASK = r"^\W*(?:(?:please|pls|por favor|svp|stp|hi|hello|bonjour|hola)\s+)*"


def asks_for_help(text: str, prefer: str | None = None) -> str | None:
    """The language of a request for help in general or for what the assistant does ("what can you do?",
    "ayuda", "qu'est-ce que tu sais faire ?"): `prefer` when its words fit ("menu"), else the first that does."""
    return _whole(text, _HELP, "", prefer)


def asks_to_join(text: str, prefer: str | None = None) -> str | None:
    """The language of a request to join the programme ("quiero inscribirme", "how do I sign up?")."""
    return _whole(text, _JOIN, _PROGRAMME, prefer)


def _whole(text: str, patterns: dict[str, str], tail: str, prefer: str | None) -> str | None:
    folded = _folded(text)
    found = [code for code, words in patterns.items() if re.match(rf"{_ASK}{words}{tail}{_PLEASE}\W*$", folded)]
    return prefer if prefer in found else (found[0] if found else None)


def says_thumbs_down(text: str) -> bool:
    """Whether the message is a 👎 in words ("thumbs down", "mala respuesta", "mauvaise réponse", "pq no me
    respondes bien", "tu réponds à côté", "that's not what I asked")."""
    folded = _folded(text)
    return bool(_THUMBS_DOWN.match(folded) or _COMPLAINT.match(folded))


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
