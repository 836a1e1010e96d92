"""A voice note Whisper was unsure of, confirmed before it is answered: when its transcript would be answered
as a question (`Message.confirm_heard`, set by VoiceNotes under MENTOR_VOICE_CONFIRM_CONFIDENCE), she is first
asked whether that is what she said, with Yes/No buttons; "sí", "oui", "yep", "nop" typed are read against them
like any pending choice (choices.py). Yes answers the transcript as it would have been answered; No asks her
to type it or say it again; a new question instead is answered, and the transcript is dropped. An onboarding
answer or a pending choice spoken is taken as before (the engine reaches this only for a question).

The transcript waits in her conversation state (`state["heard"]`) while its buttons are her pending choice, as
a pending step does: in process memory before she consents, in her conversation row after, gone with /forget.
It is never logged. A mixin of the engine's turn (like `TalkTurn`).
"""

from __future__ import annotations

import logging

from assistant.conversation.types import Button, Reply
from assistant.storage import pseudonym

log = logging.getLogger(__name__)

HEARD = "heard"  # her state's key for the transcript waiting, and its buttons' kind ("heard:yes", "heard:no")


class HeardTurn:
    """Mixed into the engine's turn: uses its `state`, `save`, `say`, `lang`, `answer`, `stale`."""

    def confirm_heard(self, text: str) -> list[Reply]:
        """ "Is that what you said?" (after the echo VoiceNotes shows), the question kept until she answers."""
        self.state[HEARD] = {"text": text, "lang": self.lang, "choice": self.state.get("choice")}
        self.save()
        log.info("voice note from %s to be confirmed before it is answered", pseudonym(self.channel, self.user_id))
        buttons = [
            Button(f"{HEARD}:yes", self.say("button_heard_yes")),
            Button(f"{HEARD}:no", self.say("button_heard_no")),
        ]
        return [Reply(self.say("voice_confirm"), buttons)]

    def on_heard_button(self, value: str) -> list[Reply]:
        """Her yes (the transcript answered, in the language it was heard in) or no (asked to type or say it again)."""
        heard = self.state.pop(HEARD, None)
        if not heard or value not in ("yes", "no"):
            return self.stale()
        self.state["choice"] = heard.get("choice")  # what was waiting before the note waits again
        if value == "no":
            pending = self.open_choice()
            return [Reply(self.say("voice_retype")), pending] if pending else [Reply(self.say("voice_retype"))]
        if not self.chosen_language() and heard.get("lang"):
            self.lang = heard["lang"]
        return self.answer(heard["text"])

    def settle_heard(self) -> None:
        """A transcript whose Yes/No is no longer her pending choice (she asked something else, sent /forget...)
        is dropped from her state."""
        if HEARD not in self.state:
            return
        options = (self.state.get("choice") or {}).get("options") or []
        if not any(str(i).startswith(f"{HEARD}:") for i, _ in options):
            del self.state[HEARD]
            self.save()
