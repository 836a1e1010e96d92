"""A question about a whole series of sections gets the series, not one of its members.

Some guides cut one idea into sibling sections whose headings share a name before the colon: "Good practice 1:
value each partner's expertise" ... "Good practice 6: ...", "Before the mission: start remote support months
ahead" and two more, "Step 1: Introductions" ... "Step 6". A question about the series ("cuáles son las buenas
prácticas de una alianza norte-sur", "how do I prepare before a short mission") found one member and was
answered with it alone: good practice 1 of 6. So when the section an answer quotes is one of at least
`MIN_SIBLINGS` such siblings, her question holds the words of their shared name, names none of them by its
number, and asks nothing of the quoted member's own title, the answer lists the siblings' headings, in the
guide's order, cited to that guide. A question about one member ("before the mission, how do we contact
institutions?", "what happens at step 5?") keeps its passage. A question naming another series as written
("and after the mission?" after one about preparing) gets that series: "before" and "after" are stop words,
so only her words as written tell "After the mission" from "Before the mission".
"""

from __future__ import annotations

import re
from dataclasses import replace

from assistant.answering.citing import render
from assistant.answering.counterpart import sections_of
from assistant.answering.types import Draft
from assistant.retrieval.search import SearchHit
from assistant.text import fold_accents

MIN_SIBLINGS = 3
# A member named by its rank ("the first step", "la segunda práctica", "la dernière étape").
_ORDINAL = re.compile(
    r"\b(?:first|second|third|fourth|fifth|sixth|last|primer[oa]?|segund[oa]|tercer[oa]?|cuart[oa]|quint[oa]|"
    r"sext[oa]|[uú]ltim[oa]|premi[eè]re?|deuxi[eè]me|second[e]?|troisi[eè]me|quatri[eè]me|cinqui[eè]me|"
    r"sixi[eè]me|derni[eè]re?)\b",
    re.IGNORECASE,
)
_NAMED = re.compile(r"^(?P<name>.*?\D)\s*(?P<number>\d*)\s*:\s*(?P<title>\S.*)$")


def _parts(heading: str) -> tuple[str, str, str] | None:
    found = _NAMED.match(heading)
    if not found:
        return None
    return fold_accents(found["name"].strip().lower()), found["number"], found["title"]


def series(draft: Draft, asked: str, language: str, index, terms_of) -> Draft | None:
    """The list of the quoted section's siblings when her question asks about the series; None otherwise."""
    if not draft.citations or re.search(r"\d", asked) or _ORDINAL.search(asked):
        return None
    cited = draft.citations[0]
    doc_key = f"{cited.doc_id}.{cited.language}"
    sections = sections_of(index).get(doc_key, [])
    quoted = next((c.heading for c in index.chunks if c.chunk_id == cited.chunk_id), None)
    parts = _parts(quoted) if quoted is not None else None
    if parts is None:
        return None
    name, _, title = parts
    named = _named_series(asked, name, sections)
    if named is not None:  # "and after the mission?": the series she names, not the one retrieval found
        return _listed(draft, [(h, c) for h, c in sections if (p := _parts(h)) and p[0] == named])
    siblings = [(heading, chunk) for heading, chunk in sections if (p := _parts(heading)) and p[0] == name]
    asked_terms = set(terms_of(asked, language))
    name_terms = set(terms_of(name, language))
    own_terms = set(terms_of(title, language)) - name_terms
    if len(siblings) < MIN_SIBLINGS or not name_terms or not name_terms <= asked_terms or own_terms & asked_terms:
        return None
    return _listed(draft, siblings)


def _named_series(asked: str, quoted: str, sections) -> str | None:
    """Another series of the guide that her words name as written ("after the mission", "pendant la mission"),
    when they do not name the quoted one: its stop words ("before", "after") are what tell them apart."""
    words = f" {' '.join(re.findall(r'[a-z0-9]+', fold_accents(asked.lower())))} "

    def spoken(name: str) -> bool:
        return f" {' '.join(re.findall(r'[a-z0-9]+', name))} " in words

    if spoken(quoted):
        return None
    names = {p[0] for heading, _ in sections if (p := _parts(heading)) and not p[1]}  # not "Step 1", "Good practice 2"
    found = [n for n in names if n != quoted and spoken(n)]
    return found[0] if len(found) == 1 else None


def _listed(draft: Draft, siblings) -> Draft:
    numbered = any(_parts(heading)[1] for heading, _ in siblings)  # type: ignore[index]
    if numbered:  # "Good practice 1: ...; Good practice 2: ..."
        listed = "; ".join(heading for heading, _ in siblings)
    else:  # "Before the mission: start remote support months ahead; talk about motives...; ..."
        titles = [_parts(heading)[2] for heading, _ in siblings]  # type: ignore[index]
        listed = f"{siblings[0][0].split(':', 1)[0].strip()}: {'; '.join(titles)}"
    first = siblings[0][1]
    text, citations = render([(SearchHit(1, first, 1.0, 0.0, 0.0), [listed])])
    return replace(draft, text=text, citations=citations, composer=f"{draft.composer}+series")
