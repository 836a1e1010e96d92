"""Small talk: greetings, thanks, acknowledgements, confusion, "who are you?", goodbyes.

`classify(text)` normalises what she typed (no accents, no apostrophes, repeated letters and one typo per
word forgiven, emoji read as words), finds the small-talk phrases of `smalltalk.yaml` in it, longest first,
and decides by a short-message rule: small talk when nothing is left but filler and at most one other word
(a name, a stray word). When a real question is left ("hola, ¿cómo saco un crédito?"), it is returned as
`rest` with the opening and closing courtesies cut off, so the question still gets answered. How an answer
helped her ("muy útil", "that helps a lot", the `praise` phrases) is thanks; the same words with a negation ("no
me sirvió", "pas très utile") are a `complaint`, which the engine reads as her 👎 on the answer.

Typos are forgiven only on words that are not words already: a word the bundled guides use (fr, es, en) is
taken as written ("file" is not "fine", "goods" not "good"), and words of four letters or fewer must match
exactly. A word left over that the guides use in lower case is content ("loan", "préstamo"; a name such as
"Rosa" is not), and so is a business word of `domain_words.yaml` ("tva", "impuestos") or a short word typed in
capitals in a message that is not ("merci CNSS"); a word she capitalised stays a name ("thanks Grant"). With
one, the message is a question, never small talk ("ok loan", "merci tva"). "Are you a real
person?" and its variants are read by a pattern: a "you", a kind of being, and nothing else.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import Stemmer
import yaml
from rapidfuzz.distance import OSA

LEXICON = Path(__file__).with_name("smalltalk.yaml")
DOMAIN = Path(__file__).with_name("domain_words.yaml")  # business words the guides may not write ("tva")
GUIDES = Path(__file__).resolve().parents[2] / "knowledge_base" / "guides"  # their words are never typos
ABBREVIATION_MAX = 6  # a word she typed in capitals up to this long is an abbreviation ("CNSS"), not shouting
EXACT_MAX = 4  # words this short are never read as a typo of another (too many near neighbours: file/fine)
KINDS: tuple[str, ...] = ("confusion", "who", "goodbye", "thanks", "greeting", "ack")  # precedence, first wins
MAX_OTHER_WORDS = 1  # words that are neither small talk nor filler a message may hold and still be small talk
MAX_WORDS = 12  # longer messages are never small talk as a whole
_COURTESY = frozenset({"greeting", "thanks", "ack", "goodbye"})  # cut off around a question
_EMOJI = {
    "👍": "ok", "👌": "ok", "✅": "ok", "🆗": "ok", "👏": "great", "💪": "great",
    "🙏": "thanks", "❤": "thanks", "🥰": "thanks", "😍": "thanks", "💐": "thanks", "🌹": "thanks",
    "👋": "hello", "🤔": "what", "😕": "what", "❓": "what", "❔": "what",
}  # fmt: skip
_WORD = re.compile(r"[a-z0-9]+")
_STEMMERS = {"fr": "french", "es": "spanish", "en": "english"}
MIN_STEM = 4  # shorter stems meet too many unrelated words


@dataclass(frozen=True, slots=True)
class SmallTalk:
    """What the message is: `kind` (one of KINDS) when it is small talk as a whole, else None; `rest`, the
    text left for a question once the courtesies around it are cut (the whole text when there are none);
    `language` when the small talk itself tells (only "merci" is French), else None."""

    kind: str | None
    rest: str
    language: str | None = None
    others: int = 0  # words that are neither small talk nor filler ("hola Rosa": 1)
    complaint: bool = False  # how an answer helped, negated: "no me sirvió", "pas très utile"


@dataclass(frozen=True, slots=True)
class _Token:
    word: str  # normalised
    start: int  # span in the original text
    end: int


def normalise(text: str) -> str:
    """Lower case, no accents, no apostrophes, emoji read as words: "D’accord 👍" -> "daccord  ok "."""
    text = "".join(f" {_EMOJI[c]} " if c in _EMOJI else c for c in text)
    decomposed = unicodedata.normalize("NFKD", text)
    plain = "".join(c for c in decomposed if not unicodedata.combining(c)).lower()
    return re.sub(r"['’`´]", "", plain)


@cache
def _lexicon() -> tuple[dict[tuple[str, ...], tuple[str, frozenset[str]]], frozenset[str], frozenset[str]]:
    """(phrase words -> (kind, languages), filler words, every known word)."""
    data = _data()
    phrases: dict[tuple[str, ...], tuple[str, set[str]]] = {}
    for kind, section in [(k, k) for k in KINDS] + [("thanks", "praise")]:
        for lang, entries in data[section].items():
            for entry in entries:
                words = tuple(_WORD.findall(normalise(str(entry))))
                known_kind, langs = phrases.get(words, (kind, set()))
                if KINDS.index(kind) < KINDS.index(known_kind):
                    known_kind = kind
                phrases[words] = (known_kind, langs | {lang})
    filler = frozenset(w for entry in data["filler"]["all"] for w in _WORD.findall(normalise(str(entry))))
    vocabulary = frozenset(w for words in phrases for w in words) | filler
    return {k: (kind, frozenset(langs)) for k, (kind, langs) in phrases.items()}, filler, vocabulary


@cache
def _data() -> dict:
    return yaml.safe_load(LEXICON.read_text(encoding="utf-8"))


@cache
def _praise() -> frozenset[tuple[str, ...]]:
    """The phrases of how an answer helped her ("muy util"): thanks, unless negated."""
    return frozenset(
        tuple(_WORD.findall(normalise(str(entry)))) for entries in _data()["praise"].values() for entry in entries
    )


def _squeeze(word: str) -> str:
    return re.sub(r"(.)\1{2,}", r"\1", word)  # "graciaaas" -> "gracias", "merciii" -> "merci"


@cache
def guide_words() -> tuple[frozenset[str], frozenset[str]]:
    """(every word of the guides, folded; those among them written in lower case at least once: common words,
    not names). Empty when the guides are not there."""
    every: set[str] = set()
    lower: set[str] = set()
    for path in sorted(GUIDES.glob("*/*.md")) if GUIDES.is_dir() else []:
        for raw in re.findall(r"[^\W\d_]+", path.read_text(encoding="utf-8")):
            folded = normalise(raw)
            every.add(folded)
            if raw.islower():
                lower.add(folded)
    return frozenset(every), frozenset(lower)


@cache
def _guide_stems() -> dict[str, frozenset[str]]:
    """Per language, the Snowball stems of the words its guides write in lower case ("factures" -> "factur")."""
    stems: dict[str, set[str]] = {}
    for path in sorted(GUIDES.glob("*/*.md")) if GUIDES.is_dir() else []:
        words = {normalise(raw) for raw in re.findall(r"[^\W\d_]+", path.read_text(encoding="utf-8")) if raw.islower()}
        stems.setdefault(path.parent.name, set()).update(_stem(w, path.parent.name) for w in words)
    return {lang: frozenset(s for s in found if len(s) >= MIN_STEM) for lang, found in stems.items()}


@cache
def _stemmer(lang: str) -> Stemmer.Stemmer:
    return Stemmer.Stemmer(_STEMMERS.get(lang, "english"))


def _stem(word: str, lang: str) -> str:
    return _stemmer(lang).stemWord(word)


def is_content(word: str) -> bool:
    """A word of the guides' own vocabulary (in lower case there, in any of its forms: "facture" for the
    guides' "factures") that small talk does not use."""
    _, filler, vocabulary = _lexicon()
    if len(word) <= 2 or word in vocabulary or word in filler:
        return False
    if word in domain_words() or word in guide_words()[1]:
        return True
    return any(_stem(word, lang) in stems for lang, stems in _guide_stems().items())


