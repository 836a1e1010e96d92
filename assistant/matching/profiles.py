"""Matching profiles: what a participant, an organisation, a volunteer expert or a mission offers and needs.

Profiles come from a cohort file (JSON Lines, the shape of `knowledge_base/demo_cohort.jsonl`) or from the
participants who onboarded in the chat. `load_profiles` checks every line and keeps going: a line that
cannot be used is reported with its number and the field at fault, and the rest of the cohort still runs.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import numpy as np

from assistant.config import SUPPORTED_LANGUAGES
from assistant.errors import InputError
from assistant.matching.taxonomy import Taxonomy, fold

KINDS = ("person", "organisation", "expert", "mission")
STAGES = {"idea": 0, "early": 1, "growth": 2, "established": 3}
MODALITIES = ("virtual", "in_person", "either")
DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
NORTH = frozenset({"canada"})
HOURS_A_WEEK = 7 * 24

# Country names as people type them (folded) -> the slug the cohort files use.
_COUNTRY_NAMES = {
    "canada": ("canada", "quebec", "canada quebec", "ontario", "nouveau brunswick", "new brunswick"),
    "bolivia": ("bolivia", "bolivie"),
    "senegal": ("senegal",),
    "benin": ("benin",),
    "guatemala": ("guatemala",),
    "rwanda": ("rwanda", "ruanda"),
    "cote-divoire": ("cote d ivoire", "cote divoire", "cote-divoire", "ivory coast", "costa de marfil"),
    "philippines": ("philippines", "filipinas", "pilipinas", "the philippines"),
}
_COUNTRY_LOOKUP = {name: slug for slug, names in _COUNTRY_NAMES.items() for name in names}


def country_slug(text: str | None) -> str | None:
    """'Côte d’Ivoire' -> 'cote-divoire'; a country outside the programme keeps its folded name."""
    if not text:
        return None
    key = fold(text.replace("’", "'"))
    return _COUNTRY_LOOKUP.get(key) or key.replace(" ", "-") or None


@dataclass
class Profile:
    id: str
    name: str
    kind: str = "person"
    country: str | None = None
    languages: tuple[str, ...] = ()
    preferred_language: str = "en"
    sector: str = ""
    stage: str | None = None
    organisation: str | None = None
    diaspora_origin: str | None = None
    offers_text: str = ""
    needs_text: str = ""
    offers: tuple[str, ...] = ()
    needs: tuple[str, ...] = ()
    goals: tuple[str, ...] = ()
    timezone: str | None = None
    availability: tuple[dict, ...] = ()
    modality: str = "virtual"
    capacity: int = 1
    consent: bool = True
    source: str = "file"  # "file" (a cohort file) or "chat" (onboarded in a conversation)
    warnings: list[str] = field(default_factory=list)

    @property
    def region(self) -> str:
        return "north" if self.country in NORTH else "south"

    def week_hours(self) -> np.ndarray | None:
        """Her free hours as a 168-long 0/1 vector of UTC hours of the week; None when not known."""
        if not self.availability:
            return None
        try:
            zone = ZoneInfo(self.timezone) if self.timezone else ZoneInfo("UTC")
        except (ZoneInfoNotFoundError, ValueError):
            zone = ZoneInfo("UTC")
        hours = np.zeros(HOURS_A_WEEK, dtype=np.float32)
        monday = datetime(2026, 1, 5)  # a Monday outside daylight-saving changes on both hemispheres' edges
        for slot in self.availability:
            day = DAYS.index(slot["day"])
            start = _minutes(slot["from"])
            end = _minutes(slot["to"])
            local = monday + timedelta(days=day, minutes=start)
            begin = local.replace(tzinfo=zone).astimezone(ZoneInfo("UTC")).replace(tzinfo=None)
            offset = int((begin - monday).total_seconds() // 3600)
            for h in range(max(1, (end - start + 59) // 60)):
                hours[(offset + h) % HOURS_A_WEEK] = 1.0
        return hours


def _minutes(value: str) -> int:
    hours, minutes = value.split(":")
    return int(hours) * 60 + int(minutes)


@dataclass
class LoadProblem:
    line: int | None
    id: str | None
    message: str

    def __str__(self) -> str:
        where = f"line {self.line}" if self.line is not None else "profile"
        who = f" ({self.id})" if self.id else ""
        return f"{where}{who}: {self.message}"


def _text(value, name: str, limit: int = 2000) -> str:
    if value is None:
        return ""
    if not isinstance(value, str):
        raise InputError(f"field '{name}' must be text")
    return " ".join(value.split())[:limit]


def _word(value, name: str) -> str | None:
    """A short text field (a code, a slug) or None; anything but text is an `InputError` naming the field."""
    if value is None or value == "":
        return None
    if not isinstance(value, str):
        raise InputError(f"field '{name}' must be text, not {type(value).__name__} {value!r}"[:200])
    return value.strip()


def _slot(value, n: int) -> dict:
    if not isinstance(value, dict):
        raise InputError(f"field 'availability' item {n} must be an object with day, from and to")
    day = str(value.get("day", "")).lower()[:3]
    if day not in DAYS:
        raise InputError(f"field 'availability' item {n}: unknown day {value.get('day')!r}")
    times = []
    for key in ("from", "to"):
        text = str(value.get(key, ""))
        if not re.fullmatch(r"([01]?\d|2[0-4]):[0-5]\d", text):
            raise InputError(f"field 'availability' item {n}: {key!r} must be a time like 09:30, not {text!r}")
        times.append(text)
    if _minutes(times[1]) <= _minutes(times[0]):
        raise InputError(f"field 'availability' item {n}: 'to' must be after 'from'")
    return {"day": day, "from": times[0], "to": times[1]}


def parse_profile(data: object, taxonomy: Taxonomy) -> Profile:
    """One profile from a JSON object; `InputError` names the field that makes it unusable. Problems that
    leave it usable (an unknown skill id, an unknown language beside a known one) go in `warnings`."""
    if not isinstance(data, dict):
        raise InputError("a profile must be a JSON object")
    warnings: list[str] = []  # filled field by field, in this order
    pid, kind = _id_and_kind(data)
    languages = _languages(data, warnings)
    offers = _skills(data, "offers", taxonomy, warnings)
    needs = _skills(data, "needs", taxonomy, warnings)
    capacity = _capacity(data)
    timezone = _timezone(data, warnings)
    availability = _availability(data)
    stage = _stage(data, warnings)
    modality = _modality(data, warnings)
    preferred = (_word(data.get("preferred_language"), "preferred_language") or languages[0]).lower()
    goals = _goals(data)
    return Profile(
        id=pid,
        name=_text(data.get("name"), "name", 200) or pid,
        kind=kind,
        country=country_slug(_word(data.get("country"), "country")),
        languages=tuple(languages),
        preferred_language=preferred if preferred in languages else languages[0],
        sector=_text(data.get("sector"), "sector", 200),
        stage=stage,
        organisation=_text(data.get("organisation"), "organisation", 200) or None,
        diaspora_origin=country_slug(_word(data.get("diaspora_origin"), "diaspora_origin")),
        offers_text=_text(data.get("offers_text"), "offers_text"),
        needs_text=_text(data.get("needs_text"), "needs_text"),
        offers=offers,
        needs=needs,
        goals=tuple(_text(g, "goals", 300) for g in goals if g),
        timezone=timezone,
        availability=tuple(availability),
        modality=modality,
        capacity=capacity,
        consent=data.get("consent", True) is True,
        warnings=warnings,
    )


def _id_and_kind(data: dict) -> tuple[str, str]:
    pid = data.get("id")
    if not isinstance(pid, str | int) or not str(pid).strip() or len(str(pid)) > 64:
        raise InputError("field 'id' is missing or not a short text")
    pid = str(pid).strip()
    kind = _word(data.get("kind"), "kind") or "person"
    if kind not in KINDS:
        raise InputError(f"field 'kind': {kind!r} is not one of {', '.join(KINDS)}")
    return pid, kind


def _languages(data: dict, warnings: list[str]) -> list[str]:
    languages: list[str] = []
    raw_languages = data.get("languages")
    if not isinstance(raw_languages, list) or not raw_languages:
        raise InputError("field 'languages' must be a non-empty list of language codes (fr, es, en)")
    for code in raw_languages:
        code_text = str(code).strip().lower()
        if code_text in SUPPORTED_LANGUAGES:
            if code_text not in languages:
                languages.append(code_text)
        else:
            warnings.append(f"unknown language code {code!r} ignored (known: {', '.join(SUPPORTED_LANGUAGES)})")
    if not languages:
        raise InputError(
            f"field 'languages': no known language code in {raw_languages!r} (known: {', '.join(SUPPORTED_LANGUAGES)})"
        )
    return languages


def _skills(data: dict, side: str, taxonomy: Taxonomy, warnings: list[str]) -> tuple[str, ...]:
    """The known skill ids of one side ('offers' or 'needs'), else the ones its free text names."""
    raw = data.get(side) or []
    if not isinstance(raw, list):
        raise InputError(f"field '{side}' must be a list of skill ids")
    known = []
    for skill in raw:
        if not isinstance(skill, str):
            raise InputError(f"field '{side}' must be a list of skill ids (text), not {skill!r}"[:200])
        if skill in taxonomy:
            if skill not in known:
                known.append(skill)
        else:
            warnings.append(f"field '{side}': unknown skill id {skill!r} ignored")
    text = _text(data.get(f"{side}_text"), f"{side}_text")
    if not known and text:
        known = taxonomy.extract(text)
    if not known and not text:
        what = "offers" if side == "offers" else "needs"
        raise InputError(
            f"field '{side}': no {what} (neither a known skill id nor '{side}_text'): "
            "in reciprocal mentoring each side must both give and receive"
        )
    return tuple(known)


def _capacity(data: dict) -> int:
    capacity = data.get("capacity", 1)
    if isinstance(capacity, bool) or not isinstance(capacity, int) or capacity < 0:
        raise InputError(f"field 'capacity' must be a whole number of pairings (0 or more), not {capacity!r}")
    if capacity == 0:
        raise InputError("field 'capacity' is 0: she takes no pairing in this run")
    return capacity


def _timezone(data: dict, warnings: list[str]) -> str | None:
    timezone = _word(data.get("timezone"), "timezone")
    if timezone:
        try:
            ZoneInfo(str(timezone))
        except (ZoneInfoNotFoundError, ValueError):
            warnings.append(f"unknown time zone {timezone!r}: availability not used")
            timezone = None
    return timezone


def _availability(data: dict) -> list:
    raw_slots = data.get("availability") or []
    if not isinstance(raw_slots, list):
        raise InputError("field 'availability' must be a list of {day, from, to}")
    return [_slot(slot, n) for n, slot in enumerate(raw_slots, 1)]


def _stage(data: dict, warnings: list[str]) -> str | None:
    stage = _word(data.get("business_stage") or data.get("stage"), "business_stage")
    if stage is not None and stage not in STAGES:
        warnings.append(f"unknown business stage {stage!r} ignored")
        stage = None
    return stage


def _modality(data: dict, warnings: list[str]) -> str:
    modality = _word(data.get("modality"), "modality") or "virtual"
    modality = {"both": "either", "in-person": "in_person"}.get(modality, modality)
    if modality not in MODALITIES:
        warnings.append(f"unknown modality {modality!r}: taken as virtual")
        modality = "virtual"
    return modality


def _goals(data: dict) -> list:
    goals = data.get("goals") or []
    if isinstance(goals, str):
        goals = [goals]
    if not isinstance(goals, list):
        raise InputError("field 'goals' must be a list of texts")
    return goals


def load_profiles(path: Path, taxonomy: Taxonomy) -> tuple[list[Profile], list[LoadProblem]]:
    """Every usable profile of a JSON Lines file, and a problem per line that could not be used (or that was
    used with a warning). A missing or unreadable file is an `InputError`."""
    path = Path(path)
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise InputError(f"cannot read the profiles file {path}: {exc.strerror or exc}") from exc
    profiles: list[Profile] = []
    problems: list[LoadProblem] = []
    seen: set[str] = set()
    for number, line in enumerate(raw.splitlines(), 1):
        try:
            text = line.decode("utf-8").strip()
        except UnicodeDecodeError:
            problems.append(LoadProblem(number, None, "not valid UTF-8 text"))
            continue
        if not text or text.startswith("#"):
            continue
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            problems.append(LoadProblem(number, None, f"not valid JSON ({exc.msg} at column {exc.colno})"))
            continue
        pid = str(data.get("id")) if isinstance(data, dict) and data.get("id") is not None else None
        try:
            profile = parse_profile(data, taxonomy)
        except InputError as exc:
            problems.append(LoadProblem(number, pid, f"skipped: {exc}"))
            continue
        if profile.id in seen:
            problems.append(LoadProblem(number, profile.id, "skipped: this id appears on an earlier line"))
            continue
        seen.add(profile.id)
        problems.extend(LoadProblem(number, profile.id, warning) for warning in profile.warnings)
        profiles.append(profile)
    return profiles, problems


_STAGE_FROM_CHAT = {"idea": "idea", "early": "early", "established": "established"}


def profile_from_participant(participant, taxonomy: Taxonomy) -> Profile | None:
    """The matching profile of a participant who onboarded in the chat; None while her offers or needs
    are unknown. Skill ids come from her own words through the taxonomy's labels and synonyms."""
    info = participant.profile or {}
    offers_text, needs_text = info.get("offers") or "", info.get("needs") or ""
    if not offers_text or not needs_text or not participant.consent:
        return None
    languages = tuple(code for code in (participant.languages or []) if code in SUPPORTED_LANGUAGES)
    if not languages:
        languages = (participant.preferred_language or "en",)
    return Profile(
        id=participant.id,
        name=(participant.name or "").split(" ")[0] or participant.id[:6],
        kind=info.get("kind") or "person",
        country=country_slug(participant.country),
        languages=languages,
        preferred_language=participant.preferred_language or languages[0],
        sector=info.get("sector") or "",
        stage=_STAGE_FROM_CHAT.get(info.get("stage")),
        organisation=info.get("organisation"),
        diaspora_origin=country_slug(info.get("diaspora_origin")),
        offers_text=offers_text,
        needs_text=needs_text,
        offers=tuple(info.get("offer_skills") or taxonomy.extract(offers_text)),
        needs=tuple(info.get("need_skills") or taxonomy.extract(needs_text)),
        goals=tuple(info.get("goals") or ()),
        timezone=info.get("timezone"),
        availability=tuple(info.get("availability_slots") or ()),
        modality={"both": "either"}.get(info.get("modality"), info.get("modality") or "virtual"),
        capacity=int(info.get("capacity") or 1),
        consent=True,
        source="chat",
    )
