"""The WhatsApp load benchmark's core, tiny: 2 users x 3 messages through the real HTTP stack on loopback, the
hash embedder and a small corpus; every message answered exactly once, redeliveries ignored."""

from __future__ import annotations

from benchmarks.whatsapp_load import run_load
from benchmarks.whatsapp_users import build_users


def test_scripts_mix_commands_buttons_and_questions():
    users = build_users(10, 20, seed=7)
    assert len({u.number for u in users}) == 10
    for user in users:
        kinds = [s.kind for s in user.steps]
        assert len(kinds) == 20 and user.steps[0].text == "/start" and user.steps[1].button_id == "consent:no"
        assert kinds.count("question") == 16 and {"/help", "/resources"} <= {s.text for s in user.steps}
        assert user.steps[user.twin_at].kind == "question" and user.redeliver == 1
    assert {u.language for u in users} == {"fr", "es", "en"}


def test_two_users_three_messages_answered_exactly_once(corpus_runtime):
    result = run_load(corpus_runtime, users=2, messages=3, reply_timeout_s=30.0, warmup=1, seed=1)
    assert result.messages == 6
    assert result.lost == 0 and result.duplicates == 0, result.duplicate_samples
    assert result.webhook_errors == 0 and result.invalid_payloads == [] and result.failed_deliveries == 0
    assert result.answered_once == 6 and result.ok
    assert result.redeliveries == 4  # per user: one twin POST and one late re-send, both ignored
    assert len(result.reply_times) == 6 and all(t > 0 for t in result.reply_times)
    assert [s.parts for s in result.sent if s.index == 0] == [2, 2]  # /start: greeting, then the consent question
