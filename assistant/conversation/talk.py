"""Small talk and pending choices in the chat: the part of a turn that answers "hola", "merci", "ok",
"no entiendo" or "who are you?" without the guides, and that keeps the buttons she was last offered open
to a typed answer.

A mixin of the engine's turn (like `OnboardingTurn`): it reads and writes the turn's state and language
through `self`. What small talk is lives in smalltalk.py; how a typed answer is read, in choices.py.
"""

from __future__ import annotations

import re

from assistant.conversation.choices import typed_choice
from assistant.conversation.numbered import typed_number
from assistant.conversation.types import Button, Reply

SIMPLE_MAX = 220  # characters of her last answer repeated "in short"
# Buttons whose typed answers their own step reads (onboarding steps, the diagnostic's ratings).
_OWN_TEXT = ("stage:", "modality:", "tz:", "diag:")
# Offers she may leave unanswered: they are not shown again when she talks of something else.
_SOFT = ("vote:", "res:", "match:more", "match:intro", "path:resources", "path:rediag", "lang:", "heard:")
_SENTENCE = re.compile(r"(?<=[.!?])\s+")


def offered_choice(replies: list[Reply]) -> dict | None:
    """The choice a message's buttons put to her (None without buttons): every option, the first question's
    buttons in order (what "1", "2" name), the last message's text, and whether it stays open while she talks of
    something else (a confirmation does; votes and "see more" do not)."""
    with_buttons = [r for r in replies if r.buttons]
    options = [(b.id, b.title) for r in with_buttons for b in r.buttons if not b.id.startswith(_OWN_TEXT)]
    if not options:
        return None
    last = with_buttons[-1]
    keep = any(not i.startswith(_SOFT) for i, _ in options)
    prompt = last.text if len(last.text) <= SIMPLE_MAX * 2 else last.text[: SIMPLE_MAX * 2] + "…"
    return {
        "options": [list(o) for o in options],
        "numbered": _first_question(with_buttons),
        "prompt": prompt,
        "keep": keep,
    }


def _first_question(with_buttons: list[Reply]) -> list[str]:
    """The buttons "1", "2"... name: those of the first message that asks something (after /start, the language
    choice, shown before the consent question; an answer's 👍/👎 ask nothing), in the order shown."""
    for reply in with_buttons:
        ids = [b.id for b in reply.buttons if not b.id.startswith(_OWN_TEXT)]
        if any(not i.startswith("vote:") for i in ids):
            return ids
    return [b.id for b in with_buttons[-1].buttons if not b.id.startswith(_OWN_TEXT)]


