"""Onboarding answers written as sentences: her name without "me llamo", her business stage from "ya tengo 8
años con mi taller", the way she wants to meet from "virtual nomás, por whatsapp".

Each reader takes what she typed (any of the three languages, accents and case aside) and returns the
value to keep or None. Stage and modality look for cue words and, for the stage, a duration ("8 años",
"depuis 5 ans", "6 months"); when cues disagree the answer is asked again rather than guessed.
"""

from __future__ import annotations

import re

from assistant.conversation.places import fold
from assistant.conversation.smalltalk import classify

# "me llamo Rosa", "je m'appelle Awa", "my name is Grace", "soy Rosa": what comes before the name.
_NAME_INTRO = re.compile(
    r"^(?:(?:mi nombre es|me llamo|me dicen|soy|yo soy|je m[' ]?appelle|je suis|moi c[' ]?est|c[' ]?est|mon nom "
    r"est|mon prenom est|my name is|my names|i am|i m|im|call me|this is|its|name)\s+)+",
)
# Honorifics and titles before a name ("Mme Diallo", "Doña Rosa", "Sra. Mamani", "Mrs. Smith", "Dr Ana López",
# "la señora Quispe", "Atty. Reyes"): no part of the name she is called by. Folded; a word that is also a given name
# ("Don", "Adja", "Mama") is not one of them.
_TITLES = frozenset(
    {"mme", "madame", "mmes", "mlle", "mademoiselle", "monsieur", "mr", "mrs", "ms", "mx", "miss", "madam", "mister",
     "dr", "dra", "docteur", "docteure", "doctor", "doctora", "pr", "prof", "professeur", "professeure", "professor",
     "profesora", "profesor", "maitre", "sra", "senora", "srta", "senorita", "sr", "senor", "dona", "seno", "lic",
     "licda", "licenciada", "licenciado", "ing", "inga", "ingeniera", "ingeniero", "mtra", "maestra", "arq", "atty",
     "engr", "aling", "hadja", "hadjia", "hajia", "hajja"}
)  # fmt: skip
_TITLE_ARTICLES = frozenset({"la", "el", "the"})  # "soy la señora Quispe", "la doctora Ana"
_NAME_TAIL = re.compile(r"\s*(?:,|\.|!|$).*$")
_NAME = re.compile(r"[^\W\d_]+(?:[\s'’.-]+[^\W\d_]+)*\.?")
MAX_NAME_WORDS = 5
# Not knowing what to put is no name ("no sé qué poner" was saved as her name, "No Sé Qué Poner").
_NO_NAME = re.compile(
    r"^(?:no se|no lo se|ni idea|no entiendo|je (?:ne )?sais pas|j ?sais pas|jsp|aucune idee|je comprends pas|"
    r"i don ?t know|i do not know|idk|dunno|no idea|what do i (?:put|write)|que (?:pongo|escribo)|"
    r"(?:je mets|on met) quoi)\b"
)


# Around her name, a yes before it ("ok, Rosa", "oui c'est Awa", "yes, Grace") and a courtesy after it ("Awa merci",
# "Rosa pues", "Grace here", "Awa Diop stp"): cut off, matched exactly (never a name forgiven into "merci": "Mercy").
_YES_FIRST = re.compile(
    r"^(?:(?:ok|okay|oki|okey|si|sí|oui|ouais|yes|yep|yeah|claro|dale|vale|bueno|bon|ben|bah|pues|well|alors|"
    r"bien s[uû]r|of course|sure|"
    r"d['’ ]?accord)(?:[\s,.!:;-]+|$))+",
    re.IGNORECASE,
)
_COURTESY_LAST = re.compile(
    r"(?:[\s,.!]+(?:merci(?: beaucoup)?|gracias|muchas gracias|thanks|thank you|thx|stp|svp|s['’]il vous pla[iî]t|"
    r"pls|please|por favor|porfa|pues|nom[aá]s|here|aqu[ií]|ici|po))+[\s.!]*$",
    re.IGNORECASE,
)
_SYMBOLS = re.compile(r"[^\w\s'’.,!?¿¡-]")  # emoji and other symbols: "Rosa 😊" is Rosa


def trim_courtesies(text: str) -> str:
    """Her answer without a yes before it nor a courtesy after it ("si, vendo ropa" -> "vendo ropa", "tejidos pues"
    -> "tejidos", "weekends pls" -> "weekends"); the answer as typed when nothing else is left ("ok")."""
    trimmed = _YES_FIRST.sub("", _COURTESY_LAST.sub("", text.strip())).strip()  # "oui stp" stays whole
    return trimmed or text.strip()


