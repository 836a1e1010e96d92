"""The staff hand-off, as the API and the console both do it: a staff reply delivered to her on her own
channel (in her language's "the programme team:" frame), and the conversation given back to the assistant."""

from __future__ import annotations

import logging

from starlette.concurrency import run_in_threadpool

from assistant import SUPPORTED_LANGUAGES, Reply, StaffIdentity, phrase, pseudonym
from web.channels import Channels

log = logging.getLogger(__name__)


def staff_text(text: str, language: str | None) -> str:
    lang = language if language in SUPPORTED_LANGUAGES else "en"
    return f"{phrase('staff_says', lang)}\n{text}"


async def deliver_staff_reply(channels: Channels, participant_id: str, text: str, staff: StaffIdentity) -> dict:
    person = await run_in_threadpool(channels.store.staff_reply, participant_id, text)
    status, reason = await channels.send_explained(
        person.channel, person.external_id, Reply(staff_text(text.strip(), person.preferred_language))
    )
    log.info("staff reply by %s to %s: %s", staff.name, pseudonym(person.channel, person.external_id), status)
    result = {"participant_id": person.id, "channel": person.channel, "delivery": status}
    return {**result, "reason": reason} if reason else result


async def release_to_assistant(channels: Channels, participant_id: str) -> dict:
    person = await run_in_threadpool(channels.store.release_handoff, participant_id)
    lang = person.preferred_language if person.preferred_language in SUPPORTED_LANGUAGES else "en"
    status = await channels.send(person.channel, person.external_id, Reply(phrase("human_released", lang)))
    return {"participant_id": person.id, "delivery": status}
