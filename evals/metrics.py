"""Evaluation metrics, each a small named pure function.

Retrieval: ranked document ids in, one number out (`hit_at`, `recall_at`, `mrr_at`, `ndcg_at`).
Answers: language-aware fact matching (`normalise`, `fact_found`, `key_fact_recall`, `token_f1`), citations,
grounding against the evidence (`salient_facts`, `unsupported_facts`, `grounded_facts`, `content_support`),
abstention and stability; and the metric groups, the names the runner computes and the reports show, in order.
The statistics used to report them (percentiles, intervals, paired tests) are in `evals.stats`.

Normalisation choices (see `normalise`): currency symbols ($ € £ ¥) are dropped, since French and Spanish write
them after the amount and English before it; "%" is kept as its own token ("15 %", "15%" and "15 pour cent" all
become "15 %"), so a percentage never matches a bare count.
"""

from __future__ import annotations

import datetime
import math
import re
from collections import Counter
from collections.abc import Sequence

from assistant.text import analyze, fold_accents

# ---------------------------------------------------------------------------------------------------------------
# Retrieval
# ---------------------------------------------------------------------------------------------------------------


def unique_in_order(ids: Sequence[str]) -> list[str]:
    """Chunk hits name documents several times; a ranking of documents keeps the first occurrence."""
    seen: set[str] = set()
    return [i for i in ids if not (i in seen or seen.add(i))]


def hit_at(ranked: Sequence[str], relevant: set[str], k: int) -> float:
    """1.0 when a relevant document is among the first k, else 0.0."""
    return 1.0 if any(doc in relevant for doc in ranked[:k]) else 0.0


def recall_at(ranked: Sequence[str], relevant: set[str], k: int) -> float:
    """Share of the relevant documents found among the first k (0.0 when nothing is relevant)."""
    return len(set(ranked[:k]) & relevant) / len(relevant) if relevant else 0.0


def mrr_at(ranked: Sequence[str], relevant: set[str], k: int = 10) -> float:
    """Reciprocal rank of the first relevant document within the first k (0.0 when none)."""
    for position, doc in enumerate(ranked[:k], start=1):
        if doc in relevant:
            return 1.0 / position
    return 0.0


def ndcg_at(ranked: Sequence[str], relevant: set[str], k: int = 10) -> float:
    """Binary-relevance nDCG@k: discounted gain of the relevant hits over the best possible ranking."""
    dcg = sum(1.0 / math.log2(p + 1) for p, doc in enumerate(ranked[:k], start=1) if doc in relevant)
    ideal = sum(1.0 / math.log2(p + 1) for p in range(1, min(len(relevant), k) + 1))
    return dcg / ideal if ideal else 0.0


# ---------------------------------------------------------------------------------------------------------------
# Normalisation and key facts
# ---------------------------------------------------------------------------------------------------------------

_ARTICLES = {
    "fr": frozenset({"le", "la", "les", "un", "une", "des", "du"}),  # l' and d' are split off before tokenising
    "es": frozenset({"el", "la", "los", "las", "un", "una", "unos", "unas", "lo"}),
    "en": frozenset({"the", "a", "an"}),
}

