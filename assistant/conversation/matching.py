"""`/match` in the chat: her top suggestions with evidence-only explanations, an introduction request that
proposes the pairing to both women, and their answers (buttons `match:intro:<id>`, `match:more`,
`match:accept:<pairing id>`, `match:decline:<pairing id>`).

Replies for the other woman carry `to=(channel, user id)`; the relay delivers them on her own channel.
Pending proposals are also shown at her next `/match`, so nothing depends on a notification arriving.
"""

from __future__ import annotations

import logging

from assistant.config import SUPPORTED_LANGUAGES
from assistant.conversation.types import Button, Reply
from assistant.errors import InputError, NotFoundError
from assistant.matching.explain import country_name
from assistant.phrases import phrase

log = logging.getLogger(__name__)
PAGE = 3
MAX_SHOWN = 30


class MatchTurn:
    """Mixed into the engine's turn: uses its `say`, `state`, `save`, `participant`, `lang`, `store`."""

    def _service(self):
        return self.engine.assistant.runtime.matching

    def _ready(self) -> bool:
        p = self.participant
        return bool(self.consented and p is not None and p.profile.get("offers") and p.profile.get("needs"))

    def needs_profile(self) -> Reply:
        """What to send to add her offers and needs, with the field names of her language."""
        fields = {f: self.say(f"field_{f}").lower() for f in ("offers", "needs")}
        return Reply(self.say("match_needs_profile", **fields))

    def match(self) -> list[Reply]:
        if not self._ready():
            return [self.needs_profile()]
        service = self._service()
        pool = service.pool()
        replies = self._pending(pool)
        self.state["match_shown"] = []
        replies.append(self._suggestions(service, pool))
        return replies

    def _pending(self, pool) -> list[Reply]:
        """Her pairings as they stand: active ones, proposals waiting for her (with buttons), and the
        introductions she asked for, waiting for the other woman or for staff."""
        me = self.participant.id
        replies = []
        active = []
        for pairing in self.store.pairings(person=me):
            other = pairing["b"] if pairing["a"] == me else pairing["a"]
            mine, theirs = ("accepted_a", "accepted_b") if pairing["a"] == me else ("accepted_b", "accepted_a")
            profile = pool.get(other)
            name = profile.name if profile else "?"
            if pairing["status"] == "active":
                active.append(name)
            elif pairing["status"] == "proposed" and pairing[mine] is None:
                replies.append(
                    Reply(
                        self.say("match_pending", name=name),
                        [
                            Button(f"match:accept:{pairing['id']}", self.say("button_match_accept")),
                            Button(f"match:decline:{pairing['id']}", self.say("button_match_decline")),
                        ],
                    )
                )
            elif pairing["status"] == "proposed" and pairing[theirs]:
                replies.append(Reply(self.say("match_status_staff", name=name)))
            elif pairing["status"] == "proposed":
                in_chat = self.store.participant_by_id(other) is not None
                key = "match_status_other" if in_chat else "match_status_introduction"
                replies.append(Reply(self.say(key, name=name)))
        if active:
            replies.insert(0, Reply(self.say("match_current", names=", ".join(active))))
        return replies

    def _suggestions(self, service, pool) -> Reply:
        shown = list(self.state.get("match_shown") or [])
        suggestions = service.suggest(
            self.participant.id, k=PAGE, lang=self.lang, pool=pool, record=True, skip=set(shown)
        )
        if not suggestions:
            self.save()
            return Reply(self.say("match_no_more" if shown else "match_none"))
        if shown and suggestions.main_need_status not in ("covered",):
            suggestions.main_need_status = "shown"  # said on her first page already
        self.state["match_shown"] = (shown + [s.id for s in suggestions])[-MAX_SHOWN:]
        self.save()
        lines = [self.say("match_intro")]
        status = suggestions.main_need_status
        if status in ("full", "exposure", "none"):  # her main need could not be met by this list: say why
            skill = service.taxonomy.label(suggestions.main_need, self.lang)
            lines.append(self.say(f"match_main_need_{status}", skill=skill[:1].lower() + skill[1:]))
        buttons = []
        for n, s in enumerate(suggestions, 1):
            lines.append(
                self.say(
                    "match_item",
                    n=n,
                    name=s.name,
                    country=country_name(s.country, self.lang),
                    explanation=s.explanation,
                )
            )
            buttons.append(Button(f"match:intro:{s.id}", self.say("button_match_intro", name=s.name.split(" ")[0])))
        buttons.append(Button("match:more", self.say("button_match_more")))
        lines.append(self.say("match_choose"))
        return Reply("\n\n".join(lines), buttons)

    def on_match_button(self, value: str) -> list[Reply]:
        if not self._ready():
            return [self.needs_profile()]
        action, _, target = value.partition(":")
        service = self._service()
        try:
            if action == "more":
                return [self._suggestions(service, service.pool())]
            if action == "intro" and target:
                return self._introduce(service, target)
            if action in ("accept", "decline") and target:
                return self._respond(service, target, action == "accept")
        except (NotFoundError, InputError):
            return [Reply(self.say("match_unavailable"))]
        return [Reply(self.say("unknown_button"))]

    def _introduce(self, service, candidate: str) -> list[Reply]:
        pool = service.pool()
        other = pool.get(candidate)
        if other is None:
            return [Reply(self.say("match_unavailable"))]
        pairing = service.introduce(self.participant.id, candidate, pool)
        if pairing["status"] in ("rejected", "declined"):
            return [Reply(self.say("match_unavailable"))]
        if pairing["status"] == "active" or (pairing["accepted_a"] and pairing["accepted_b"]):
            return self._after_answer(service, pairing, pool)
        person = self.store.participant_by_id(candidate)
        if person is None:  # a profile from the cohort file: the team makes the introduction
            log.info("introduction requested to a cohort profile; staff will follow up")
            return [Reply(self.say("match_proposed_staff", name=other.name))]
        lang = person.preferred_language if person.preferred_language in SUPPORTED_LANGUAGES else "en"
        me = pool.get(self.participant.id)
        invitation = Reply(
            phrase(
                "match_incoming",
                lang,
                name=me.name,
                country=country_name(me.country, lang),
                explanation=service.explain_pair(candidate, me.id, lang, pool),
            ),
            [
                Button(f"match:accept:{pairing['id']}", phrase("button_match_accept", lang)),
                Button(f"match:decline:{pairing['id']}", phrase("button_match_decline", lang)),
            ],
            language=lang,
            to=(person.channel, person.external_id),
        )
        return [Reply(self.say("match_proposed", name=other.name)), invitation]

    def _respond(self, service, match_id: str, accept: bool) -> list[Reply]:
        pairing = service.respond(match_id, self.participant.id, accept)
        return self._after_answer(service, pairing, service.pool(), answered=accept)

    def _after_answer(self, service, pairing: dict, pool, answered: bool = True) -> list[Reply]:
        me = self.participant.id
        other_id = pairing["b"] if pairing["a"] == me else pairing["a"]
        other = pool.get(other_id)
        name = other.name if other else "?"
        person = self.store.participant_by_id(other_id)
        lang = person.preferred_language if person and person.preferred_language in SUPPORTED_LANGUAGES else "en"
        to = (person.channel, person.external_id) if person else None
        my_name = (pool.get(me).name if pool.get(me) else self.participant.name) or "?"
        status = pairing["status"]
        if status == "active":
            replies = [Reply(self.say("match_active", name=name))]
            if to:
                replies.append(Reply(phrase("match_active", lang, name=my_name), language=lang, to=to))
            return replies
        if status == "declined":
            replies = [Reply(self.say("match_declined"))]
            if to and not answered:
                replies.append(Reply(phrase("match_declined_other", lang, name=my_name), language=lang, to=to))
            return replies
        if status == "rejected":
            return [Reply(self.say("match_rejected"))]
        if pairing["accepted_a"] and pairing["accepted_b"]:
            return [Reply(self.say("match_waiting_staff"))]
        return [Reply(self.say("match_waiting_other", name=name))]
