"""Typed answers to the buttons she was offered: "si", "sí, borrar", "oui", "yes", "non", a button's
label, its number, a typed 👍.

The engine keeps the buttons of its last message as her pending choice (`state["choice"]`); `typed_choice`
reads what she typed against them and returns the id of the button she meant, or None when the text is
something else (a question, small talk), which the engine then answers while keeping the choice open.
"""

from __future__ import annotations

import re

from rapidfuzz import fuzz

from assistant.conversation.numbered import typed_number
from assistant.conversation.smalltalk import classify, normalise

# The answer words, folded (no accents, no apostrophes); Tagalog and Wolof "yes"/"no" too.
YES_WORDS = frozenset(
    {"si", "yes", "oui", "ouais", "yeah", "yep", "yup", "ok", "okay", "okey", "vale", "dale", "claro", "daccord",
     "sure", "confirm", "confirmo", "confirmer", "confirme", "acepto", "jaccepte", "accept", "agree", "exacto",
     "correcto", "correct", "affirmatif", "oo", "opo", "waaw", "certainement", "absolutely", "bien sur",
     "de acuerdo", "por supuesto", "of course", "i agree", "je confirme", "go", "sip", "sii", "siii", "bueno", "va",
     "va pues", "de una", "con gusto", "obvio", "vas y", "allez y", "avec plaisir", "volontiers", "carrement",
     "with pleasure", "oki", "okis", "okk", "claro que si", "pues claro", "yes please", "sure thing", "k", "kk", "dac",
     "dacc", "yea", "sisi", "wi", "simon"}
)  # fmt: skip
NO_WORDS = frozenset(
    {"no", "non", "nope", "nah", "nop", "jamais", "never", "nunca", "hindi", "deedeet", "cancel", "cancelar",
     "annuler", "pas encore", "todavia no", "aun no", "not yet", "no todavia", "pas maintenant", "not now",
     "ahora no", "no gracias", "non merci", "no thanks", "mejor no", "creo que no", "pas question", "annule",
     "annulez", "cancela", "no way", "je ne veux pas", "no quiero", "mas tarde", "plus tard", "later", "despues",
     "pas pour linstant", "por ahora no", "no por ahora", "not today", "pas aujourdhui", "otro dia", "maybe later",
     "nan", "laisse tomber", "laissez tomber", "olvidalo", "dejalo", "never mind", "nevermind", "forget it", "nn",
     "nel", "je naccepte pas", "i dont agree", "i disagree", "je refuse", "refuse", "rechazo", "i refuse", "decline"}
)  # fmt: skip
_NOT = frozenset({"no", "non", "not", "pas", "nope", "nah", "nan", "never", "jamais", "nunca", "ni"})
_NO_TROUBLE = re.compile(
    r"\b(?:no hay (?:ningun )?problema|sin problema|no problem|no worries|pas de (?:probleme|souci|soucis)|"
    r"sans (?:probleme|souci))\b"
)
_NEGATING = frozenset({"pas", "ne", "dont", "doesnt", "didnt", "cant", "cannot", "jamais", "nunca", "nada", "rien"})
# Words that open an answer without being it: "bon ok", "ben oui", "pues sí", "well yes", "bueno no".
_OPENERS = frozenset({"bon", "ben", "bah", "beh", "eh", "ah", "oh", "euh", "hmm", "mmm", "pues", "well", "alors",
                      "bueno", "entonces", "um", "uh", "mais", "pero"})  # fmt: skip
