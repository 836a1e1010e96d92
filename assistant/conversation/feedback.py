"""Votes on answers in the chat, and why a thumbs-down: a reason, then an optional comment.

👍 is thanked. 👎 is recorded at once, then she is offered the reasons (`FEEDBACK_REASONS`: not what she
asked, wrong, too long, in another language, other) as buttons; typing one works too (its label or its
number: "2", "el 2", "option 2"; a number it does not have lists them again). After a reason, one message of
comment is taken if she writes one. A message that is plainly a
question (it ends with "?", or it asks from its first word) is answered as a question instead, and closes
the choice. A comment that goes on to ask ("no entendí, ¿cómo hago un presupuesto?") is kept whole, and the
question in it is answered in the same turn, after the thanks. Small talk is
answered as small talk and never stored: "ok", "merci", "gracias", a typed 👍 mean she has nothing to add
(the reasons close, like "skip"), but an "ok" that finds fault ("no me sirvió", "not good") is a comment;
"I don't understand" keeps them open and says them again more simply.
Anything else typed while the reasons are offered is kept as the comment, with the reason "other".

Buttons: vote:<up|down>:<answer id>, why:<feedback id>:<reason|skip>.
State: awaiting = "feedback_reason:<feedback id>" or "feedback_comment:<feedback id>".
"""

from __future__ import annotations

from assistant.config import SUPPORTED_LANGUAGES
from assistant.conversation.choices import typed_label
from assistant.conversation.freetext import question_within
from assistant.conversation.numbered import typed_number
from assistant.conversation.onboarding import fold
from assistant.conversation.smalltalk import classify, normalise
from assistant.conversation.types import Button, Reply
from assistant.errors import InputError, NotFoundError
from assistant.phrases import phrase
from assistant.storage.answers import FEEDBACK_REASONS

# A word that finds fault: "ok" with one of these is what was wrong ("no me sirvió", "not good", "pas bien").
_FAULT = frozenset({"no", "not", "pas", "ne", "nada", "rien", "nothing", "never", "jamais", "nunca", "ni"})
REASON_PENDING = "feedback_reason:"
COMMENT_PENDING = "feedback_comment:"


def awaiting_feedback(state: dict) -> bool:
    return str(state.get("awaiting") or "").startswith((REASON_PENDING, COMMENT_PENDING))


def _finds_fault(text: str) -> bool:
    words = normalise(text).split()
    return len(words) > 1 and bool(_FAULT & {w.strip(".,;:!?") for w in words})


def _looks_like_a_question(text: str) -> bool:
    stripped = text.strip()
    return stripped.endswith("?") or stripped.startswith("¿")


class FeedbackTurn:
    """Mixed into the engine's turn (it provides state, say, save, store, engine, question, chat)."""

    def vote(self, answer_id: str, direction: str) -> list[Reply]:
        try:
            feedback_id = self.engine.assistant.feedback(answer_id, direction)
        except (NotFoundError, InputError):
            return [Reply(self.say("vote_unknown"))]
        if direction != "down":
            return [Reply(self.say("vote_thanks"))]
        self.state["awaiting"] = f"{REASON_PENDING}{feedback_id}"
        self.save()
        buttons = [Button(f"why:{feedback_id}:{r}", self.say(f"feedback_reason_{r}")) for r in FEEDBACK_REASONS]
        return [Reply(self.say("feedback_why"), buttons)]

    def on_why_button(self, value: str) -> list[Reply]:
        feedback_id, _, reason = value.partition(":")
        if not feedback_id.isdigit() or reason not in (*FEEDBACK_REASONS, "skip"):
            return [Reply(self.say("unknown_button"))]
        if reason == "skip":
            self._close_feedback()
            return [Reply(self.say("vote_thanks"))]
        return self._reason(int(feedback_id), reason)

    def on_feedback_text(self, text: str) -> list[Reply]:
        pending, _, feedback_id = str(self.state.get("awaiting")).partition(":")
        if not feedback_id.isdigit():
            self._close_feedback()
            return self.question(text)
        if typed_number(text) is not None:  # "2", "el 2", "option 3": the button shown with that number
            if picked := self.typed_answer(text):
                return self.on_button(picked, text)
            if reask := self.number_out_of_range(text):  # "9" of four reasons: kept open, not a comment
                return reask
        if pending + ":" == REASON_PENDING:
            typed = self._typed_reason(text)
            if typed is not None:
                return self._reason(int(feedback_id), typed)
        talk, asked = classify(text), question_within(text)
        if talk.kind == "confusion" and not asked:  # the reasons stay open, said again more simply
            return self.chat(talk.kind, talk.language)
        if talk.kind and not asked and not (talk.kind == "ack" and _finds_fault(text)):  # "ok", "merci", 👍
            self._close_feedback()
            return self.chat(talk.kind, talk.language)
        if asked == text.strip() or (asked is None and _looks_like_a_question(text)):  # a question, no comment
            self._close_feedback()
            return self.question(text)
        self._close_feedback()
        try:
            self.store.explain_feedback(
                int(feedback_id), reason="other" if pending + ":" == REASON_PENDING else None, comment=text
            )
        except NotFoundError:  # forgotten meanwhile
            return [Reply(self.say("vote_unknown"))]
        return [Reply(self.say("feedback_comment_saved")), *(self.question(asked) if asked else [])]

    # -- helpers ----------------------------------------------------------------------------------------

    def _reason(self, feedback_id: int, reason: str) -> list[Reply]:
        try:
            self.store.explain_feedback(feedback_id, reason=reason)
        except NotFoundError:
            self._close_feedback()
            return [Reply(self.say("vote_unknown"))]
        self.state["awaiting"] = f"{COMMENT_PENDING}{feedback_id}"
        self.save()
        skip = Button(f"why:{feedback_id}:skip", self.say("button_feedback_skip"))
        return [Reply(self.say("feedback_ask_comment"), [skip])]

    def _typed_reason(self, text: str) -> str | None:
        """A reason typed as its label (any of the three languages); its number is the pending choice's."""
        typed = fold(text)
        for reason in FEEDBACK_REASONS:
            labels = {fold(phrase(f"feedback_reason_{reason}", lang)) for lang in SUPPORTED_LANGUAGES}
            if typed in labels:
                return reason
        return typed_label(text, [(r, self.say(f"feedback_reason_{r}")) for r in FEEDBACK_REASONS])  # "muy largo"

    def _close_feedback(self) -> None:
        if awaiting_feedback(self.state):
            self.state["awaiting"] = None
            self.state["choice"] = None  # the reasons' buttons are not offered again
            self.save()
