"""How suggestion lists read to the women who get them, measured on a pool: her main need covered by one of
her top suggestions when some feasible partner offers it, and lists whose reasons are specific (each
suggestion names matched skills in both directions, or says plainly that a direction is weak) and repeat no
clause. Printed by `mentor match report` beside the fairness figures.
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp
from scipy.optimize import linprog

from assistant.matching.explain import DIRECTIONS
from assistant.matching.results import Suggestion
from assistant.matching.scoring import Features, Scorer, row_blocks

NEED_GOAL, REASONS_GOAL = 0.9, 0.9


def _direction_specific(ev: dict, side: str) -> bool:
    """This direction's clause names concrete skills (matched, related or offered) or says it is weak."""
    if ev.get(f"{side}_help") or ev.get(f"{side}_related_pairs"):
        return True
    if ev.get(f"{side}_text"):
        return bool(ev.get(f"{side}_offers"))
    return bool(ev.get(f"{side}_weak"))


def _clauses(s: Suggestion) -> list[str]:
    return s.reasons or [c.strip().rstrip(".") for c in s.explanation.split(";")]


def list_is_specific(suggestions: list[Suggestion]) -> bool:
    said = [c.casefold() for s in suggestions for c in _clauses(s)]
    repeated = len(said) != len(set(said))
    return not repeated and all(_direction_specific(s.evidence, side) for s in suggestions for side in DIRECTIONS)


def _coverage_ceiling(f: Features, edges: list[tuple[int, int]], exposure_factor: int) -> int:
    """The most women whose main need one suggestion can meet at once when each partner is shown to at most
    capacity x factor of them (an exact b-matching: a bipartite linear programme has an integral optimum)."""
    if not edges:
        return 0
    n, m = len(f), len(edges)
    r, c = np.array(edges).T
    one_each = sp.csr_matrix((np.ones(m), (r, np.arange(m))), shape=(n, m))
    shown = sp.csr_matrix((np.ones(m), (c, np.arange(m))), shape=(n, m))
    bounds = np.concatenate([np.ones(n), f.capacity * exposure_factor])
    result = linprog(-np.ones(m), A_ub=sp.vstack([one_each, shown]), b_ub=bounds, bounds=(0, 1), method="highs")
    return round(-result.fun) if result.x is not None else 0


def suggestion_quality(
    scorer: Scorer, f: Features, lists: dict[str, list[Suggestion]], allow_same_organisation=False, exposure_factor=1
) -> dict:
    """The figures on everyone's lists (`Matcher.suggest_all`), with their goals. Exposure control caps how
    many women can see a partner who offers their main need; the ceiling is that cap, and the goal is met
    when at least 90% of the reachable women get one and every other is told why."""
    feasible_offer = np.zeros(len(f), dtype=bool)
    edges: list[tuple[int, int]] = []
    for rows in row_blocks(len(f)):
        block = scorer.block(f, rows, allow_same_organisation=allow_same_organisation)
        offering = block.feasible & f.offers_main_need(rows)
        feasible_offer[rows] = offering.any(axis=1)
        r, c = np.nonzero(offering)
        edges.extend(zip(rows[r].tolist(), c.tolist(), strict=True))
    ceiling = _coverage_ceiling(f, edges, exposure_factor)
    can = [pid for pid, i in f.index.items() if feasible_offer[i] and f.consent[i] and f.capacity[i] > 0]
    main = {pid: f.profiles[f.index[pid]].needs[0] for pid in can}
    covered = [pid for pid in can if any(main[pid] in f.profiles[f.index[s.id]].offers for s in lists.get(pid, []))]
    explained = [pid for pid in can if getattr(lists.get(pid), "main_need_status", "") in ("full", "exposure")]
    shown = [ss for ss in lists.values() if ss]
    specific = [ss for ss in shown if list_is_specific(ss)]
    need_rate = round(len(covered) / len(can), 4) if can else 1.0
    of_reachable = round(len(covered) / ceiling, 4) if ceiling else 1.0
    told = len(covered) + len(explained) == len(can)
    reasons_rate = round(len(specific) / len(shown), 4) if shown else 1.0
    return {
        "main_need_offered_by_a_feasible_partner": len(can),
        "main_need_covered_in_top3": len(covered),
        "main_need_not_covered_but_said_why": len(explained),
        "main_need_coverage": need_rate,
        "main_need_ceiling_under_exposure": ceiling,
        "main_need_coverage_of_reachable": of_reachable,
        "lists": len(shown),
        "lists_specific_unrepeated": len(specific),
        "specific_unrepeated_rate": reasons_rate,
        "main_need_goal_met": of_reachable >= NEED_GOAL and told,
        "reasons_goal_met": reasons_rate >= REASONS_GOAL,
    }
