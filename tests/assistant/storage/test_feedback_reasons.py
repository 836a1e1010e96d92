"""Why a thumbs-down, and the platform ids of messages that carried an answer, on SQLite and PostgreSQL."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from assistant.errors import InputError, NotFoundError
from assistant.storage.models import SentAnswer
from tests.assistant.storage.test_store import answer


def test_a_reason_and_a_comment_are_added_to_a_thumbs_down(store):
    answer_id = store.record_answer(answer(), "telegram")
    feedback_id = store.add_feedback(answer_id, -1)
    store.explain_feedback(feedback_id, reason="wrong")
    store.explain_feedback(feedback_id, comment="  The rate is 12%, not 2%  ")
    [item] = store.negative_feedback()
    assert (item["reason"], item["comment"]) == ("wrong", "The rate is 12%, not 2%")
    store.explain_feedback(feedback_id, comment="   ")  # an empty comment changes nothing
    assert store.negative_feedback()[0]["comment"] == "The rate is 12%, not 2%"


def test_bad_reasons_and_unknown_feedback_are_clear_errors(store):
    answer_id = store.record_answer(answer(), "api")
    with pytest.raises(InputError, match="reason must be one of"):
        store.add_feedback(answer_id, -1, reason="boring")
    feedback_id = store.add_feedback(answer_id, -1, reason="too_long")
    with pytest.raises(InputError):
        store.explain_feedback(feedback_id, reason="boring")
    with pytest.raises(NotFoundError):
        store.explain_feedback(feedback_id + 1000, reason="wrong")
    assert store.negative_feedback()[0]["reason"] == "too_long"


def test_a_sent_message_id_leads_back_to_its_answer_and_goes_with_her_data(store, database):
    info = store.give_consent("whatsapp", "22177000123", language="fr")
    answer_id = store.record_answer(answer(), "whatsapp", info.id)
    store.record_sent_answer("whatsapp", "wamid.out.1", answer_id)
    store.record_sent_answer("whatsapp", "wamid.out.1", answer_id)  # redelivered: kept once
    store.record_sent_answer("whatsapp", "wamid.out.2", "no-such-answer")  # nothing to point at: ignored
    assert store.answer_for_message("whatsapp", "wamid.out.1") == answer_id
    assert store.answer_for_message("telegram", "wamid.out.1") is None
    assert store.answer_for_message("whatsapp", "wamid.out.2") is None
    store.forget("whatsapp", "22177000123")
    with database.session() as s:
        assert s.scalar(select(func.count()).select_from(SentAnswer)) == 0
