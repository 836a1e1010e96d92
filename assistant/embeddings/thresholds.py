"""Cut-offs on embedding cosines, per model: measured for each model, a safe default and a warning otherwise.

Cosines are not comparable across models: MiniLM's unrelated texts sit near 0.1 and paraphrases near 0.7,
while multilingual-e5-small puts almost everything between 0.7 and 1.0. So every cut-off a feature applies
to a cosine is stored per model in `thresholds.json` beside this module, measured by
`python -m evals.calibrate_thresholds`:

    gap_distance   content gaps: the cosine distance under which two questions are one group
    text_scale     matching: [low, high] cosines of an offers text and a needs text, rescaled to 0..1
    goals_scale    matching: the same for two women's goals
    sector_scale   matching: the same for two sectors
    close_goals    matching's reasons: the cosine from which two women's goals are said to be close
    cross_language_penalty  retrieval: the factor for chunks in another language than the question's
    language_centring       retrieval: 1 where the model favours the query's language and each language's
                            cosines are centred before fusion, 0 where not

MiniLM's values are the ones tuned on it before; another model's are MiniLM's carried over by quantile
matching on the same pairs of the programme's own texts (the cut-off that leaves the same share of pairs on
each side), then checked on the outcome each one serves (see the module above). A model with no entry gets
`SAFE`, which groups and credits only near-identical texts, and one warning per process: it works, it is not
tuned. The fusion weights (retrieval/fusion_weights.json) and the abstention (answering/abstention.json)
are stored per model the same way and warn through `warn_unmeasured` too.
"""

from __future__ import annotations

import json
import logging
import threading
from functools import lru_cache
from pathlib import Path

log = logging.getLogger(__name__)

THRESHOLDS_FILE = Path(__file__).with_name("thresholds.json")
SAFE: dict[str, float | list[float]] = {
    "gap_distance": 0.15,
    "text_scale": [0.6, 0.95],
    "goals_scale": [0.6, 0.95],
    "sector_scale": [0.6, 0.95],
    "close_goals": 0.9,
    "cross_language_penalty": 0.8,
    "language_centring": 0,
}
# The deterministic fake of the tests knows no meaning: nothing to measure, and nothing to warn about.
UNMEASURABLE = frozenset({"hash-256"})

_warned: set[tuple[str, str]] = set()
_warned_lock = threading.Lock()


@lru_cache(maxsize=1)
def _table() -> dict:
    try:
        return json.loads(THRESHOLDS_FILE.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {"models": {}}


def warn_unmeasured(model: str, what: str) -> None:
    """Say once per process and model that `what` was never measured for `model` and a safe default is used."""
    key = (model, what)
    with _warned_lock:
        if model in UNMEASURABLE or key in _warned:
            return
        _warned.add(key)
    log.warning(
        "%s was never measured for the embedding model %r: using a safe default. Measure it for this model "
        "(see the README's Evals section) before relying on it.",
        what,
        model,
    )


def cutoff(model: str, name: str):
    """The cut-off `name` measured for `model`, or its safe default (with a warning)."""
    measured = _table().get("models", {}).get(model, {})
    if name in measured:
        return measured[name]
    warn_unmeasured(model, f"the cosine cut-off {name!r}")
    return SAFE[name]


def scale(model: str, name: str) -> tuple[float, float]:
    low, high = cutoff(model, name)
    return float(low), float(high)
