"""What a channel hands the engine (`Message`, with a `VoiceRef` for a voice note) and what it gets back
(`Reply`, with `Button`s)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

# NUL and the other C0 controls (and DEL) are taken out of what a channel hands the engine: a platform may
# deliver them, PostgreSQL cannot store NUL in text, and no reply needs them. Tab, LF and CR stay in text.
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_CONTROL_IN_TEXT = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


@dataclass(frozen=True, slots=True)
class VoiceRef:
    """A voice note as her channel names it, so the engine never knows the platform: an opaque `id` the
    channel's fetcher understands (a WhatsApp media id, a Telegram file_id) and what the payload says of it.
    The id fetches her audio: it is kept out of `repr` and never logged."""

    id: str = field(repr=False)
    mime_type: str | None = None
    duration_s: float | None = None  # when the payload says (Telegram does, WhatsApp does not)
    size: int | None = None  # bytes, when the payload says
    voice: bool = True  # recorded as a voice note, not an audio file she forwarded


@dataclass(frozen=True, slots=True)
class Message:
    """One inbound message. `button_id` is set when she pressed a button (then `text` may be empty);
    `edited` when she changed a message she had sent (the engine's `handle` corrects what it answered);
    `media` when she sent something other than text (a voice note, a photo); `voice` when that something
    is audio the channel can fetch (`VoiceNotes` transcribes it; the engine alone answers "only text")."""

    channel: str
    user_id: str
    text: str
    message_id: str
    language_hint: str | None = None  # the channel's idea of her language (a Telegram client locale)
    button_id: str | None = None
    media: str | None = None  # what she sent instead of text ("audio", "image", "location", ...)
    voice: VoiceRef | None = None
    # Her message as the platform names it, the same when she edits it (Telegram's message_id; WhatsApp's
    # wamid, which is `message_id` already); None: `message_id` is that name.
    source_id: str | None = None
    edited: bool = False  # a new version of her message `source_id`, not a new message
    # A voice note's transcript Whisper was unsure of (VoiceNotes sets it): read as a question, it is shown to her
    # to confirm before it is answered (voice_confirm.py).
    confirm_heard: bool = False

    def __post_init__(self) -> None:
        """Control characters stripped, the same on every channel and every database."""
        object.__setattr__(self, "text", _CONTROL_IN_TEXT.sub("", self.text or ""))
        for name in ("user_id", "message_id", "button_id", "language_hint"):
            value = getattr(self, name)
            if isinstance(value, str) and _CONTROL.search(value):
                object.__setattr__(self, name, _CONTROL.sub("", value))


@dataclass(frozen=True, slots=True)
class Button:
    id: str  # what comes back as `Message.button_id` when it is pressed
    title: str


@dataclass(frozen=True, slots=True)
class Reply:
    """One outbound message; each channel renders the buttons its own way (inline keyboard, list...)."""

    text: str
    buttons: list[Button] = field(default_factory=list)
    language: str | None = None  # the language it is written in (the engine fills it in)
    to: tuple[str, str] | None = None  # (channel, user id) of someone else: a notification, not an answer
    # WhatsApp outside the 24-hour window: an approved template {"name", "language", "parameters": [texts]}
    # is sent instead of the text (other channels send the text).
    template: dict | None = None
    # She was just forgotten (/forget): a channel that gave her an id of its own (the web chat's cookie) gives
    # her a new one, so nothing she sends next is tied to what was deleted.
    forgotten: bool = False

    @property
    def answer_id(self) -> str | None:
        """The answer this reply carries (its vote buttons name it), or None."""
        for button in self.buttons:
            kind, _, rest = button.id.partition(":")
            if kind == "vote" and rest.partition(":")[2]:
                return rest.partition(":")[2]
        return None
