"""Small talk: greetings, thanks, acknowledgements, confusion, "who are you?", goodbyes.

`classify(text)` normalises what she typed (no accents, no apostrophes, repeated letters and one typo per
word forgiven, emoji read as words), finds the small-talk phrases of `smalltalk.yaml` in it, longest first,
and decides by a short-message rule: small talk when nothing is left but filler and at most one other word
(a name, a stray word). When a real question is left ("hola, ¿cómo saco un crédito?"), it is returned as
`rest` with the opening and closing courtesies cut off, so the question still gets answered.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import yaml
from rapidfuzz.distance import OSA

LEXICON = Path(__file__).with_name("smalltalk.yaml")
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


@dataclass(frozen=True, slots=True)
class SmallTalk:
    """What the message is: `kind` (one of KINDS) when it is small talk as a whole, else None; `rest`, the
    text left for a question once the courtesies around it are cut (the whole text when there are none);
    `language` when the small talk itself tells (only "merci" is French), else None."""

    kind: str | None
    rest: str
    language: str | None = None
    others: int = 0  # words that are neither small talk nor filler ("hola Rosa": 1)


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
    data = yaml.safe_load(LEXICON.read_text(encoding="utf-8"))
    phrases: dict[tuple[str, ...], tuple[str, set[str]]] = {}
    for kind in KINDS:
        for lang, entries in data[kind].items():
            for entry in entries:
                words = tuple(_WORD.findall(normalise(str(entry))))
                known_kind, langs = phrases.get(words, (kind, set()))
                if KINDS.index(kind) < KINDS.index(known_kind):
                    known_kind = kind
                phrases[words] = (known_kind, langs | {lang})
    filler = frozenset(w for entry in data["filler"]["all"] for w in _WORD.findall(normalise(str(entry))))
    vocabulary = frozenset(w for words in phrases for w in words) | filler
    return {k: (kind, frozenset(langs)) for k, (kind, langs) in phrases.items()}, filler, vocabulary


def _squeeze(word: str) -> str:
    return re.sub(r"(.)\1{2,}", r"\1", word)  # "graciaaas" -> "gracias", "merciii" -> "merci"


@cache
def _canonical(word: str) -> str:
    """The lexicon's spelling of `word`: itself when known, else the known word one edit away (two for long
    words), else the word unchanged. Short words must match exactly (too many near neighbours)."""
    vocabulary = _lexicon()[2]
    for candidate in (word, _squeeze(word), re.sub(r"(.)\1+", r"\1", word)):
        if candidate in vocabulary:
            return candidate
    if len(word) < 4 or word.isdigit():
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
    i = 0
    while i < len(tokens):
        for size in range(min(longest, len(tokens) - i), 0, -1):
            found = phrases.get(tuple(t.word for t in tokens[i : i + size]))
            if found:
                kinds[i : i + size] = [found] * size
                i += size
                break
        else:
            i += 1
    matched = [k for k in kinds if k is not None]
    if not tokens or all(not t.word.isalnum() for t in tokens):
        marks = text.strip()
        return SmallTalk("confusion" if marks and set(marks) <= set("?¿？ ") else None, text)
    if not matched:
        return SmallTalk(None, text)
    others = [t for t, k in zip(tokens, kinds, strict=True) if k is None and t.word not in filler]
    language = _language(matched)
    if len(others) <= MAX_OTHER_WORDS and len(tokens) <= MAX_WORDS:
        kind = min((k for k, _ in matched), key=KINDS.index)
        return SmallTalk(kind, "", language, len(others))
    return SmallTalk(None, _rest(text, tokens, kinds, filler), language, len(others))


def _language(matched: list[tuple[str, frozenset[str]]]) -> str | None:
    votes: dict[str, int] = {}
    for _, langs in matched:
        if len(langs) == 1:
            votes[next(iter(langs))] = votes.get(next(iter(langs)), 0) + 1
    return max(votes, key=votes.get) if votes else None


def _rest(text: str, tokens: list[_Token], kinds: list, filler: frozenset[str]) -> str:
    """The text between the leading and the trailing courtesies ("hola, buenas" ... "gracias")."""

    def courtesy(n: int) -> bool:
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


_KEEP = frozenset({"no", "me", "mi", "my", "mon", "ma", "es", "el", "la", "los", "las", "le", "the", "to", "y", "et",
                   "and", "a", "de", "por", "pour", "for", "mas", "plus", "more", "ya", "ahora", "now", "maintenant",
                   "tu", "te", "su", "your", "votre", "vos", "ton", "ta", "tus", "sus"})  # fmt: skip
