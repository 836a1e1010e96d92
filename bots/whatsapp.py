"""WhatsApp Cloud API: webhook payloads in, Graph API messages out.

- `verify_signature`: `X-Hub-Signature-256` is `sha256=` + the HMAC-SHA256 of the raw body keyed with the
  app secret; compared in constant time.
- `parse_webhook`: a webhook body → the `Message`s in it. Text and interactive replies (buttons, lists)
  become text or button presses; an audio message (a voice note or a forwarded file) carries a `VoiceRef`
  (its media id; `bots.whatsapp_media` fetches the bytes); images, stickers, locations, documents...
  become a `media` message (the engine answers politely that only text is understood). `parse_events` gives
  the reactions and failed-delivery statuses too (`bots.whatsapp_events`), in order. A message whose
  `timestamp` is older than the deduplication window (`DEDUP_WINDOW`, 7 days) is refused: its id may have
  been pruned, so a replayed delivery would otherwise be answered again.
- `WhatsAppClient`: renders a `Reply` as Graph API payloads (text split under 4,096 characters, at most 3
  reply buttons, a list beyond that, its row titles and descriptions cut at a word) and posts them with an
  injected `httpx.AsyncClient`, retrying 429 and 5xx with exponential backoff and jitter (tenacity).
- `WhatsAppChannel`: ties them to the `Relay`; a reply that still fails is recorded in the database, and so
  is a `failed` status from Meta; the ids of the messages that carried an answer are kept, so that a 👍 or
  👎 reaction to one counts as her vote.
"""

from __future__ import annotations

import asyncio
import functools
import hashlib
import hmac
import logging
import time
from collections import OrderedDict
from dataclasses import dataclass

import httpx
from tenacity import AsyncRetrying, retry_if_exception, stop_after_attempt, wait_random_exponential

from assistant import DEDUP_WINDOW, Message, Reply, Store, VoiceRef, phrase, pseudonym
from bots.common import Relay, split_message
from bots.whatsapp_events import DeliveryFailure, Reaction, failures, reaction
from bots.whatsapp_media import WhatsAppMedia

log = logging.getLogger(__name__)

CHANNEL = "whatsapp"
GRAPH_API_BASE = "https://graph.facebook.com/v21.0"
TEXT_LIMIT = 4096  # characters in a text message body
INTERACTIVE_BODY_LIMIT = 1024  # characters in the body of a button or list message
MAX_REPLY_BUTTONS = 3
BUTTON_TITLE_LIMIT = 20
LIST_ROWS_LIMIT = 10
ROW_TITLE_LIMIT = 24
ROW_DESCRIPTION_LIMIT = 72
TEMPLATE_PARAMETER_LIMIT = 1024  # characters in one body parameter of a template message
MEDIA_TYPES = frozenset(
    {"audio", "voice", "image", "sticker", "video", "document", "location", "contacts", "order", "unsupported"}
)
# Calling codes whose country speaks one of our languages: a first guess before she chooses.
_CALLING_CODES = {
    "591": "es", "502": "es", "221": "fr", "229": "fr", "225": "fr", "250": "fr", "63": "en", "34": "es",
    "33": "fr", "52": "es", "57": "es", "51": "es", "44": "en",
}  # fmt: skip


def verify_signature(app_secret: str, body: bytes, header: str | None) -> bool:
    """True when `header` is `sha256=<hex HMAC-SHA256 of body keyed with app_secret>`."""
    if not app_secret or not header or not header.startswith("sha256="):
        return False
    expected = hmac.new(app_secret.encode(), body, hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected, header.removeprefix("sha256=").strip().lower())


def sign(app_secret: str, body: bytes) -> str:
    """The header Meta would send with `body` (for tests, benchmarks and local tools)."""
    return "sha256=" + hmac.new(app_secret.encode(), body, hashlib.sha256).hexdigest()


def language_from_number(number: str) -> str | None:
    digits = number.lstrip("+")
    for size in (3, 2):
        if digits[:size] in _CALLING_CODES:
            return _CALLING_CODES[digits[:size]]
    return None