class TalkTurn:
    """Mixed into the engine's turn: uses its `say`, `state`, `save`, `participant`, `consented`, `lang`."""

    # -- small talk -----------------------------------------------------------------------------------------

    def small_talk(self, kind: str) -> list[Reply]:
        name = ""
        if self.consented and self.participant is not None and self.participant.name:
            name = ", " + self.participant.name.split()[0]
        if kind == "confusion":
            return self.rephrase()
        text = self.say(f"talk_{kind}", name=name) if kind != "who" else self.say("talk_who")
        return self.with_next(text)

    def with_next(self, text: str) -> list[Reply]:
        """`text`, then what she can do now: the question still waiting for her, or her options."""
        if self.state.get("step"):
            step = self.ask_step()
            return [Reply(text), step]
        pending = self.open_choice()
        if pending is not None:
            return [Reply(text), pending]
        next_key = "talk_next_member" if self.consented and self.participant is not None else "talk_next_new"
        return [Reply(text + "\n\n" + self.say(next_key))]

    def rephrase(self) -> list[Reply]:
        """After "I don't understand": what was last asked or said, more simply, and the offer of a person."""
        intro = self.say("talk_simple_intro")
        step = self.state.get("step")
        if step:
            return [Reply(intro + " " + self.say(f"simple_{step}"), self.step_buttons(step))]
        choice = self.state.get("choice") or {}
        if choice.get("keep"):
            titles = " / ".join(t for _, t in choice["options"])
            text = intro + " " + self.say("talk_simple_choice", options=titles)
            return [Reply(text, [Button(i, t) for i, t in choice["options"]])]
        last = self.state.get("last_said")
        if last:
            simpler = self.say("talk_simple_last", text=last)
            return [Reply(intro + "\n\n" + simpler + "\n\n" + self.say("talk_offer_human"))]
        return [Reply(self.say("capabilities") + "\n\n" + self.say("talk_offer_human"))]

    # -- pending choices --------------------------------------------------------------------------------------

    def typed_answer(self, text: str) -> str | None:
        """The button she meant by typing `text`, if a choice is pending and the text answers it."""
        choice = self.state.get("choice")
        if not choice or not text:
            return None
        options = [(i, t) for i, t in choice.get("options", [])]
        return typed_choice(text, options, choice.get("numbered"))

    def asked_since(self) -> bool:
        """Whether a choice is waiting that asks something (a confirmation, the language), not only an answer's
        👍/👎: put to her after whatever question came before it, it takes her typed answer first."""
        options = (self.state.get("choice") or {}).get("options") or []
        return any(not str(i).startswith("vote:") for i, _ in options)

    def number_out_of_range(self, text: str) -> list[Reply] | None:
        """A number typed for the pending question that names none of its buttons ("5" to a yes or no): its
        buttons listed with their numbers, and the choice kept as it was (None when `text` is no such number)."""
        choice = self.state.get("choice") or {}
        numbered = [i for i in choice.get("numbered") or [] if not str(i).startswith("vote:")]
        number = typed_number(text)
        if len(numbered) < 2 or number is None or 1 <= number <= len(numbered):  # one button: "3" is not for it
            return None
        titles = {i: t for i, t in choice.get("options", [])}
        return self.number_reask([Button(i, titles.get(i, i)) for i in numbered])

    def number_reask(self, buttons: list[Button]) -> list[Reply]:
        """The re-ask of a question answered with a number it does not have: nothing she answered is lost."""
        listed = "\n".join(f"{n}. {b.title}" for n, b in enumerate(buttons, 1))
        self.chatted = self.kept_choice = True  # what was asked stays asked, what was said stays said
        return [Reply(self.say("choice_number_range", count=len(buttons)) + "\n" + listed, buttons)]

    def pending_vote(self, direction: str) -> str | None:
        """The pending choice's 👍 or 👎 button (`direction` "up" or "down"), if her last answer offers one."""
        choice = self.state.get("choice") or {}
        return next((i for i, _ in choice.get("options", []) if str(i).startswith(f"vote:{direction}:")), None)

    def open_choice(self) -> Reply | None:
        """The pending choice shown again (it stays open while she talks about something else)."""
        choice = self.state.get("choice") or {}
        if not choice.get("keep"):
            return None
        options = [(i, t) for i, t in choice["options"] if not str(i).startswith("vote:")]  # an earlier answer's
        if self.state.get("awaiting") == "consent" and any(str(i).startswith("consent:") for i, _ in options):
            asked = self.start_question()  # /start's question, in the language she writes in now
            reply = Reply(self.say("choice_still_open") + "\n\n" + asked.text, asked.buttons)
        else:
            prompt = choice.get("prompt") or ""
            text = self.say("choice_still_open") + ("\n\n" + prompt if prompt else "")
            reply = Reply(text, [Button(i, t) for i, t in options])
        self.reshown = reply
        return reply

    def remember(self, replies: list[Reply]) -> None:
        """Keep the buttons she was just offered as her pending choice, and what was last said to her."""
        own = [r for r in replies if r.to is None]
        if not own:
            return
        before = (self.state.get("choice"), self.state.get("last_said"))
        offered = offered_choice(own)
        if offered and before[0] and [r for r in own if r.buttons][-1] is getattr(self, "reshown", None):
            offered["prompt"] = before[0].get("prompt")  # the question shown again, not "still waiting" stacked
        if getattr(self, "kept_choice", False) or (offered is None and self.chatted and before[0]):
            offered = before[0]  # "ok", "no entiendo" offer no buttons: the vote she was shown stays hers to type
        self.state["choice"] = offered
        if self.chatted:
            if self.state.get("choice") != before[0]:
                self.save()
            return
        said = _SENTENCE.split(own[-1].text.strip(), maxsplit=1)[0]
        self.state["last_said"] = said if len(said) <= SIMPLE_MAX else said[:SIMPLE_MAX].rsplit(" ", 1)[0] + "…"
        if (self.state.get("choice"), self.state.get("last_said")) != before:
            self.save()
