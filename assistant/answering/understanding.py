"""Understanding a message before searching: SMS spellings, greetings and filler, context, several questions.

People write as they text: "c koi les papiers pr un pret", "hola q necesito xq...", "hi po, wat do i need",
a greeting and two sentences about their business before the question, or two questions at once. Before
retrieval the message is

1. normalised for matching (`normalise_sms`): the SMS spellings of her language written out ("q" -> "que",
   "xq" -> "porque", "c" -> "c'est", "pls" -> "please"; politeness particles such as Filipino English "po"
   dropped; the Tagalog words of Taglish, "paano" -> "how", "ng" dropped). Missing accents need nothing
   here: BM25 folds accents and the embedding model reads both forms.
2. cut into sentences, each one a greeting or thanks (dropped), a question, or context (`understand`).
   The context (her business, her country) is searched with the question, but the evidence is measured on
   the question: a long, chatty message must not look weaker than the same question asked alone. Opening
   clauses of a question sentence in which she says who she is or what she does ("tengo un taller de tejidos
   en El Alto y me cuesta delegar, ¿algún consejo?") are context too (`split_about_her`).
3. When the language detector cannot tell (no accents, few words), her language is the one whose function
   words the message uses most (`language_by_words`).
4. When she asks several questions, the first one the guides answer is answered and the others are named
   (`Understanding.questions`), so she knows to ask them again.

Everything is a small per-language table: general rules, no case-by-case tuning.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from assistant.answering.elision import restore
from assistant.answering.idioms import plain_idioms
from assistant.retrieval.variants import is_frame
from assistant.text import analyze, fold_accents, stop_words, tokenize

# SMS spellings and abbreviations, per language, written out for matching (whole tokens, case-insensitive).
# An empty replacement drops the token (politeness particles, "lol").
# fmt: off
SMS = {
    "fr": {
        "q": "que", "k": "que", "ke": "que", "c": "c'est", "cé": "c'est", "ces": "c'est", "koi": "quoi",
        "kwa": "quoi", "pr": "pour", "pk": "pourquoi", "pq": "pourquoi", "pkoi": "pourquoi", "cmt": "comment",
        "cmnt": "comment", "qd": "quand", "kan": "quand", "kel": "quel", "kelle": "quelle", "tkt": "",
        "stp": "", "svp": "", "pls": "", "bcp": "beaucoup", "tt": "tout", "ts": "tous", "tjr": "toujours",
        "tjrs": "toujours", "ds": "dans", "pb": "problème", "pbm": "problème", "rdv": "rendez-vous",
        "jsp": "je ne sais pas", "jai": "j'ai", "ya": "il y a", "bjr": "", "slt": "", "cc": "", "mrc": "",
        "mci": "", "dc": "donc", "pcq": "parce que", "pck": "parce que", "mm": "même", "nn": "non",
        "dsl": "", "vs": "vous", "ns": "nous", "qqch": "quelque chose", "qqn": "quelqu'un", "tel": "téléphone",
        "binome": "binôme", "tps": "temps", "jms": "jamais", "bb": "", "jsuis": "je suis", "chui": "je suis",
        "jpeux": "je peux", "jvais": "je vais", "jveux": "je veux", "jdois": "je dois", "jsais": "je sais",
        "mtn": "maintenant", "ajd": "aujourd'hui", "mtl": "Montréal", "mdp": "mot de passe",
        "1ere": "première", "1ère": "première", "1re": "première", "1er": "premier", "2e": "deuxième",
        "2eme": "deuxième", "2ème": "deuxième", "3e": "troisième", "3eme": "troisième", "3ème": "troisième",
    },
    "es": {
        "q": "que", "k": "que", "ke": "que", "xq": "por qué", "pq": "por qué", "porq": "por qué",
        "x": "por", "xa": "para", "pa": "para", "tb": "también", "tmb": "también", "tbn": "también",
        "pls": "", "plis": "", "porfa": "", "xfa": "", "xfavor": "", "nomas": "nomás", "d": "de", "dnd": "dónde",
        "cdo": "cuando", "cnt": "cuánto", "ntp": "", "grax": "", "xq?": "por qué", "bn": "bien",
        "msj": "mensaje", "cel": "celular", "q'": "que", "ola": "", "hla": "", "1ra": "primera",
        "1er": "primer", "1ro": "primero", "2da": "segunda", "2do": "segundo", "3ra": "tercera", "3ro": "tercero",
        "mtl": "Montreal", "mi amor": "",
    },
    "en": {
        "u": "you", "r": "are", "ur": "your", "pls": "please", "plz": "please", "wat": "what", "wht": "what",
        "hw": "how", "abt": "about", "b4": "before", "bc": "because", "cuz": "because", "coz": "because",
        "im": "i am", "dont": "do not", "cant": "cannot", "wont": "will not", "doesnt": "does not",
        "didnt": "did not", "isnt": "is not", "thx": "", "tnx": "", "ty": "", "po": "", "opo": "",
        "pls?": "please", "1st": "first", "2nd": "second", "3rd": "third", "mtl": "Montreal", "msg": "message",
        "ppl": "people", "tho": "though",
        "w/": "with", "w/o": "without", "smth": "something", "sth": "something", "yr": "year", "hrs": "hours",
        "mins": "minutes", "tz": "time zone", "bf": "before", "lol": "", "btw": "", "shud": "should",
        "shld": "should", "wud": "would", "cud": "could", "thru": "through", "thnx": "", "thanx": "",
        "tmrw": "tomorrow", "tmr": "tomorrow", "2moro": "tomorrow",
        # Taglish: the Tagalog question and function words of Filipino English ("paano po mag-set ng price").
        "paano": "how", "pano": "how", "magkano": "how much", "ano": "what", "saan": "where", "bakit": "why",
        "kailan": "when", "pwede": "can", "puwede": "can", "gusto": "want", "kailangan": "need", "ba": "",
        "ng": "", "ko": "", "sa": "", "ang": "", "yung": "the", "mga": "", "na": "", "naman": "", "kasi": "because",
        "mag": "", "ako": "i", "ka": "", "salamat": "", "negosyo": "business", "presyo": "price", "pera": "money",
        "utang": "loan", "benta": "sales",
    },
}
# fmt: on
_TOKEN = re.compile(r"(?<![\w'’])([\w'’/]+\??)(?![\w'’])", re.UNICODE)

# Whole sentences that carry no question: greetings, thanks, sign-offs, "I have a question".
_FILLER = re.compile(
    r"^\W*(?:(?:hi|hello|hey|good (?:morning|afternoon|evening)|dear \w+|bonjour|bonsoir|salut|coucou|"
    r"hola|buen(?:os|as) (?:d[ií]as|tardes|noches)|buenas|saludos|allo|all[ôo])"
    r"(?:\s+(?:everyone|all|team|tout le monde|à tous|a todos|a todas|madame|señora|amiga|po))?"
    r"|(?:thanks?(?: you)?(?: so much| a lot| in advance)?|merci(?: beaucoup| d'avance| bien)?|"
    r"gracias(?: de antemano| por adelantado)?|muchas gracias|mil gracias|bonne (?:journée|soirée)|"
    r"have a (?:nice|good) day|blessings|bendiciones|que dios (?:te|le) bendiga|"
    r"i have a question|j'ai une question|tengo una pregunta|une question|una pregunta|a question|"
    r"(?:ok(?:ay)?|great|perfect|super|g[ée]nial|parfait|top|cool|perfecto|excelente|vale|dale)"
    r"(?:[\s,!.]+(?:thanks?(?: you)?|thx|merci(?: beaucoup)?|gracias))?)"
    r")\W*$",
    re.IGNORECASE,
)
# A question sentence: ends with "?" or opens with a question word or a request ("dime", "explain").
_QUESTION_START = re.compile(
    r"^\W*(?:how|what|wat|which|when|where|who|why|can|could|should|do|does|is|are|will|would|tell me|explain|"
    r"give me|any|comment|quoi|quel(?:le)?s?|quand|où|ou est|pourquoi|combien|qui|est-ce|est ce|peut-on|"
    r"puis-je|dois-je|faut-il|y a-t-il|donne|donnez|dites|explique|c'est quoi|cómo|como|qué|que|cuál|cual|"
    r"cuáles|cuando|cuándo|dónde|donde|por dónde|por donde|por qué|cuánto|cuanto|cuántos|cuantos|quién|puedo|"
    r"se puede|hay|dime|"
    r"dame|explica|necesito|I need|je cherche|je veux|quiero)\b",
    re.IGNORECASE,
)
_SENTENCE_END = re.compile(r"(?<=[.!?…])\s+|\s*\n+\s*")
# A second question that only asks for examples or more of the same ("donne moi un exemple stp", "dame
# ejemplos", "any example?") refines the first: what is left of it without these words and the words that only
# frame a question (assistant/retrieval/variants.py) is nothing of its own.
_REFINING = re.compile(r"^(?:examples?|exemples?|ejemplos?|more|plus|m[aá]s|detail\w*|d[eé]tail\w*|precis\w*)$")
MAX_CONTEXT_SENTENCES = 3  # the context searched with the question: the sentences closest before it


@dataclass(frozen=True, slots=True)
class Understanding:
    """What a message asks. `question` is what the evidence is measured on; `searched` is what is searched
    (the question with the context before it); `questions` lists every question asked, the main one first."""

    text: str  # the message, normalised
    question: str
    searched: str
    questions: list[str] = field(default_factory=list)
    context: list[str] = field(default_factory=list)

    @property
    def others(self) -> list[str]:
        return self.questions[1:]


def normalise_sms(text: str, lang: str) -> str:
    """`text` with the SMS spellings of `lang` written out, for matching (not shown to her)."""
    text = plain_idioms(text, lang)
    table = SMS.get(lang, {})
    if not table:
        return " ".join(text.split())

    def swap(match: re.Match[str]) -> str:
        token = match.group(1)
        mark = "?" if token.endswith("?") else ""
        key = token.rstrip("?").lower()
        if key in table:
            return table[key] + mark
        if lang == "fr" and (whole := restore(key)) != key:  # "dheures", "latelier": the apostrophe put back
            return whole + mark
        return token

    return " ".join(_TOKEN.sub(swap, text).split())


# Hesitations a voice note's transcript or a chatty message keeps ("ok so um i just got back...", "euh je
# voulais savoir"): no guide word, and words of hers the evidence would miss.
_HESITATION = re.compile(r"(?<![\w'’])(?:euh+|heu+|hum+|hmm+|mmm+|um+|uhm+|uh+|erm+)(?![\w'’])[,.]?\s*", re.IGNORECASE)
# Thanks after the question in the same sentence ("...o solo es para personas individuales gracias").
_TRAILING_THANKS = re.compile(
    r"[\s,!.]+(?:(?:muchas |mil )?gracias|merci(?: beaucoup| bien| d'avance)?|thanks?(?: you)?(?: so much)?|thx|ty)"
    r"[\s!.]*$",
    re.IGNORECASE,
)


# Words that announce a question without being one ("I was wondering, how do I get a loan.", "je voudrais
# savoir comment...", "quería preguntar cómo..."): a voice note's transcript ends such a question with ".", and a
# later statement ("I need a new equipment.") was taken for the question.
_NOT_KNOWING = (
    r"je (?:ne )?sais (?:pas|plus)|je ne sais|no s[eé]|no sabemos(?: ni)?|i (?:do not|don't|dont) know|idk|"
    r"i am not sure|i'm not sure|not sure"
)
_INDIRECT_WORD = (
    r"comment|quoi|quel\w*|où|ou|quand|combien|how|what|which|where|when|whether|if|c[oó]mo|qu[eé]|"
    r"por d[oó]nde|d[oó]nde|cu[aá]nd\w*|cu[aá]nt\w*|cu[aá]l\w*"
)
_ASK_LEAD = re.compile(
    r"^\W*(?:i was wondering|i wonder|i wanted to (?:ask|know)|i would like to (?:ask|know)|i'd like to (?:ask|know)|"
    r"je (?:voudrais|voulais|veux) (?:savoir|demander)|j'aimerais (?:savoir|demander)|je me demand(?:e|ais)|"
    r"(?:quer[ií]a|quisiera|quiero|me gustar[ií]a) (?:preguntar(?:te|le)?|saber)|(?:te|le) quer[ií]a preguntar|"
    # Not knowing how or what is asking it: "je sais pas comment finir", "no sabemos por dónde empezar".
    rf"(?:(?:pero|but|mais|et|and|y|so|donc)\s+)?(?:moi\s+)?(?:{_NOT_KNOWING})(?=\s+(?:{_INDIRECT_WORD})\b))"
    r"\b[\s,:]*",
    re.IGNORECASE,
)


_NEED = re.compile(r"^\W*(?:i need|necesito|je cherche|je veux|j'ai besoin|quiero)\b", re.IGNORECASE)


def _asked_out(sentence: str) -> str:
    """'I was wondering, how do I get a loan.' -> 'how do I get a loan?'; the sentence as it is otherwise."""
    rest = _ASK_LEAD.sub("", sentence, count=1).strip()
    if rest == sentence.strip() or len(rest.split()) < MIN_CLAUSE_WORDS:
        return sentence
    return rest if rest.endswith("?") else f"{rest.rstrip(' .')}?"


def without_hesitations(text: str) -> str:
    return " ".join(_HESITATION.sub(" ", text).split()) or text


MIN_FUNCTION_WORDS = 2  # `language_by_words` decides only on this many function words, more than any other's


def language_by_words(text: str) -> str | None:
    """The language whose function words (stop words and SMS spellings) the message uses most, when the detector
    could not tell ("difference entre binome sud-sud et nord-sud ?", no accent, an English-looking first word):
    None on a tie or fewer than `MIN_FUNCTION_WORDS`."""
    words = [fold_accents(w) for w in tokenize(text)]
    counts = {lang: sum(1 for w in words if w in stop_words(lang) or w in SMS.get(lang, {})) for lang in SMS}
    ranked = sorted(counts.items(), key=lambda item: -item[1])
    best, second = ranked[0], ranked[1]
    return best[0] if best[1] >= MIN_FUNCTION_WORDS and best[1] > second[1] else None


# Where one question joins two asks or an ask and its background ("c koi une tontine et est ce que ca peut m'aider
# pour mon commerce", "tengo 4 empleadas y me cuesta delegar, algun consejo"): commas, semicolons and the
# coordinating conjunctions of each language.
_CLAUSE_BREAK = re.compile(r"\s*[,;?]\s*|\s+(?:et|mais|ou|y|e|pero|o|and|but|or)\s+", re.IGNORECASE)
MIN_CLAUSE_WORDS = 2


def clauses(question: str) -> list[str]:
    """The clauses of a question when it has more than one, each of at least `MIN_CLAUSE_WORDS` words; [] else."""
    parts = [p.strip() for p in _CLAUSE_BREAK.split(question) if p and len(p.split()) >= MIN_CLAUSE_WORDS]
    return parts if len(parts) > 1 else []


# A clause in which she says who she is or what she does, rather than what she asks: "tengo un taller de tejidos",
# "je vends du bissap à Dakar", "i run a salon in Cebu", "nagtitinda ako ng kakanin". Such opening clauses of a
# question sentence are context, as a sentence of context is. A clause that opens on "my ..." is not: "my partner
# wants to record our calls, is that ok?" asks about what that clause says.
_ABOUT_HER = re.compile(
    r"^\W*(?:(?:yo\s+)?(?:tengo(?!\s+que\b)|soy|vendo|hago|trabajo|vivo|estoy|produzco|cultivo|somos|tenemos|"
    r"vendemos|hacemos)|j'ai|je suis|jsuis|je vends?|je fais|je travaille|je vis|j'habite|je produis|"
    r"je transforme|nous sommes|nous avons|on a|on est|i have|i'm|i am|i sell|i make|i run|i work|"
    r"i live|i own|we have|we are|we sell|we make|we run|"
    # Taglish, once "ako" reads "i": a "nag-" verb then "ako" ("nagtitinda ako ng kakanin": I sell kakanin)
    r"nag\w+\s+i)\b",
    re.IGNORECASE,
)


def split_about_her(question: str) -> tuple[list[str], str]:
    """The opening clauses of `question` that speak about her (`_ABOUT_HER`, not a question themselves), and
    the rest, as she wrote it, which is what she asks; ([], question) when too little is left to ask."""
    about: list[str] = []
    start = 0
    for mark in _CLAUSE_BREAK.finditer(question):
        piece = question[start : mark.start()].strip()
        if not piece or not _ABOUT_HER.match(piece) or is_question(piece):
            break
        about.append(piece)
        start = mark.end()
    rest = question[start:].strip(" ,;")
    if not about or len(rest.split()) < MIN_CLAUSE_WORDS:
        return [], question
    return about, rest


def refines(question: str, lang: str) -> bool:
    """Whether a second question only asks for examples or more of the first ("donne moi un exemple stp")."""
    words = [w for w in tokenize(question) if w.lower() not in stop_words(lang)]
    return all(
        _REFINING.match(fold_accents(w.lower())) or all(is_frame(t, lang) for t in analyze(w, lang)) for w in words
    )


def sentences(text: str) -> list[str]:
    found = [s.strip() for s in _SENTENCE_END.split(text) if s and s.strip(" .!,;-")]
    return [piece for s in found for piece in _spoken_pieces(s)]


# A message typed or spoken the way one talks, a long run of words with no full stop ("ok so um i just got back
# from my first meeting ... and i dont know if she was just being polite what should i do next time"): searched
# whole, its story drowned its question. It is cut where a spoken sentence would end: before a word that turns
# the story ("but", "pero", "parce que") and before a question's opening words ("what should i", "comment on",
# "que me recomiendas"), so its question and the context closest to it are told apart as in a written message.
RUN_ON_WORDS = 20
SHORT_ASK_WORDS = 4
POINTING_ASK_WORDS = 6  # "how does that work": a short ask pointing back takes the piece before it
_POINTS_BACK = re.compile(r"\b(?:that|this|eso|esto|ça|ca|cela|ceci)\b", re.IGNORECASE)
_SPOKEN_BREAK = re.compile(
    r"\s+(?=(?:but|because|so i|and honestly|mais|parce que|donc|alors|pero|porque|entonces|o sea|y tampoco|"
    r"what (?:should|can|do|does|would|is|are)|how (?:do|does|can|should|would|to|much|many)|who can|"
    r"is it (?:ok|okay|possible|normal|true)|should (?:i|we)|can (?:i|we|you)|do you (?:think|recommend|know)|"
    r"comment (?:on|je|faire|fait|s'|est-ce|peut|puis|dois|ça|ca)|qu'est-ce que|est-ce que|que faire|"
    r"(?:vous|tu) (?:me )?(?:conseill\w+|recommand\w+)|on fait comment|je fais comment|c'est quoi|"
    r"qu[eé] (?:me recomiend\w+|me aconsej\w+|hago|hacemos|puedo|debo|podemos|debemos)|"
    r"c[oó]mo (?:hago|hacemos|puedo|podemos|se hace|funciona|le hago)|me (?:recomiend\w+|aconsej\w+)|"
    r"se puede|cu[aá]nto (?:cuesta|cobra)|hay alg[uú]n|how (?:often|long|far)|"
    rf"(?:{_NOT_KNOWING}) (?:{_INDIRECT_WORD}))\b)",
    re.IGNORECASE,
)


def _spoken_pieces(sentence: str) -> list[str]:
    """A long sentence with no full stop cut where a spoken sentence would end (`_SPOKEN_BREAK`); a shorter one,
    or one whose pieces would be a word or two, as it is."""
    if len(sentence.split()) < RUN_ON_WORDS:
        return [sentence]
    pieces: list[str] = []
    carried = ""  # a word cut off an opening ("what | should i ..."), joined to what follows it
    for piece in (p.strip(" ,;") for p in _SPOKEN_BREAK.split(sentence)):
        piece = f"{carried} {piece}".strip()
        carried = piece if len(piece.split()) < MIN_CLAUSE_WORDS else ""
        if not carried and piece:
            pieces.append(piece)
    if carried:
        return [sentence]
    # An ask with no words of its own ("... tiktok o facebook o que | que me recomiendas"), or one pointing back
    # ("... for a short mission | how does that work"), takes what it asks about: the piece before it.
    joined = pieces[:1]
    for piece in pieces[1:]:
        words = len(piece.split())
        if words < SHORT_ASK_WORDS or (words <= POINTING_ASK_WORDS and _POINTS_BACK.search(piece)):
            asks = is_question(piece) and not piece.endswith("?")
            joined[-1] = f"{joined[-1]} {piece}" + ("?" if asks else "")  # still a question, for `understand`
        else:
            joined.append(piece)
    return joined


def is_filler(sentence: str) -> bool:
    return bool(_FILLER.match(sentence))


def is_question(sentence: str) -> bool:
    return sentence.rstrip().endswith("?") or bool(_QUESTION_START.match(sentence))


def understand(text: str, lang: str) -> Understanding:
    """Split a message into its question(s) and context. A message with no question sentence is all question
    (a keyword query, "tontine"); greetings and thanks are dropped unless nothing else is left."""
    normalised = without_hesitations(normalise_sms(text, lang))
    parts = [_TRAILING_THANKS.sub("", s) or s for s in sentences(normalised)]
    parts = [s for s in parts if not is_filler(_strip_leading_greeting(s) or s)]
    parts = [_asked_out(_strip_leading_greeting(s) or s) for s in parts] or [normalised]
    asked = [i for i, s in enumerate(parts) if is_question(s)]
    # "I need a new machine." beside a real question says why she asks; alone, it is her request.
    needs = [i for i in asked if _NEED.match(parts[i]) and not parts[i].rstrip().endswith("?")]
    asked = [i for i in asked if i not in needs] or asked
    if not asked or len(parts) == 1:
        whole = " ".join(parts)
        about_her, question = split_about_her(whole)
        if about_her:  # "tengo un taller en El Alto y me cuesta delegar, algun consejo?"
            return Understanding(normalised, question, whole, [question], about_her)
        return Understanding(normalised, whole, whole, [whole], [])
    # A request for examples after the question, with no question mark ("how do we set goals? example pls"),
    # belongs to it.
    asked = [i for i, s in enumerate(parts) if i in asked or (i > asked[0] and refines(s, lang))]
    questions = [parts[i] for i in asked]
    first = asked[0]
    # Context: the statements (not questions) before the first question, closest first, bounded.
    context = [s for i, s in enumerate(parts) if i < first and i not in asked][-MAX_CONTEXT_SENTENCES:]
    # Two questions where the second only refines the first ("c combien ? c gratuit ?", "how? any example?")
    # are one question: only a second question with words of its own is named apart.
    about_her, opening = split_about_her(questions[0])
    context = (context + about_her)[-MAX_CONTEXT_SENTENCES:]
    main = [opening]
    others = []
    for q in questions[1:]:
        (others if len(q.split()) >= 4 and not refines(q, lang) else main).append(q)
    question = " ".join(main)
    return Understanding(normalised, question, " ".join([*context, question]), [question, *others], context)


_LEADING_GREETING = re.compile(
    r"^\W*(?:hi|hello|hey|bonjour|bonsoir|salut|coucou|hola|buen[oa]s (?:d[ií]as|tardes|noches)|buenas|"
    r"good (?:morning|afternoon|evening))\b(?:\s+(?:po|everyone|à tous|a todas|amiga))?[\s,!.:-]*",
    re.IGNORECASE,
)


def _strip_leading_greeting(sentence: str) -> str:
    """'hola q necesito...' -> 'q necesito...'; '' when the sentence was only a greeting."""
    return _LEADING_GREETING.sub("", sentence, count=1).strip()


# She says who she is ("hi im sarah from toronto, just got paired w a woman in kigali", "je suis couturière à
# Thiès", "soy de El Alto, tejo chompas"), asking nothing yet.
_INTRODUCTION = re.compile(
    r"^\W*(?:i'?m|i am|my name is|me llamo|mi nombre es|soy|je suis|je m'appelle|moi c'est|je m appelle)\b",
    re.IGNORECASE,
)


def introduces_herself(text: str, lang: str) -> bool:
    """Whether the message only says who she is: it opens on "I'm / je suis / soy..." and no sentence asks."""
    parts = [_strip_leading_greeting(s) or s for s in sentences(normalise_sms(text, lang))]
    return bool(parts) and bool(_INTRODUCTION.match(parts[0])) and not any(is_question(s) for s in parts)