def _message(raw: dict) -> Message | None:
    """One entry of `value.messages` → a `Message`, or None when it carries nothing to answer."""
    sender, message_id, kind = raw.get("from"), raw.get("id"), raw.get("type")
    if not isinstance(sender, str) or not sender or not isinstance(message_id, str) or not message_id:
        return None
    base = {"channel": CHANNEL, "user_id": sender, "message_id": message_id,
            "language_hint": language_from_number(sender)}  # fmt: skip
    if kind == "text":
        body = (raw.get("text") or {}).get("body") if isinstance(raw.get("text"), dict) else None
        if not isinstance(body, str) or not body.strip():
            return None
        return Message(text=body, **base)
    if kind == "interactive" and isinstance(raw.get("interactive"), dict):
        inner = raw["interactive"]
        choice = inner.get(inner.get("type") or "")  # button_reply or list_reply
        if isinstance(choice, dict) and isinstance(choice.get("id"), str) and choice["id"]:
            return Message(text=str(choice.get("title") or ""), button_id=choice["id"], **base)
        return None
    if kind == "button" and isinstance(raw.get("button"), dict):  # a quick reply under a template message
        button = raw["button"]
        payload, title = button.get("payload"), button.get("text")
        if isinstance(payload, str) and payload:
            return Message(text=str(title or ""), button_id=payload, **base)
        if isinstance(title, str) and title.strip():
            return Message(text=title, **base)
        return None
    if kind in ("audio", "voice"):
        return Message(text="", media=kind, voice=_voice_ref(raw.get(kind)), **base)
    if kind in MEDIA_TYPES:
        return Message(text="", media=kind, **base)
    return None  # reactions (see parse_events), system messages, shapes we do not know: nothing to answer


def _voice_ref(audio: object) -> VoiceRef | None:
    """`{"id", "mime_type", "sha256", "voice": true}` → a `VoiceRef`; None without a media id."""
    if not isinstance(audio, dict) or not isinstance(audio.get("id"), str) or not audio["id"]:
        return None
    mime = audio.get("mime_type")
    return VoiceRef(audio["id"], mime if isinstance(mime, str) else None, voice=audio.get("voice") is True)


def _too_old(raw: dict, oldest: float) -> bool:
    """True when the message says it was sent before `oldest` (Unix seconds). Meta always sends `timestamp`;
    a body without one cannot be a replay of a signed delivery that had it, so it is not refused."""
    stamp = raw.get("timestamp")
    try:
        return stamp is not None and float(stamp) < oldest
    except (TypeError, ValueError):
        return True  # not a time: nothing proves it recent


Event = Message | Reaction | DeliveryFailure


def parse_events(payload: object, now: float | None = None) -> list[Event]:
    """What a webhook body carries, in order: messages to answer, reactions, failed deliveries. Sent,
    delivered and read statuses, unknown shapes and messages older than the deduplication window give
    nothing. `now` (Unix seconds) is for tests."""
    if not isinstance(payload, dict) or payload.get("object") != "whatsapp_business_account":
        return []
    oldest = (time.time() if now is None else now) - DEDUP_WINDOW.total_seconds()
    events: list[Event] = []
    for entry in payload.get("entry") or []:
        if not isinstance(entry, dict):
            continue
        for change in entry.get("changes") or []:
            if not isinstance(change, dict) or change.get("field") != "messages":
                continue
            value = change.get("value")
            if not isinstance(value, dict):
                continue
            for raw in value.get("messages") or []:
                if not isinstance(raw, dict):
                    continue
                if _too_old(raw, oldest):
                    log.info("a WhatsApp message older than the %d-day deduplication window refused", DEDUP_WINDOW.days)
                    continue
                found = reaction(raw) if raw.get("type") == "reaction" else _message(raw)
                if found is not None:
                    events.append(found)
            events.extend(failures(value.get("statuses")))
    return events


def parse_webhook(payload: object, now: float | None = None) -> list[Message]:
    """The messages to answer in a webhook body, in order (see `parse_events`)."""
    return [e for e in parse_events(payload, now) if isinstance(e, Message)]


def _clip(text: str, limit: int) -> str:
    """`text` on one line, at most `limit` characters: cut after a whole word (unless that loses more than
    half), with an ellipsis."""
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    head = text[: limit - 1]
    space = head.rfind(" ")
    if space >= limit // 2:
        head = head[:space]
    return head.rstrip(" ,;:.-–") + "…"


def _graph_error(response: httpx.Response) -> str:
    """The Graph API's `{"error": {"code", "message"}}` as "(#code) message", else the body's start."""
    try:
        error = response.json().get("error")
    except ValueError:
        error = None
    if isinstance(error, dict) and error.get("message"):
        return f"({error.get('code', '?')}) {error['message']}"[:300]
    return response.text[:300]


class DeliveryError(Exception):
    """The Graph API refused a message, after the retries for the transient errors."""


