"""Telegram, with python-telegram-bot (v22).

`build_application` wires every handler; each one only turns the update into a `Message` and lets the
`Relay` take it to the engine. A voice note or an audio file carries a `VoiceRef` (its file_id); its bytes
come through `getFile` and the file download (`TelegramChannel.fetch`, bounded by the size). Replies are
rendered as messages of at most 4,096 UTF-16 units, the buttons as an inline keyboard under the last part.
The same application runs with long polling (`mentor telegram`, for development) or, in production, inside
the HTTP server behind `/webhooks/telegram` (`web/webhooks/telegram.py`), which checks Telegram's
secret-token header before handing it an update.
"""

from __future__ import annotations

import asyncio
import logging
import re
from datetime import timedelta

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.error import BadRequest, NetworkError, RetryAfter, TelegramError, TimedOut
from telegram.ext import (
    Application,
    ApplicationBuilder,
    CallbackQueryHandler,
    ContextTypes,
    MessageHandler,
    filters,
)
from tenacity import AsyncRetrying, retry_if_exception, stop_after_attempt, wait_random_exponential

from assistant import AudioError, Engine, Message, Reply, Store, VoiceNotes, VoiceRef, pseudonym
from bots.common import DEFAULT_ENGINE_WORKERS, FetchError, Relay, split_message

log = logging.getLogger(__name__)

CHANNEL = "telegram"
TELEGRAM_API_BASE = "https://api.telegram.org"
TEXT_LIMIT = 4096
BUTTONS_PER_ROW = 2
MAX_VOICE_BYTES = 10_000_000  # MENTOR_ASR_MAX_BYTES in the server; the Bot API serves 20 MB at most
VOICE = (("voice", filters.VOICE), ("audio", filters.AUDIO))
MEDIA = (
    ("image", filters.PHOTO), ("sticker", filters.Sticker.ALL),
    ("video", filters.VIDEO | filters.VIDEO_NOTE), ("document", filters.Document.ALL),
    ("location", filters.LOCATION | filters.VENUE), ("contacts", filters.CONTACT),
)  # fmt: skip


def unreadable(data: dict, exc: Exception | None = None) -> str:
    """Why an update could not be read, for the log: its kind and the missing field, never a value in it
    (an update carries her name, her words). `exc` is what the library raised reading it, if it did."""
    kind = next((k for k in data if k != "update_id"), None)
    if kind is None:
        return "no content besides update_id"
    if not isinstance(data[kind], dict):
        return f"{kind} is not an object"
    if isinstance(exc, KeyError) and exc.args and isinstance(exc.args[0], str):
        return f"{kind}: missing field {exc.args[0]!r}"
    if isinstance(exc, TypeError) and (names := re.findall(r"'(\w+)'", str(exc).partition("argument")[2])):
        return f"{kind}: missing field {', '.join(repr(n) for n in names)}"
    if exc is None:
        return f"{kind}: missing field 'chat'"
    return f"{kind}: {type(exc).__name__}"


def keyboard(reply: Reply) -> InlineKeyboardMarkup | None:
    if not reply.buttons:
        return None
    # Short titles (languages, yes/no) go side by side; long ones get a row each.
    per_row = BUTTONS_PER_ROW if all(len(b.title) <= 16 for b in reply.buttons) else 1
    rows = [
        [InlineKeyboardButton(b.title, callback_data=b.id) for b in reply.buttons[i : i + per_row]]
        for i in range(0, len(reply.buttons), per_row)
    ]
    return InlineKeyboardMarkup(rows)


def _transient(exc: BaseException) -> bool:
    # BadRequest is a NetworkError subclass in python-telegram-bot, but sending it again cannot help.
    return isinstance(exc, RetryAfter | TimedOut) or (isinstance(exc, NetworkError) and not isinstance(exc, BadRequest))


