"""The pairing life cycle in the store, on SQLite and PostgreSQL (the storage tests' `store` fixture):
proposal, answers, staff decisions, cohort re-runs, exposure counts and forgetting."""

from __future__ import annotations

from datetime import timedelta

import pytest

from assistant.errors import InputError, NotFoundError

WEEK = timedelta(days=7)


def propose(store, a="ana", b="bea", accepted_by=None, require_approval=True, **kwargs):
    return store.propose_pairing(
        a, b, 0.6, 0.5, 0.7, {"reasons": ["test"]}, accepted_by=accepted_by, require_approval=require_approval, **kwargs
    )


def test_a_proposal_is_stored_once_per_pair_in_a_fixed_order(store):
    first = store.propose_pairing("zoe", "amy", 0.6, 0.9, 0.1, {"reasons": []})
    assert (first["a"], first["b"]) == ("amy", "zoe")
    # fit_ab is now amy -> zoe, which was given as fit_ba
    assert (first["fit_ab"], first["fit_ba"]) == (0.1, 0.9)
    again = store.propose_pairing("amy", "zoe", 0.6, 0.1, 0.9, {"reasons": []})
    assert again["id"] == first["id"]
    assert len(store.pairings()) == 1
    with pytest.raises(InputError):
        store.propose_pairing("amy", "amy", 0.5, 0.5, 0.5, {})


def test_one_acceptance_leaves_it_proposed(store):
    pairing = propose(store, accepted_by="ana")
    assert pairing["status"] == "proposed"
    assert pairing["accepted_a"] is True and pairing["accepted_b"] is None


def test_with_approval_both_accepting_waits_for_staff(store):
    pairing = propose(store, accepted_by="ana")
    both = store.respond_pairing(pairing["id"], "bea", True, require_approval=True)
    assert both["status"] == "proposed" and both["accepted_b"] is True
    assert store.pairing_decisions() == ([], [])
    approved = store.decide_pairing(pairing["id"], "approved", "staff@example.org", require_approval=True)
    assert approved["status"] == "active"
    assert approved["decided_by"] == "staff@example.org" and approved["decided_at"] is not None
    keep, closed = store.pairing_decisions()
    assert keep == [("ana", "bea")] and closed == []
    assert store.pairings_in_use() == {"ana": 1, "bea": 1}


def test_staff_may_approve_before_both_accept(store):
    pairing = propose(store)
    approved = store.decide_pairing(pairing["id"], "approved", "staff", require_approval=True)
    assert approved["status"] == "proposed"
    assert store.pairing_decisions()[0] == [("ana", "bea")]  # approved and waiting: kept by cohort re-runs
    store.respond_pairing(pairing["id"], "ana", True)
    assert store.respond_pairing(pairing["id"], "bea", True)["status"] == "active"


def test_without_approval_both_accepting_makes_it_active(store):
    pairing = propose(store, accepted_by="bea", require_approval=False)
    assert pairing["status"] == "proposed"
    active = store.respond_pairing(pairing["id"], "ana", True, require_approval=False)
    assert active["status"] == "active" and active["decided_at"] is not None


def test_a_decline_closes_it_for_good(store):
    pairing = propose(store, accepted_by="ana")
    declined = store.respond_pairing(pairing["id"], "bea", False)
    assert declined["status"] == "declined"
    keep, closed = store.pairing_decisions()
    assert keep == [] and closed == [("ana", "bea")]
    # a later "yes" changes nothing, and staff cannot revive it
    assert store.respond_pairing(pairing["id"], "bea", True)["status"] == "declined"
    with pytest.raises(InputError, match="declined"):
        store.decide_pairing(pairing["id"], "approved", "staff")
    # proposing the pair again does not reopen it
    assert propose(store, accepted_by="ana")["status"] == "declined"


def test_a_staff_rejection_closes_it(store):
    pairing = propose(store, accepted_by="ana")
    store.respond_pairing(pairing["id"], "bea", True)
    rejected = store.decide_pairing(pairing["id"], "rejected", "staff")
    assert rejected["status"] == "rejected"
    assert store.pairing_decisions() == ([], [("ana", "bea")])
    assert store.pairings_in_use() == {}


def test_bad_answers_and_decisions_are_refused(store):
    pairing = propose(store)
    with pytest.raises(NotFoundError):
        store.respond_pairing(pairing["id"], "carla", True)
    with pytest.raises(NotFoundError):
        store.respond_pairing("no-such-id", "ana", True)
    with pytest.raises(InputError):
        store.decide_pairing(pairing["id"], "maybe", "staff")
    with pytest.raises(NotFoundError):
        store.decide_pairing("no-such-id", "approved", "staff")
    assert store.pairing(pairing["id"])["status"] == "proposed"