class _Transient(Exception):
    def __init__(self, status: int, detail: str, retry_after: float | None = None) -> None:
        super().__init__(f"HTTP {status}: {detail}")
        self.retry_after = retry_after


class WhatsAppClient:
    """Sends `Reply`s to `{api_base}/{phone_number_id}/messages`."""

    def __init__(
        self,
        http: httpx.AsyncClient,
        *,
        token: str,
        phone_number_id: str,
        api_base: str = GRAPH_API_BASE,
        attempts: int = 5,
        backoff_s: float = 0.5,
        max_backoff_s: float = 20.0,
    ) -> None:
        self.http = http
        self.url = f"{api_base.rstrip('/')}/{phone_number_id}/messages"
        self.headers = {"Authorization": f"Bearer {token}"}
        self.attempts = attempts
        self._wait = wait_random_exponential(multiplier=backoff_s, max=max_backoff_s)
        self.max_backoff_s = max_backoff_s

    # -- rendering ------------------------------------------------------------------------------------

    def payloads(self, to: str, reply: Reply) -> list[dict]:
        """The Graph API messages that render `reply`: text parts, the last one carrying the buttons."""
        base = {"messaging_product": "whatsapp", "recipient_type": "individual", "to": to}
        if reply.template:  # outside the 24-hour window only an approved template may be sent
            template = reply.template
            parameters = [
                {"type": "text", "text": _clip(str(p), TEMPLATE_PARAMETER_LIMIT)}
                for p in template.get("parameters") or []
            ]
            body = {"name": template["name"], "language": {"code": template.get("language") or "en"}}
            if parameters:
                body["components"] = [{"type": "body", "parameters": parameters}]
            return [{**base, "type": "template", "template": body}]
        parts = split_message(reply.text, TEXT_LIMIT, len) or [""]
        if not reply.buttons:
            return [{**base, "type": "text", "text": {"body": part, "preview_url": False}} for part in parts]
        tail = split_message(parts.pop(), INTERACTIVE_BODY_LIMIT, len) or ["…"]
        parts.extend(tail[:-1])
        body = tail[-1]
        out = [{**base, "type": "text", "text": {"body": part, "preview_url": False}} for part in parts]
        buttons = reply.buttons
        fits = len(buttons) <= MAX_REPLY_BUTTONS and all(len(b.title) <= BUTTON_TITLE_LIMIT for b in buttons)
        if fits:
            action = {"buttons": [{"type": "reply", "reply": {"id": b.id, "title": b.title}} for b in buttons]}
            out.append({**base, "type": "interactive", "interactive": {"type": "button", "body": {"text": body},
                                                                       "action": action}})  # fmt: skip
            return out
        # More than 3 choices, or titles too long for buttons: a list (10 rows per message).
        label = _clip(phrase("button_menu", reply.language or "en"), BUTTON_TITLE_LIMIT)
        for start in range(0, len(buttons), LIST_ROWS_LIMIT):
            rows = []
            for b in buttons[start : start + LIST_ROWS_LIMIT]:
                row = {"id": b.id, "title": _clip(b.title, ROW_TITLE_LIMIT)}
                if len(" ".join(b.title.split())) > ROW_TITLE_LIMIT:  # the whole title, as far as it goes
                    row["description"] = _clip(b.title, ROW_DESCRIPTION_LIMIT)
                rows.append(row)
            action = {"button": label, "sections": [{"title": _clip(label, ROW_TITLE_LIMIT), "rows": rows}]}
            out.append({**base, "type": "interactive", "interactive": {"type": "list", "body": {"text": body},
                                                                       "action": action}})  # fmt: skip
            body = "…"
        return out

    # -- sending --------------------------------------------------------------------------------------

    def _backoff(self, state) -> float:
        exc = state.outcome.exception() if state.outcome else None
        if isinstance(exc, _Transient) and exc.retry_after is not None:
            return min(exc.retry_after, self.max_backoff_s)
        return self._wait(state)

    async def post(self, payload: dict) -> dict:
        """POST one message, retrying 429, 5xx and network errors; DeliveryError when it cannot be sent."""
        retrying = AsyncRetrying(
            retry=retry_if_exception(lambda e: isinstance(e, _Transient | httpx.TransportError)),
            wait=self._backoff,
            stop=stop_after_attempt(self.attempts),
            reraise=True,
        )
        try:
            async for attempt in retrying:
                with attempt:
                    response = await self.http.post(self.url, json=payload, headers=self.headers)
                    if response.status_code == 429 or response.status_code >= 500:
                        retry_after = response.headers.get("retry-after")
                        raise _Transient(
                            response.status_code,
                            response.text[:300],
                            float(retry_after) if retry_after and retry_after.isdigit() else None,
                        )
                    if response.status_code >= 400:
                        raise DeliveryError(f"HTTP {response.status_code}: {_graph_error(response)}")
                    return response.json() if response.content else {}
        except (_Transient, httpx.TransportError) as exc:
            raise DeliveryError(f"gave up after {self.attempts} attempts: {exc}") from exc
        raise AssertionError("unreachable")  # pragma: no cover

    async def send(self, to: str, reply: Reply) -> None:
        for payload in self.payloads(to, reply):
            await self.post(payload)