def read_name(text: str) -> str | None:
    """'hola, soy rosa mamani' -> 'Rosa Mamani'; 'Je m'appelle Awa.' -> 'Awa'; 'ok, Rosa' -> 'Rosa'. None for no
    name."""
    text = _SYMBOLS.sub(" ", text).strip()
    rest = classify(text).rest.strip()  # "hola, soy Rosa": the greeting cut off...
    start = text.find(rest) if rest else -1
    rest = text[start:] if start >= 0 else text  # ... and nothing after it ("my name is Mercy" kept whole)
    rest = trim_courtesies(rest)
    folded = fold(rest)
    if _NO_NAME.match(folded.replace("'", " ")):
        return None
    intro = _NAME_INTRO.match(folded)
    if intro:  # cut as many of her own words as the folded intro had
        rest = " ".join(rest.split()[len(intro.group().split()) :])
    rest = _NAME_TAIL.sub("", without_titles(rest)).strip(" '\"")
    if not rest or any(c.isdigit() for c in rest) or len(rest.split()) > MAX_NAME_WORDS:
        return None
    if not _NAME.fullmatch(rest) or len(rest) < 2:
        return None
    return rest.title() if rest.islower() or rest.isupper() else rest


def without_titles(text: str) -> str:
    """Her name without the honorifics and titles before it: "Mme Diallo" -> "Diallo", "Dr Ana López" -> "Ana López",
    "Sra. Mamani" -> "Mamani", "la señora Quispe" -> "Quispe"; "" when there is nothing else ("Madame")."""
    words = text.split()
    at = 0
    while at < len(words):
        head, dot, glued = words[at].partition(".")
        if dot and glued and fold(head) in _TITLES:  # "Mrs.Smith"
            words[at] = glued
            continue
        word = fold(words[at])
        before_title = word in _TITLE_ARTICLES and at + 1 < len(words) and fold(words[at + 1]) in _TITLES
        if not (before_title or word in _TITLES or (word == "m" and words[at].endswith("."))):  # "M. Diallo"
            break
        at += 1
    return " ".join(words[at:]).lstrip(" ,.;:")


# -- business stage ------------------------------------------------------------------------------------

_STAGE_CUES = {
    "idea": r"\bidea\b|\bidee\b|\bproyecto\b|\bprojet\b|\bproject\b|\bplan\b|pensando|thinking|planning|pienso|"
            r"je pense|todavia no|aun no|pas encore|not yet|quiero empezar|quiero abrir|je veux (?:lancer|ouvrir|"
            r"commencer)|want to (?:start|open)|voudrais|quisiera|no he empezado|pas commence|haven t started|"
            r"\bsonho\b|\breve\b|\bdream\b|^1$",
    "early": r"empec|empez|comenz|recien|nuevo|nueva|debut|commenc|demarr|lanc[ee]|just start|started|starting|"
             r"\bnew\b|recently|hace poco|il y a peu|\bjoven\b|\bjeune\b|inicio|inicial|temprana|early|startup|"
             r"start up|primeros|premiers|first (?:year|months)|^2$",
    "established": r"establecid|consolidad|etabli|installe|longtemps|mucho tiempo|long time|crecimiento|"
                   r"croissance|growing|empleados|employes|employees|salaries|trabajadoras|trabajadores|"
                   r"established|mature|years|desde hace|funciona|running|^3$",
}  # fmt: skip
DURATION = re.compile(
    r"(\d+|un|una|one|a|deux|dos|two|tres|trois|three|cinco|cinq|five|diez|dix|ten)\s*"
    r"(anos?|ans?|annees?|years?|yrs?|meses|mes|mois|months?|semanas?|semaines?|weeks?)\b"
)
_NUMBERS = {"un": 1, "una": 1, "one": 1, "a": 1, "deux": 2, "dos": 2, "two": 2, "tres": 3, "trois": 3, "three": 3,
            "cinco": 5, "cinq": 5, "five": 5, "diez": 10, "dix": 10, "ten": 10}  # fmt: skip
# "not started yet", "no he empezado", "pas encore commencé": a start denied is not a start
_NOT_YET = (
    r"todavia no|aun no|pas encore|not yet|no he|haven t|pas commence|\bnot (?:\w+ )?(?:started|begun|launched)|"
    r"\bno (?:\w+ )?(?:empec|empez|comenc|arranq)|\bn ?(?:ai|a) pas (?:encore )?(?:commenc|demarr|lanc)"
)
ESTABLISHED_YEARS = 3  # running this long or more: established


def read_stage(text: str) -> str | None:
    """'ya tengo 8 años con mi taller' -> 'established'; 'empecé hace 6 meses' -> 'early'."""
    folded = fold(text)
    duration = DURATION.search(folded)
    if duration:
        amount = duration.group(1)
        n = int(amount) if amount.isdigit() else _NUMBERS[amount]
        years = n if duration.group(2).startswith(("an", "year", "yr")) else 0
        return "established" if years >= ESTABLISHED_YEARS else "early"
    found = {stage for stage, cue in _STAGE_CUES.items() if re.search(cue, folded)}
    if len(found) == 2 and "idea" in found and re.search(_NOT_YET, folded):  # "not yet started": not started
        found = {"idea"}
    return found.pop() if len(found) == 1 else None


def stage_in_passing(text: str) -> str | None:
    """The stage an answer to another question gives by saying how long: 'tengo un taller de tejidos hace 8
    años' -> 'established'; None without a duration (other cues are too loose outside the stage question)."""
    return read_stage(text) if DURATION.search(fold(text)) else None


