"""Why a pair was suggested, built only from evidence that really matched, in the reader's language.

`evidence(...)` collects facts about one pair seen from one side ("viewer"): the skills each can help the
other with (exact taxonomy ids), related experience in the same category when no skill matched, a close
free-text description, shared languages, hours free at the same time, same stage or sector, diaspora
roots. `explain(evidence, lang)` turns them into one short sentence; nothing that did not match is said.
"""

from __future__ import annotations

import numpy as np

from assistant.matching.scoring import Features
from assistant.matching.similarity import rescale
from assistant.matching.taxonomy import Taxonomy
from assistant.phrases import language_label, named, phrase

STRONG_TEXT = 0.5  # on the model's rescaled text similarity (0..1); close goals use the model's own cut-off
MAX_SKILLS = 3


def evidence(f: Features, taxonomy: Taxonomy, viewer: int, other: int) -> dict:
    me, them = f.profiles[viewer], f.profiles[other]
    they_help = [s for s in them.offers if s in me.needs]
    you_help = [s for s in me.offers if s in them.needs]

    def related(giver, taker, exact) -> list[str]:
        if exact:
            return []
        offered = {taxonomy.category(s) for s in giver.offers}
        return sorted({taxonomy.category(s) for s in taker.needs} & offered)

    def text_close(a: np.ndarray, b: np.ndarray) -> bool:
        close = rescale(np.array([a @ b]), *f.scales.text)[0] >= STRONG_TEXT
        return bool(np.abs(a).sum() and np.abs(b).sum() and close)

    hours = None
    if f.has_hours[viewer] and f.has_hours[other]:
        hours = float(f.hours[viewer] @ f.hours[other])
    goals_close = bool(
        np.abs(f.goals_vec[viewer]).sum()
        and np.abs(f.goals_vec[other]).sum()
        and float(f.goals_vec[viewer] @ f.goals_vec[other]) >= f.scales.close_goals
    )
    return {
        "they_help": they_help,
        "you_help": you_help,
        "they_related": related(them, me, they_help),
        "you_related": related(me, them, you_help),
        "they_text": not they_help and text_close(f.offers_vec[other], f.needs_vec[viewer]),
        "you_text": not you_help and text_close(f.offers_vec[viewer], f.needs_vec[other]),
        "shared_languages": [code for code in me.languages if code in them.languages],
        "hours_together": hours,
        "same_stage": bool(me.stage and me.stage == them.stage),
        "same_sector": bool(me.sector and me.sector.casefold() == them.sector.casefold()),
        "goals_close": goals_close,
        "diaspora_theirs": me.country if them.diaspora_origin and them.diaspora_origin == me.country else None,
        "diaspora_yours": them.country if me.diaspora_origin and me.diaspora_origin == them.country else None,
    }


def _join(items: list[str], lang: str) -> str:
    items = [i for i in items if i]
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + phrase("match_and", lang) + items[-1]


def _lower_first(label: str) -> str:
    """'Bookkeeping' -> 'bookkeeping' inside a sentence, but 'AI tools' stays."""
    if len(label) > 1 and label[1].isupper():
        return label
    return label[:1].lower() + label[1:]


def country_name(slug: str | None, lang: str) -> str:
    return named("country_names", slug, lang) if slug else "?"


def reasons(ev: dict, taxonomy: Taxonomy, lang: str, names: tuple[str, str] | None = None) -> list[str]:
    """The evidence as short clauses, strongest first: to the viewer ("she can help you with ...") or, with
    `names` (viewer, other), about both for staff ("Awa can help Lucía with ...")."""
    out: list[str] = []

    def skills(ids: list[str]) -> str:
        return _join([_lower_first(taxonomy.label(s, lang)) for s in ids[:MAX_SKILLS]], lang)

    def categories(items: list[str]) -> str:
        return _join([named("category_names", c, lang) for c in items], lang)

    def say(key: str, pair_key: str, giver_is_other: bool | None = None, **values) -> str:
        if names is None:
            return phrase(key, lang, **values)
        if giver_is_other is not None:
            me, other = names
            giver, taker = (other, me) if giver_is_other else (me, other)
            values = {**values, "giver": giver, "taker": taker}
        return phrase(pair_key, lang, **values)

    for side, other_gives in (("they", True), ("you", False)):
        if ev[f"{side}_help"]:
            out.append(say(f"match_{side}_help", "pair_helps", other_gives, skills=skills(ev[f"{side}_help"])))
        elif ev[f"{side}_related"]:
            out.append(
                say(f"match_{side}_related", "pair_related", other_gives, categories=categories(ev[f"{side}_related"]))
            )
        elif ev[f"{side}_text"]:
            out.append(say(f"match_{side}_text", "pair_text", other_gives))
    if ev["shared_languages"]:
        spoken = _join([language_label(code, lang) for code in ev["shared_languages"]], lang)
        out.append(say("match_languages", "pair_languages", languages=spoken))
    for key, person_is_other in (("diaspora_theirs", True), ("diaspora_yours", False)):
        if ev[key]:
            country = named("country_names", ev[key], lang)
            if names is None:
                out.append(phrase(f"match_{key}", lang, country=country))
            else:
                person, other = (names[1], names[0]) if person_is_other else names
                out.append(phrase("pair_diaspora", lang, person=person, other=other, country=country))
    if ev["hours_together"]:
        out.append(say("match_hours", "pair_hours", hours=f"{ev['hours_together']:.0f}"))
    if ev["same_sector"]:
        out.append(say("match_same_sector", "pair_same_sector"))
    if ev["same_stage"]:
        out.append(say("match_same_stage", "pair_same_stage"))
    if ev["goals_close"]:
        out.append(say("match_goals", "pair_goals"))
    return out


def explain(ev: dict, taxonomy: Taxonomy, lang: str) -> str:
    clauses = reasons(ev, taxonomy, lang)
    if not clauses:
        return ""
    text = "; ".join(clauses)
    return text[0].upper() + text[1:] + "."