# Month names after accent folding, in the three languages (plus the usual English abbreviations).
_MONTHS = {
    **dict.fromkeys(["january", "jan", "janvier", "enero"], 1),
    **dict.fromkeys(["february", "feb", "fevrier", "febrero"], 2),
    **dict.fromkeys(["march", "mar", "mars", "marzo"], 3),
    **dict.fromkeys(["april", "apr", "avril", "abril"], 4),
    **dict.fromkeys(["may", "mai", "mayo"], 5),
    **dict.fromkeys(["june", "jun", "juin", "junio"], 6),
    **dict.fromkeys(["july", "jul", "juillet", "julio"], 7),
    **dict.fromkeys(["august", "aug", "aout", "agosto"], 8),
    **dict.fromkeys(["september", "sep", "sept", "septembre", "septiembre", "setiembre"], 9),
    **dict.fromkeys(["october", "oct", "octobre", "octubre"], 10),
    **dict.fromkeys(["november", "nov", "novembre", "noviembre"], 11),
    **dict.fromkeys(["december", "dec", "decembre", "diciembre"], 12),
}
_MONTH = "(?P<month>" + "|".join(sorted(_MONTHS, key=len, reverse=True)) + r")\.?"
_DATE_PATTERNS = [
    # 2024-03-15, 2024/03/15
    re.compile(r"\b(?P<year>\d{4})([-/])(?P<month>\d{1,2})\2(?P<day>\d{1,2})\b"),
    # 15/03/2024, 15.03.2024, 15-03-2024 (day first: French, Spanish and non-US English)
    re.compile(r"\b(?P<day>\d{1,2})([/.-])(?P<month>\d{1,2})\2(?P<year>\d{4})\b"),
    # 15 mars 2024, 1er mars 2024, 15 de marzo de 2024, 15 March 2024, 15th of March, 2024
    re.compile(
        r"\b(?P<day>\d{1,2})(?:er|re|st|nd|rd|th|o)?\s+(?:de\s+|of\s+)?"
        + _MONTH
        + r",?\s+(?:de\s+|del\s+)?(?P<year>\d{4})\b"
    ),
    # March 15, 2024
    re.compile(r"\b" + _MONTH + r"\s+(?P<day>\d{1,2})(?:st|nd|rd|th)?,?\s+(?P<year>\d{4})\b"),
]
# Thousands separators between groups of exactly three digits: "15 000", "15,000", "15.000", "15'000" -> "15000".
_THOUSANDS = re.compile(r"(?<!\d)[1-9]\d{0,2}(?:[ \u00a0\u202f,.'’]\d{3})+(?!\d)")
_DECIMAL_COMMA = re.compile(r"(?<=\d),(?=\d)")
_PERCENT_WORDS = re.compile(r"(?<=\d)\s*(?:pour\s*cent|por\s+ciento|per\s*cent)\b")
_FR_ARTICLE_ELISION = re.compile(r"\b[ld]['’](?=\w)")
_TOKEN = re.compile(r"\d{4}-\d{2}-\d{2}(?!\d)|\d+(?:\.\d+)+|\w+|%")
_CITATION = re.compile(r"\[\d+(?:\s*[,;]\s*\d+)*\]")


def _check_lang(lang: str) -> None:
    if lang not in _ARTICLES:
        raise ValueError(f"unsupported language: {lang!r}")


def strip_citations(text: str) -> str:
    """Citation markers ("[1]", "[2, 3]") are references, not content."""
    return _CITATION.sub(" ", text)


def _date_token(match: re.Match[str]) -> str:
    month = match["month"]
    month_number = _MONTHS[month] if month in _MONTHS else int(month)
    try:
        return datetime.date(int(match["year"]), month_number, int(match["day"])).isoformat()
    except ValueError:  # not a calendar date ("31/02/2024", US "03/15/2024"): left as written
        return match.group(0)


def normalise(text: str, lang: str) -> str:
    """Text reduced to the tokens a fact comparison should see, for `lang` ("fr", "es" or "en").

    Lower-cased and accent-folded; articles of the language dropped (French "l'"/"d'" split off the word);
    numbers as values ("15 000", "15,000", "15.000" -> "15000"; French/Spanish "2,5" -> "2.5"); dates as ISO tokens
    ("15 mars 2024", "15 de marzo de 2024", "March 15, 2024", "15/03/2024" -> "2024-03-15", day before month when
    numeric); punctuation and currency symbols dropped, "%" kept as a token. Returns the tokens joined by spaces.
    """
    _check_lang(lang)
    text = fold_accents(text).lower()
    for pattern in _DATE_PATTERNS:
        text = pattern.sub(_date_token, text)
    text = _THOUSANDS.sub(lambda m: re.sub(r"\D", "", m.group(0)), text)
    if lang in ("fr", "es"):
        text = _DECIMAL_COMMA.sub(".", text)
    text = _PERCENT_WORDS.sub(" %", text)
    if lang == "fr":
        text = _FR_ARTICLE_ELISION.sub("", text)
    articles = _ARTICLES[lang]
    return " ".join(t for t in _TOKEN.findall(text) if t not in articles)


def fact_found(fact: str, text: str, lang: str) -> bool:
    """Whether the normalised fact occurs in the normalised text as a whole-token sequence.

    Citation markers in the text are ignored; a fact that normalises to nothing (only articles) is never found.
    """
    needle = normalise(fact, lang)
    return bool(needle) and f" {needle} " in f" {normalise(strip_citations(text), lang)} "


def key_fact_recall(facts: Sequence[str], answer: str, lang: str) -> float:
    """Share of the expected key facts found in the answer. Raises ValueError when there are no facts."""
    if not facts:
        raise ValueError("no key facts")
    return sum(fact_found(f, answer, lang) for f in facts) / len(facts)