DONE_WORDS = frozenset(
    {"lo hice", "ya lo hice", "hecho", "ya esta", "termine", "ya termine", "cest fait", "jai fini", "fini", "fait",
     "done", "i did it", "finished", "completed", "did it", "i did", "ya", "terminado", "jai fait"}
)  # fmt: skip
_YES_IDS = frozenset({"yes", "confirm", "accept", "good", "helped", "country"})
_NO_IDS = frozenset({"no", "cancel", "decline", "not_yet", "stuck"})
# Erasing, in every form she may type it ("delete", "bórralo", "no borres", "supprimez", "n'efface"): word starts.
_ERASE = re.compile(r"^(?:delet|eras|remov|wipe|borr|elimin|supprim|effac)")
# What negates an erasing verb before it ("don't delete", "no lo borres", "ne les supprimez pas", "never erase",
# "i don't want to delete") or, in spoken French, right after it ("supprime pas", "efface rien", "efface-les pas").
_ERASE_NOT_BEFORE = (_NOT | _NEGATING | {"n", "wont", "shouldnt"}) - {"nada", "rien"}
_ERASE_NOT_AFTER = frozenset({"pas", "rien", "jamais", "plus"})
_ERASE_PRONOUNS = frozenset({"le", "la", "les", "l", "lo", "los", "las", "it", "them", "moi", "me"})
_ERASE_WINDOW = 4  # words between the negation and the verb: "don't want you to delete", "no quiero que borres"
MAX_ERASE_WORDS = 14  # longer texts are not read as her answer to an erasure
MAX_ANSWER_WORDS = 6  # "sí, borrar todo por favor": longer texts are read as questions, not answers
_LABEL_SIMILARITY = 85
MIN_LABEL_WORD = 4  # shorter words ("no", "si", "it") name no button on their own
MIN_NAME_WORD = 3  # ... but a word of three letters only one label has ("Ana", "Awa") names it
_WORD_SIMILARITY = 80  # "kady" for "Khady", "lucy" for "Lucie"


def _words(text: str) -> list[str]:
    """Her words, folded, letters typed over and over once ("nooo" -> "no", "ouiii" -> "oui")."""
    return [re.sub(r"(.)\1{2,}", r"\1", w) for w in re.findall(r"[a-z0-9]+", normalise(text))]


def _plain_words(text: str) -> list[str]:
    """Her words without emoji (a label "👍 Útil" is typed "util")."""
    return _words("".join(c for c in text if c.isalnum() or c.isspace() or c in "'’-"))


def _polarity(button_id: str) -> str | None:
    parts = set(button_id.split(":"))
    if parts & _YES_IDS:
        return "yes"
    if parts & _NO_IDS:
        return "no"
    return None


_COURTESY = frozenset({"please", "pls", "plz", "porfa", "porfavor", "xfa", "svp", "stp", "po", "merci", "gracias",
                       "thanks", "thank", "you", "por", "favor"})  # fmt: skip


def yes_or_no_only(text: str) -> str | None:
    """ "yes" or "no" when the message is that and nothing else ("yes pls", "oui stp", "dale", "👍", "bon ok", "nop",
    "non merci"), None when it says anything more: a yes is no name, no business, no time of day."""
    words = [w for w in _words(text) if w not in _COURTESY]
    while len(words) > 1 and words[0] in _OPENERS:
        words = words[1:]
    for answer, lexicon in (("yes", YES_WORDS), ("no", NO_WORDS)):
        if words and (" ".join(words) in lexicon or all(w in lexicon for w in words)):
            return answer
    return None


def _said(words: list[str], lexicon: frozenset[str]) -> bool:
    """Her answer opens with a word (or two-word phrase) of `lexicon`, after the words that only open it ("bon
    ok", "pues sí"; "bueno" alone is a yes, "bueno no" a no)."""
    opened = 0
    while opened < len(words) - 1 and words[opened] in _OPENERS:
        opened += 1
    words = words[opened:]
    single = [re.sub(r"(.)\1+", r"\1", w) for w in words[:3]]  # a letter typed twice: "yess", "ouii", "noo"
    return any(
        bool(said) and (said[0] in lexicon or " ".join(said[:2]) in lexicon or " ".join(said[:3]) in lexicon)
        for said in (words, single)
    )


