"""Follow-up nudges over a real SQLite store: what is due, quiet hours, one a day, WhatsApp's window and
templates, pairing check-ins, the per-cohort figures, and forgetting.

Unless a test is about quiet hours, the nudger runs with no quiet hours ("00:00-00:00"), so the outcome
does not depend on the time of day the tests run at. A nudge's `sent_at` is the real time it was
recorded, so the tests that depend on it run `at` the real time (or move rows in the database).
"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import httpx
import pytest
from sqlalchemy import update

from assistant.errors import NotFoundError
from assistant.pathways.nudges import Nudger, in_quiet_hours, parse_quiet_hours, zone_of
from assistant.phrases import phrase
from assistant.storage.models import Match, Nudge
from assistant.storage.store import now
from bots.whatsapp import WhatsAppClient
from tests.assistant.conversation.conftest import runtime  # noqa: F401

DAY = timedelta(days=1)
NO_QUIET = "00:00-00:00"


def nudger(runtime, **changes) -> Nudger:  # noqa: F811
    settings = runtime.settings.model_copy(update={"nudge_quiet_hours": NO_QUIET, **changes})
    return Nudger(settings, runtime.store, runtime.pathways)


def person(runtime, external_id, channel="telegram", lang="en", country=None, timezone=None, name=None):  # noqa: F811
    info = runtime.store.give_consent(channel, external_id, language=lang)
    profile = {"timezone": timezone} if timezone else {}
    return runtime.store.update_participant(info.id, profile=profile, country=country, name=name)


def give(runtime, participant_id: str, module: str, at: datetime, days_ago: float) -> None:  # noqa: F811
    given = (at - timedelta(days=days_ago)).isoformat()
    runtime.store.set_module_state(participant_id, module, "given", given_at=given)


def title(runtime, module: str, lang: str) -> str:  # noqa: F811
    return runtime.pathways.catalog.modules[module]["titles"][lang]


class Outbox:
    """A fake channel: keeps what it is asked to send; answers `outcome` (or raises it), per external id."""

    def __init__(self, outcome="sent", **per_person) -> None:
        self.outcome, self.per_person, self.sent = outcome, per_person, []

    async def __call__(self, channel, external_id, reply):
        self.sent.append((channel, external_id, reply))
        outcome = self.per_person.get(external_id, self.outcome)
        if isinstance(outcome, Exception):
            raise outcome
        return outcome

    def to(self, external_id):
        return [reply for _, ext, reply in self.sent if ext == external_id]


def run(n: Nudger, send, at: datetime, dry_run: bool = False):
    return asyncio.run(n.run(send, at, dry_run=dry_run))


def summary(planned) -> list[tuple]:
    return [(p.participant.external_id, p.kind, p.ref, p.skip) for p in planned]


# -- step follow-ups ----------------------------------------------------------------------------------------


def test_a_step_given_a_week_ago_is_due_and_followed_up_once(runtime):  # noqa: F811
    at = now()
    n = nudger(runtime)
    amina = person(runtime, "amina", lang="fr", country="Senegal")
    give(runtime, amina.id, "money-basics", at, 8)
    give(runtime, amina.id, "digital-first-steps", at, 2)
    give(runtime, amina.id, "green-first-steps", at, 30)
    runtime.pathways.complete(amina.id, "green-first-steps")
    edge = person(runtime, "edge")
    give(runtime, edge.id, "money-basics", at, 7)  # exactly the follow-up delay: due
    give(runtime, edge.id, "digital-first-steps", at, 7 - 1 / (24 * 60))  # a minute short: not yet

    due = n.due(at)
    assert sorted(summary(due)) == [("amina", "step", "money-basics", None), ("edge", "step", "money-basics", None)]
    mine = next(p for p in due if p.participant.id == amina.id)
    assert mine.title == title(runtime, "money-basics", "fr")
    assert mine.due_since == at - DAY
    assert mine.mode == "text"

    outbox = Outbox()
    result = run(n, outbox, at)
    assert (result.sent, result.failed, result.skipped) == (2, 0, {})
    [recorded] = runtime.store.nudges(participant_id=amina.id)
    nid = recorded["id"]
    assert {k: recorded[k] for k in ("kind", "ref", "channel", "mode", "cohort", "status", "answer")} == {
        "kind": "step", "ref": "money-basics", "channel": "telegram", "mode": "text", "cohort": "senegal",
        "status": "sent", "answer": None,
    }  # fmt: skip
    [reply] = outbox.to("amina")
    assert reply.text == phrase("nudge_step", "fr", title=title(runtime, "money-basics", "fr"))
    assert reply.language == "fr" and reply.template is None
    assert [b.id for b in reply.buttons] == [f"nudge:{nid}:helped", f"nudge:{nid}:hard", f"nudge:{nid}:not_yet"]
    assert [b.title for b in reply.buttons] == [
        phrase("button_nudge_helped", "fr"), phrase("button_nudge_hard", "fr"), phrase("button_nudge_not_yet", "fr")
    ]  # fmt: skip
    state = runtime.store.module_states(amina.id)["money-basics"]
    assert state["status"] == "given" and state["nudged_at"] == at.isoformat()
    # never again for that step, even much later; the step given two days ago comes in its turn
    later = [(p.participant.id, p.ref) for p in n.due(at + 30 * DAY)]
    assert (amina.id, "money-basics") not in later
    assert (amina.id, "digital-first-steps") in later
    assert (amina.id, "green-first-steps") not in later


def test_no_nudge_for_someone_who_withdrew_or_an_unknown_module(runtime):  # noqa: F811
    at = now()
    gone = person(runtime, "gone")
    give(runtime, gone.id, "money-basics", at, 10)
    runtime.store.forget("telegram", "gone")
    other = person(runtime, "other")
    give(runtime, other.id, "no-such-module", at, 10)
    assert nudger(runtime).due(at) == []


# -- quiet hours ------------------------------------------------------------------------------------------------


def test_parse_quiet_hours():
    assert parse_quiet_hours("20:00-09:00") == (time(20, 0), time(9, 0))
    assert parse_quiet_hours("13:30-15:00") == (time(13, 30), time(15, 0))


@pytest.mark.parametrize(
    ("local", "expected"),
    [("20:00", True), ("23:59", True), ("00:00", True), ("08:59", True), ("09:00", False), ("12:00", False),
     ("19:59", False)],
)  # fmt: skip
def test_quiet_hours_across_midnight(local, expected):
    assert in_quiet_hours(time.fromisoformat(local), parse_quiet_hours("20:00-09:00")) is expected


@pytest.mark.parametrize(
    ("local", "expected"),
    [("13:00", True), ("14:59", True), ("15:00", False), ("12:59", False), ("23:00", False), ("00:00", False)],
)
def test_quiet_hours_within_a_day(local, expected):
    assert in_quiet_hours(time.fromisoformat(local), parse_quiet_hours("13:00-15:00")) is expected


def test_an_empty_window_is_never_quiet():
    assert not any(in_quiet_hours(time(h, m), parse_quiet_hours("07:00-07:00")) for h in range(24) for m in (0, 30))


def test_no_nudge_in_her_own_quiet_hours(runtime):  # noqa: F811
    n = nudger(runtime, nudge_quiet_hours="20:00-09:00")
    dakar = ZoneInfo("Africa/Dakar")  # UTC+0 all year
    late = now().astimezone(dakar).replace(hour=23, minute=0, second=0, microsecond=0)
    morning = late.replace(hour=10)
    # her profile's zone wins over her country's; the other woman's zone comes from her country
    awa = person(runtime, "awa", country="Canada", timezone="Africa/Dakar")
    rosa = person(runtime, "rosa", lang="es", country="Guatemala")  # UTC-6: 23:00 in Dakar is 17:00 there
    nobody = person(runtime, "nowhere")  # UTC
    for who in (awa, rosa, nobody):
        give(runtime, who.id, "money-basics", late, 8)
    assert zone_of(awa) == dakar and zone_of(rosa) == ZoneInfo("America/Guatemala") and zone_of(nobody).key == "UTC"

    skips = {p.participant.external_id: p.skip for p in n.due(late)}
    assert skips == {"awa": "quiet_hours", "rosa": None, "nowhere": "quiet_hours"}
    skips = {p.participant.external_id: p.skip for p in n.due(morning)}  # 10:00 UTC is 04:00 in Guatemala
    assert skips == {"awa": None, "rosa": "quiet_hours", "nowhere": None}

    result = run(n, Outbox(), late, dry_run=True)
    assert (result.sent, result.skipped) == (0, {"quiet_hours": 2})
    assert {p["held_back"] for p in result.planned} == {"quiet_hours", None}
    assert runtime.store.nudges() == []  # a dry run records nothing
    # the same with the quiet hours of the settings off
    assert all(p.skip is None for p in nudger(runtime).due(late))


# -- one a day --------------------------------------------------------------------------------------------------


def test_at_most_one_nudge_a_day_per_person(runtime):  # noqa: F811
    at = now()
    n = nudger(runtime)
    fatou = person(runtime, "fatou", lang="fr")
    give(runtime, fatou.id, "money-basics", at, 9)
    give(runtime, fatou.id, "digital-first-steps", at, 8)
    planned = n.due(at)
    assert summary(planned) == [
        ("fatou", "step", "money-basics", None),  # the older one first
        ("fatou", "step", "digital-first-steps", "daily_limit"),
    ]
    outbox = Outbox()
    first = run(n, outbox, at)
    assert (first.sent, first.skipped) == (1, {"daily_limit": 1})
    assert outbox.sent[0][2].text == phrase("nudge_step", "fr", title=title(runtime, "money-basics", "fr"))

    second = run(n, outbox, at + timedelta(hours=1))
    assert (second.sent, second.skipped) == (0, {"daily_limit": 1})
    assert len(outbox.sent) == 1 and len(runtime.store.nudges()) == 1

    third = run(n, outbox, at + timedelta(hours=25))
    assert (third.sent, third.skipped) == (1, {})
    assert [n_["ref"] for n_ in runtime.store.nudges(participant_id=fatou.id)] == [
        "digital-first-steps",
        "money-basics",
    ]


def test_a_failed_send_does_not_count_and_is_retried(runtime):  # noqa: F811
    at = now()
    n = nudger(runtime)
    ana = person(runtime, "ana", lang="es")
    give(runtime, ana.id, "money-basics", at, 8)
    result = run(n, Outbox("failed"), at)
    assert (result.sent, result.failed) == (0, 1)
    [recorded] = runtime.store.nudges(participant_id=ana.id)
    assert recorded["status"] == "failed"
    assert "nudged_at" not in runtime.store.module_states(ana.id)["money-basics"]
    # the next run tries again: the failed one is not counted against her day
    assert summary(n.due(at)) == [("ana", "step", "money-basics", None)]
    result = run(n, Outbox("sent"), at)
    assert (result.sent, result.failed) == (1, 0)
    assert sorted(x["status"] for x in runtime.store.nudges(participant_id=ana.id)) == ["failed", "sent"]


def test_a_channel_that_raises_does_not_stop_the_others(runtime):  # noqa: F811
    at = now()
    n = nudger(runtime)
    for ext in ("down", "up"):
        give(runtime, person(runtime, ext).id, "money-basics", at, 8)
    outbox = Outbox(down=ConnectionError("channel down"))
    result = run(n, outbox, at)
    assert (result.sent, result.failed) == (1, 1)
    statuses = {runtime.store.participant_by_id(x["participant_id"]).external_id: x["status"]
                for x in runtime.store.nudges()}  # fmt: skip
    assert statuses == {"down": "failed", "up": "sent"}


# -- WhatsApp -------------------------------------------------------------------------------------------------


def test_whatsapp_needs_her_window_or_an_approved_template(runtime):  # noqa: F811
    at = now()
    quiet = person(runtime, "221770000001", channel="whatsapp", lang="fr", country="Senegal")
    talking = person(runtime, "221770000002", channel="whatsapp", lang="fr", country="Senegal")
    for who in (quiet, talking):
        give(runtime, who.id, "money-basics", at, 8)
    assert runtime.store.add_message("whatsapp", "221770000002", "user", "hi")
    at = now()  # after her message

    plain = nudger(runtime)
    by_person = {p.participant.external_id: p for p in plain.due(at)}
    assert by_person["221770000001"].skip == "no_template"
    assert (by_person["221770000002"].skip, by_person["221770000002"].mode) == (None, "text")
    # a day later her window has closed too
    later = {p.participant.external_id: p.skip for p in plain.due(at + timedelta(hours=25))}
    assert later == {"221770000001": "no_template", "221770000002": "no_template"}

    templated = nudger(runtime, whatsapp_nudge_template="step_followup")
    by_person = {p.participant.external_id: p for p in templated.due(at)}
    assert (by_person["221770000001"].skip, by_person["221770000001"].mode) == (None, "template")
    assert (by_person["221770000002"].skip, by_person["221770000002"].mode) == (None, "text")

    outbox = Outbox()
    assert run(templated, outbox, at).sent == 2
    money = title(runtime, "money-basics", "fr")
    [out_of_window] = outbox.to("221770000001")
    assert out_of_window.template == {"name": "step_followup", "language": "fr", "parameters": [money]}
    assert out_of_window.buttons == []
    [in_window] = outbox.to("221770000002")
    assert in_window.template is None
    assert [b.id.rsplit(":", 1)[1] for b in in_window.buttons] == ["helped", "hard", "not_yet"]
    modes = {x["participant_id"]: x["mode"] for x in runtime.store.nudges()}
    assert modes == {quiet.id: "template", talking.id: "text"}

    async def render():
        async with httpx.AsyncClient() as http:
            client = WhatsAppClient(http, token="t", phone_number_id="1")
            return client.payloads("221770000001", out_of_window), client.payloads("221770000002", in_window)

    template_payloads, text_payloads = asyncio.run(render())
    [payload] = template_payloads
    assert payload["type"] == "template" and payload["to"] == "221770000001"
    assert payload["template"]["name"] == "step_followup"
    assert payload["template"]["language"]["code"] == "fr"
    assert payload["template"]["components"][0]["parameters"][0]["text"] == money
    # in the window: the text with its answers (a list here: a French title is longer than a button's 20)
    interactive = text_payloads[-1]["interactive"]
    assert text_payloads[-1]["type"] == "interactive" and interactive["type"] == "list"
    assert [r["id"] for r in interactive["action"]["sections"][0]["rows"]] == [b.id for b in in_window.buttons]


def test_a_channel_without_a_way_to_reach_her_is_held_back(runtime):  # noqa: F811
    at = now()
    who = person(runtime, "api-user", channel="api")
    give(runtime, who.id, "money-basics", at, 8)
    assert summary(nudger(runtime).due(at)) == [("api-user", "step", "money-basics", "unreachable")]


# -- pairing check-ins ---------------------------------------------------------------------------------------


def active_pairing(runtime, a, b) -> dict:  # noqa: F811
    store = runtime.store
    pairing = store.propose_pairing(a.id, b.id, 0.8, 0.8, 0.8, {}, accepted_by=a.id, require_approval=False)
    pairing = store.respond_pairing(pairing["id"], b.id, True, require_approval=False)
    assert pairing["status"] == "active" and pairing["decided_at"]
    return pairing


def set_times(runtime, model, row_id, **values) -> None:  # noqa: F811
    with runtime.database.session() as s:
        s.execute(update(model).where(model.id == row_id).values(**values))


def test_a_quiet_pairing_gets_a_check_in_to_each_woman(runtime):  # noqa: F811
    n = nudger(runtime)
    awa = person(runtime, "awa", lang="fr", country="Senegal", name="Awa Diop")
    claire = person(runtime, "claire", lang="en", country="Canada", name="Claire Tremblay")
    pairing = active_pairing(runtime, awa, claire)
    decided = datetime.fromisoformat(pairing["decided_at"])
    assert n.due(decided + 20 * DAY) == []

    at = decided + 22 * DAY
    planned = n.due(at)
    assert sorted(summary(planned)) == [
        ("awa", "pairing", pairing["id"], None),
        ("claire", "pairing", pairing["id"], None),
    ]
    assert {p.participant.external_id: p.title for p in planned} == {"awa": "Claire", "claire": "Awa"}
    assert all(p.due_since == decided + 21 * DAY for p in planned)

    outbox = Outbox()
    result = run(n, outbox, at)
    assert result.sent == 2
    [to_awa] = outbox.to("awa")
    [to_claire] = outbox.to("claire")
    assert to_awa.text == phrase("nudge_checkin", "fr", name="Claire")
    assert to_claire.text == phrase("nudge_checkin", "en", name="Awa")
    recorded = {x["participant_id"]: x for x in runtime.store.nudges()}
    assert set(recorded) == {awa.id, claire.id}
    assert all(x["kind"] == "pairing" and x["ref"] == pairing["id"] for x in recorded.values())
    assert [b.id for b in to_awa.buttons] == [
        f"nudge:{recorded[awa.id]['id']}:good",
        f"nudge:{recorded[awa.id]['id']}:stuck",
    ]
    assert {recorded[awa.id]["cohort"], recorded[claire.id]["cohort"]} == {"senegal", "canada"}


def test_an_answered_check_in_counts_as_activity(runtime):  # noqa: F811
    n = nudger(runtime)
    awa = person(runtime, "awa", lang="fr", name="Awa")
    claire = person(runtime, "claire", name="Claire")
    pairing = active_pairing(runtime, awa, claire)
    set_times(runtime, Match, pairing["id"], decided_at=now() - 60 * DAY)
    assert len(n.due(now())) == 2
    assert run(n, Outbox(), now()).sent == 2
    assert n.due(now()) == []  # just checked in

    sent = runtime.store.nudges()
    for x in sent:
        set_times(runtime, Nudge, x["id"], sent_at=now() - 25 * DAY)
    assert len(n.due(now())) == 2  # 25 days ago and no answer: quiet again

    answered = runtime.store.answer_nudge(sent[0]["id"], "good")
    assert answered["status"] == "answered" and answered["answer"] == "good"
    set_times(runtime, Nudge, sent[0]["id"], answered_at=now() - 10 * DAY)
    assert n.due(now()) == []  # she answered 10 days ago: the pairing is alive, for both women

    set_times(runtime, Nudge, sent[0]["id"], answered_at=now() - 22 * DAY)
    assert len(n.due(now())) == 2


def test_a_pairing_that_is_not_active_gets_no_check_in(runtime):  # noqa: F811
    store = runtime.store
    awa, claire = person(runtime, "awa"), person(runtime, "claire")
    pairing = store.propose_pairing(awa.id, claire.id, 0.8, 0.8, 0.8, {}, accepted_by=awa.id, require_approval=False)
    assert pairing["status"] == "proposed"
    assert nudger(runtime).due(now() + 60 * DAY) == []


def test_a_failed_check_in_is_tried_again(runtime):  # noqa: F811
    n = nudger(runtime)
    awa, claire = person(runtime, "awa"), person(runtime, "claire")
    pairing = active_pairing(runtime, awa, claire)
    set_times(runtime, Match, pairing["id"], decided_at=now() - 60 * DAY)
    result = run(n, Outbox("failed"), now())
    assert result.failed == 2
    assert {x["status"] for x in runtime.store.nudges()} == {"failed"}
    assert len(n.due(now())) == 2


# -- figures and forgetting -----------------------------------------------------------------------------------


def test_nudge_stats_per_cohort(runtime):  # noqa: F811
    store = runtime.store
    a, b, c = person(runtime, "a", country="Canada"), person(runtime, "b", country="Senegal"), person(runtime, "c")
    ids = [store.record_nudge(a.id, "step", "money-basics", "telegram", "text", "canada", "sent") for _ in range(4)]
    store.answer_nudge(ids[0], "helped")
    store.set_nudge_status(ids[3], "failed")
    store.record_nudge(b.id, "pairing", "p-1", "whatsapp", "template", "senegal", "sent")
    store.record_nudge(c.id, "step", "money-basics", "telegram", "text", None, "sent")

    def row(sent=0, answered=0, ignored=0, waiting=0, failed=0):
        return {"sent": sent, "answered": answered, "ignored": ignored, "waiting": waiting, "failed": failed}

    stats = store.nudge_stats()  # all just sent: the unanswered ones are waiting
    assert stats == {
        "canada": row(sent=3, answered=1, waiting=2, failed=1),
        "senegal": row(sent=1, waiting=1),
        "unknown": row(sent=1, waiting=1),
    }
    assert list(stats) == ["canada", "senegal", "unknown"]
    assert store.nudge_stats(ignored_after=timedelta(0)) == {
        "canada": row(sent=3, answered=1, ignored=2, failed=1),
        "senegal": row(sent=1, ignored=1),
        "unknown": row(sent=1, ignored=1),
    }
    # an old nudge falls out of a recent window
    set_times(runtime, Nudge, ids[1], sent_at=datetime.now(UTC) - 10 * DAY)
    assert store.nudge_stats(since=timedelta(days=7))["canada"] == row(sent=2, answered=1, waiting=1, failed=1)
    assert store.nudge_stats()["canada"] == row(sent=3, answered=1, ignored=1, waiting=1, failed=1)


def test_forget_removes_her_nudges(runtime):  # noqa: F811
    store = runtime.store
    a, b = person(runtime, "a", country="Canada"), person(runtime, "b", country="Canada")
    first = store.record_nudge(a.id, "step", "money-basics", "telegram", "text", "canada", "sent")
    store.record_nudge(a.id, "pairing", "p-1", "telegram", "text", "canada", "sent")
    kept = store.record_nudge(b.id, "step", "money-basics", "telegram", "text", "canada", "sent")
    assert store.forget("telegram", "a")
    assert store.nudges(participant_id=a.id) == []
    assert [x["id"] for x in store.nudges()] == [kept]
    assert store.nudge_stats()["canada"]["sent"] == 1
    with pytest.raises(NotFoundError):
        store.nudge(first)
