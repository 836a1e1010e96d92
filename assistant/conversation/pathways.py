"""`/pathway` and `/resources` in the chat, and the answers to nudges.

The first `/pathway` runs a short diagnostic: one competency per message, a self-rating from 1 to 5 with
buttons (typed, the digit, the button's words or her own words for the level work too, ratings.py; "I
don't know what that is" is noted as the lowest level and she is told so; anything else is asked again
politely). Answers are kept in her state as
she goes, so the diagnostic resumes where she left it. Then her next step: why it is next, its resources,
its time, what comes after, and an agenda for her next meeting when she has an active pairing. "I did
this step" asks the module's check question; "yes" completes it and shows what is next.

Buttons: diag:<1-5>, path:done:<module>, path:check:<module>:<yes|no>, path:resources, path:rediag,
res:done:<resource>, nudge:<id>:<answer>.
"""

from __future__ import annotations

import logging
import re

from assistant.conversation.ratings import read_rating
from assistant.conversation.types import Button, Reply
from assistant.errors import InputError, NotFoundError

log = logging.getLogger(__name__)

RESOURCES_SHOWN = 4
LATER_SHOWN = 3
STEP_ANSWERS = ("helped", "hard", "not_yet")
CHECKIN_ANSWERS = ("good", "stuck")
QUESTION_WORDS = 3  # words without a digit, during the diagnostic: a question, answered; the rating asked again


