"""Edited messages: when she corrects a message she sent, the answer it gave is corrected, and nothing else.

The engine notes which onboarding question each of her messages answered (`state["sources"]`, her last
few messages by the platform's id, which an edit keeps). An edit of such a message updates that field,
during the onboarding or after it; an edited question is answered once more, once; any other edit is
left alone. An edit is never read as the answer to the question asked now.
"""

from __future__ import annotations

import logging

from assistant.conversation.onboarding import PARSERS
from assistant.conversation.onboarding_turn import as_fields
from assistant.conversation.types import Reply

log = logging.getLogger("assistant.conversation.engine")

SOURCES_KEPT = 30  # her last messages whose edits are understood
QUESTION, ANSWERED_AGAIN = "question", "question-again"


class EditTurn:
    """Mixed into the engine's turn: uses its `message`, `state`, `save`, `say`, `participant`, ..."""

    def source(self) -> str:
        return self.message.source_id or self.message.message_id

    def note_source(self, what: str) -> None:
        """Remember what her current message was (a step's name, or QUESTION), for a later edit of it."""
        sources = dict(self.state.get("sources") or {})
        sources.pop(self.source(), None)
        sources[self.source()] = what
        self.state["sources"] = dict(list(sources.items())[-SOURCES_KEPT:])

    def on_edit(self, text: str) -> list[Reply]:
        what = (self.state.get("sources") or {}).get(self.source())
        if what == QUESTION and text:
            self.note_source(ANSWERED_AGAIN)
            self.save()
            return self.question(text)
        if what not in PARSERS or not self.consented or self.participant is None:
            log.debug("an edited message left alone")
            return []
        value = self.parse_step(what, text)
        if value is None:
            return [
                Reply(
                    self.say("edit_not_understood", field=self.say(f"field_{what}")) + " " + self.say(f"simple_{what}")
                )
            ]
        corrected = self.say("edit_corrected", field=self.say(f"field_{what}"), value=self.show_value(what, value))
        answers = self.state.get("answers") or {}
        if self.state.get("mode") == "onboarding" and what in answers:
            self.state["answers"] = {**answers, **as_fields(what, value)}
            self.save()
            return [Reply(corrected), self.ask_step()]
        self.save_fields(as_fields(what, value))
        log.info("a profile field corrected by an edited message on %s", self.channel)
        replies = [Reply(corrected)]
        if self.state.get("step"):
            replies.append(self.ask_step())
        return replies
