"""The channel-independent conversation engine: `Engine(assistant).handle(Message) -> list[Reply]`."""

from assistant.conversation.engine import COMMANDS, Engine
from assistant.conversation.onboarding_turn import language_buttons
from assistant.conversation.types import Button, Message, Reply

__all__ = ["COMMANDS", "Button", "Engine", "Message", "Reply", "language_buttons"]
