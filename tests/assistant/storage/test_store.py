"""The store on SQLite and PostgreSQL: consent, memory, forgetting, deduplication, feedback, gaps, stats,
staff tokens and jobs."""

from __future__ import annotations

import logging
import threading

import pytest
from sqlalchemy import func, select

from assistant.answering.types import Answer, Citation
from assistant.errors import InputError, NotFoundError
from assistant.memory import Turn
from assistant.storage import Database, Store
from assistant.storage.models import (
    AnswerRecord,
    ContentGap,
    Conversation,
    Feedback,
    Match,
    Message,
    Participant,
    PathwayProgress,
    StaffToken,
)

PHONE = "+22177000111"  # a WhatsApp user id is a phone number: personal data


def answer(question="How do I get credit?", language="en", abstained=False, doc_id="credit") -> Answer:
    citations = [] if abstained else [Citation(1, doc_id, f"{doc_id}.{language}#a-1", "Credit", language, "...")]
    return Answer(question, language, "Keep records [1].", abstained, citations, evidence_strength=0.7)


def count(database: Database, model, *where) -> int:
    with database.session() as s:
        return s.scalar(select(func.count()).select_from(model).where(*where))


# -- consent and memory -------------------------------------------------------------------------------


def test_nothing_is_written_about_a_person_before_consent(store, database):
    store.add_turn("whatsapp", PHONE, Turn("hola", "es", "¡Hola!"))
    assert store.participant("whatsapp", PHONE) is None
    assert count(database, Participant) == 0
    assert count(database, Message) == 0
    # ...but the conversation still has memory, in this process only
    assert store.history("whatsapp", PHONE) == [Turn("hola", "es", "¡Hola!")]
    assert Store(database).history("whatsapp", PHONE) == []


def test_consent_creates_the_participant_with_its_time(store):
    info = store.give_consent("telegram", "42", language="fr")
    assert info.consent and info.consent_at is not None and info.consent_at.tzinfo is not None
    assert info.preferred_language == "fr"
    again = store.give_consent("telegram", "42")
    assert again.id == info.id and again.preferred_language == "fr"


def test_memory_with_consent_survives_a_restart_and_keeps_the_last_turns(store, database):
    store.give_consent("telegram", "7")
    for i in range(5):
        store.add_turn("telegram", "7", Turn(f"question {i}", "en", f"answer {i}"))
    restarted = Store(Database(database.url), memory_turns=3)
    history = restarted.history("telegram", "7")
    assert [t.question for t in history] == ["question 2", "question 3", "question 4"]
    assert history[-1] == Turn("question 4", "en", "answer 4")
    assert count(database, Message) == 10


def test_consent_drops_the_in_process_memory(store):
    store.add_turn("telegram", "8", Turn("before", "en", "..."))
    store.give_consent("telegram", "8")
    assert store.history("telegram", "8") == []


def test_memory_turns_zero_keeps_nothing(database):
    store = Store(database, memory_turns=0)
    store.give_consent("telegram", "9")
    store.add_turn("telegram", "9", Turn("q", "en", "a"))
    assert store.history("telegram", "9") == []
    assert count(database, Message) == 0


def test_update_participant_checks_its_fields(store):
    info = store.give_consent("telegram", "10")
    updated = store.update_participant(info.id, name="Awa", country="SN", languages=["fr", "wo"], profile={"x": 1})
    assert (updated.name, updated.country, updated.languages, updated.profile) == ("Awa", "SN", ["fr", "wo"], {"x": 1})
    with pytest.raises(InputError, match="unknown participant fields: password"):
        store.update_participant(info.id, password="x")
    with pytest.raises(NotFoundError):
        store.update_participant("nobody", name="x")


# -- forgetting -------------------------------------------------------------------------------------------


def _everything_about(store: Store, database: Database, channel: str, user: str) -> str:
    info = store.give_consent(channel, user, language="es")
    store.update_participant(info.id, name="Ana", profile={"needs": "export"})
    store.add_turn(channel, user, Turn(f"¿crédito? ({channel})", "es", "Sí [1]."))
    answer_id = store.record_answer(answer(f"¿crédito? ({channel})", "es"), channel, info.id)
    store.add_feedback(answer_id, -1, "no me sirvió")
    return info.id


