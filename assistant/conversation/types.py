"""What a channel hands the engine (`Message`) and what it gets back (`Reply`, with `Button`s)."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True)
class Message:
    """One inbound message. `button_id` is set when she pressed a button (then `text` may be empty);
    `media` when she sent something other than text (a voice note, a photo), which is not understood yet."""

    channel: str
    user_id: str
    text: str
    message_id: str
    language_hint: str | None = None  # the channel's idea of her language (a Telegram client locale)
    button_id: str | None = None
    media: str | None = None  # what she sent instead of text ("audio", "image", "location", ...)


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
