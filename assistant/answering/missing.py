"""What her question asks that the answer does not hold: the salient words no quoted or retrieved text has.

An extractive answer quotes the best passage; when her question names something the guides do not speak of
("the interest rate at BancoSol", "the 2027 call"), the passage answers around it. `missing_words` finds that
part, conservatively, so the answer can say it found nothing on it rather than let the passage pass for it:

- her words are those of the question itself (not its greeting or context), each analysed as the retriever
  analyses the question (stemmed, accents folded, a typo corrected to the guides' word);
- a word is salient when no guide of her language uses it (its term weighs what an unseen term weighs), it
  is not a word about asking ("tell", "explain", "besoin", "ejemplo": `ASKING`), and was not corrected as a
  typo (the correction may be wrong; her word then says nothing for sure), nor is a typo of a word a guide
  of another language uses, nor a word such a guide uses (`known`: a mixed message's foreign word); and it
  names something (`_new_word_counts`): a number, a name with a capital, or an uninflected word; it is no
  function word of any of the three languages ("which" in a Spanish message); and it is
  not one of her own things ("mes beignets", "mis salteñas": `POSSESSIVES`), which the guides answer for in
  general;
- a salient word is missing when its term occurs in none of the quoted sentences, the quoted sections'
  titles and headings, nor any other retrieved chunk in that language (so "I found nothing" is true of what
  was found, not only of what was quoted).

The part named is her words as she wrote them: a run of missing salient words and what lies between them,
short words and uncovered rare words (IDF at least `SALIENT_SHARE` of an unseen term's) ("interest rate at
BancoSol", "BancoSol en 2027"), never across punctuation, a covered or a common word, and never starting or
ending on a word that is not salient ("chez Baobab" is "Baobab"); at most `MAX_WORDS` words in all.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from assistant.config import SUPPORTED_LANGUAGES
from assistant.phrases import phrase
from assistant.text import analyze, fold_accents, stop_words, tokenize

SALIENT_SHARE = 0.5  # a rare term's IDF, as a share of the IDF of a term no guide uses
NEW_WORD_CHARS = 5  # a lowercase word no guide uses, with no capital or digit, counts from this length
MAX_WORDS = 8  # the words named, in all (the note stays one short sentence)
MAX_PARTS = 2
# Words about asking, not about what is asked: never a missing subject.
ASKING = {
    "en": "tell explain know want need like please question answer help say ask info information guide guides "
    "thing things way example examples exactly really possible thanks thank hello okay ok sorry also kind "
    "sort details detail mean meaning much many whats hows whos wheres thats",
    "fr": "dire dis dites expliquer explique expliquez savoir sais veux voudrais vouloir besoin aide aider "
    "question réponse guide guides info information chose choses exemple exemples exactement vraiment "
    "possible merci bonjour svp stp ok okay désolée aussi genre détails détail signifie veut combien comment quoi",
    "es": "decir dime explicar explica explícame saber sé quiero quisiera querer necesito necesitar ayuda "
    "ayudar pregunta respuesta guía guías info información cosa cosas ejemplo ejemplos exactamente realmente "
    "posible gracias hola ok okay perdón también tipo detalles detalle significa favor nomás pues bueno "
    "cuánto cuánta cuántos cuántas cómo qué",
}
# Her own things ("mes beignets", "mis salteñas", "my shop"): the guides answer for any such thing, so a word of
# a noun phrase opened by a possessive is her context, not a subject the guides lack. The phrase runs over
# content words and "de" / "of" links ("mes jus de bissap"), and ends at any other short word ("my loan at X").
POSSESSIVES = {
    "fr": "mon ma mes notre nos",
    "es": "mi mis nuestro nuestra nuestros nuestras tu tus",
    "en": "my our",
}
LINKS = {"fr": "de d du des", "es": "de del", "en": "of"}
_WORD = re.compile(r"[\w][\w'’-]*", re.UNICODE)
_BREAK = re.compile(r"[?!.,;:()«»\"“”…/]")
_UNSEEN = "\x00"  # a term no guide uses: `weights` gives it the highest weight


@dataclass(slots=True)
class _Word:
    surface: str
    terms: list[str]  # as the retriever reads it
    raw: list[str]  # as written, no typo correction
    start: int
    end: int
    covered: bool = False
    salient: bool = False
    rare: bool = False  # a term few guide sections use (or none)


def missing_words(
    asked: str,
    lang: str,
    found_texts: list[str],
    terms_of=None,
    weights=None,
    known=None,
) -> str | None:
    """The part of `asked` (her words) that none of `found_texts` (the quoted sentences, the headings and the
    other retrieved chunks, in `lang`) speaks of, as she wrote it; None when every salient word is covered.
    `terms_of(text, lang)` and `weights(lang, terms)` are the retriever's; `known(word)`, whether some guide in
    any language uses the word."""
    terms_of = terms_of or analyze
    joined = " ".join(found_texts)
    found = set(analyze(joined, lang))
    written = {fold_accents(t) for t in tokenize(joined)}  # "Canadá" holds "canada" (whose stem differs)
    asking = set(analyze(ASKING.get(lang, ASKING["en"]), lang))
    words = _words(asked, lang, terms_of)
    if not words:
        return None
    unseen = weights(lang, [_UNSEEN])[0] if weights else 1.0
    owned = _owned(words, asked, lang)
    for n, w in enumerate(words):
        w.covered = any(t in found for t in w.terms + w.raw) or fold_accents(w.surface.lower()) in written
        if w.covered or not w.terms or any(t in asking for t in w.terms + w.raw):
            continue
        if any(fold_accents(w.surface.lower()) in stop_words(other) for other in SUPPORTED_LANGUAGES):
            continue  # a function word of a mixed message ("which are the first steps?" in Spanish)
        if w.terms != w.raw:
            continue  # a typo corrected: her word may not mean the guides' word
        weight = min(weights(lang, w.terms)) if weights else unseen
        w.rare = weight >= SALIENT_SHARE * unseen
        if weight < unseen:
            continue  # a word some guide of her language uses
        if n in owned and w.surface.islower():
            continue  # one of her own things
        if not _new_word_counts(w, _opens(asked, w.start), known, terms_of, SUPPORTED_LANGUAGES):
            continue
        w.salient = True
    parts = _spans(asked, words, asking)
    if not parts:
        return None
    named, total = [], 0
    for part in parts[:MAX_PARTS]:
        size = len(part.split())
        if total + size > MAX_WORDS:
            break
        named.append(part)
        total += size
    return ", ".join(named) if named else None


def _words(asked: str, lang: str, terms_of) -> list[_Word]:
    out = []
    for m in _WORD.finditer(asked):
        surface = m.group().strip("'’-")
        if not surface:
            continue
        raw = analyze(surface, lang)
        terms = terms_of(surface, lang) if raw else []
        out.append(_Word(surface, terms, raw, m.start(), m.end()))
    return out


def _owned(words: list[_Word], asked: str, lang: str) -> set[int]:
    """The indexes of the words in a noun phrase she opens with a possessive: her own things (a name written with
    a capital in it still names something the guides may lack: "mes jus chez Baobab")."""
    possessive = set(POSSESSIVES.get(lang, POSSESSIVES["en"]).split())
    links = set(LINKS.get(lang, LINKS["en"]).split())
    out: set[int] = set()
    for i, w in enumerate(words):
        if w.surface.lower() not in possessive:
            continue
        j = i + 1
        while j < len(words) and not _BREAK.search(asked[words[j - 1].end : words[j].start]):
            if words[j].surface.lower() in links:
                j += 1
                continue
            if not words[j].terms:
                break
            out.add(j)
            j += 1
    return out


def _new_word_counts(word: _Word, first: bool, known, terms_of=None, languages=()) -> bool:
    """Whether a word no guide of her language uses names something: not a word some guide of another language
    uses (a mixed message's foreign word), and a number ("2027"), a name written with a capital inside her
    sentence ("BancoSol", "CECI"), or a word her language's stemmer leaves whole but for a plural "s"
    ("instagram", "cohort", "desjardins"): an inflected word the guides do not use ("supposed", "chiquito",
    "artesanales") is a way of saying, not a thing named. A number written with letters ("9h", "10am", "1ere")
    is her own data (a time, an order), not a subject."""
    surface = word.surface
    if known is not None and known(surface):
        return False
    if terms_of is not None and any(terms_of(surface, other) != analyze(surface, other) for other in languages):
        return False  # a typo of a word some guide uses, in her language or another ("buisness")
    if surface.isdigit():
        return True
    if any(c.isdigit() for c in surface):
        return False
    if (not first and surface[:1].isupper()) or any(c.isupper() for c in surface[1:]):
        return True
    if len(surface) < NEW_WORD_CHARS:
        return False
    whole = fold_accents(surface.lower())
    return any(t in (whole, whole.removesuffix("s")) for t in word.raw)


def _opens(asked: str, start: int) -> bool:
    """Whether the word at `start` opens a sentence (its capital says nothing)."""
    before = asked[:start].rstrip()
    return not before or before[-1] in ".!?¿¡"


def _spans(asked: str, words: list[_Word], asking: set[str]) -> list[str]:
    """Her words around each salient one: from the first salient word to the last of a run that only short words
    and uncovered rare words join, up to a break (punctuation, a covered or common word, a word about asking)."""
    parts: list[str] = []
    used: set[int] = set()
    for i, w in enumerate(words):
        if not w.salient or i in used:
            continue
        lo = hi = i
        while lo > 0 and _joins(asked, words, lo - 1, lo, asking):
            lo -= 1
        while hi + 1 < len(words) and _joins(asked, words, hi, hi + 1, asking):
            hi += 1
        while lo < i and not words[lo].salient:
            lo += 1
        while hi > i and not words[hi].salient:
            hi -= 1
        used.update(range(lo, hi + 1))
        parts.append(" ".join(x.surface for x in words[lo : hi + 1]))
    return parts


def _joins(asked: str, words: list[_Word], left: int, right: int, asking: set[str]) -> bool:
    """Whether two neighbouring words belong to one part: nothing but spaces between them, and each a short word
    or an uncovered rare word that is not about asking (a common word, "chez", "get", ends the part)."""
    if _BREAK.search(asked[words[left].end : words[right].start]):
        return False
    for w in (words[left], words[right]):
        if w.covered or any(t in asking for t in w.terms) or (w.terms and not w.rare):
            return False
    return True


def missing_note(asked: str | None, language: str, quoted, hits, terms_of, weights, known) -> str | None:
    """The sentence saying what her question names that neither the quoted passage (`quoted`: (hit, pieces)
    pairs) nor any other retrieved chunk in her language speaks of; None when there is no such part (or no
    question of hers to read)."""
    if not asked:
        return None
    found = [piece for _, pieces in quoted for piece in pieces]
    found += [f"{h.chunk.title} {h.chunk.heading} {h.chunk.text}" for h in hits if h.chunk.lang == language]
    found += [f"{h.chunk.title} {h.chunk.heading}" for h, _ in quoted]
    part = missing_words(asked, language, found, terms_of, weights, known)
    if not part:
        return None
    return phrase("found_nothing_on", language, missing=part)


def with_other_questions(text: str, others: list[str], language: str, retriever) -> str:
    """The answer, with the other questions she asked named at its end, to be asked again; one whose every
    word the answer already holds ("¿puedo tener una mentora de la diáspora?" after a passage on diaspora
    pairings) is answered, not named."""
    said = set(retriever.query_terms(text, language))
    others = [q for q in others if not set(retriever.asked_terms(q, language)) <= said]
    if not others:
        return text
    asked = " ; ".join(f"« {q} »" if language == "fr" else f"“{q}”" for q in others)
    return f"{text}\n\n{phrase('other_questions', language, questions=asked)}"