@cache
def domain_words() -> frozenset[str]:
    """The business words and abbreviations of domain_words.yaml, every language together."""
    data = yaml.safe_load(DOMAIN.read_text(encoding="utf-8"))
    return frozenset(w for entries in data.values() for entry in entries for w in _WORD.findall(normalise(str(entry))))


@cache
def _canonical(word: str) -> str:
    """The lexicon's spelling of `word`: itself when known, else the known word one edit away (two for long
    words), else the word unchanged. Short words and words of the guides are taken as written."""
    vocabulary = _lexicon()[2]
    for candidate in (word, _squeeze(word), re.sub(r"(.)\1+", r"\1", word)):
        if candidate in vocabulary:
            return candidate
    if len(word) <= EXACT_MAX or word.isdigit() or word in guide_words()[0] or word in domain_words():
        return word
    limit = 1 if len(word) < 8 else 2
    best, best_distance = word, limit + 1
    for known in vocabulary:
        if abs(len(known) - len(word)) <= limit and len(known) >= 4:
            distance = OSA.distance(word, known, score_cutoff=limit)
            if distance < best_distance:
                best, best_distance = known, distance
    return best


def _tokens(text: str) -> list[_Token]:
    """Words with their spans in `text` (folding keeps one character per character but for emoji, so the
    spans come from the original's own word boundaries)."""
    out = []
    for match in re.finditer(r"[^\W_]+(?:['’][^\W_]+)*|[^\w\s]", text):
        folded = _WORD.findall(normalise(match.group()))
        out.extend(_Token(_canonical(w), match.start(), match.end()) for w in folded)
    return out