class PathwayTurn:
    """Mixed into the engine's turn (it provides state, say, save, participant, consented)."""

    def _pathways(self):
        return self.engine.assistant.runtime.pathways

    def _person(self):
        if not self.consented or self.participant is None:
            return None
        return self.participant

    # -- /pathway -------------------------------------------------------------------------------------

    def pathway(self, restart: bool = False) -> list[Reply]:
        person = self._person()
        if person is None:
            return [Reply(self.say("pathway_needs_consent"))]
        has_diagnostic = bool((person.profile or {}).get("diagnostic"))
        diag = self.state.get("diag")
        if restart or (not has_diagnostic and diag is None):
            self.state["diag"] = {"n": 0, "ratings": {}}
            self.state["awaiting"] = "diagnostic"
            self.save()
            total = len(self._pathways().planner.diagnostic_competencies())
            return [Reply(self.say("diag_intro", count=total)), self._diag_question()]
        if diag is not None:  # started, not finished: resume
            self.state["awaiting"] = "diagnostic"
            self.save()
            return [Reply(self.say("diag_resume")), self._diag_question()]
        return self._show_pathway()

    def _diag_question(self) -> Reply:
        competencies = self._pathways().planner.diagnostic_competencies()
        n = self.state["diag"]["n"]
        label = self._pathways().planner.competency_label(competencies[n], self.lang)
        return Reply(
            self.say("diag_question", n=n + 1, total=len(competencies), competency=label),
            [Button(f"diag:{r}", self.say(f"rating_{r}")) for r in range(1, 6)],
        )

    def on_diag_answer(self, text: str, button_value: str | None = None) -> list[Reply]:
        if self.state.get("diag") is None:
            return [Reply(self.say("unknown_button"))]
        value = button_value if button_value is not None else text.strip()
        match = re.fullmatch(r"\s*([1-5])\s*(?:/\s*5)?\s*[.!]?\s*", value or "")
        rating = read_rating(value) if button_value is None and not match else None
        if not match and rating is None:
            words = value.split()
            if button_value is None and len(words) >= QUESTION_WORDS and not any(c.isdigit() for c in value):
                return [*self.question(value), self._diag_question()]
            return [Reply(self.say("diag_invalid")), self._diag_question()]
        level = int(match.group(1)) if match else rating.level
        competencies = self._pathways().planner.diagnostic_competencies()
        diag = self.state["diag"]
        noted = []
        if rating is not None and rating.unknown:  # "I don't know what that is": new to her, and she is told so
            noted = [Reply(self.say("diag_noted_unknown", rating=self.say(f"rating_{level}")))]
        diag["ratings"][competencies[diag["n"]]] = level
        diag["n"] += 1
        if diag["n"] < len(competencies):
            self.save()
            return [*noted, self._diag_question()]
        self.participant = self._pathways().save_diagnostic(self.participant, diag["ratings"])
        self.state.pop("diag", None)
        self.state["awaiting"] = None
        self.save()
        log.info("pathway diagnostic completed")
        return [*noted, Reply(self.say("diag_done")), *self._show_pathway()]

    def _show_pathway(self) -> list[Reply]:
        service = self._pathways()
        person = self.participant
        steps, _ = service.plan(person, self.lang)
        if not steps:
            recs, _ = service.resources(person, self.lang, k=RESOURCES_SHOWN, record=True)
            return [Reply(self.say("pathway_all_done")), self._resource_list(recs, None, header=False)]
        step = steps[0]
        service.give(person, step)
        lines = [self.say("pathway_next", title=step.title, minutes=step.minutes, why=step.why)]
        titles = [service.catalog.resources[r]["titles"][self.lang] for r in step.resources[:RESOURCES_SHOWN]]
        if titles:
            lines.append(self.say("pathway_step_resources") + "\n" + "\n".join(f"• {t}" for t in titles))
        if len(steps) > 1:
            lines.append(self.say("pathway_later", titles=" → ".join(s.title for s in steps[1 : 1 + LATER_SHOWN])))
        agenda = service.agenda(person, steps, self.lang)
        if agenda:
            lines.append(
                self.say("pathway_agenda") + "\n" + "\n".join(f"{n}. {item}" for n, item in enumerate(agenda, 1))
            )
        buttons = [
            Button(f"path:done:{step.module_id}", self.say("button_step_done")),
            Button("path:resources", self.say("button_step_resources")),
            Button("path:rediag", self.say("button_rediagnose")),
        ]
        return [Reply("\n\n".join(lines), buttons)]

    def on_path_button(self, value: str) -> list[Reply]:
        person = self._person()
        if person is None:
            return [Reply(self.say("pathway_needs_consent"))]
        service = self._pathways()
        action, _, rest = value.partition(":")
        if action == "resources":
            return self.resources()
        if action == "rediag":
            return self.pathway(restart=True)
        module_id, _, answer = rest.partition(":")
        module = service.catalog.modules.get(module_id)
        if module is None:
            return [Reply(self.say("step_unknown"))]
        if action == "done":
            question = (module.get("check_question") or {}).get(self.lang)
            if not question:
                return self._complete(module_id)
            return [
                Reply(
                    self.say("step_check", question=question),
                    [
                        Button(f"path:check:{module_id}:yes", self.say("button_check_yes")),
                        Button(f"path:check:{module_id}:no", self.say("button_check_not_yet")),
                    ],
                )
            ]
        if action == "check" and answer in ("yes", "no"):
            if answer == "yes":
                return self._complete(module_id)
            return [Reply(self.say("step_not_yet"))]
        return [Reply(self.say("unknown_button"))]

    def _complete(self, module_id: str) -> list[Reply]:
        service = self._pathways()
        service.complete(self.participant.id, module_id)
        title = service.catalog.modules[module_id]["titles"][self.lang]
        return [Reply(self.say("step_completed", title=title)), *self._show_pathway()]

    # -- /resources --------------------------------------------------------------------------------------------

    def resources(self) -> list[Reply]:
        person = self._person()
        if person is None:
            return [Reply(self.say("pathway_needs_consent"))]
        recs, note = self._pathways().resources(person, self.lang, k=RESOURCES_SHOWN, record=True)
        if not recs:
            return [Reply(self.say("resources_none"))]
        return [self._resource_list(recs, note)]

    def _resource_list(self, recs, note: str | None, header: bool = True) -> Reply:
        if not recs:
            return Reply(self.say("resources_none"))
        lines = [self.say("resources_header")] if header else []
        service = self._pathways()
        for n, rec in enumerate(recs, 1):
            link = service.resource_link(rec.resource_id, rec.language)
            lines.append(self.say("resource_item", n=n, title=rec.title, minutes=rec.minutes, why=rec.why, link=link))
        if note:
            lines.append(note)
        buttons = [Button(f"res:done:{rec.resource_id}", self.say("button_resource_done", n=n)) for n, rec in
                   enumerate(recs, 1)]  # fmt: skip
        return Reply("\n".join(lines), buttons)

    def named_resource(self, text: str) -> list[Reply]:
        """Her message names a resource by its title: its link in her language (empty when none is named)."""
        service = self._pathways()
        resource_id = service.find_resource(text)
        if resource_id is None:
            return []
        try:
            found = service.resource_page(resource_id, self.lang)
        except NotFoundError:
            return []
        link = service.resource_link(resource_id, found.language)
        reply = self.say("resource_found", title=found.title, minutes=found.minutes, link=link)
        if found.description:
            reply += "\n" + found.description
        return [Reply(reply)]

    def on_resource_button(self, value: str) -> list[Reply]:
        person = self._person()
        if person is None:
            return [Reply(self.say("pathway_needs_consent"))]
        action, _, resource_id = value.partition(":")
        if action != "done":
            return [Reply(self.say("unknown_button"))]
        try:
            self._pathways().mark_resource_done(person, resource_id)
        except InputError:
            return [Reply(self.say("unknown_button"))]
        return [Reply(self.say("resource_marked_done"))]

    # -- answers to nudges -------------------------------------------------------------------------------------

    def on_nudge_button(self, value: str) -> list[Reply]:
        person = self._person()
        nudge_id, _, answer = value.partition(":")
        if person is None or answer not in STEP_ANSWERS + CHECKIN_ANSWERS:
            return [Reply(self.say("unknown_button"))]
        try:
            nudge = self.store.nudge(nudge_id)
        except NotFoundError:
            return [Reply(self.say("unknown_button"))]
        if nudge["participant_id"] != person.id:
            return [Reply(self.say("unknown_button"))]
        self.store.answer_nudge(nudge_id, answer=answer)
        if answer == "stuck":
            return [Reply(self.say("nudge_checkin_help"))]
        self.state["awaiting"] = f"nudge_comment:{nudge_id}"
        self.save()
        return [Reply(self.say("nudge_thanks"))]

    def on_nudge_comment(self, text: str) -> list[Reply]:
        nudge_id = (self.state.get("awaiting") or "").partition(":")[2]
        self.state["awaiting"] = None
        self.save()
        try:
            self.store.answer_nudge(nudge_id, comment=text)
        except NotFoundError:
            return self.question(text)
        return [Reply(self.say("nudge_comment_saved"))]
