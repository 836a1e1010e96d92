"""Her time zone from what she types: an IANA name ("America/La_Paz"), a UTC offset written the ways people
write it ("UTC-4", "GMT+1", "gmt + 5:30", "UTC -4h", "heure GMT"), universal time itself ("GMT", "UTC",
"temps universel"), or a place ("Dakar", "heure de Dakar", "la hora de Bolivia", "manila time").

The result is an IANA name or "UTC" / "UTC±HH:MM". A fixed-offset IANA alias ("GMT", "Etc/GMT+4", "Zulu") is
stored as the offset it stands for ("Etc/GMT+4" is UTC-04:00: POSIX inverts the sign), never as the alias.
"""

from __future__ import annotations

import re
from datetime import datetime
from functools import cache
from zoneinfo import ZoneInfo, available_timezones

from assistant.conversation.places import find_place, fold

MAX_ZONE_WORDS = 8  # longer answers are sentences about something else, not a time zone


@cache
def _zones() -> dict[str, str]:
    return {name.lower(): name for name in available_timezones()}


# An offset: the "utc"/"gmt" before it is optional when a sign is written ("+1", "-4").
_OFFSET = re.compile(
    r"(?:^|\b(?:utc|gmt)\s*)([+-])\s*(\d{1,2})(?:\s*(?:h|:|\.)?\s*(\d{2}))?\s*(?:h|hrs?|hours?|heures?|horas?)?(?=\s|$)"
)
# Universal time named without an offset (folded words).
_UNIVERSAL = re.compile(
    r"^(?:utc|gmt|ut|z|zulu|utc 0|gmt 0|utc\s*[+-]\s*0+|gmt\s*[+-]\s*0+|greenwich|greenwich mean time|"
    r"coordinated universal time|universal time|temps universel(?: coordonne)?|tiempo universal(?: coordinado)?|"
    r"hora universal|heure universelle|heure de greenwich|hora de greenwich|greenwich time)$"
)
# What people write around a zone or a place when they give it.
_ZONE_WORDS = re.compile(
    r"\b(?:la|el|le|the|my|mi|ma|mon|de|du|del|d|in|en|a|au|hora|horario|heure|time|zone|zona|horaria|fuseau|"
    r"horaire|local|same|misma|meme|as|que|como|comme|its|it|is|es|est|c|aqui|ici|here|ahora|now|hour|standard|"
    r"mean|cest|soy|je|suis|estoy|im|am|i|on|sur|et|y|and|o|ou|or|our|nuestra|notre|we|nous|are|somos|sommes)\b"
)


def _format(total_minutes: int) -> str:
    if total_minutes == 0:
        return "UTC"
    sign = "+" if total_minutes > 0 else "-"
    hours, minutes = divmod(abs(total_minutes), 60)
    return f"UTC{sign}{hours:02d}:{minutes:02d}"


def _fixed_offset(zone: str) -> str | None:
    """'GMT' -> 'UTC', 'Etc/GMT+4' -> 'UTC-04:00'; None for a zone with a place (and its own clock changes)."""
    if not (zone.startswith("Etc/") or zone in {"GMT", "GMT0", "GMT+0", "GMT-0", "UTC", "UCT", "Universal",
                                                "Zulu", "Greenwich"}):  # fmt: skip
        return None
    offset = ZoneInfo(zone).utcoffset(datetime(2000, 1, 1))
    return _format(int(offset.total_seconds() // 60)) if offset is not None else None


def _offset(folded: str) -> str | None:
    """'utc 4' is not an offset (no sign); 'gmt+5 30', 'utc -4h', '+1' are."""
    if _UNIVERSAL.match(folded):
        return "UTC"
    found = [m for m in _OFFSET.finditer(folded)]
    if len({m.groups() for m in found}) != 1:  # none, or two different offsets: not one answer
        return None
    sign, hours, minutes = found[0].group(1), int(found[0].group(2)), int(found[0].group(3) or 0)
    total = (hours * 60 + minutes) * (1 if sign == "+" else -1)
    if minutes not in (0, 30, 45) or not -12 * 60 <= total <= 14 * 60:
        return None
    return _format(total)


def _fold_signed(text: str) -> str:
    """Like `fold`, but the signs of an offset stay, as words of their own: 'GMT+5:30' -> 'gmt + 5 30'."""
    plain = fold(re.sub(r"[+-]", lambda m: " plussign " if m.group() == "+" else " minussign ", text))
    return plain.replace("plussign", "+").replace("minussign", "-")


def parse_timezone_text(text: str) -> str | None:
    """What she typed as her time zone -> an IANA name or 'UTC±HH:MM'; None when it names none."""
    raw = " ".join(text.split()).replace("−", "-").replace("–", "-")
    if not raw or len(raw.split()) > MAX_ZONE_WORDS:
        return None
    zone = _zones().get(raw.lower().strip(" .!?").replace(" ", "_"))
    if zone is not None:
        ZoneInfo(zone)  # loadable, not just listed
        return _fixed_offset(zone) or zone
    signed = _fold_signed(raw)
    offset = _offset(signed) or _offset(" ".join(_ZONE_WORDS.sub(" ", signed).split()))
    if offset is not None:
        return offset
    plain = fold(raw)
    place = find_place(plain) or find_place(_ZONE_WORDS.sub(" ", plain))  # "la hora de Bolivia", "manila time"
    return place.zone if place else None