def test_forget_deletes_every_personal_row_and_nothing_else(store, database):
    ana = _everything_about(store, database, "whatsapp", PHONE)
    other = _everything_about(store, database, "telegram", "555")
    with database.session() as s:
        s.add(PathwayProgress(participant_id=ana, module_id="finance-1", status="started"))
        s.add(Match(participant_a=ana, participant_b=other, score=0.8))
        s.add(Match(participant_a=other, participant_b=ana, score=0.7))
    anonymous = store.record_answer(answer("anonymous question"), "api")

    assert store.forget("whatsapp", PHONE) is True

    assert store.participant("whatsapp", PHONE) is None
    assert count(database, Participant, Participant.id == ana) == 0
    assert count(database, AnswerRecord, AnswerRecord.participant_id == ana) == 0
    assert count(database, Feedback, Feedback.participant_id == ana) == 0
    assert count(database, PathwayProgress) == 0
    assert count(database, Match) == 0
    assert count(database, Conversation, Conversation.participant_id == ana) == 0
    with database.session() as s:  # no text of hers is left anywhere
        texts = s.scalars(select(Message.text)).all() + s.scalars(select(AnswerRecord.question)).all()
        assert not [t for t in texts if "whatsapp" in t]
    # The other participant and the anonymous answer are untouched.
    assert store.participant("telegram", "555") is not None
    assert count(database, Message) == 2
    assert count(database, Feedback) == 1
    assert count(database, AnswerRecord, AnswerRecord.id == anonymous) == 1
    assert store.forget("whatsapp", PHONE) is False


def test_forget_deletes_her_handoff_messages_and_failed_deliveries(store, database):
    ana = store.give_consent("whatsapp", PHONE)
    store.set_handed_to_staff("whatsapp", PHONE)
    store.add_message("whatsapp", PHONE, "user", "Call me please", "en")
    store.staff_reply(ana.id, "Tomorrow at 10")
    store.record_failed_delivery("whatsapp", PHONE, "Tomorrow at 10", "HTTP 503")
    store.record_failed_delivery("telegram", "555", "someone else's", "HTTP 500")
    assert store.forget("whatsapp", PHONE) is True
    assert store.handoffs() == [] and count(database, Message) == 0
    assert [f["text"] for f in store.failed_deliveries()] == ["someone else's"]


def test_forget_removes_failed_deliveries_even_without_consent(store):
    store.record_failed_delivery("whatsapp", PHONE, "Bonjour", "HTTP 500")
    [failed] = store.failed_deliveries()
    assert not failed["can_resend"] and PHONE not in str(failed)  # no consent: only the pseudonym is kept
    assert store.forget("whatsapp", PHONE) is False  # no participant row ...
    assert store.failed_deliveries() == []  # ... but the failure about her is gone too


def test_handoffs_longest_waiting_first_with_recent_messages(store):
    for number in ("1", "2"):
        store.give_consent("web", number, language="es")
        store.add_turn("web", number, Turn(f"pregunta {number}", "es", f"respuesta {number}"))
    store.set_handed_to_staff("web", "2")
    store.set_handed_to_staff("web", "1")
    store.add_message("web", "1", "user", "¿Me llaman?", "es")
    first, second = store.handoffs()
    assert (first["language"], second["language"]) == ("es", "es")
    assert first["handed_at"] <= second["handed_at"]
    assert {first["participant_id"], second["participant_id"]} == {
        store.participant("web", "1").id,
        store.participant("web", "2").id,
    }
    one = next(h for h in (first, second) if h["participant_id"] == store.participant("web", "1").id)
    assert [(m["role"], m["text"]) for m in one["messages"]] == [
        ("user", "pregunta 1"), ("assistant", "respuesta 1"), ("user", "¿Me llaman?")
    ]  # fmt: skip
    store.release_handoff(one["participant_id"])
    assert [h["participant_id"] for h in store.handoffs()] == [store.participant("web", "2").id]