def typed_choice(text: str, options: list[tuple[str, str]], numbered: list[str] | None = None) -> str | None:
    """The id of the option `text` answers, or None. `options` are (button id, label); `numbered` the ids
    her channel shows in order (the last message's buttons), which "1", "2"... name."""
    raw = text.strip()
    if not raw or not options:
        return None
    votes = [(i, t) for i, t in options if i.startswith("vote:")]
    for emoji, direction, word in (("👍", "up", "yes"), ("👎", "down", "no")):
        if raw.strip(" !.") == emoji:
            if votes:
                return next((i for i, _ in votes if i.split(":")[1] == direction), None)
            raw = word  # no answer to vote on: her 👍 to a question is a yes, her 👎 a no
    words = _words(raw)
    choices = [(i, t) for i, t in options if not i.startswith("vote:")]
    if kept := _kept_from_erasing(raw, choices):  # "don't delete", "no lo borres", "ne supprimez rien": no
        return kept
    number = typed_number(raw)
    if number is not None and numbered:  # the question's buttons in the order shown: "2", "el 2", "option 2"
        candidates = [i for i in numbered if not i.startswith("vote:")]
        return candidates[number - 1] if 1 <= number <= len(candidates) else None
    label = _by_label(_plain_words(raw), options)
    short = bool(words) and len(words) <= MAX_ANSWER_WORDS
    wanted = _wanted(raw, words) if short else None
    said = _label_says(label, dict(options)[label], wanted, words) if label else None
    if said == "label":
        return label
    wanted = said or wanted  # a button's words with another answer: "no acepto", "si gracias", "i do not agree"
    if not short or wanted == "none":
        return None
    if wanted:
        fitting = [i for i, _ in choices if _polarity(i) == wanted]
        return fitting[0] if len(fitting) == 1 else None
    if _said(words, DONE_WORDS):  # "ya lo hice": the step done, or the yes to "did you do it?"
        fitting = [i for i, _ in choices if i.startswith("path:done:")]
        fitting = fitting or [i for i, _ in choices if i.startswith("path:check:") and _polarity(i) == "yes"]
        return fitting[0] if len(fitting) == 1 else None
    return None if "?" in raw else _by_own_word(words, choices)


def _kept_from_erasing(raw: str, choices: list[tuple[str, str]]) -> str | None:
    """The "no" of a question whose "yes" erases (/forget's), when her answer negates an erasing verb in any of
    our languages ("don't delete", "no lo borres nada", "ne supprimez rien", "non ne efface pas"), else None.
    Read before anything else: her negated "delete" must never count as its yes."""
    yes = [i for i, t in choices if _polarity(i) == "yes" and any(_ERASE.match(w) for w in _erase_words(t))]
    no = [i for i, _ in choices if _polarity(i) == "no"]
    if len(yes) != 1 or len(no) != 1:
        return None
    return no[0] if negates_erasing(raw) else None


def _erase_words(text: str) -> list[str]:
    """Folded words, a French elision split off ("n'efface" -> "n efface"), an English one joined ("don't")."""
    folded = normalise(re.sub(r"\b([nljmtsd]|qu)['’]", r"\1 ", text.lower()))
    return re.findall(r"[a-z0-9]+", _NO_TROUBLE.sub(" ", folded))


def negates_erasing(text: str) -> bool:
    """Whether `text` says not to erase: an erasing verb with a negation before it (a few words back at most:
    "i don't want you to delete", "no lo borres") or a French one right after it ("supprime pas", "efface-les
    rien"). "yes delete", "oui supprime", "sí, borra todo", "sí, no hay problema, bórralo" say nothing of the kind."""
    words = _erase_words(text)
    if len(words) > MAX_ERASE_WORDS:
        return False
    for at, word in enumerate(words):
        if not _ERASE.match(word):
            continue
        if set(words[max(0, at - _ERASE_WINDOW - 1) : at]) & _ERASE_NOT_BEFORE:
            return True
        after = words[at + 1 : at + 3]
        if after and after[0] in _ERASE_PRONOUNS:  # "efface-les pas"
            after = after[1:]
        if after and after[0] in _ERASE_NOT_AFTER:
            return True
    return False