def classify(text: str) -> SmallTalk:
    phrases, filler, _ = _lexicon()
    tokens = _tokens(text)
    longest = max((len(p) for p in phrases), default=1)
    kinds: list[tuple[str, frozenset[str]] | None] = [None] * len(tokens)
    praised = False
    i = 0
    while i < len(tokens):
        for size in range(min(longest, len(tokens) - i), 0, -1):
            found = phrases.get(tuple(t.word for t in tokens[i : i + size]))
            if found:
                praised = praised or tuple(t.word for t in tokens[i : i + size]) in _praise()
                kinds[i : i + size] = [found] * size
                i += size
                break
        else:
            i += 1
    matched = [k for k in kinds if k is not None]
    if not tokens or all(not t.word.isalnum() for t in tokens):
        marks = text.strip()
        return SmallTalk("confusion" if marks and set(marks) <= set("?¿？ ") else None, text)
    if _not_understood([t.word for t in tokens]):
        return SmallTalk("confusion", "", _language(matched))
    if _asks_who([t.word for t in tokens]):
        return SmallTalk("who", "", _language(matched))
    if not matched:
        return SmallTalk(None, text)
    if praised and any(t.word in _NEGATION for t in tokens):  # "no me sirvió", "not helpful": a complaint
        return SmallTalk(None, text, _language(matched), complaint=True)
    others = [t for t, k in zip(tokens, kinds, strict=True) if k is None and t.word not in filler]
    language = _language(matched)
    if kinds[0] and kinds[0][0] in ("ack", "thanks") and _says_what_she_will_do(text, tokens, kinds, filler):
        kind = min((k for k, _ in matched), key=KINDS.index)
        return SmallTalk(kind, "", language, len(others))  # "ok, je vais en parler à ma binôme"
    # a word the guides use makes it a question ("merci facture"); a name she capitalised does not ("thanks Grace")
    content = any((is_content(t.word) or _abbreviation(text, t)) and not _named(text, t, tokens) for t in others)
    if len(others) <= MAX_OTHER_WORDS and len(tokens) <= MAX_WORDS and not content:
        kind = min((k for k, _ in matched), key=KINDS.index)
        return SmallTalk(kind, "", language, len(others))
    return SmallTalk(None, _rest(text, tokens, kinds, filler), language, len(others))


# After an "ok" or a "thanks", what she will do next ("je vais en parler à ma binôme", "lo voy a hablar con mi
# socia", "i'll talk to my partner about it"): an acknowledgement, not a question, unless she asks something.
_WILL_DO = re.compile(
    r"^(?:je vais|j vais|jvais|on va|nous allons|voy a|lo voy a|la voy a|vamos a|lo vamos a|i will|i ll|ill|we will|"
    r"we ll|i am going to|im going to|gonna)\b"
)


def _says_what_she_will_do(text: str, tokens: list[_Token], kinds: list, filler: frozenset[str]) -> bool:
    """Whether, after the opening courtesies, she says what she will do, and asks nothing."""
    if "?" in text or "¿" in text:
        return False
    for i in range(1, len(tokens)):
        opening = all(
            (k is not None and k[0] in _COURTESY) or t.word in filler
            for t, k in zip(tokens[:i], kinds[:i], strict=True)
        )
        if not opening:
            return False
        if _WILL_DO.match(" ".join(t.word for t in tokens[i:])):
            return True
    return False


_NEGATION = frozenset({"no", "pas", "ne", "dont", "didnt", "not", "nada", "rien", "isnt", "wasnt", "doesnt", "nunca",
                       "jamais", "never", "ni", "sin", "sans", "without", "poco", "peu"})  # fmt: skip
_UNDERSTAND = frozenset({"entiendo", "entendi", "comprendo", "comprendi", "comprends", "compris", "understand",
                         "understood", "get", "got", "capte", "pigé", "pige"})  # fmt: skip
MAX_CONFUSED_WORDS = 6


def _named(text: str, token: _Token, tokens: list[_Token]) -> bool:
    """Whether she wrote `token` as a name: capitalised (not in capitals), and not merely the first word."""
    raw = text[token.start : token.end]
    return token is not tokens[0] and raw[:1].isupper() and not raw.isupper()