def test_staff_messages_and_their_errors(store):
    with pytest.raises(NotFoundError):
        store.staff_reply("nobody", "hi")
    ana = store.give_consent("web", "ana")
    with pytest.raises(InputError):
        store.staff_reply(ana.id, "   ")
    store.staff_reply(ana.id, "first")
    store.staff_reply(ana.id, "second")
    both = store.staff_messages("web", "ana")
    assert [m["text"] for m in both] == ["first", "second"]
    assert [m["text"] for m in store.staff_messages("web", "ana", after=both[0]["id"])] == ["second"]
    assert store.staff_messages("web", "stranger") == []
    assert store.add_message("web", "stranger", "user", "not kept") is False  # no consent, nothing written
    with pytest.raises(InputError):
        store.add_message("web", "ana", "robot", "x")


def test_forget_also_clears_the_in_process_memory(store):
    store.add_turn("telegram", "11", Turn("q", "en", "a"))
    assert store.forget("telegram", "11") is True
    assert store.history("telegram", "11") == []


def test_nothing_personal_is_logged_at_info(store, caplog):
    with caplog.at_level(logging.INFO):
        info = store.give_consent("whatsapp", PHONE)
        store.update_participant(info.id, name="Fatou Diop")
        store.add_turn("whatsapp", PHONE, Turn("Je m'appelle Fatou", "fr", "Bonjour"))
        store.forget("whatsapp", PHONE)
    logged = caplog.text
    assert caplog.records, "consent and deletion are worth an INFO line"
    for secret in (PHONE, "Fatou", "Je m'appelle"):
        assert secret not in logged


# -- inbound deduplication ----------------------------------------------------------------------------------


def test_an_inbound_message_is_claimed_once(store):
    assert store.claim_inbound("whatsapp", "wamid.1") is True
    assert store.claim_inbound("whatsapp", "wamid.1") is False
    assert store.claim_inbound("telegram", "wamid.1") is True  # ids are per channel


def test_two_workers_racing_for_the_same_message_one_wins(database):
    workers = [Store(Database(database.url)) for _ in range(6)]
    results: list[bool] = []
    barrier = threading.Barrier(len(workers))

    def claim(worker: Store) -> None:
        barrier.wait()
        results.append(worker.claim_inbound("whatsapp", "wamid.race"))

    threads = [threading.Thread(target=claim, args=(w,)) for w in workers]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(results) == [False] * 5 + [True]


def test_prune_inbound_keeps_recent_ids(store):
    from datetime import timedelta

    store.claim_inbound("whatsapp", "old")
    assert store.prune_inbound(older_than=timedelta(days=1)) == 0
    assert store.prune_inbound(older_than=timedelta(seconds=-1)) == 1
    assert store.claim_inbound("whatsapp", "old") is True


# -- answers, feedback, gaps, stats ------------------------------------------------------------------------------


def test_feedback_on_an_answer(store):
    answer_id = store.record_answer(answer(), "api")
    assert store.add_feedback(answer_id, 1) > 0
    store.add_feedback(answer_id, -1, "too vague")
    down = store.negative_feedback()
    assert len(down) == 1
    assert down[0]["question"] == "How do I get credit?" and down[0]["answer"] == "Keep records [1]."
    assert down[0]["comment"] == "too vague" and down[0]["citations"][0]["doc_id"] == "credit"
    with pytest.raises(NotFoundError):
        store.add_feedback("no-such-answer", 1)
    with pytest.raises(InputError):
        store.add_feedback(answer_id, 0)


def test_negative_feedback_is_newest_first(store):
    first, second = store.record_answer(answer("first")), store.record_answer(answer("second"))
    store.add_feedback(first, -1)
    store.add_feedback(second, -1)
    assert [f["question"] for f in store.negative_feedback()] == ["second", "first"]


def test_gaps_keep_no_user_id(store, database):
    store.record_gap("¿Cómo exporto a Japón?", "es", {"best": 0.21})
    gaps = store.gaps()
    assert gaps[0]["question"] == "¿Cómo exporto a Japón?" and gaps[0]["scores"] == {"best": 0.21}
    columns = {c.name for c in ContentGap.__table__.columns}
    assert columns == {"id", "question", "language", "scores", "created_at", "group_id", "vector"}  # no user id


