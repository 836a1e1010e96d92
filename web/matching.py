"""Matching decisions as the API and the console both take them: once a staff approval makes a pairing
active, each woman who chats with the assistant hears it, in her language, on her own channel."""

from __future__ import annotations

from starlette.concurrency import run_in_threadpool

from assistant import SUPPORTED_LANGUAGES, Reply, Runtime, phrase
from web.channels import Channels


async def tell_both_if_active(runtime: Runtime, channels: Channels, pairing: dict) -> None:
    """Once a pairing is active, each woman who chats with the assistant hears it in her language."""
    if pairing["status"] != "active":
        return
    store = runtime.store
    people = {pid: await run_in_threadpool(store.participant_by_id, pid) for pid in (pairing["a"], pairing["b"])}
    for pid, person in people.items():
        other = people[pairing["b"] if pid == pairing["a"] else pairing["a"]]
        if person is None:
            continue
        lang = person.preferred_language if person.preferred_language in SUPPORTED_LANGUAGES else "en"
        name = ((other.name if other else None) or "?").split(" ")[0]
        await channels.notify(
            person.channel, person.external_id, Reply(phrase("match_active", lang, name=name), language=lang)
        )