def token_f1(answer: str, facts: Sequence[str], lang: str) -> float:
    """SQuAD-style token F1 between the answer and all key facts together (bags of normalised tokens).

    Citation markers are removed from the answer; 0.0 when either side has no tokens.
    """
    predicted = normalise(strip_citations(answer), lang).split()
    gold = [token for fact in facts for token in normalise(fact, lang).split()]
    common = sum((Counter(predicted) & Counter(gold)).values())
    if not common:
        return 0.0
    precision, recall = common / len(predicted), common / len(gold)
    return 2 * precision * recall / (precision + recall)


# ---------------------------------------------------------------------------------------------------------------
# Citations
# ---------------------------------------------------------------------------------------------------------------


def citation_precision(cited_doc_ids: Sequence[str], relevant: set[str]) -> float | None:
    """Share of the distinct cited documents that are relevant; None when nothing was cited."""
    cited = set(cited_doc_ids)
    return len(cited & relevant) / len(cited) if cited else None


def citation_recall(cited_doc_ids: Sequence[str], relevant: set[str]) -> float:
    """Share of the relevant documents that were cited (0.0 when nothing is relevant)."""
    return len(set(cited_doc_ids) & relevant) / len(relevant) if relevant else 0.0


def unretrieved_citations(cited_chunk_ids: Sequence[str], retrieved_chunk_ids: Sequence[str]) -> int:
    """How many citations (each entry counts) point to a chunk that retrieval did not return."""
    retrieved = set(retrieved_chunk_ids)
    return sum(1 for chunk in cited_chunk_ids if chunk not in retrieved)


# ---------------------------------------------------------------------------------------------------------------
# Grounding
# ---------------------------------------------------------------------------------------------------------------

_NUMBER_OR_DATE = re.compile(r"\d{4}-\d{2}-\d{2}|\d+(?:\.\d+)*")
_SENTENCE_BREAK = re.compile(r"(?<=[.!?…])\s+|\n")
_WORD = re.compile(r"[^\W\d_]+")
_ELISION = re.compile(r"\b(?:[cdjlmnst]|qu|jusqu|lorsqu|puisqu)['’](?=\w)", re.IGNORECASE)
_POSSESSIVE = re.compile(r"['’]s\b", re.IGNORECASE)
# Capitalised in English but calendar words, not names (dates are caught as dates).
_CALENDAR_WORDS = frozenset(
    [
        *_MONTHS,
        *("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"),
        *("lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche"),
        *("lunes", "martes", "miercoles", "jueves", "viernes", "sabado", "domingo"),
    ]
)


def _proper_names(text: str, lang: str) -> set[str]:
    """Capitalised words that do not open a sentence and are neither stop words nor calendar words."""
    if lang == "fr":
        text = _ELISION.sub("", text)  # "l'Afrique" -> "Afrique"
    elif lang == "en":
        text = _POSSESSIVE.sub("", text)  # "Canada's" -> "Canada"
    names: set[str] = set()
    for sentence in _SENTENCE_BREAK.split(text):
        for word in _WORD.findall(sentence)[1:]:
            name = normalise(word, lang)
            if word[0].isupper() and analyze(word, lang) and name and name not in _CALENDAR_WORDS:
                names.add(name)
    return names


def salient_facts(text: str, lang: str) -> set[str]:
    """The checkable facts of a text, each one normalised token (as `normalise` writes it).

    Numbers (amounts, percentages and years give their number), dates (ISO token) and proper names: capitalised
    words that do not open a sentence and are not stop words or month/day names. A multi-word name gives one fact
    per capitalised word ("Affaires mondiales Canada" -> "affaires", "canada"). Citation markers are ignored.
    """
    text = strip_citations(text)
    numbers = {t for t in normalise(text, lang).split() if _NUMBER_OR_DATE.fullmatch(t)}
    return numbers | _proper_names(text, lang)


def _evidence_tokens(evidence: str, lang: str) -> set[str]:
    """Normalised evidence tokens; a date also vouches for its year, month and day ("2024", "3", "15")."""
    tokens = set(normalise(strip_citations(evidence), lang).split())
    for token in [t for t in tokens if re.fullmatch(r"\d{4}-\d{2}-\d{2}", t)]:
        year, month, day = token.split("-")
        tokens |= {year, str(int(month)), str(int(day))}
    return tokens


def unsupported_facts(answer: str, evidence: str, lang: str) -> list[str]:
    """The answer's salient facts (sorted, normalised) that the evidence does not contain."""
    support = _evidence_tokens(evidence, lang)
    return sorted(fact for fact in salient_facts(answer, lang) if fact not in support)