def cohort_pair(a, b, score=0.5):
    return {"a": a, "b": b, "score": score, "fit_ab": 0.4, "fit_ba": 0.6, "reasons": ["r"], "kind": "person"}


def test_a_cohort_rerun_replaces_only_untouched_proposals(store):
    added = store.replace_cohort_proposals(
        [cohort_pair("a1", "b1"), cohort_pair("a2", "b2"), cohort_pair("a3", "b3"), cohort_pair("a4", "b4")]
    )
    assert added == 4
    by_pair = {(p["a"], p["b"]): p for p in store.pairings()}
    assert all(p["source"] == "cohort" and p["status"] == "proposed" for p in by_pair.values())
    store.respond_pairing(by_pair[("a1", "b1")]["id"], "a1", True)  # she said yes
    store.decide_pairing(by_pair[("a2", "b2")]["id"], "approved", "staff")  # staff approved
    store.respond_pairing(by_pair[("a3", "b3")]["id"], "b3", False)  # she declined
    # a4-b4 nobody touched

    added = store.replace_cohort_proposals([cohort_pair("a5", "b5"), cohort_pair("b1", "a1"), cohort_pair("a3", "b3")])
    assert added == 1  # only a5-b5 is new: a1-b1 and a3-b3 are already there
    pairs = {(p["a"], p["b"]): p for p in store.pairings()}
    assert set(pairs) == {("a1", "b1"), ("a2", "b2"), ("a3", "b3"), ("a5", "b5")}
    assert pairs[("a1", "b1")]["accepted_a"] is True
    assert pairs[("a2", "b2")]["staff_decision"] == "approved"
    assert pairs[("a3", "b3")]["status"] == "declined"
    assert pairs[("a5", "b5")]["status"] == "proposed"


def test_a_cohort_rerun_leaves_chat_proposals_alone(store):
    chat = propose(store, "c1", "d1")
    store.replace_cohort_proposals([cohort_pair("a1", "b1")])
    store.replace_cohort_proposals([])
    assert [p["id"] for p in store.pairings()] == [chat["id"]]


def test_exposure_counts_count_distinct_viewers(store):
    store.record_exposures("v1", ["star", "other"])
    store.record_exposures("v2", ["star"])
    store.record_exposures("v3", ["star", "third"])
    assert store.exposure_counts(WEEK) == {"star": 3, "other": 1, "third": 1}
    assert store.exposure_counts(WEEK, excluding_viewer="v1") == {"star": 2, "third": 1}
    assert store.exposure_counts(WEEK, excluding_viewer="v3") == {"star": 2, "other": 1}
    assert store.exposure_counts(WEEK, excluding_viewer="nobody") == {"star": 3, "other": 1, "third": 1}


def test_a_new_list_replaces_what_she_was_shown_before(store):
    store.record_exposures("v1", ["star", "other"])
    store.record_exposures("v1", ["star"])  # she asked again: "other" is free for someone else
    store.record_exposures("v2", ["star"])
    assert store.exposure_counts(WEEK) == {"star": 2}
    store.record_exposures("v1", ["third"])
    assert store.exposure_counts(WEEK) == {"star": 1, "third": 1}


def test_exposure_counts_only_look_back_so_far(store):
    store.record_exposures("v1", ["star"])
    assert store.exposure_counts(timedelta(seconds=-60)) == {}  # a window that ends before anything was shown


def test_forget_deletes_her_pairings_and_exposures(store):
    her = store.give_consent("telegram", "4242", language="fr").id
    other = store.give_consent("telegram", "777", language="es").id
    mine = propose(store, her, other, accepted_by=her)
    propose(store, her, "p001")
    others = propose(store, other, "p002")
    store.record_exposures(her, [other, "p001"])  # shown to her
    store.record_exposures(other, [her, "p002"])  # she was shown to someone
    store.record_exposures("p003", ["p002"])

    assert store.forget("telegram", "4242") is True

    assert store.pairings(person=her) == []
    with pytest.raises(NotFoundError):
        store.pairing(mine["id"])
    assert [p["id"] for p in store.pairings()] == [others["id"]]
    counts = store.exposure_counts(WEEK)
    assert her not in counts
    assert counts == {"p002": 2}  # the other viewers' rows are kept; hers are gone (p001 was only shown to her)
