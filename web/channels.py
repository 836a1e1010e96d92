"""The channels inside the HTTP server, on one `Channels` object built in the app's lifespan: the engine, the
relay (one set of per-user locks for every channel), the WhatsApp and Telegram adapters the settings enable,
their start and stop, and sending outside a conversation turn (staff replies, notifications). Voice notes
go through `VoiceNotes` with the runtime's transcriber, looked up at the first note (so the speech model
loads then, not at start-up), in `asr_workers` threads of their own.

The webhooks (`web.webhooks`) answer 200 at once and let the engine work in background tasks spawned here;
the tasks are drained on shutdown so no accepted message is dropped.
"""

from __future__ import annotations

import asyncio
import logging

import httpx
from starlette.concurrency import run_in_threadpool

from assistant import Assistant, AudioError, Engine, Reply, Runtime, Settings, Store, VoiceNotes
from bots.common import DEFAULT_ENGINE_WORKERS, Relay
from bots.whatsapp import WhatsAppChannel, WhatsAppClient
from bots.whatsapp_media import DEFAULT_MAX_BYTES, WhatsAppMedia

log = logging.getLogger(__name__)

CHAT_CHANNEL = "web"
PRUNE_EVERY_S = 6 * 3600


class RuntimeTranscriber:
    """The runtime's transcriber, looked up when a voice note comes (`Runtime.transcriber` builds the model
    on first use); "unavailable" while the runtime has none (MENTOR_ASR_MODEL=off, or a model that failed)."""

    name = "runtime"

    def __init__(self, runtime: Runtime) -> None:
        self.runtime = runtime

    @property
    def available(self) -> bool:
        return getattr(self.runtime, "transcriber", None) is not None

    def transcribe(self, audio: bytes, language: str | None = None, hint: str | None = None):
        transcriber = getattr(self.runtime, "transcriber", None)
        if transcriber is None:
            raise AudioError("speech recognition is off", "unavailable")
        return transcriber.transcribe(audio, language, hint=hint)


def voice_settings(settings: Settings) -> dict:
    """The speech settings a channel needs (read with defaults until every deployment has them)."""
    return {
        "max_seconds": float(getattr(settings, "asr_max_seconds", 120.0)),
        "max_bytes": int(getattr(settings, "asr_max_bytes", DEFAULT_MAX_BYTES)),
        "workers": int(getattr(settings, "asr_workers", 1)),
        "confirm_below": getattr(settings, "voice_confirm_confidence", None),
    }


