"""The conversation engine: one `Message` in, the `Reply`s to send back out, whatever the channel.

Commands (`/start`, `/help`, `/lang`, `/profile`, `/human`, `/forget`, ...) and their buttons are handled
here; free text is either the answer to the current onboarding question or a question for the
`Assistant`. Everything said comes from `phrases.yaml`, in her language.

State (chosen language, onboarding step and answers, a pending confirmation) lives in this process only
until she consents; from consent on it is kept in her conversation row through the store, so onboarding
resumes after a restart. Messages from one user are handled one at a time (a lock per user).
"""

from __future__ import annotations

import logging
import threading
from dataclasses import replace

from assistant.config import SUPPORTED_LANGUAGES
from assistant.conversation.edits import EditTurn
from assistant.conversation.feedback import FeedbackTurn, awaiting_feedback
from assistant.conversation.matching import MatchTurn
from assistant.conversation.onboarding import (
    fold,
    is_cancel,
)
from assistant.conversation.onboarding_turn import OnboardingTurn, language_buttons
from assistant.conversation.pathways import PathwayTurn
from assistant.conversation.profile import ProfileTurn
from assistant.conversation.questions import QuestionTurn
from assistant.conversation.requests import (
    asks_for_help,
    asks_for_language,
    asks_to_forget,
    asks_to_join,
    says_thumbs_down,
)
from assistant.conversation.smalltalk import classify
from assistant.conversation.talk import TalkTurn, offered_choice
from assistant.conversation.types import Button, Message, Reply
from assistant.conversation.voice_confirm import HeardTurn
from assistant.core import Assistant
from assistant.phrases import phrase
from assistant.storage.store import ParticipantInfo
from assistant.storage.volatile import BoundedLRU

log = logging.getLogger(__name__)

COMMANDS: tuple[str, ...] = (
    "/start",
    "/help",
    "/lang",
    "/profile",
    "/match",
    "/pathway",
    "/resources",
    "/human",
    "/forget",
    "/cancel",
)
VOLATILE_STATES = 10_000  # people without consent whose state this process remembers (least recent go)
LOCK_STRIPES = 64


class Engine:
    def __init__(self, assistant: Assistant) -> None:
        self.assistant = assistant
        self.store = assistant.store
        # (channel, user id) -> her state until she consents; a dict, replaced whole on each save.
        self._volatile: BoundedLRU[tuple[str, str], dict] = BoundedLRU(VOLATILE_STATES)
        self._locks = [threading.Lock() for _ in range(LOCK_STRIPES)]

    # -- entry point ------------------------------------------------------------------------------------

    def handle(self, message: Message) -> list[Reply]:
        key = (message.channel, message.user_id)
        with self._locks[hash(key) % LOCK_STRIPES]:
            turn = _Turn(self, message)
            replies = turn.run()
        for reply in replies:  # after her lock is released: two women inviting each other never deadlock
            if reply.to is not None and reply.buttons:
                self.offer(reply.to, reply)
        return [r if r.language else replace(r, language=turn.lang) for r in replies]

    def offer(self, to: tuple[str, str], reply: Reply) -> None:
        """Someone else was sent buttons (an introduction to accept): her typed answer is read against them."""
        channel, user_id = to
        with self._locks[hash(to) % LOCK_STRIPES]:
            state, _ = self.load_state(channel, user_id)
            state["choice"] = offered_choice([reply])
            self.save_state(channel, user_id, state)

    # -- state: process memory before consent, the conversation row after --------------------------------

    def load_state(self, channel: str, user_id: str) -> tuple[dict, bool]:
        """(state, consented)."""
        saved = self.store.conversation_state(channel, user_id)
        if saved is not None:
            return saved, True
        return dict(self._volatile.get((channel, user_id), {})), False

    def save_state(self, channel: str, user_id: str, state: dict) -> None:
        if self.store.save_conversation_state(channel, user_id, state):
            self.drop_volatile(channel, user_id)
            return
        self._volatile.put((channel, user_id), dict(state))

    def drop_volatile(self, channel: str, user_id: str) -> None:
        self._volatile.pop((channel, user_id))

    def carry_language(self, channel: str, old: str, new: str) -> None:
        """Her language after /forget, moved from the id that was forgotten to the new one her channel gave."""
        kept = self._volatile.pop((channel, old)) or {}
        if kept.get("lang"):
            self.keep_language(channel, new, kept["lang"], bool(kept.get("lang_chosen")))

    def keep_language(self, channel: str, user_id: str, lang: str, chosen: bool) -> None:
        """After /forget, the language she was spoken to in, and nothing else, in process memory (as before
        consent): the reply to her next message is in her language, not the default's. A channel that gives her
        a new id after /forget (the web chat) carries it over to the new id."""
        if lang in SUPPORTED_LANGUAGES:
            self._volatile.put((channel, user_id), {"lang": lang, "lang_chosen": chosen})

    def known_language(self, channel: str, user_id: str) -> str | None:
        """The language she chose or her profile prefers; None while neither says (a channel's hint aside)."""
        participant = self.store.participant(channel, user_id)
        for candidate in (
            self.load_state(channel, user_id)[0].get("lang"),
            participant.preferred_language if participant else None,
        ):
            if candidate in SUPPORTED_LANGUAGES:
                return candidate
        return None


