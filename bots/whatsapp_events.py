"""What a WhatsApp webhook carries besides messages to answer: reactions and failed-delivery statuses.

- A **reaction** (`"type": "reaction"`, `reaction: {message_id, emoji}`) names the message she reacted to.
  👍 or 👎 (any skin tone) on a message that carried an answer counts as her vote on that answer; any other
  emoji, a removed reaction (`emoji` empty or absent) or a reaction to anything else is ignored.
- A **status** callback with `"status": "failed"` says Meta could not deliver one of our messages (her
  number is not on WhatsApp, the 24-hour window closed, ...): it is recorded as a failed delivery, with
  Meta's error code and title, so staff see it. Sent, delivered and read statuses are ignored.
"""

from __future__ import annotations

from dataclasses import dataclass

# Skin-tone modifiers and the emoji variation selectors: 👍🏽 is 👍.
_MODIFIERS = {chr(c) for c in range(0x1F3FB, 0x1F400)} | {"\ufe0f", "\ufe0e"}
_VOTES = {"👍": "up", "👎": "down"}


@dataclass(frozen=True)
class Reaction:
    sender: str
    message_id: str  # the reaction's own id: a redelivered webhook is handled once
    target: str  # the id of the message she reacted to
    emoji: str

    @property
    def vote(self) -> str | None:
        """'up', 'down' or None (an emoji that is not a vote, or a removed reaction)."""
        return _VOTES.get("".join(c for c in self.emoji if c not in _MODIFIERS))


@dataclass(frozen=True)
class DeliveryFailure:
    status_id: str  # the id of our message that failed
    recipient: str
    error: str  # Meta's code, title and details


def reaction(raw: dict) -> Reaction | None:
    """One `value.messages` entry of type reaction → a `Reaction`, or None when it names nothing."""
    body = raw.get("reaction")
    sender, message_id = raw.get("from"), raw.get("id")
    if not isinstance(body, dict) or not all(isinstance(v, str) and v for v in (sender, message_id)):
        return None
    target, emoji = body.get("message_id"), body.get("emoji")
    if not isinstance(target, str) or not target:
        return None
    return Reaction(sender, message_id, target, emoji if isinstance(emoji, str) else "")


def failures(statuses: object) -> list[DeliveryFailure]:
    """The failed ones among `value.statuses`."""
    found = []
    for status in statuses if isinstance(statuses, list) else []:
        if not isinstance(status, dict) or status.get("status") != "failed":
            continue
        status_id, recipient = status.get("id"), status.get("recipient_id")
        if not isinstance(status_id, str) or not status_id or not isinstance(recipient, str) or not recipient:
            continue
        found.append(DeliveryFailure(status_id, recipient, _error_text(status.get("errors"))))
    return found


def _error_text(errors: object) -> str:
    parts = []
    for error in errors if isinstance(errors, list) else []:
        if not isinstance(error, dict):
            continue
        data = error.get("error_data")
        details = data.get("details") if isinstance(data, dict) else None
        text = f"{error.get('code', '?')} {error.get('title') or error.get('message') or ''}".strip()
        parts.append(f"{text}: {details}" if details else text)
    return "WhatsApp reported the message as failed: " + ("; ".join(parts) or "no reason given")