# -- meeting modality -------------------------------------------------------------------------------------

_MODALITY_CUES = {
    "virtual": r"virtu|online|on line|en ligne|en linea|distanc|remote|zoom|whatsapp|telefono|telephone|phone|video|"
               r"internet|\bmeet\b|teams|llamada|appel|visio|^1$",
    "in_person": r"en persona|presencial|en personne|presentiel|cara a cara|face a face|face to face|in person|"
                 r"vernos|se voir|meet up|in real life|physique|fisica|en vivo|^2$",
    "both": r"ambos|ambas|les deux|both|hybrid|hibrid|los dos|las dos|either|lo que sea|peu importe|no importa|"
            r"whatever|cualquiera|n importe|any|igual|egal|doesn t matter|no matter|^3$",
}  # fmt: skip


def read_modality(text: str) -> str | None:
    """'virtual nomás, por whatsapp' -> 'virtual'; 'en persona o por zoom' -> 'both'."""
    folded = fold(text)
    found = {modality for modality, cue in _MODALITY_CUES.items() if re.search(cue, folded)}
    if "both" in found or {"virtual", "in_person"} <= found:
        return "both"
    return found.pop() if len(found) == 1 else None


# -- business sector ----------------------------------------------------------------------------------------

# Words that say how long, not what: "ça fait 3 ans", "hace 2 años", "for 5 years now", "depuis longtemps".
_TIME_ONLY_WORDS = re.compile(
    r"\b(?:ca|fait|cela|il|y|a|depuis|deja|ya|hace|tengo|tiene|llevo|desde|for|since|about|around|almost|nearly|"
    r"already|now|i|ive|have|been|it|its|s|been|environ|presque|casi|mas|menos|de|plus|more|than|que|moins|less|"
    r"je|suis|lance|e|et|and|y|un|una|peu|poco|more|plus|longtemps|mucho|tiempo|long|time|while|a|an|the|el|la|"
    r"le|les|los|las|mon|ma|mi|my|ago|this|ce|cette|esto|este|en|in|on|oui|si|yes|bueno|well|ben|bah|pues)\b"
)


def is_only_a_duration(text: str) -> bool:
    """'ça fait 3 ans', 'hace 2 años', 'since 2019', 'depuis longtemps': how long her business has run, and
    nothing about what it does (the answer to another question)."""
    folded = fold(text)
    said_time = DURATION.search(folded) or re.search(r"\b(?:19|20)\d\d\b|longtemps|mucho tiempo|long time", folded)
    if not said_time:
        return False
    rest = DURATION.sub(" ", folded)
    rest = re.sub(r"\b(?:19|20)\d\d\b|\d+", " ", rest)
    return not _TIME_ONLY_WORDS.sub(" ", rest).split()


# -- a question asked in the middle of the profile questions ---------------------------------------------

_ASKING = re.compile(
    r"^(?:como|comment|how|que|quoi|what|quel|quelle|quels|quelles|which|donde|ou|where|cuando|quand|when|"
    r"por que|porque|pourquoi|why|cuanto|cuanta|cuantos|cuantas|combien|how much|how many|quien|qui|who|"
    r"est ce que|quest ce|puedo|puedes|se puede|hay|existe|je peux|puis je|peut on|on peut|can i|can you|could|should|"
    r"is there|are there|do i|does|dois je|necesito saber|tengo que|faut il)\b"
)
ASKING_WORDS = 3  # shorter messages ending in "?" are an unsure answer ("textil?"), not a question
UNMARKED_ASKING_WORDS = 4  # without "?", a question word needs this many words ("como le dije" is not asking)
_CLAUSE = re.compile(r"[^,.;:!?…\n]+[?？]*")


def asks_a_question(text: str) -> bool:
    """'comment fixer le prix de mes pagnes ?', '¿cómo saco un crédito?': a question for the guides, not an
    answer to the profile question she was asked."""
    stripped = text.strip()
    if not (stripped.endswith("?") or stripped.startswith("¿")):
        return False
    folded = fold(stripped).strip(" ¿?")
    return len(folded.split()) >= ASKING_WORDS and bool(_ASKING.match(folded))


def question_within(text: str) -> str | None:
    """The question a comment carries ("no entendí, cómo hago un presupuesto?" -> "cómo hago un presupuesto?"):
    from the first clause that asks (a question word and words enough, or a question mark after three words
    that are not small talk) to the end of the message; None when nothing in it asks ("pas clair", "too long")."""
    for clause in _CLAUSE.finditer(text):
        folded = fold(clause.group()).strip(" ¿?？")
        words = folded.split()
        marked = "?" in clause.group() or "？" in clause.group() or clause.group().lstrip().startswith("¿")
        asking = bool(_ASKING.match(folded)) and len(words) >= (ASKING_WORDS if marked else UNMARKED_ASKING_WORDS)
        if asking or (marked and len(words) >= ASKING_WORDS and classify(clause.group()).kind is None):
            start = clause.start() + len(clause.group()) - len(clause.group().lstrip())
            if start and text[start - 1] == "¿":
                start -= 1
            return text[start:].strip()
    return None
