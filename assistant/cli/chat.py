"""`mentor chat`: the conversation engine in the terminal, with numbered buttons instead of taps."""

from __future__ import annotations

import itertools
import logging
from typing import Annotated

import typer

from assistant.cli.context import ExitOnError, language_option, make_assistant, out
from assistant.errors import AssistantError
from assistant.phrases import phrase

QUIT_WORDS = {"/quit", "/exit", "quit", "exit"}


def chat(
    ctx: typer.Context,
    lang: Annotated[str | None, typer.Option("--lang", callback=language_option, help="Preferred language.")] = None,
    user: Annotated[
        str, typer.Option("--user", help="Who you are to the assistant (its memory is per user).")
    ] = "local",
) -> None:
    """The conversation engine in the terminal, as on Telegram and WhatsApp: questions, /start, /help...
    Buttons are numbered: type the number to press one."""
    # Lazy: the conversation engine pulls in LangChain and scipy, kept off the `mentor --help` path.
    from assistant.conversation import Engine, Message

    root = logging.getLogger()
    if root.level > logging.DEBUG:  # a conversation, not a server: INFO lines (migrations, consent) would interleave
        root.setLevel(logging.WARNING)
    with ExitOnError():
        assistant = make_assistant(ctx)
        _ = assistant.runtime.index  # load before the first prompt, so errors show at once
    engine = Engine(assistant)
    preferred = lang or "en"
    out.print(f"{phrase('greeting', preferred)} {phrase('chat_help', preferred)}", highlight=False)
    buttons: list = []
    for turn in itertools.count(1):
        try:
            text = input("> ")
        except (EOFError, KeyboardInterrupt):
            out.print()
            break
        if text.strip().lower() in QUIT_WORDS:
            break
        choice = text.strip()
        pressed = buttons[int(choice) - 1] if choice.isdigit() and 0 < int(choice) <= len(buttons) else None
        message = Message(
            channel="terminal", user_id=user, text=pressed.title if pressed else text, message_id=str(turn),
            language_hint=preferred, button_id=pressed.id if pressed else None,
        )  # fmt: skip
        try:
            replies = engine.handle(message)
        except AssistantError as exc:
            out.print(str(exc), highlight=False, markup=False)
            continue
        buttons = _print_replies(replies)
        out.print()


def _print_replies(replies: list) -> list:
    """Prints the replies meant for this user (and a count of the others); returns their buttons, in order."""
    for_others = [r for r in replies if r.to is not None]
    replies = [r for r in replies if r.to is None]
    if for_others:
        out.print(f"({len(for_others)} message(s) sent to another participant)", style="dim", highlight=False)
    number = itertools.count(1)
    for reply in replies:
        out.print(reply.text, highlight=False, markup=False)
        if reply.buttons:
            out.print("   ".join(f"[{next(number)}] {b.title}" for b in reply.buttons), highlight=False, markup=False)
    return [b for r in replies for b in r.buttons]
