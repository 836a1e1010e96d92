"""Her time zone typed the ways people type it: offsets with "GMT" or "UTC", universal time, places."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from assistant.conversation.onboarding import parse_timezone
from assistant.conversation.places import zone_time
from assistant.phrases import phrase


@pytest.mark.parametrize(
    ("text", "zone"),
    [
        ("GMT", "UTC"),
        ("gmt", "UTC"),
        ("UTC", "UTC"),
        ("GMT+0", "UTC"),
        ("GMT 0", "UTC"),
        ("heure GMT", "UTC"),
        ("temps universel", "UTC"),
        ("hora universal", "UTC"),
        ("GMT+1", "UTC+01:00"),
        ("gmt + 1", "UTC+01:00"),
        ("GMT+01:00", "UTC+01:00"),
        ("UTC-4", "UTC-04:00"),
        ("UTC −4", "UTC-04:00"),
        ("UTC -4h", "UTC-04:00"),
        ("utc+8", "UTC+08:00"),
        ("GMT+5:30", "UTC+05:30"),
        ("gmt+5h30", "UTC+05:30"),
        ("+1", "UTC+01:00"),
        ("je suis à GMT+1", "UTC+01:00"),
        ("c'est GMT", "UTC"),
        ("mi hora es UTC-4", "UTC-04:00"),
        ("Etc/GMT+4", "UTC-04:00"),  # POSIX's sign is the reverse of what people mean
        ("Zulu", "UTC"),
        ("heure de Dakar", "Africa/Dakar"),
        ("GMT (heure de Dakar)", "Africa/Dakar"),
        ("la hora de Bolivia", "America/La_Paz"),
        ("manila time", "Asia/Manila"),
        ("America/La_Paz", "America/La_Paz"),
    ],
)
def test_a_time_zone_is_read_from_what_she_types(text, zone):
    assert parse_timezone(text) == zone


@pytest.mark.parametrize("text", ["UTC 4", "GMT+1 ou GMT+2", "GMT-13", "UTC+5:17", "je ne sais pas", ""])
def test_what_names_no_single_time_zone_is_asked_again(text):
    assert parse_timezone(text) is None


def test_the_time_shown_with_her_zone_reads_naturally_in_french():
    """'Dakar (il est 01 h 36 là-bas)', not '(il y est 01:36)'; Spanish and English keep HH:MM."""
    night = datetime(2026, 12, 7, 1, 36, tzinfo=UTC)
    assert zone_time("Africa/Dakar", night, "fr") == "01 h 36" and zone_time("Africa/Dakar", night) == "01:36"
    shown = phrase("zone_shown", "fr", city="Dakar", time=zone_time("Africa/Dakar", night, "fr"))
    assert shown == "Dakar (il est 01 h 36 là-bas)"