def test_stats_per_day_language_and_channel(store):
    store.record_answer(answer("a", "fr"), "telegram")
    store.record_answer(answer("b", "fr"), "telegram")
    store.record_answer(answer("c", "es", doc_id="ferias"), "whatsapp")
    store.record_answer(answer("d", "en", abstained=True), "api")
    stats = store.stats(days=7)
    assert stats["questions"] == 4
    assert stats["abstention_rate"] == 0.25
    assert stats["by_language"] == {"fr": 2, "es": 1, "en": 1}
    assert stats["by_channel"] == {"telegram": 2, "whatsapp": 1, "api": 1}
    assert stats["top_topics"][0] == {"doc_id": "credit", "count": 2}
    assert sum(row["count"] for row in stats["per_day"]) == 4
    assert {(r["language"], r["channel"], r["count"]) for r in stats["per_day"]} == {
        ("fr", "telegram", 2),
        ("es", "whatsapp", 1),
        ("en", "api", 1),
    }


# -- staff tokens ---------------------------------------------------------------------------------------------------


def test_tokens_are_stored_hashed_and_verified(store, database):
    token = store.create_token("amina", "staff")
    assert token.startswith("mnt_")
    with database.session() as s:
        row = s.scalar(select(StaffToken))
        secret = token.split("_", 2)[2]
        assert secret not in row.secret_hash and row.secret_hash != secret
    identity = store.verify_token(token)
    assert (identity.name, identity.role) == ("amina", "staff")
    assert store.verify_token(token[:-1] + ("A" if token[-1] != "A" else "B")) is None
    assert store.verify_token("") is None and store.verify_token(None) is None
    assert store.verify_token("mnt_unknown_secret") is None


def test_revoked_tokens_stop_working_and_free_the_name(store):
    token = store.create_token("luz", "admin")
    assert store.revoke_token("luz") is True
    assert store.verify_token(token) is None
    assert store.revoke_token("luz") is False
    new = store.create_token("luz", "evaluator")
    assert store.verify_token(new).role == "evaluator"
    listed = store.tokens()
    assert [t["revoked"] for t in listed] == [True, False]


def test_token_names_and_roles_are_checked(store):
    store.create_token("joy", "staff")
    with pytest.raises(InputError, match="already exists"):
        store.create_token("joy", "admin")
    with pytest.raises(InputError, match="unknown role"):
        store.create_token("kim", "root")
    with pytest.raises(InputError, match="needs a name"):
        store.create_token("  ", "staff")


# -- jobs ---------------------------------------------------------------------------------------------------------


def test_job_progress(store):
    job_id = store.create_job("ingest", {"files": ["a.md"]}, "amina")
    assert store.job(job_id)["status"] == "queued"
    store.update_job(job_id, status="running", stage="embedding", done=3, total=4)
    running = store.job(job_id)
    assert (running["stage"], running["progress"], running["finished_at"]) == ("embedding", 0.75, None)
    store.update_job(job_id, status="done", done=4)
    done = store.job(job_id)
    assert done["status"] == "done" and done["progress"] == 1.0 and done["finished_at"] is not None
    assert store.job("missing") is None


def test_in_process_memory_is_bounded_to_the_most_recent_people(store, monkeypatch):
    monkeypatch.setattr(store.volatile_turns, "capacity", 2)  # the LRU was built with VOLATILE_USERS
    for user in ("a", "b", "c"):
        store.add_turn("web", user, Turn(f"q-{user}", "en", "..."))
    store.add_turn("web", "b", Turn("q-b2", "en", "..."))  # b is now the most recent
    store.add_turn("web", "d", Turn("q-d", "en", "..."))
    assert store.history("web", "a") == [] and store.history("web", "c") == []
    assert [t.question for t in store.history("web", "b")] == ["q-b", "q-b2"]
    assert [t.question for t in store.history("web", "d")] == ["q-d"]
