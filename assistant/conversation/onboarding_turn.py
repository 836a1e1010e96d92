"""Start, language, consent and onboarding in the chat: the part of a turn that gets to know her.

A mixin of the engine's turn (like `MatchTurn` and `PathwayTurn`): it reads and writes the turn's state,
language and participant through `self`. The questions, their parsers and buttons are in onboarding.py;
what is said comes from phrases.yaml, in her language.
"""

from __future__ import annotations

import logging

from assistant.config import SUPPORTED_LANGUAGES
from assistant.conversation.choices import typed_choice, yes_or_no_only
from assistant.conversation.freetext import (
    asks_a_question,
    is_only_a_duration,
    read_stage,
    stage_in_passing,
    trim_courtesies,
)
from assistant.conversation.numbered import typed_number
from assistant.conversation.onboarding import (
    MODALITIES,
    PARSERS,
    STAGES,
    STEPS,
    country_zone,
    parse_country,
    parse_timezone,
)
from assistant.conversation.places import zone_city, zone_time
from assistant.conversation.requests import names_language
from assistant.conversation.smalltalk import SmallTalk
from assistant.conversation.types import Button, Reply
from assistant.phrases import language_label

log = logging.getLogger("assistant.conversation.engine")  # the engine's log lines, as before the split

COLUMN_FIELDS = frozenset({"name", "country", "languages"})  # the rest of the onboarding answers go in `profile`


def as_fields(step: str, value: object) -> dict:
    """The fields one answer sets: the country step sets the country and her city."""
    return dict(value) if isinstance(value, dict) else {step: value}


def language_buttons() -> list[Button]:
    """Français / Español / English: each language named in itself."""
    return [Button(f"lang:{code}", language_label(code, code).capitalize()) for code in SUPPORTED_LANGUAGES]


