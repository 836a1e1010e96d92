"""Questions in the chat: what she asks is answered from the guides (a resource she names, else the best
passage, cited), with 👍/👎 to vote on it, and her pending choice shown again after it.

A mixin of the engine's turn (like `TalkTurn`): it reads and writes the turn's state and language through
`self`. Typed questions, edited ones (edits.py) and voice notes she confirmed (voice_confirm.py) come here.
"""

from __future__ import annotations

import logging

from assistant.conversation.edits import QUESTION
from assistant.conversation.numbered import typed_number
from assistant.conversation.types import Button, Reply
from assistant.errors import InputError
from assistant.phrases import phrase
from assistant.storage import pseudonym

log = logging.getLogger(__name__)


class QuestionTurn:
    """Mixed into the engine's turn: uses its `engine`, `message`, `state`, `lang`, `say`, `save`."""

    def answer(self, text: str) -> list[Reply]:
        """Her question answered: the resource she names ("where can I download the ... checklist?"), else the
        guides' answer; then the choice still waiting for her, if one is."""
        named = self.named_resource(text)
        if named:
            return named
        replies = self.question(text)
        pending = self.open_choice()
        return [*replies, pending] if pending else replies

    def question(self, text: str) -> list[Reply]:
        if typed_number(text) is not None:  # "option 2", "le 2", "la segunda" with no choice waiting: no passages
            return [Reply(self.say("lone_number", number=text.strip()))]
        try:
            answer = self.engine.assistant.ask(
                text, self.chosen_language(), channel=self.channel, user_id=self.user_id, preferred=self.lang
            )
        except InputError as exc:
            return [Reply(str(exc))]
        log.debug("question from %s answered in %s", pseudonym(self.channel, self.user_id), answer.language)
        if not self.message.edited:
            self.note_source(QUESTION)
        # Until she chooses a language, the one she asks in tells which to speak to her in, and what follows it
        # (/start after a Spanish question greets in Spanish, though her first message was French).
        if not self.chosen_language() and self.state.get("lang") != answer.language:
            self.lang = self.state["lang"] = answer.language
            self.save()
        body = answer.full_text
        if answer.citations:
            sources = "\n".join(f"[{c.n}] {c.title}" for c in answer.citations)
            body += f"\n\n{phrase('sources_heading', answer.language)}\n{sources}"
        buttons = []
        if answer.id:
            buttons = [
                Button(f"vote:up:{answer.id}", phrase("button_vote_up", answer.language)),
                Button(f"vote:down:{answer.id}", phrase("button_vote_down", answer.language)),
            ]
        return [Reply(body, buttons, answer.language)]
