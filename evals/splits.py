"""Two fixed halves of an evaluation dataset: calibrate on one, report on the other.

A case belongs to a half by the SHA-256 of its id, so the halves do not move when cases are added, and
each language keeps about half of its answerable and unanswerable cases in each.
"""

from __future__ import annotations

import hashlib

SPLITS = ("calibration", "report")


def split_of(case_id: str) -> str:
    return SPLITS[hashlib.sha256(case_id.encode("utf-8")).digest()[0] % 2]


def split(cases: list[dict], name: str) -> list[dict]:
    """The cases of one half ('calibration' or 'report'); 'all' keeps every case."""
    if name == "all":
        return list(cases)
    if name not in SPLITS:
        raise ValueError(f"unknown split {name!r}: use calibration, report or all")
    return [c for c in cases if split_of(c["id"]) == name]