class _Turn(
    OnboardingTurn, ProfileTurn, MatchTurn, PathwayTurn, TalkTurn, EditTurn, FeedbackTurn, QuestionTurn, HeardTurn
):
    """The handling of one message: her state, language and consent, loaded once."""

    def __init__(self, engine: Engine, message: Message) -> None:
        self.engine = engine
        self.store = engine.store
        self.message = message
        self.channel, self.user_id = message.channel, message.user_id
        self.participant: ParticipantInfo | None = self.store.participant(self.channel, self.user_id)
        self.state, self.consented = engine.load_state(self.channel, self.user_id)
        self.lang = self._language()
        self.forgotten = False  # her data was deleted in this turn: nothing more is saved
        self.chatted = False  # this turn was small talk: what was last said to her stays as it was

    def _language(self) -> str:
        hint = self.message.language_hint
        hint = hint.split("-")[0].lower() if hint else None
        for candidate in (
            self.state.get("lang"),
            self.participant.preferred_language if self.participant else None,
            hint,
        ):
            if candidate in SUPPORTED_LANGUAGES:
                return candidate
        return "en"

    def chosen_language(self) -> str | None:
        """The language she chose (a button, /lang, or the one her profile keeps): every answer is in it,
        whatever words of another language her message mixes in ("necesito un loan para mi business")."""
        profile = self.participant.preferred_language if self.consented and self.participant else None
        return self.lang if self.state.get("lang_chosen") or profile else None

    def say(self, key: str, **values: object) -> str:
        return phrase(key, self.lang, **values)

    def save(self) -> None:
        self.engine.save_state(self.channel, self.user_id, self.state)

    # -- dispatch -----------------------------------------------------------------------------------------

    def run(self) -> list[Reply]:
        replies = self.dispatch()
        if not self.forgotten:
            self.remember(replies)
            self.settle_heard()
        return replies

    def dispatch(self) -> list[Reply]:
        button = self.message.button_id
        text = (self.message.text or "").strip()
        if self.message.edited:
            return self.on_edit(text)
        if self.message.media and not button:
            return [Reply(self.say("only_text"))]
        if button:
            return self.on_button(button, text)
        if is_cancel(text):
            return self.cancel()
        if text.startswith("/"):
            return self.on_command(text)
        if text and self.consented and self.store.handed_to_staff(self.channel, self.user_id):
            return self.for_staff(text)
        if asks_to_forget(text):  # "pls delete all my data": /forget, which asks her to confirm
            return self.on_command("/forget")
        if code := asks_for_language(text) or self.language_picked(text):  # "parle-moi en français stp": /lang
            return self.set_language(code)
        talk = classify(text)
        if code := asks_for_help(talk.rest or text, self.lang):  # "what can you do?", "ayuda": /help
            self.follow_language(code)
            pending = self.ask_step() if self.state.get("step") else self.open_choice()
            return [Reply(self.say("help")), *([pending] if pending else [])]
        if self.state.get("step"):
            return self.on_step_text(text, talk)
        if awaiting_feedback(self.state) and text:  # a reason or a comment for her thumbs-down
            return self.on_feedback_text(text)
        complaint = talk.complaint or says_thumbs_down(text)
        picked = self.typed_answer(text) or (self.pending_vote("down") if complaint else None)
        if picked:  # a button's label typed, or "no me sirvió" while the answer's 👎 is there to press
            self.follow_language(talk.language)  # "sí" to /start's English question: she is answered in Spanish
            return self.on_button(picked, text)
        if reask := self.number_out_of_range(text):  # "5" to a yes or no: the numbers it has, nothing lost
            return reask
        if self.state.get("awaiting") == "diagnostic" and text and self.consented:
            return self.on_diag_answer(text)
        if str(self.state.get("awaiting") or "").startswith("nudge_comment:") and text and self.consented:
            return self.on_nudge_comment(text)
        if not text:
            return [Reply(self.say("empty_question"))]
        if code := asks_to_join(talk.rest or text, self.lang):  # "quiero inscribirme": /start, pointed to
            self.follow_language(code)
            return self.start() if self.consented else [Reply(self.say("join_with_start"))]
        if talk.kind or complaint:  # a complaint with no answer to vote on: what she needs, asked kindly
            return self.chat(talk.kind or "confusion", talk.language)
        if not any(c.isalnum() for c in text):  # "👎", "😢", "...": nothing the guides could be asked
            self.chatted = True
            return self.with_next(self.say("no_words"))
        if self.message.confirm_heard:  # a voice note Whisper was unsure of: she says whether it heard right first
            return self.confirm_heard(talk.rest or text)
        return self.answer(talk.rest or text)

    def for_staff(self, text: str) -> list[Reply]:
        """A person from the team has this conversation: her messages wait for them (an onboarding resumes when
        handed back); a typed answer to the buttons just shown (/forget's confirmation) is still hers."""
        if picked := self.typed_answer(text):
            return self.on_button(picked, text)
        self.store.add_message(self.channel, self.user_id, "user", text, self.lang)
        return [Reply(self.say("human_relayed"))]

    def chat(self, kind: str, language: str | None) -> list[Reply]:
        """Small talk, in her chosen language, or the one the small talk itself is in when she chose none (her
        "muchas gracias" is answered in Spanish, whatever an earlier message was taken to be in)."""
        self.follow_language(language)
        self.chatted = True
        return self.small_talk(kind)

    def stale(self) -> list[Reply]:
        return self.with_next(self.say("stale_button"))

    def on_button(self, button: str, text: str) -> list[Reply]:
        kind, _, value = button.partition(":")
        if kind == "lang" and value in SUPPORTED_LANGUAGES:
            return self.set_language(value)
        if kind == "consent" and value in ("yes", "no"):
            return self.consent(value == "yes")
        if kind == "vote":
            direction, _, answer_id = value.partition(":")
            if direction in ("up", "down") and answer_id:
                return self.vote(answer_id, direction)
        if kind == "why":
            return self.on_why_button(value)
        if kind == "forget" and value in ("confirm", "cancel"):
            if self.state.get("awaiting") != "forget":
                return self.stale()
            return self.forget(value == "confirm")
        if kind == "heard":
            return self.on_heard_button(value)
        if kind == "match":
            return self.on_match_button(value)
        if kind == "diag":
            if self.state.get("awaiting") != "diagnostic":
                return self.stale()
            return self.on_diag_answer(text, value)
        if kind == "path":
            return self.on_path_button(value)
        if kind == "res":
            return self.on_resource_button(value)
        if kind == "nudge":
            return self.on_nudge_button(value)
        if kind in ("stage", "modality", "tz"):
            if self.state.get("step") != {"tz": "timezone"}.get(kind, kind):
                return self.stale()
            return self.on_answer(text, button)
        return [Reply(self.say("unknown_button") + "\n\n" + self.say("help"))]

    def on_command(self, text: str) -> list[Reply]:
        head, _, rest = text.partition(" ")
        command = head.split("@", 1)[0].lower()  # Telegram sends /start@SomeBot in groups
        argument = rest.strip()
        if command == "/start":
            return self.start()
        if command == "/help":
            return [Reply(self.say("help"))]
        if command == "/lang":
            code = fold(argument)[:2] if argument else ""
            if code in SUPPORTED_LANGUAGES:
                return self.set_language(code)
            return [Reply(self.say("choose_language"), language_buttons())]
        if command == "/profile":
            return self.profile(fold(argument))
        if command == "/match":
            return self.match()
        if command == "/pathway":
            return self.pathway()
        if command == "/resources":
            return self.resources()
        if command == "/human":
            return self.human()
        if command == "/forget":
            self.state["awaiting"] = "forget"
            self.save()
            return [
                Reply(
                    self.say("forget_confirm"),
                    [
                        Button("forget:confirm", self.say("button_forget_confirm")),
                        Button("forget:cancel", self.say("button_forget_cancel")),
                    ],
                )
            ]
        return [Reply(self.say("unknown_command", command=command) + "\n\n" + self.say("help"))]

    def cancel(self) -> list[Reply]:
        if self.consented and self.store.handed_to_staff(self.channel, self.user_id):
            self.store.set_handed_to_staff(self.channel, self.user_id, handed=False)
            return [Reply(self.say("human_released"))]
        asked_last = self.state.get("awaiting") and self.asked_since()  # "cancelar" to /forget's question
        if self.state.get("step") and not asked_last:
            if self.state.get("mode") == "onboarding" and self.state.get("answers"):
                self.save_fields(self.state["answers"])  # what she answered is kept; /start asks the rest
            self.state.update(step=None, mode=None, answers={})
            self.save()
            return [Reply(self.say("onboarding_cancelled"))]
        if self.state.get("awaiting") or (self.state.get("choice") or {}).get("keep"):
            pending = self.state.get("awaiting")
            self.state.update(awaiting=None, choice=None)  # nothing left open catches her next message
            self.save()
            return self.and_step(Reply(self.say("forget_cancelled" if pending == "forget" else "cancelled")))
        return [Reply(self.say("nothing_to_cancel"))]

    # -- staff, forgetting ---------------------------------------------------------------------------------------

    def human(self) -> list[Reply]:
        if self.consented and self.store.set_handed_to_staff(self.channel, self.user_id):
            log.info("conversation handed to staff on %s", self.channel)
            return [Reply(self.say("human_handed", hours=self.engine.assistant.runtime.settings.human_reply_hours))]
        self.state["awaiting"] = "consent"
        self.save()
        reply = self.consent_question()
        return [Reply(self.say("human_needs_consent") + "\n\n" + reply.text, reply.buttons)]

    def forget(self, confirmed: bool) -> list[Reply]:
        if not confirmed:
            self.state["awaiting"] = None
            self.save()
            return self.and_step(Reply(self.say("forget_cancelled")))
        chosen = bool(self.chosen_language())
        self.store.forget(self.channel, self.user_id)
        self.engine.drop_volatile(self.channel, self.user_id)
        self.engine.keep_language(self.channel, self.user_id, self.lang, chosen)
        self.forgotten = True
        log.info("participant data deleted on request on %s", self.channel)
        return [Reply(self.say("forget_done"), forgotten=True)]
