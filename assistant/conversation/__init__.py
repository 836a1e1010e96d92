"""The channel-independent conversation engine: `Engine(assistant).handle(Message) -> list[Reply]`, and
`VoiceNotes` for a voice note (transcribed, then handled as typed text)."""

from assistant.conversation.engine import COMMANDS, Engine
from assistant.conversation.onboarding_turn import language_buttons
from assistant.conversation.types import Button, Message, Reply, VoiceRef
from assistant.conversation.voice import VoiceNotes

__all__ = ["COMMANDS", "Button", "Engine", "Message", "Reply", "VoiceNotes", "VoiceRef", "language_buttons"]