def _wanted(raw: str, words: list[str]) -> str | None:
    """ "yes" or "no" when her answer opens with one, "none" when it is unsure ("sí, no sé"), else None."""
    if _said(words, NO_WORDS):
        return None if classify(raw).kind == "confusion" else "no"  # "no entiendo" is no answer
    if _said(words, YES_WORDS):
        return _negated(words) or "yes"
    return None


def _label_says(label: str, title: str, wanted: str | None, words: list[str]) -> str:
    """What her words say when they match the label of a yes or no button: "label" (that button), or "yes", "no",
    "none" (unsure). Her own yes or no decides over a label that is only a yes or a no and a courtesy ("si
    gracias" is no "No, gracias", "yes thanks" no "No, thanks"); a label's own words decide unless she negates
    them ("no acepto", "je n'accepte pas", "don't delete" are a no; "no conservar" is unclear, never a yes)."""
    polarity, own = _polarity(label), _words(title)
    if polarity is None or words == own:
        return "label"
    content = {w for w in own if len(w) >= MIN_NAME_WORD and w not in YES_WORDS | NO_WORDS | _COURTESY | _NOT}
    added = set(_NO_TROUBLE.sub(" ", " ".join(words)).split()) - set(own)
    negated = wanted == "no" or bool(added & (_NOT | _NEGATING))
    if not content:
        return "no" if negated and polarity == "yes" else (wanted or "none") if wanted != polarity else "label"
    if not negated:
        return "label"
    return "no" if polarity == "yes" else "none"


def _negated(words: list[str]) -> str | None:
    """After a yes word, a negation: "claro que no", "ok non" end on it and are a no; "sí, no sé" is unsure ("none");
    "sí, no hay problema", "oui pas de souci" are a yes (None)."""
    rest = _NO_TROUBLE.sub(" ", " ".join(words[1:])).split()
    if not set(rest) & _NOT:
        return None
    return "no" if rest[-1] in _NOT else "none"


def typed_label(text: str, options: list[tuple[str, str]]) -> str | None:
    """The one option whose label she typed, in her words ("muy largo" for "Demasiado largo", "trop long stp"),
    and nothing more: a sentence that only mentions a label's word is not it."""
    return _by_label(_plain_words(text), options)


def _by_label(words: list[str], options: list[tuple[str, str]]) -> str | None:
    """The one option whose label she typed (accents, case, emoji and small typos aside)."""
    typed = " ".join(words)
    if len(typed) < 2:
        return None
    found = []
    for button_id, title in options:
        label = " ".join(_plain_words(title))
        if label and (typed == label or fuzz.ratio(typed, label) >= _LABEL_SIMILARITY):
            found.append(button_id)
    if not found:  # a word of one label only: "borrar" for "Sí, borrar todo", "keep" for "No, keep it"
        content = {w for w in words if len(w) >= MIN_LABEL_WORD}
        found = [i for i, title in options if content and content <= set(_plain_words(title))]
    return found[0] if len(found) == 1 else None


def _by_own_word(words: list[str], options: list[tuple[str, str]]) -> str | None:
    """The one option (a person's name, "see more"; never a yes or a no) named by a word no other label has:
    "khady", "Khady Diop", "quiero conocer a khady", "kady" for "Conocer a Khady", "ana" for "Meet Ana"."""
    free = [(i, set(_plain_words(t))) for i, t in options if _polarity(i) is None]
    if not free or any(w in NO_WORDS for w in words):
        return None
    hit = set()
    for word in words:
        if len(word) < MIN_NAME_WORD or word in YES_WORDS:
            continue
        named = {
            i for i, label in free
            if word in label or (len(word) >= MIN_LABEL_WORD and any(
                len(w) >= MIN_LABEL_WORD and fuzz.ratio(word, w) >= _WORD_SIMILARITY for w in label))
        }  # fmt: skip
        others = [i for i, t in options if i not in named and word in set(_plain_words(t))]
        if len(named) == 1 and not others:
            hit |= named
    return hit.pop() if len(hit) == 1 else None