class OnboardingTurn:
    """Greeting, language choice, consent and the onboarding questions, for the engine's turn."""

    # -- start, language, consent ----------------------------------------------------------------------------

    def start(self) -> list[Reply]:
        if self.consented and self.participant is not None:
            return self.start_again()
        greeting = Reply(self.say("start_greeting") + "\n\n" + self.say("capabilities"))
        if not self.state.get("lang_chosen"):  # a language she already picked (the web page's first question) stays
            greeting = Reply(greeting.text + "\n\n" + self.say("choose_language"), language_buttons())
        self.state["awaiting"] = "consent"
        self.save()
        return [greeting, self.consent_question()]

    def start_again(self) -> list[Reply]:
        """A returning /start: greeted back by name with what she can do; an onboarding in progress goes on
        where it was, one she stopped before any answer starts over; nothing she said is asked again."""
        name = (self.participant.name or "").split()
        hello = self.say("welcome_back", name=", " + name[0] if name else "")
        if self.state.get("step"):
            return [Reply(hello + " " + self.say("onboarding_resume")), self.ask_step()]
        missing = [step for step in STEPS if not self.saved(step)]
        if missing:  # she stopped the questions before the end: the ones she did not answer
            self.state.update(step=missing[0], mode="onboarding", answers={}, awaiting=None)
            self.save()
            if len(missing) == len(STEPS):
                return [Reply(hello), self.ask_step(intro=True)]
            return [Reply(hello + " " + self.say("onboarding_resume")), self.ask_step()]
        return [Reply(hello + "\n\n" + self.say("talk_next_member") + "\n\n" + self.say("welcome_back_profile"))]

    def saved(self, step: str) -> bool:
        """Whether her stored profile already answers `step`."""
        p = self.participant
        if p is None:
            return False
        value = {"name": p.name, "country": p.country, "languages": p.languages}.get(step, p.profile.get(step))
        return value not in (None, "", [])

    def start_question(self) -> Reply:
        """/start's question: the consent, with the language choice while she has not chosen one."""
        asked = self.consent_question()
        if self.state.get("lang_chosen"):
            return asked
        return Reply(self.say("choose_language") + "\n\n" + asked.text, language_buttons() + asked.buttons)

    def consent_question(self) -> Reply:
        return Reply(
            self.say("consent_question"),
            [
                Button("consent:yes", self.say("button_consent_yes")),
                Button("consent:no", self.say("button_consent_no")),
            ],
        )

    def language_picked(self, text: str) -> str | None:
        """The language she typed ("fr", "español", "english") while the language buttons are shown to her."""
        options = (self.state.get("choice") or {}).get("options") or []
        code = names_language(text) if any(str(i).startswith("lang:") for i, _ in options) else None
        return code if code in SUPPORTED_LANGUAGES else None

    def follow_language(self, language: str | None) -> None:
        """When she chose no language, this turn is answered in the one her message is in; her first words
        also tell which language to speak to her in from now on."""
        if self.chosen_language() or language not in SUPPORTED_LANGUAGES:
            return
        self.lang = language
        if not self.state.get("lang"):
            self.state["lang"] = language
            self.save()

    def set_language(self, code: str) -> list[Reply]:
        self.lang = code
        self.state.update(lang=code, lang_chosen=True)
        if self.consented and self.participant is not None:
            self.participant = self.store.update_participant(self.participant.id, preferred_language=code)
        self.save()
        replies = [Reply(self.say("language_set", language=language_label(code, code)))]
        if self.state.get("step"):
            replies.append(self.ask_step())
        elif self.state.get("awaiting") == "consent":
            replies.append(self.consent_question())
        return replies

    def consent(self, yes: bool) -> list[Reply]:
        self.state["awaiting"] = None
        if not yes:
            self.save()
            return [Reply(self.say("consent_withdraw_hint" if self.consented else "consent_declined"))]
        if self.consented:
            self.save()
            return [Reply(self.say("consent_already"))]
        self.participant = self.store.give_consent(self.channel, self.user_id, language=self.lang)
        self.consented = True
        self.state.update(lang=self.lang, step=STEPS[0], mode="onboarding", answers={})
        self.save()  # from now on in the database
        log.info("consent given on %s", self.channel)
        return [Reply(self.say("consent_given")), self.ask_step(intro=True)]

    # -- onboarding ---------------------------------------------------------------------------------------------

    def ask_step(self, intro: bool = False) -> Reply:
        step = self.state["step"]
        text = self.say(f"ask_{step}")
        if intro:
            text = self.say("onboarding_intro") + "\n\n" + text
        return Reply(text, self.step_buttons(step))

    def step_buttons(self, step: str) -> list[Button]:
        if step == "stage":
            return [Button(f"stage:{code}", self.say(f"stage_{code}")) for code in STAGES]
        if step == "modality":
            return [Button(f"modality:{code}", self.say(f"modality_{code}")) for code in MODALITIES]
        if step == "timezone":
            zone = country_zone(self._country())
            if zone:
                label = self.say(
                    "button_use_zone", city=zone_city(zone, self.lang), time=zone_time(zone, lang=self.lang)
                )
                return [Button("tz:country", label)]
        return []

    def show_zone(self, zone: str) -> str:
        """'America/La_Paz' as she reads it: 'La Paz (14:05 there now)', in her language."""
        return self.say("zone_shown", city=zone_city(zone, self.lang), time=zone_time(zone, lang=self.lang))

    def _country(self) -> str | None:
        return self.state.get("answers", {}).get("country") or (self.participant.country if self.participant else None)

    def on_step_text(self, text: str, talk: SmallTalk) -> list[Reply]:
        """What she typed while a profile question waits: the answer to a choice put to her since ("sí" to
        /forget's confirmation, "2" to /lang's), a button of the question by its number, small talk, a question
        for the guides, or her answer."""
        picked = self.typed_answer(text) if self.asked_since() else None
        if picked:
            return self.on_button(picked, text)
        if self.asked_since() and (reask := self.number_out_of_range(text)):
            return reask
        if (by_number := self.step_number(text)) is not None:
            return by_number
        # only pure small talk interrupts a question ("Monday mornings" answers it); "ok", "no" are tries
        if talk.kind not in (None, "ack") and not talk.others and not self.step_reads(text):
            return self.chat(talk.kind, talk.language)
        if self.state["step"] != "needs" and asks_a_question(text):  # a need may be put as a question
            return [*self.question(text), self.ask_step()]  # answered; the profile question asked again
        return self.on_answer(text)

    def and_step(self, reply: Reply) -> list[Reply]:
        """`reply`, then the profile question still waiting, if one is (after /forget's "no" in the middle)."""
        return [reply, self.ask_step()] if self.state.get("step") else [reply]

    def step_number(self, text: str) -> list[Reply] | None:
        """A number typed for a question with buttons ("2", "el 2", "option 3"): its button in the order shown,
        or the buttons listed with their numbers when it has no such one (None: no number, no buttons, or a number
        past a lone button, which the question's own reader takes)."""
        buttons = self.step_buttons(self.state["step"])
        number = typed_number(text) if buttons else None
        if number is None:
            return None
        if 1 <= number <= len(buttons):
            return self.on_answer(buttons[number - 1].title, buttons[number - 1].id)
        return self.number_reask(buttons) if len(buttons) > 1 else None  # the time zone offered: its own answer

    def step_reads(self, text: str) -> bool:
        """Whether the current step takes `text` (small talk-like) as its answer: "ok" to the time zone
        offered from her country."""
        return self._accepts_offered_zone(text)

    def _accepts_offered_zone(self, text: str) -> bool:
        if self.state.get("step") != "timezone" or not country_zone(self._country()):
            return False
        return typed_choice(text, [("tz:country", "")]) == "tz:country"

    def parse_step(self, step: str, text: str, button: str | None = None) -> object:
        """Her answer to `step` as the value to keep, or None."""
        if step == "timezone":
            return parse_timezone(text, button, country=self._country())
        if step == "country":
            return parse_country(text, button, lang=self.lang)
        return PARSERS[step](text, button)

    def on_answer(self, text: str, button: str | None = None) -> list[Reply]:
        step = self.state["step"]
        if button is None and self._accepts_offered_zone(text):
            button = "tz:country"
        text = trim_courtesies(text) if button is None else text  # "si, vendo ropa": "vendo ropa", not "si"
        value = self.parse_step(step, text, button) if not self._only_yes(step, text, button) else None
        if value is None:
            reply = self.ask_step()
            return [Reply(self._why_invalid(step, text) + "\n\n" + reply.text, reply.buttons)]
        self.note_source(step)
        answers = dict(self.state.get("answers") or {})
        answers.update(as_fields(step, value))
        in_passing = stage_in_passing(text) if step == "sector" and self.state.get("mode") != "edit" else None
        if in_passing and "stage" not in answers:  # "un taller de tejidos hace 8 años": the stage is not asked
            answers["stage"] = in_passing
        self.state["answers"] = answers
        if self.state.get("mode") == "edit":
            self.state.update(step=None, mode=None, answers={})
            self.save_fields(as_fields(step, value))
            self.save()
            return [Reply(self.say("field_updated") + "\n\n" + self.profile_text())]
        # the stage may be known already, and an onboarding resumed by /start skips what she answered before
        later = [s for s in STEPS[STEPS.index(step) + 1 :] if s not in answers and not self.saved(s)]
        if later:
            self.state["step"] = later[0]
            self.save()
            return [self.ask_step()]
        self.state.update(step=None, mode=None, answers={})
        self.save_fields(answers, preferred_language=self.lang)
        self.save()
        log.info("onboarding completed on %s", self.channel)
        return [Reply(self.say("onboarding_done") + "\n\n" + self.profile_text())]

    def _only_yes(self, step: str, text: str, button: str | None) -> bool:
        """Whether she answered a question that asks for words with a yes ("yes pls", "oui stp", "dale", "👍"; at
        the name, a no too): no answer, the question is asked again (it was saved as her name, "Oui Stp")."""
        if button is not None or self.step_buttons(step):  # "ok" to the time zone offered from her country is one
            return False
        said = yes_or_no_only(text)
        return said == "yes" or (said == "no" and step == "name")

    def _why_invalid(self, step: str, text: str) -> str:
        """What was wrong with her answer. A sector answered with how long the business has run ("ça fait 3
        ans") keeps that as the stage, when it says one, and asks what the business does."""
        if step == "sector" and is_only_a_duration(text):
            stage = read_stage(text)
            if stage and self.state.get("mode") != "edit":
                self.state["answers"] = {**(self.state.get("answers") or {}), "stage": stage}
                self.save()
            return self.say("sector_not_duration")
        return self.say(f"invalid_{step}")

    def save_fields(self, answers: dict, **columns: object) -> None:
        if self.participant is None:  # only consented people onboard; forgotten in between
            return
        profile = dict(self.participant.profile)
        for field, value in answers.items():
            if field in COLUMN_FIELDS:
                columns[field] = value
            else:
                profile[field] = value
        self.participant = self.store.update_participant(self.participant.id, profile=profile, **columns)