class TelegramChannel:
    """Renders replies and sends them; records what still fails after the retries."""

    def __init__(
        self,
        relay: Relay,
        store: Store,
        attempts: int = 4,
        backoff_s: float = 0.5,
        max_voice_bytes: int = MAX_VOICE_BYTES,
    ) -> None:
        self.relay = relay
        self.store = store
        self.attempts = attempts
        self.max_voice_bytes = max_voice_bytes
        self._wait = wait_random_exponential(multiplier=backoff_s, max=20)

    def _backoff(self, state) -> float:
        exc = state.outcome.exception() if state.outcome else None
        if isinstance(exc, RetryAfter):
            # A timedelta kept privately since 22.2 (the public attribute warns that its type will change).
            wait = getattr(exc, "_retry_after", None)
            seconds = wait.total_seconds() if isinstance(wait, timedelta) else float(exc.retry_after)
            return min(seconds, 30.0)
        return self._wait(state)

    async def deliver(self, bot, chat_id: int | str, reply: Reply, errors: list[str] | None = None) -> bool:
        """Send `reply` (split, the keyboard under the last part); False when a part still failed after the
        retries (recorded, and Telegram's reason appended to `errors` when given)."""
        parts = split_message(reply.text, TEXT_LIMIT) or ["…"]
        for i, part in enumerate(parts):
            markup = keyboard(reply) if i == len(parts) - 1 else None
            try:
                async for attempt in AsyncRetrying(
                    retry=retry_if_exception(_transient),
                    wait=self._backoff,
                    stop=stop_after_attempt(self.attempts),
                    reraise=True,
                ):
                    with attempt:
                        await bot.send_message(chat_id=chat_id, text=part, reply_markup=markup)
            except TelegramError as exc:
                await asyncio.to_thread(self.store.record_failed_delivery, CHANNEL, str(chat_id), part, repr(exc))
                if errors is not None:
                    errors.append(f"Telegram refused it: {exc.message}")
                return False
        return True

    def _retrying(self) -> AsyncRetrying:
        return AsyncRetrying(
            retry=retry_if_exception(_transient),
            wait=self._backoff,
            stop=stop_after_attempt(self.attempts),
            reraise=True,
        )

    async def fetch(self, bot, ref: VoiceRef) -> bytes:
        """A voice note's bytes: `getFile`, then the download, retried like a send; bounded by the size the
        update and `getFile` declare, and by what arrives."""
        if ref.size is not None and ref.size > self.max_voice_bytes:
            raise AudioError(f"a {ref.size}-byte note, over {self.max_voice_bytes}", "too_large")
        try:
            async for attempt in self._retrying():
                with attempt:
                    file = await bot.get_file(ref.id)
                    if file.file_size is not None and file.file_size > self.max_voice_bytes:
                        raise AudioError(f"a {file.file_size}-byte note, over {self.max_voice_bytes}", "too_large")
                    data = await file.download_as_bytearray()
        except TelegramError as exc:
            raise FetchError(f"{type(exc).__name__}: {exc.message}") from None
        if len(data) > self.max_voice_bytes:
            raise AudioError(f"a {len(data)}-byte download, over {self.max_voice_bytes}", "too_large")
        return bytes(data)

    async def dispatch(self, update: Update, context: ContextTypes.DEFAULT_TYPE, message: Message) -> None:
        chat_id = update.effective_chat.id  # the handlers let only updates with a chat through
        bot = context.bot
        await self.relay.handle(
            message, lambda reply: self.deliver(bot, chat_id, reply), lambda ref: self.fetch(bot, ref)
        )

    # -- handlers: small, they only build the Message ---------------------------------------------------------

    @staticmethod
    def _base(update: Update) -> dict:
        user = update.effective_user
        return {
            "channel": CHANNEL,
            "user_id": str(update.effective_chat.id),
            "message_id": str(update.update_id),
            "language_hint": user.language_code if user else None,
        }

    async def on_text(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Text and commands alike: the engine knows the commands (and answers unknown ones). An edited
        message (`edited_message`) is handed over as a new version of the one she sent."""
        message = update.effective_message
        await self.dispatch(
            update,
            context,
            Message(
                text=message.text or "",
                source_id=str(message.message_id),
                edited=update.edited_message is not None,
                **self._base(update),
            ),
        )

    async def on_button(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        query = update.callback_query
        await query.answer()  # stops the button's spinner
        if update.effective_chat is None:  # a button under an inline-mode message: no chat to answer in
            log.info("Telegram callback %d without a message ignored", update.update_id)
            return
        try:  # a keyboard is used once: pressing it again would vote twice or re-run onboarding steps
            await query.edit_message_reply_markup(reply_markup=None)
        except TelegramError as exc:
            log.debug("could not remove a keyboard: %s", exc)
        await self.dispatch(update, context, Message(text="", button_id=query.data or "", **self._base(update)))

    def on_voice(self, kind: str):
        """A voice note (`voice`) or an audio file (`audio`): handed over with what fetches it."""

        async def handler(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
            audio = getattr(update.effective_message, kind)
            ref = VoiceRef(audio.file_id, audio.mime_type, _seconds(audio), audio.file_size, voice=kind == "voice")
            await self.dispatch(update, context, Message(text="", media=kind, voice=ref, **self._base(update)))

        return handler

    def on_media(self, kind: str):
        async def handler(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
            await self.dispatch(update, context, Message(text="", media=kind, **self._base(update)))

        return handler

    async def on_error(self, update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
        who = (
            pseudonym(CHANNEL, str(update.effective_chat.id))
            if isinstance(update, Update) and update.effective_chat
            else "?"
        )
        log.error("error while handling a Telegram update from %s: %r", who, context.error)


def build_application(
    engine: Engine,
    store: Store,
    *,
    token: str,
    api_base: str = TELEGRAM_API_BASE,
    polling: bool = True,
    concurrency: int = 16,
    attempts: int = 4,
    backoff_s: float = 0.5,
    transcriber=None,
    max_voice_seconds: float = 120.0,
    max_voice_bytes: int = MAX_VOICE_BYTES,
    voice_workers: int = 1,
    engine_workers: int = DEFAULT_ENGINE_WORKERS,
    voice_confirm_confidence: float | None = None,
) -> Application:
    """The bot: every handler wired. `polling=False` builds it without an updater, for the webhook. Voice
    notes are transcribed by `transcriber` (a `Transcriber`; None: she is asked to type); a question heard with
    less confidence than `voice_confirm_confidence` (None: the default) is confirmed with her first."""
    api_base = api_base.rstrip("/")
    builder = (
        ApplicationBuilder()
        .token(token)
        .base_url(f"{api_base}/bot")
        .base_file_url(f"{api_base}/file/bot")
        .concurrent_updates(concurrency)  # the engine runs in threads: one slow answer must not block others
    )
    if not polling:
        builder = builder.updater(None)
    application = builder.build()
    voice = VoiceNotes(engine, transcriber, max_voice_seconds, voice_confirm_confidence)
    relay = Relay(engine, store, voice=voice, voice_workers=voice_workers, engine_workers=engine_workers)
    channel = TelegramChannel(relay, store, attempts=attempts, backoff_s=backoff_s, max_voice_bytes=max_voice_bytes)
    application.bot_data["channel"] = channel
    private = filters.ChatType.PRIVATE
    application.add_handler(MessageHandler(private & filters.TEXT, channel.on_text))  # edited texts too
    private = private & ~filters.UpdateType.EDITED  # an edited photo or voice note is not a new one
    application.add_handler(CallbackQueryHandler(channel.on_button))
    for kind, voice_filter in VOICE:
        application.add_handler(MessageHandler(private & voice_filter, channel.on_voice(kind)))
    for kind, media_filter in MEDIA:
        application.add_handler(MessageHandler(private & media_filter, channel.on_media(kind)))
    application.add_error_handler(channel.on_error)

    async def notify(chat: str, chat_id: str, reply: Reply) -> None:
        """On its own (`mentor telegram`), the bot reaches other Telegram users only."""
        if chat == "telegram":
            await channel.deliver(application.bot, chat_id, reply)

    channel.relay.notify = notify
    return application


def _seconds(audio) -> float | None:
    """The duration Telegram gives, in seconds (a timedelta kept privately since 22.2, like retry_after)."""
    value = getattr(audio, "_duration", None)
    if isinstance(value, timedelta):
        return value.total_seconds()
    return float(value) if isinstance(value, int | float) else None
