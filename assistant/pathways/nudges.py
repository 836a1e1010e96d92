"""Follow-up nudges: one concrete next step, followed up later.

Two kinds, found by `Nudger.due()`:
- step: a pathway step given `MENTOR_NUDGE_FOLLOWUP_DAYS` ago (7) and neither completed nor followed up:
  "did you try it? what happened?", with answer buttons; the answer (and a comment she may add) is kept as
  feedback on the step.
- pairing: an active pairing with no activity (its approval, or the last answer to a check-in) for
  `MENTOR_NUDGE_CHECKIN_DAYS` (21): a check-in to each woman.

Rules, checked for each nudge in this order: never inside her quiet hours (`MENTOR_NUDGE_QUIET_HOURS` in her
own time zone: her profile's, else her country's, else UTC); never more than one nudge in 24 hours to the
same person (and one per run); on WhatsApp, plain text inside the 24-hour customer-service window (she
wrote in the last 24 hours), else the approved template configured for that kind, else nothing (the
nudge waits for her next message). Telegram and the web chat have no window. A nudge skipped now is
looked at again on the next run.

`mentor nudges run [--dry-run]` runs it once; `MENTOR_NUDGES_IN_SERVER=true` runs it from `mentor serve`.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from assistant.config import SUPPORTED_LANGUAGES, Settings
from assistant.conversation.onboarding import country_zone
from assistant.conversation.types import Button, Reply
from assistant.matching.profiles import country_slug
from assistant.phrases import phrase
from assistant.storage import pseudonym
from assistant.storage.store import ParticipantInfo, Store, now

log = logging.getLogger(__name__)

WHATSAPP_WINDOW = timedelta(hours=24)
DAILY = timedelta(hours=24)
Send = Callable[[str, str, Reply], Awaitable[str]]  # (channel, external id, reply) -> sent|queued|failed|...


@dataclass
class Planned:
    participant: ParticipantInfo
    kind: str  # step | pairing
    ref: str  # module id | pairing id
    title: str  # the module's title | the partner's first name
    due_since: datetime
    mode: str = "text"  # text | template
    skip: str | None = None  # quiet_hours | daily_limit | no_template | unreachable


@dataclass
class RunResult:
    sent: int = 0
    failed: int = 0
    skipped: dict[str, int] = field(default_factory=dict)
    planned: list[dict] = field(default_factory=list)

    def to_dict(self) -> dict:
        return {"sent": self.sent, "failed": self.failed, "skipped": dict(self.skipped), "planned": self.planned}


def parse_quiet_hours(value: str) -> tuple[time, time]:
    start, end = value.split("-")
    return time.fromisoformat(start), time.fromisoformat(end)


def in_quiet_hours(local: time, quiet: tuple[time, time]) -> bool:
    start, end = quiet
    if start == end:
        return False
    if start < end:
        return start <= local < end
    return local >= start or local < end  # across midnight, 20:00-09:00


def zone_of(person: ParticipantInfo) -> ZoneInfo:
    for name in ((person.profile or {}).get("timezone"), country_zone(person.country)):
        if name:
            try:
                return ZoneInfo(str(name))
            except (ZoneInfoNotFoundError, ValueError):
                continue
    return ZoneInfo("UTC")


class Nudger:
    # The named locks (Store.named_lock) that make a run happen once across workers and hosts on PostgreSQL.
    RUN_LOCK = "nudge-run"  # one run at a time: a server's scheduler, the API, the console or `mentor nudges run`
    SCHEDULER_LOCK = "nudge-scheduler"  # held by the one worker whose scheduler runs the nudges

    def __init__(self, settings: Settings, store: Store, pathways) -> None:
        self.settings = settings
        self.store = store
        self.pathways = pathways
        self.quiet = parse_quiet_hours(settings.nudge_quiet_hours)

    def _lang(self, person: ParticipantInfo) -> str:
        return person.preferred_language if person.preferred_language in SUPPORTED_LANGUAGES else "en"

    # -- what is due ----------------------------------------------------------------------------------------

    def due(self, at: datetime | None = None) -> list[Planned]:
        """Every nudge due at `at`, each with the reason it is held back (`skip`) if it is."""
        at = at or now()
        found: list[Planned] = []
        people: dict[str, ParticipantInfo | None] = {}

        def person(pid: str) -> ParticipantInfo | None:
            if pid not in people:
                info = self.store.participant_by_id(pid)
                people[pid] = info if info is not None and info.consent else None
            return people[pid]

        followup = timedelta(days=self.settings.nudge_followup_days)
        for step in self.store.steps_given():
            who = person(step["participant_id"])
            module = self.pathways.catalog.modules.get(step["module_id"])
            if who is None or module is None or step.get("nudged_at") or not step.get("given_at"):
                continue
            given = datetime.fromisoformat(step["given_at"])
            if at - given >= followup:
                title = module["titles"][self._lang(who)]
                found.append(Planned(who, "step", step["module_id"], title, given + followup))

        quiet_for = timedelta(days=self.settings.nudge_checkin_days)
        active = self.store.pairings(status="active")
        all_checkins = [n for n in self.store.nudges() if n["kind"] == "pairing"] if active else []
        for pairing in active:
            last = datetime.fromisoformat(pairing["decided_at"] or pairing["created_at"])
            checkins = [n for n in all_checkins if n["ref"] == pairing["id"]]
            for n in checkins:
                last = max(last, n["answered_at"] or last)
            recent_checkin = any(n["status"] != "failed" and at - n["sent_at"] < quiet_for for n in checkins)
            if at - last < quiet_for or recent_checkin:
                continue
            for me, other in ((pairing["a"], pairing["b"]), (pairing["b"], pairing["a"])):
                who = person(me)
                if who is None:
                    continue
                partner = self.store.participant_by_id(other)
                name = (partner.name or "").split(" ")[0] if partner and partner.name else ""
                found.append(
                    Planned(
                        who, "pairing", pairing["id"], name or phrase("your_partner", self._lang(who)), last + quiet_for
                    )
                )

        found.sort(key=lambda p: p.due_since)
        chosen: set[str] = set()
        for planned in found:
            planned.skip = self._hold(planned, at, chosen)
            if planned.skip is None:
                chosen.add(planned.participant.id)
        return found

    def _hold(self, planned: Planned, at: datetime, chosen: set[str]) -> str | None:
        who = planned.participant
        if who.id in chosen:
            return "daily_limit"
        local = at.astimezone(zone_of(who)).time()
        if in_quiet_hours(local, self.quiet):
            return "quiet_hours"
        if any(n["status"] != "failed" and at - n["sent_at"] < DAILY for n in self.store.nudges(participant_id=who.id)):
            return "daily_limit"
        if who.channel == "whatsapp":
            last = self.store.last_inbound_at(who.id)
            if last is None or at - last >= WHATSAPP_WINDOW:
                template = (
                    self.settings.whatsapp_nudge_template
                    if planned.kind == "step"
                    else self.settings.whatsapp_checkin_template
                )
                if not template:
                    return "no_template"
                planned.mode = "template"
        elif who.channel not in ("telegram", "web"):
            return "unreachable"
        return None

    # -- sending --------------------------------------------------------------------------------------------

    def reply(self, planned: Planned, nudge_id: str) -> Reply:
        lang = self._lang(planned.participant)
        if planned.kind == "step":
            text = phrase("nudge_step", lang, title=planned.title)
            answers = (
                ("helped", "button_nudge_helped"),
                ("hard", "button_nudge_hard"),
                ("not_yet", "button_nudge_not_yet"),
            )
            template = self.settings.whatsapp_nudge_template
        else:
            text = phrase("nudge_checkin", lang, name=planned.title)
            answers = (("good", "button_checkin_good"), ("stuck", "button_checkin_stuck"))
            template = self.settings.whatsapp_checkin_template
        buttons = [Button(f"nudge:{nudge_id}:{value}", phrase(key, lang)) for value, key in answers]
        if planned.mode == "template":
            return Reply(text, [], lang, template={"name": template, "language": lang, "parameters": [planned.title]})
        return Reply(text, buttons, lang)

    async def run(self, send: Send | None, at: datetime | None = None, dry_run: bool = False) -> RunResult:
        """Send what is due (nothing with `dry_run`: the plan only)."""
        at = at or now()
        result = RunResult()
        planned_all = await asyncio.to_thread(self.due, at)
        for planned in planned_all:
            result.planned.append(
                {
                    "participant": pseudonym(planned.participant.channel, planned.participant.external_id),
                    "kind": planned.kind,
                    "ref": planned.ref,
                    "channel": planned.participant.channel,
                    "mode": planned.mode,
                    "held_back": planned.skip,
                }
            )
            if planned.skip:
                result.skipped[planned.skip] = result.skipped.get(planned.skip, 0) + 1
                continue
            if dry_run or send is None:
                continue
            who = planned.participant
            cohort = country_slug(who.country) if who.country else None
            nudge_id = await asyncio.to_thread(
                self.store.record_nudge, who.id, planned.kind, planned.ref, who.channel, planned.mode, cohort, "sent"
            )
            try:
                outcome = await send(who.channel, who.external_id, self.reply(planned, nudge_id))
            except Exception as exc:  # a channel down must not stop the other nudges
                log.warning("nudge to %s failed: %s", pseudonym(who.channel, who.external_id), exc)
                outcome = "failed"
            if outcome in ("sent", "queued"):
                result.sent += 1
                if planned.kind == "step":
                    await asyncio.to_thread(
                        self.store.set_module_state, who.id, planned.ref, "given", nudged_at=at.isoformat()
                    )
            else:
                result.failed += 1
                await asyncio.to_thread(self.store.set_nudge_status, nudge_id, "failed")
        log.info("nudges: %d sent, %d failed, held back %s", result.sent, result.failed, result.skipped or "none")
        return result
