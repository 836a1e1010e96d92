"""Reciprocal matching: every woman is mentor and mentee at once, so a pair is scored in both directions.

taxonomy.py   the multilingual skills taxonomy (knowledge_base/skills.yaml)
profiles.py   profiles from cohort files and from the chat, checked line by line
scoring.py    directional fit, reciprocal score, compatibility, hard constraints (NumPy blocks)
solver.py     optimal b-matching (HiGHS: integer programme, or LP with column generation)
explain.py    evidence-only explanations in the reader's language
matcher.py    suggestions, whole-pool assignment, fairness report (profiles in, plain data out)
service.py    the same with the database: pool, staff decisions, exposure, pairing life cycle
"""

from assistant.matching.matcher import CohortResult, Matcher, Pair, Suggestion
from assistant.matching.profiles import LoadProblem, Profile, load_profiles, parse_profile
from assistant.matching.scoring import DIRECTIONS
from assistant.matching.service import MatchingService, Pool
from assistant.matching.taxonomy import Taxonomy, default_taxonomy, load_taxonomy

__all__ = [
    "DIRECTIONS",
    "CohortResult",
    "LoadProblem",
    "Matcher",
    "MatchingService",
    "Pair",
    "Pool",
    "Profile",
    "Suggestion",
    "Taxonomy",
    "default_taxonomy",
    "load_profiles",
    "load_taxonomy",
    "parse_profile",
]
