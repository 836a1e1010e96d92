"""Why a pair was suggested, built only from evidence that really matched, in the reader's language.

`evidence(...)` collects facts about one pair seen from one side ("viewer"): the skills each can help the
other with (exact taxonomy ids), a related skill in the same category when no skill matched (named: "she
knows natural dyeing, close to your need: pottery"), a close free-text description (with what she offers),
or, plainly, that one direction is weak; then shared languages, hours free at the same time, same stage or
sector, diaspora roots. `clauses(...)` turns them into short clauses, both directions first; `explain_list`
renders a whole list so that no clause is said twice across it (the partner's name makes each direction's
clause her own; a shared fact such as a language is said once). Nothing that did not match is said.
"""

from __future__ import annotations

import numpy as np

from assistant.matching.scoring import Features
from assistant.matching.similarity import rescale
from assistant.matching.taxonomy import Taxonomy
from assistant.phrases import language_label, named, phrase

STRONG_TEXT = 0.5  # on the model's rescaled text similarity (0..1); close goals use the model's own cut-off
MAX_SKILLS = 3
DIRECTIONS = ("they", "you")
FACTS = {
    "same_sector": "same_sector",
    "same_stage": "same_stage",
    "goals_close": "goals",
}  # evidence -> phrase  # "they": what the other gives the viewer; "you": what the viewer gives


def _related(taxonomy: Taxonomy, offers, needs, exact) -> list[tuple[str, str]]:
    """(offered skill, needed skill) pairs of one category, when no skill matched exactly."""
    if exact:
        return []
    out = []
    for need in needs:
        for offer in offers:
            if offer != need and taxonomy.category(offer) == taxonomy.category(need):
                out.append((offer, need))
                break
    return out


def _in_her_words(taxonomy: Taxonomy, ids, text: str) -> list[str]:
    """Her skills on one side: the ids of her profile, then any other skill her own words name (a cohort line's
    ids may leave out what her text says; a direction is not called weak while her words meet the need)."""
    out = list(ids)
    out += [s for s in taxonomy.extract(text) if s not in out] if text else []
    return out


def evidence(f: Features, taxonomy: Taxonomy, viewer: int, other: int) -> dict:
    me, them = f.profiles[viewer], f.profiles[other]
    my_offers, my_needs = (
        _in_her_words(taxonomy, me.offers, me.offers_text),
        _in_her_words(taxonomy, me.needs, me.needs_text),
    )
    their_offers = _in_her_words(taxonomy, them.offers, them.offers_text)
    their_needs = _in_her_words(taxonomy, them.needs, them.needs_text)
    they_help = [s for s in their_offers if s in my_needs]
    you_help = [s for s in my_offers if s in their_needs]
    main_need = me.needs[0] if me.needs else None
    if main_need in they_help:  # her main need first
        they_help.remove(main_need)
        they_help.insert(0, main_need)

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
    they_pairs = _related(taxonomy, their_offers, my_needs, they_help)
    you_pairs = _related(taxonomy, my_offers, their_needs, you_help)
    ev = {
        "other_name": (them.name or them.id).split(" ")[0],
        "main_need": main_need,
        "covers_main_need": bool(main_need and main_need in they_help),
        "they_help": they_help,
        "you_help": you_help,
        "they_related": sorted({taxonomy.category(n) for _, n in they_pairs}),
        "you_related": sorted({taxonomy.category(n) for _, n in you_pairs}),
        "they_related_pairs": they_pairs,
        "you_related_pairs": you_pairs,
        "they_text": not they_help and not they_pairs and text_close(f.offers_vec[other], f.needs_vec[viewer]),
        "you_text": not you_help and not you_pairs and text_close(f.offers_vec[viewer], f.needs_vec[other]),
        "they_offers": their_offers,
        "you_offers": my_offers,
        "they_needs": my_needs,  # what the viewer needs (the other's direction serves it)
        "you_needs": their_needs,
        "shared_languages": [code for code in me.languages if code in them.languages],
        "hours_together": hours,
        "same_stage": bool(me.stage and me.stage == them.stage),
        "same_sector": bool(me.sector and me.sector.casefold() == them.sector.casefold()),
        "goals_close": goals_close,
        "diaspora_theirs": me.country if them.diaspora_origin and them.diaspora_origin == me.country else None,
        "diaspora_yours": them.country if me.diaspora_origin and me.diaspora_origin == them.country else None,
    }
    for side in DIRECTIONS:
        ev[f"{side}_weak"] = not (ev[f"{side}_help"] or ev[f"{side}_related_pairs"] or ev[f"{side}_text"])
    return ev


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


def _skill(taxonomy: Taxonomy, skill_id: str, lang: str) -> str:
    return _lower_first(taxonomy.label(skill_id, lang))


def _skills(taxonomy: Taxonomy, ids: list[str], lang: str) -> str:
    return _join([_skill(taxonomy, s, lang) for s in ids[:MAX_SKILLS]], lang)


