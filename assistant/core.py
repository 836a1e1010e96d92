"""The `Assistant`: the one object channels talk to for questions, built on a `Runtime`.

`ask()` is a whole exchange: the user's recent turns (from storage), the answer, and what is kept of it:
the answer for feedback and statistics, the turn for the next follow-up. Channels (CLI, HTTP API, and
later the bots) turn their payload into a call here and render the `Answer`.
"""

from __future__ import annotations

import logging

from assistant.answering.service import Answerer
from assistant.answering.types import Answer
from assistant.memory import Turn
from assistant.runtime import Runtime
from assistant.storage import pseudonym

log = logging.getLogger(__name__)


class Assistant:
    def __init__(self, runtime: Runtime, answerer: Answerer | None = None) -> None:
        self.runtime = runtime
        self.store = runtime.store
        self.answerer = answerer or Answerer(runtime)

    def ask(
        self,
        question: str,
        language: str | None = None,
        channel: str = "api",
        user_id: str | None = None,
        preferred: str | None = None,
    ) -> Answer:
        """Answer `question` for `user_id` on `channel` (anonymous when None) and keep the exchange."""
        participant = self.store.participant(channel, user_id) if user_id else None
        consented = participant if participant is not None and participant.consent else None
        history = self.store.history(channel, user_id) if user_id else []
        preferred = (consented.preferred_language if consented else None) or preferred
        answer = self.answerer.answer(question, language=language, preferred=preferred, history=history)
        answer.id = self.store.record_answer(answer, channel, consented.id if consented else None)
        if user_id:
            self.store.add_turn(channel, user_id, Turn(answer.question, answer.language, answer.text), answer.id)
            log.debug("answered user %s on %s", pseudonym(channel, user_id), channel)
        return answer

    def feedback(self, answer_id: str, vote: str | int, comment: str | None = None, reason: str | None = None) -> int:
        value = {"up": 1, "down": -1}.get(vote, vote) if isinstance(vote, str) else vote
        return self.store.add_feedback(answer_id, value, (comment or "").strip() or None, reason)
