"""Reciprocal matching: every woman is mentor and mentee at once, so a pair is scored in both directions.

directions.py   pair directions and their names (a leaf: the settings check them at import time)
taxonomy.py     the multilingual skills taxonomy (knowledge_base/skills.yaml)
profiles.py     profiles from cohort files and from the chat, checked line by line
scoring.py      directional fit, reciprocal score, compatibility, hard constraints (NumPy blocks)
solver.py       optimal b-matching (HiGHS: integer programme, or LP with column generation)
explain.py      evidence-only explanations in the reader's language
results.py      what matching hands back: suggestions, pairs, a cohort run
suggestions.py  each person's best partners under exposure control
cohort.py       the optimal assignment of a whole pool, and why someone is left unmatched
fairness.py     the fairness report: ours against a random and a one-directional pairing
matcher.py      the `Matcher` composing the three above (profiles in, plain data out)
service.py      the same with the database: pool, staff decisions, exposure, pairing life cycle

The package re-exports nothing: import each name from its module. `assistant.config` imports
`directions.py`, and Python runs this file first, so an eager import of the engine here (which needs the
settings) would be an import cycle; it would also make the settings load SciPy.
"""
