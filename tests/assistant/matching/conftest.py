"""Helpers for the matching tests: small hand-made profiles, a taxonomy and a hash-embedder matcher.

Profiles are built from plain dicts through `parse_profile`, the way a cohort file's lines are, so the
tests exercise the same checks as real input.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from assistant.embeddings import HashEmbedder
from assistant.matching.matcher import Matcher
from assistant.matching.profiles import Profile, parse_profile
from assistant.matching.taxonomy import Taxonomy, default_taxonomy

# The storage tests' fixtures: `store` runs each pairing test on SQLite and on PostgreSQL.
from tests.assistant.storage.conftest import database, database_url, store  # noqa: F401

ROOT = Path(__file__).resolve().parents[3]
DEMO_COHORT = ROOT / "knowledge_base" / "demo_cohort.jsonl"
DEMO_MISSIONS = ROOT / "knowledge_base" / "demo_missions.jsonl"


def person(pid: str, offers=(), needs=(), languages=("fr",), country="canada", **extra) -> dict:
    """One profile as a cohort line would give it (ids only, no free text unless given)."""
    return {
        "id": pid,
        "name": extra.pop("name", pid.title()),
        "kind": extra.pop("kind", "person"),
        "country": country,
        "languages": list(languages),
        "offers": list(offers),
        "needs": list(needs),
        **extra,
    }


def parse(*rows: dict) -> list[Profile]:
    taxonomy = default_taxonomy()
    return [parse_profile(row, taxonomy) for row in rows]


def demo_lines(path: Path = DEMO_COHORT) -> list[str]:
    return [line for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def demo_rows(path: Path = DEMO_COHORT) -> list[dict]:
    return [json.loads(line) for line in demo_lines(path)]


def pair_ids(result) -> set[frozenset[str]]:
    return {frozenset((p.a, p.b)) for p in result.pairs}


@pytest.fixture(scope="session")
def taxonomy() -> Taxonomy:
    return default_taxonomy()


@pytest.fixture
def matcher(taxonomy) -> Matcher:
    return Matcher(taxonomy, HashEmbedder())