class Channels:
    """The engine, the relay and whichever channels the settings enable."""

    def __init__(self, settings: Settings, assistant: Assistant, http: httpx.AsyncClient | None = None) -> None:
        self.settings = settings
        self.store: Store = assistant.store
        self.engine = Engine(assistant)
        voice = voice_settings(settings)
        self.voice = VoiceNotes(
            self.engine, RuntimeTranscriber(assistant.runtime), voice["max_seconds"], voice["confirm_below"]
        )
        engine_workers = int(getattr(settings, "engine_workers", DEFAULT_ENGINE_WORKERS))
        self.relay = Relay(self.engine, self.store, self.notify, self.voice, voice["workers"], engine_workers)
        self._own_http = http is None
        self.http = http or httpx.AsyncClient(timeout=httpx.Timeout(15.0, connect=5.0))
        self._tasks: set[asyncio.Task] = set()
        self.whatsapp = None
        self.telegram = None
        self._telegram_started = False
        self._pruner: asyncio.Task | None = None
        if settings.whatsapp_webhook_enabled:
            self.whatsapp = self._whatsapp(settings, voice["max_bytes"])
        if settings.telegram_token and settings.telegram_secret_token:
            self.telegram = self._telegram(settings, voice["max_bytes"])

    def _whatsapp(self, settings: Settings, max_bytes: int) -> WhatsAppChannel:
        if not (settings.whatsapp_token and settings.whatsapp_phone_number_id):
            log.warning("WhatsApp webhook on, but without MENTOR_WHATSAPP_TOKEN and _PHONE_NUMBER_ID replies fail")
        token = settings.whatsapp_token.get_secret_value() if settings.whatsapp_token else ""
        retries = {"attempts": settings.channel_send_attempts, "backoff_s": settings.channel_backoff_s}
        client = WhatsAppClient(
            self.http,
            token=token,
            phone_number_id=settings.whatsapp_phone_number_id or "",
            api_base=settings.whatsapp_api_base,
            **retries,
        )
        media = WhatsAppMedia(
            self.http, token=token, api_base=settings.whatsapp_api_base, max_bytes=max_bytes, **retries
        )
        return WhatsAppChannel(self.relay, client, self.store, media)

    def _telegram(self, settings: Settings, max_bytes: int):
        # python-telegram-bot is heavy and only needed when the Telegram webhook is configured.
        from bots.telegram import TelegramChannel, build_application

        application = build_application(
            self.engine,
            self.store,
            token=settings.telegram_token.get_secret_value(),
            api_base=settings.telegram_api_base,
            polling=False,
            attempts=settings.channel_send_attempts,
            backoff_s=settings.channel_backoff_s,
            max_voice_bytes=max_bytes,
        )
        channel: TelegramChannel = application.bot_data["channel"]
        channel.relay = self.relay  # one relay, one set of per-user locks, one voice pool
        return application

    # -- lifecycle ----------------------------------------------------------------------------------------------

    async def start(self) -> None:
        await self.start_telegram()
        self._pruner = asyncio.get_running_loop().create_task(self._prune_inbound_ids())

    async def _prune_inbound_ids(self) -> None:
        """Message ids are kept a week (Meta and Telegram redeliver for at most a few days), then dropped."""
        while True:
            try:
                removed = await run_in_threadpool(self.store.prune_inbound)
                if removed:
                    log.info("%d old inbound message ids pruned", removed)
            except Exception as exc:  # the database may be briefly away; try again next time
                log.warning("pruning inbound message ids failed: %s", exc)
            await asyncio.sleep(PRUNE_EVERY_S)

    async def start_telegram(self) -> bool:
        """Initialise the bot (it asks Telegram who it is); retried on the next update if Telegram is down."""
        if self.telegram is None:
            return False
        if not self._telegram_started:
            try:
                await self.telegram.initialize()
                await self.telegram.start()
            except Exception as exc:
                log.warning("Telegram bot not started yet (%s); will retry on the next update", exc)
                return False
            self._telegram_started = True
        return True

    def spawn(self, coroutine) -> asyncio.Task:
        task = asyncio.get_running_loop().create_task(coroutine)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        return task

    async def drain(self, timeout: float = 30.0) -> None:
        """Wait for the replies in flight (background tasks and Telegram's update queue)."""
        if self._tasks:
            await asyncio.wait(list(self._tasks), timeout=timeout)

    async def stop(self) -> None:
        if self._pruner is not None:
            self._pruner.cancel()
        await self.drain()
        await run_in_threadpool(self.relay.close)
        if self._telegram_started:
            await self.telegram.stop()
            await self.telegram.shutdown()
            self._telegram_started = False
        if self._own_http:
            await self.http.aclose()

    # -- sending outside a conversation turn (staff replies, notifications) ----------------------------------------

    async def notify(self, channel: str, external_id: str, reply: Reply) -> str:
        """A message for someone other than the sender (a pairing proposed to her). The web chat keeps it
        as a notice its page fetches."""
        if channel == CHAT_CHANNEL:
            await run_in_threadpool(self.store.add_message, channel, external_id, "notice", reply.text, reply.language)
            return "queued"
        return await self.send(channel, external_id, reply)

    async def send(self, channel: str, external_id: str, reply: Reply) -> str:
        """'sent', 'queued' (the web chat fetches it), 'failed' (recorded) or 'unreachable'."""
        return (await self.send_explained(channel, external_id, reply))[0]

    async def send_explained(self, channel: str, external_id: str, reply: Reply) -> tuple[str, str | None]:
        """`send`'s status, and why when it is 'failed' or 'unreachable' (for staff: no personal data)."""
        errors: list[str] = []
        if channel == "whatsapp" and self.whatsapp is not None:
            sent = await self.whatsapp.deliver(external_id, reply, errors)
            return ("sent", None) if sent else ("failed", errors[0] if errors else "WhatsApp refused it")
        if channel == "telegram" and self.telegram is not None and await self.start_telegram():
            sent = await self.telegram.bot_data["channel"].deliver(self.telegram.bot, external_id, reply, errors)
            return ("sent", None) if sent else ("failed", errors[0] if errors else "Telegram refused it")
        if channel == CHAT_CHANNEL:
            return "queued", None
        return "unreachable", self.unreachable_reason(channel)

    def unreachable_reason(self, channel: str) -> str:
        if channel == "whatsapp":
            return (
                "WhatsApp is not set up on this server (MENTOR_WHATSAPP_APP_SECRET, _VERIFY_TOKEN, _TOKEN and "
                "_PHONE_NUMBER_ID), so it cannot send her anything."
            )
        if channel == "telegram" and self.telegram is None:
            return "Telegram is not set up on this server (MENTOR_TELEGRAM_TOKEN and _SECRET_TOKEN)."
        if channel == "telegram":
            return "the bot cannot reach Telegram right now; try again in a few minutes."
        if channel == "terminal":
            return "she wrote from the terminal chat (mentor chat), which cannot receive a message afterwards."
        return f"the {channel!r} channel cannot receive a message after the conversation."