SENT_REMEMBERED = 5_000  # texts of recent messages, so a later `failed` status can say what was lost


def _payload_text(payload: dict) -> str:
    return payload.get("text", {}).get("body") or payload.get("interactive", {}).get("body", {}).get("text") or ""


@dataclass
class WhatsAppChannel:
    """Webhook events → the relay → Graph API replies; failures recorded, not lost."""

    relay: Relay
    client: WhatsAppClient
    store: Store
    media: WhatsAppMedia | None = None  # fetches voice notes; None: she is asked to type instead

    def __post_init__(self) -> None:
        self._sent: OrderedDict[str, str] = OrderedDict()  # wamid -> text, the most recent only

    async def deliver(self, to: str, reply: Reply, errors: list[str] | None = None) -> bool:
        """Send `reply`; False when a part still failed after the retries (recorded, and the Graph API's
        reason appended to `errors` when given)."""
        answer_id = reply.answer_id
        for payload in self.client.payloads(to, reply):
            try:
                response = await self.client.post(payload)
            except DeliveryError as exc:
                if errors is not None:
                    errors.append(f"WhatsApp refused it: {exc}")
                await asyncio.to_thread(
                    self.store.record_failed_delivery, CHANNEL, to, _payload_text(payload), str(exc)
                )
                return False
            await self._remember(response, _payload_text(payload), answer_id)
        return True

    async def _remember(self, response: dict, text: str, answer_id: str | None) -> None:
        sent = response.get("messages") if isinstance(response, dict) else None
        wamid = sent[0].get("id") if isinstance(sent, list) and sent and isinstance(sent[0], dict) else None
        if not isinstance(wamid, str) or not wamid:
            return
        self._sent[wamid] = text
        while len(self._sent) > SENT_REMEMBERED:
            self._sent.popitem(last=False)
        if answer_id:
            await asyncio.to_thread(self.store.record_sent_answer, CHANNEL, wamid, answer_id)

    async def process(self, events: list[Event]) -> None:
        """Handle the events of one webhook call, in order (run in the background after the 200)."""
        for event in events:
            who = getattr(event, "user_id", None) or getattr(event, "sender", None) or getattr(event, "recipient", "")
            try:
                if isinstance(event, DeliveryFailure):
                    await self._failed(event)
                    continue
                message = await self._vote(event) if isinstance(event, Reaction) else event
                if message is not None:
                    fetch = self.media.fetch if self.media else None
                    await self.relay.handle(message, functools.partial(self.deliver, message.user_id), fetch)
            except Exception:  # one bad event must not stop the others of the batch
                log.exception("failed to handle a WhatsApp event from %s", pseudonym(CHANNEL, who))

    async def _vote(self, event: Reaction) -> Message | None:
        """A 👍/👎 reaction to a message that carried an answer → her vote, as if she pressed the button."""
        if event.vote is None:
            return None
        answer_id = await asyncio.to_thread(self.store.answer_for_message, CHANNEL, event.target)
        if answer_id is None:
            log.info("a reaction from %s to a message that carried no answer ignored", pseudonym(CHANNEL, event.sender))
            return None
        return Message(
            channel=CHANNEL, user_id=event.sender, text="", message_id=event.message_id,
            language_hint=language_from_number(event.sender), button_id=f"vote:{event.vote}:{answer_id}",
        )  # fmt: skip

    async def _failed(self, event: DeliveryFailure) -> None:
        """Meta's `failed` status: recorded once (a redelivered callback is not counted twice)."""
        if not await asyncio.to_thread(self.store.claim_inbound, CHANNEL, f"failed:{event.status_id}"):
            return
        text = self._sent.get(event.status_id, "")
        await asyncio.to_thread(self.store.record_failed_delivery, CHANNEL, event.recipient, text, event.error)