def _direction(ev: dict, side: str, taxonomy: Taxonomy, lang: str) -> str:
    """The viewer-facing clause of one direction: the matched skills, a named related skill, a close
    description with what is offered, or plainly that this direction is weak."""
    name = ev["other_name"]
    if ev[f"{side}_help"]:
        skills = _skills(taxonomy, ev[f"{side}_help"], lang)
        if side == "they" and ev["covers_main_need"]:
            skills += phrase("match_main_need_mark", lang)
        return phrase(f"match_{side}_help", lang, name=name, skills=skills)
    if ev[f"{side}_related_pairs"]:
        offer, need = ev[f"{side}_related_pairs"][0]
        return phrase(
            f"match_{side}_related",
            lang,
            name=name,
            offer=_skill(taxonomy, offer, lang),
            need=_skill(taxonomy, need, lang),
        )
    if ev[f"{side}_text"]:
        offered = _skills(taxonomy, ev[f"{side}_offers"], lang)
        return phrase(f"match_{side}_text", lang, name=name, skills=f" ({offered})" if offered else "")
    needed = _skills(taxonomy, ev[f"{side}_needs"], lang)
    return phrase(f"match_{side}_weak", lang, name=name, need=f" ({needed})" if needed else "")


def clauses(ev: dict, taxonomy: Taxonomy, lang: str) -> list[tuple[str, str]]:
    """(kind, clause) to the viewer, strongest first: both directions ("they", "you"), then shared facts."""
    out = [(side, _direction(ev, side, taxonomy, lang)) for side in DIRECTIONS]
    if ev["shared_languages"]:
        spoken = _join([language_label(code, lang) for code in ev["shared_languages"]], lang)
        out.append(("fact", phrase("match_languages", lang, languages=spoken)))
    for key in ("diaspora_theirs", "diaspora_yours"):
        if ev[key]:
            out.append(("fact", phrase(f"match_{key}", lang, country=named("country_names", ev[key], lang))))
    if ev["hours_together"]:
        out.append(("fact", phrase("match_hours", lang, hours=f"{ev['hours_together']:.0f}")))
    for key, flag in (
        ("match_same_sector", "same_sector"),
        ("match_same_stage", "same_stage"),
        ("match_goals", "goals_close"),
    ):
        if ev[flag]:
            out.append(("fact", phrase(key, lang)))
    return out


def _sentence(parts: list[str]) -> str:
    if not parts:
        return ""
    text = "; ".join(parts)
    return text[0].upper() + text[1:] + "."


def explain(ev: dict, taxonomy: Taxonomy, lang: str) -> str:
    return _sentence([text for _, text in clauses(ev, taxonomy, lang)])


def explain_list(evs: list[dict], taxonomy: Taxonomy, lang: str) -> list[tuple[str, list[str]]]:
    """(explanation, its clauses) for each suggestion of one list: a clause already said for an earlier
    suggestion is not said again (each direction's clause names the partner, so it is her own)."""
    seen: set[str] = set()
    out = []
    for ev in evs:
        kept = []
        for _, text in clauses(ev, taxonomy, lang):
            if text.casefold() not in seen:
                seen.add(text.casefold())
                kept.append(text)
        out.append((_sentence(kept), kept))
    return out


def reasons(ev: dict, taxonomy: Taxonomy, lang: str, names: tuple[str, str]) -> list[str]:
    """The evidence about both women for staff, with their names (viewer, other): "Awa can help Lucía with
    bookkeeping"."""
    me, other = names
    out: list[str] = []
    for side, other_gives in (("they", True), ("you", False)):
        giver, taker = (other, me) if other_gives else (me, other)
        if ev[f"{side}_help"]:
            out.append(
                phrase("pair_helps", lang, giver=giver, taker=taker, skills=_skills(taxonomy, ev[f"{side}_help"], lang))
            )
        elif ev[f"{side}_related_pairs"]:
            offer, need = ev[f"{side}_related_pairs"][0]
            out.append(
                phrase(
                    "pair_related",
                    lang,
                    giver=giver,
                    taker=taker,
                    offer=_skill(taxonomy, offer, lang),
                    need=_skill(taxonomy, need, lang),
                )
            )
        elif ev[f"{side}_text"]:
            out.append(phrase("pair_text", lang, giver=giver, taker=taker))
        else:
            out.append(phrase("pair_weak", lang, giver=giver, taker=taker))
    if ev["shared_languages"]:
        spoken = _join([language_label(code, lang) for code in ev["shared_languages"]], lang)
        out.append(phrase("pair_languages", lang, languages=spoken))
    for key, person_is_other in (("diaspora_theirs", True), ("diaspora_yours", False)):
        if ev[key]:
            person, someone = (other, me) if person_is_other else (me, other)
            country = named("country_names", ev[key], lang)
            out.append(phrase("pair_diaspora", lang, person=person, other=someone, country=country))
    if ev["hours_together"]:
        out.append(phrase("pair_hours", lang, hours=f"{ev['hours_together']:.0f}"))
    for key, flag in (
        ("pair_same_sector", "same_sector"),
        ("pair_same_stage", "same_stage"),
        ("pair_goals", "goals_close"),
    ):
        if ev[flag]:
            out.append(phrase(key, lang))
    return out
