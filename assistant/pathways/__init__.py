"""Adaptive learning pathways and resource recommendations.

planner.py    the ordered modules for one woman (need-weighted topological order) and why each is next
recommend.py  resources ranked by similarity to what she works on, filtered and diversified
service.py    the same with the database: diagnostic, progress, questions, pairing agenda, seen resources
quality.py    the demo cohort's figures: prerequisite violations, first steps on weak areas, no repeats
"""

from assistant.pathways.planner import Needs, Planner, Step
from assistant.pathways.recommend import Recommendation, Recommender
from assistant.pathways.service import PathwayService

__all__ = ["Needs", "PathwayService", "Planner", "Recommendation", "Recommender", "Step"]
