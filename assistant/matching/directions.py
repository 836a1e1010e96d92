"""Pair directions: which ways across the North/South line a run may pair people, and how staff and
settings name them.

A leaf (standard library only), so `assistant.config` can check `MENTOR_MATCH_DIRECTIONS` with it at import
time without loading the matching engine.
"""

from __future__ import annotations

from collections.abc import Iterable

DIRECTIONS = ("north-south", "south-south", "national")
DIRECTION_ALIASES = {"south-north": "north-south", "north-north": "national", "domestic": "national"}


def normalise_directions(values: Iterable[str] | None) -> frozenset[str]:
    if not values:
        return frozenset(DIRECTIONS)
    if isinstance(values, str):
        values = [values]
    out = set()
    for value in values:
        for part in str(value).split(","):
            name = part.strip().lower()
            if not name:
                continue
            name = DIRECTION_ALIASES.get(name, name)
            if name not in DIRECTIONS:
                raise ValueError(
                    f"unknown pair direction {part.strip()!r} (known: {', '.join(DIRECTIONS)}, south-north)"
                )
            out.add(name)
    return frozenset(out or DIRECTIONS)