def _abbreviation(text: str, token: _Token) -> bool:
    """Whether she typed `token` in capitals as an abbreviation ("merci CNSS"): short, in a message not all in
    capitals, and no word of small talk ("OK", "THX") nor the assistant itself ("merci IA")."""
    raw = text[token.start : token.end]
    if not (raw.isupper() and 2 <= len(raw) <= ABBREVIATION_MAX) or text.upper() == text:
        return False
    _, filler, vocabulary = _lexicon()
    return token.word not in vocabulary and token.word not in filler and token.word not in _BEING


def _not_understood(words: list[str]) -> bool:
    """A short message that says she did not understand, in whatever order ("no le entendí nada")."""
    return len(words) <= MAX_CONFUSED_WORDS and bool(set(words) & _NEGATION) and bool(set(words) & _UNDERSTAND)


_YOU = frozenset({"you", "u", "youre", "ur", "eres", "sos", "usted", "vous", "tu", "toi", "etes", "es", "this",
                  "cest", "ce", "esto", "eso", "hablo", "hablando", "escribo", "parle", "talking", "speaking",
                  "chatting", "writing"})  # fmt: skip
_BEING = frozenset({"robot", "robots", "bot", "bots", "chatbot", "human", "humain", "humaine", "humano", "humana",
                    "person", "persona", "personne", "people", "gens", "gente", "real", "reel", "reelle", "vrai",
                    "vraie", "verdadera", "verdadero", "machine", "maquina", "ai", "ia", "ordinateur", "computer",
                    "computadora", "program", "programme", "programa", "automatic", "automatique", "automatico",
                    "automatica", "chatgpt", "gpt", "someone", "somebody", "quelquun", "alguien", "woman", "man",
                    "femme", "homme", "mujer", "hombre", "artificial", "artificielle", "intelligence",
                    "inteligencia"})  # fmt: skip
_GLUE = frozenset({"are", "am", "is", "i", "a", "an", "to", "with", "or", "o", "ou", "un", "une", "una", "uno",
                   "de", "du", "con", "avec", "je", "j", "est", "que", "qui", "who", "quien", "really", "actually",
                   "vraiment", "realmente", "verdad", "en", "vrm", "reellement", "et", "y", "and", "not", "no", "pas",
                   "ne", "estoy", "soy", "suis", "im", "the", "el", "la", "le", "estas", "esta", "sera", "serait",
                   "hay", "there", "il", "ya", "t", "s", "m", "r"})  # fmt: skip
MAX_WHO_WORDS = 10


def _asks_who(words: list[str]) -> bool:
    """Whether she asks "are you a real person?" ("¿es usted una persona de verdad?", "je parle à un robot ?"): a "you"
    (or "this"), a kind of being, and nothing but small talk, filler and grammar besides."""
    if len(words) > MAX_WHO_WORDS or not set(words) & _YOU or not set(words) & _BEING:
        return False
    _, filler, vocabulary = _lexicon()
    return all(w in _YOU or w in _BEING or w in _GLUE or w in filler or w in vocabulary for w in words)


def _language(matched: list[tuple[str, frozenset[str]]]) -> str | None:
    votes: dict[str, int] = {}
    for _, langs in matched:
        if len(langs) == 1:
            votes[next(iter(langs))] = votes.get(next(iter(langs)), 0) + 1
    return max(votes, key=votes.get) if votes else None


def _rest(text: str, tokens: list[_Token], kinds: list, filler: frozenset[str]) -> str:
    """The text between the leading and the trailing courtesies ("hola, buenas" ... "gracias")."""

    def courtesy(n: int) -> bool:
        if tokens[n].word in _KEEP:  # "no tengo dinero": the negation is part of the question
            return False
        return (kinds[n] is not None and kinds[n][0] in _COURTESY) or (kinds[n] is None and tokens[n].word in filler
                                                                         and tokens[n].word not in _KEEP)  # fmt: skip

    first, last = 0, len(tokens) - 1
    while first <= last and courtesy(first):
        first += 1
    while last >= first and courtesy(last):
        last -= 1
    if first > last:
        return text
    rest = text[tokens[first].start : tokens[last].end]
    tail = text[tokens[last].end :].lstrip()
    if tail[:1] in ("?", "？"):  # keep her question mark
        rest += "?"
    return rest.strip(" ,.;:!¡-")


# Words never cut off around a question: answers and negations, and words that carry its sense.
_KEEP = frozenset(
    re.findall(
        r"\w+",
        """
    no si yes oui non me mi my mon ma es el la los las le the to y et and a de por pour for mas plus more ya ahora
    now maintenant tu te su your votre vos ton ta tus sus
""",
    )
)
