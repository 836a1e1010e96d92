"""`Store.forget` leaves no trace that names her (issue 19, point 7), on SQLite and PostgreSQL: the ids of
the messages she sent, the content gaps she asked with her consent and any gap or unlinked answer that
names her go; other people's rows stay."""

from __future__ import annotations

from sqlalchemy import func, select

from assistant.storage.models import AnswerRecord, ContentGap, GapGroup, InboundMessage
from assistant.storage.records import pseudonym
from tests.assistant.storage.test_store import answer

PHONE = "22177123456"


def _count(database, model, *where) -> int:
    with database.session() as s:
        return s.scalar(select(func.count()).select_from(model).where(*where))


def test_forget_deletes_her_inbound_ids_even_without_consent(store, database):
    store.claim_inbound("web", "her-chat-id:m1", pseudonym("web", "her-chat-id"))
    store.claim_inbound("web", "other-id:m1", pseudonym("web", "other-id"))
    store.forget("web", "her-chat-id")
    with database.session() as s:
        assert s.scalars(select(InboundMessage.message_id)).all() == ["other-id:m1"]


def test_forget_deletes_the_gaps_she_asked_and_those_that_name_her(store, database):
    ana = store.give_consent("whatsapp", PHONE, language="en")
    store.update_participant(ana.id, name="Aminata Diallo")
    asked = "Is there a bus from Dakar to Thiès on Sundays?"
    store.record_answer(answer(asked), "whatsapp", ana.id)
    store.record_gap(asked, "en", {})
    store.record_gap("My name is AMINATA and I need a visa", "en", {})  # before she consented: unlinked
    store.record_answer(answer("My name is AMINATA and I need a visa"), "whatsapp")
    store.record_gap("Is there a bus from Dakar to Thiès on Sundays?", "en", {})  # the same words twice
    store.record_gap("Where is the Lima office?", "en", {})  # someone else's
    store.record_gap("What is an aminatase?", "en", {})  # her name inside another word: not her
    assert store.forget("whatsapp", PHONE)
    with database.session() as s:
        left = sorted(s.scalars(select(ContentGap.question)).all())
    assert left == ["What is an aminatase?", "Where is the Lima office?"]
    assert _count(database, AnswerRecord, AnswerRecord.question.contains("AMINATA")) == 0


def test_a_group_she_led_is_led_by_the_oldest_question_left_or_goes(store, database):
    ana = store.give_consent("whatsapp", PHONE, language="en")
    hers, theirs, alone = b"\x01" * 8, b"\x02" * 8, b"\x03" * 8
    store.record_answer(answer("Is there a bus to Thiès?"), "whatsapp", ana.id)
    store.record_answer(answer("Where do I sell fish?"), "whatsapp", ana.id)
    group = store.record_grouped_gap("Is there a bus to Thiès?", "en", {}, "m", hers, None)
    store.record_grouped_gap("Is there a bus to Thies on Sunday?", "en", {}, "m", theirs, group)
    store.record_grouped_gap("Where do I sell fish?", "en", {}, "m", alone, None)
    store.forget("whatsapp", PHONE)
    with database.session() as s:
        assert [(g.id, g.vector) for g in s.query(GapGroup).all()] == [(group, theirs)]
