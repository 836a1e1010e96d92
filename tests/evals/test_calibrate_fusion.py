"""The fusion calibration's choices (evals/calibrate_fusion.py): the weight at the middle of the best plateau,
one weight for all languages unless asked per language, and the realistic set's messages of the split."""

from __future__ import annotations

from evals import calibrate_fusion
from evals.calibrate_fusion import GRID, choose_weights, plateau_middle, realistic_messages
from evals.dataset import DATASETS_DIR, REALISTIC_FILE, split_of


def curve(peak: float) -> dict[float, dict[str, float]]:
    return {w: {"ndcg@10": 1.0 - abs(w - peak)} for w in GRID}


def test_the_middle_of_the_best_plateau_is_chosen():
    scores = {0.4: {"ndcg@10": 0.9}, 0.5: {"ndcg@10": 0.95}, 0.6: {"ndcg@10": 0.95}, 0.7: {"ndcg@10": 0.95}}
    assert plateau_middle(scores) == 0.6
    assert plateau_middle(curve(0.3)) == 0.3


def test_one_weight_for_every_language_unless_asked_per_language(monkeypatch):
    peaks = {"fr": 0.4, "es": 0.5, "en": 0.9}
    by_lang = {lang: [{"language": lang, "_set": "clean"}] for lang in peaks}
    monkeypatch.setattr(calibrate_fusion, "evaluate_sets", lambda _rt, cases, w: curve(peaks[cases[0]["language"]])[w])
    shared, measured = choose_weights(None, by_lang)
    assert set(shared.values()) == {0.5}  # the best of the mean curve: here the median peak
    assert measured["en"]["questions"] == 1
    apart, _ = choose_weights(None, by_lang, per_language=True)
    assert apart == peaks


def test_realistic_messages_are_first_turns_of_the_split():
    path = DATASETS_DIR / REALISTIC_FILE
    tested = realistic_messages(path, "report")  # the clean set's "report" half is the realistic set's test split
    calibrating = realistic_messages(path, "calibration")
    assert tested and calibrating
    assert all(m["turn"] == 1 for m in tested + calibrating)
    assert all(split_of(m["conversation"]) == "test" for m in tested)
    assert all(split_of(m["conversation"]) == "calibration" for m in calibrating)
    assert len(realistic_messages(path, "all")) == len(tested) + len(calibrating)