def grounded_facts(answer: str, evidence: str, lang: str) -> float:
    """Share of the answer's salient facts found in the evidence; 1.0 when the answer states none."""
    facts = salient_facts(answer, lang)
    if not facts:
        return 1.0
    return 1.0 - len(unsupported_facts(answer, evidence, lang)) / len(facts)


def content_support(answer: str, evidence: str, lang: str) -> float:
    """Share of the answer's distinct content terms (`analyze`) that the evidence also contains.

    Citation markers are removed first; 1.0 when the answer has no content words.
    """
    terms = set(analyze(strip_citations(answer), lang))
    if not terms:
        return 1.0
    return len(terms & set(analyze(evidence, lang))) / len(terms)


def language_match(expected: str, detected: str) -> float:
    """1.0 when the answer's detected language is the expected one, else 0.0."""
    return 1.0 if expected.strip().lower() == detected.strip().lower() else 0.0


# ---------------------------------------------------------------------------------------------------------------
# Abstention and stability
# ---------------------------------------------------------------------------------------------------------------


def _pairs(abstained: Sequence[bool], answerable: Sequence[bool]) -> list[tuple[bool, bool]]:
    if len(abstained) != len(answerable):
        raise ValueError(f"abstained has {len(abstained)} cases, answerable {len(answerable)}")
    return list(zip(abstained, answerable, strict=True))


def abstain_precision(abstained: Sequence[bool], answerable: Sequence[bool]) -> float | None:
    """Share of the abstentions that were on unanswerable cases; None when it never abstained."""
    on = [ok for abst, ok in _pairs(abstained, answerable) if abst]
    return sum(not ok for ok in on) / len(on) if on else None


def abstain_recall(abstained: Sequence[bool], answerable: Sequence[bool]) -> float | None:
    """Share of the unanswerable cases it abstained on; None when no case is unanswerable."""
    unanswerable = [abst for abst, ok in _pairs(abstained, answerable) if not ok]
    return sum(unanswerable) / len(unanswerable) if unanswerable else None


def wrong_abstention_rate(abstained: Sequence[bool], answerable: Sequence[bool]) -> float | None:
    """Share of the answerable cases it (wrongly) abstained on; None when no case is answerable."""
    on_answerable = [abst for abst, ok in _pairs(abstained, answerable) if ok]
    return sum(on_answerable) / len(on_answerable) if on_answerable else None


def changed_share(runs: Sequence[Sequence[str]]) -> float:
    """Share of cases whose repeated answers are not all identical (runs[i]: case i's answers); 0.0 when empty."""
    if not runs:
        return 0.0
    return sum(len(set(answers)) > 1 for answers in runs) / len(runs)


# ---------------------------------------------------------------------------------------------------------------
# Metric groups: what the runner computes per case and per run, and the order the reports show them in
# ---------------------------------------------------------------------------------------------------------------

KS = (1, 3, 5, 10)
RETRIEVAL = (*(f"hit@{k}" for k in KS), "recall@5", "recall@10", "mrr@10", "ndcg@10")
ANSWER = (
    "language_match",
    "key_fact_recall",
    "token_f1",
    "citation_precision",
    "citation_recall",
    "unretrieved_citations",
    "grounded_facts",
    "content_support",
)
ABSTENTION = ("abstain_precision", "abstain_recall", "wrong_abstention")
# What she gets (evals/usefulness.py): computed where the runner knows the cases' relevant passages.
USEFUL = ("useful_answer", "answer_relevance", "first_sentence_relevant", "followup_useful")
PER_CASE = (*RETRIEVAL, *ANSWER, *ABSTENTION, *USEFUL)
SUMMED = ("unretrieved_citations",)  # counts: summed over cases, not averaged
RUN_LEVEL = ("changed_share", "latency_p50_ms", "latency_p95_ms", "errors")
OPTIONAL = ("llm_faithfulness",)
METRICS = (*PER_CASE, *RUN_LEVEL, *OPTIONAL)
# The order of the report tables: the main retrieval figures, then every answer, abstention and run-level metric.
HEADLINE: tuple[str, ...] = (
    "useful_answer",
    "hit@1",
    "hit@5",
    "mrr@10",
    "ndcg@10",
    "recall@5",
    *ANSWER,
    *USEFUL[1:],
    *ABSTENTION,
    *RUN_LEVEL,
)
