"""What a WhatsApp load run measured: each counted message and what became of it, the run's totals, and the
printed report."""

from __future__ import annotations

import os
from collections import defaultdict
from dataclasses import dataclass, field

import numpy as np


@dataclass
class Sent:
    """One counted message and what became of it."""

    user: str
    index: int
    kind: str
    status: int | None  # the webhook's answer; None: no answer (network error)
    ack_s: float
    answered: bool = False
    first_s: float | None = None  # webhook POST sent → first part of the reply at the Graph API
    reply_s: float | None = None  # → last part
    parts: int = 0


@dataclass
class LoadResult:
    users: int
    messages_per_user: int
    sent: list[Sent]
    redeliveries: int
    redelivery_errors: int
    duplicates: int  # posts to users that no message of theirs accounts for
    duplicate_samples: list[str]
    invalid_payloads: list[str]
    failed_deliveries: int
    refused_on_purpose: int
    wall_s: float
    cpu_s: float
    busy_s: float | None
    extras_by_user: dict[str, int] = field(default_factory=dict)

    @property
    def messages(self) -> int:
        return len(self.sent)

    @property
    def webhook_errors(self) -> int:
        return sum(1 for s in self.sent if s.status != 200) + self.redelivery_errors

    @property
    def answered(self) -> int:
        return sum(1 for s in self.sent if s.answered)

    @property
    def lost(self) -> int:
        return sum(1 for s in self.sent if s.status == 200 and not s.answered)

    @property
    def answered_once(self) -> int:
        """Answered, less one per extra reply the same user got (an extra reply belongs to one of hers)."""
        per_user: dict[str, int] = defaultdict(int)
        for s in self.sent:
            per_user[s.user] += s.answered
        return sum(max(0, n - self.extras_by_user.get(user, 0)) for user, n in per_user.items())

    @property
    def errors(self) -> int:
        return self.webhook_errors + len(self.invalid_payloads) + self.failed_deliveries

    @property
    def ok(self) -> bool:
        return self.lost == 0 and self.duplicates == 0 and self.errors == 0 and self.answered_once == self.messages

    @property
    def throughput(self) -> float:
        return self.answered / self.wall_s if self.wall_s else 0.0

    def pct(self, values: list[float], q: float) -> float:
        return float(np.percentile(np.array(values), q)) * 1000 if values else float("nan")

    @property
    def reply_times(self) -> list[float]:
        return [s.reply_s for s in self.sent if s.reply_s is not None]

    @property
    def first_times(self) -> list[float]:
        return [s.first_s for s in self.sent if s.first_s is not None]

    @property
    def ack_times(self) -> list[float]:
        return [s.ack_s for s in self.sent if s.status == 200]


def report(result: LoadResult, note: str) -> None:
    r = result
    cores = os.cpu_count() or 1
    print(
        f"\nWhatsApp channel load benchmark: {r.users} users x {r.messages_per_user} messages, signed webhooks to the "
        "real server (uvicorn, loopback), replies to a local Graph API (uvicorn, loopback)"
    )
    print(f"  {note}")
    print(
        f"  each user waits for her reply before her next message, all users at once; {r.redeliveries} redeliveries "
        "(twin POSTs and late re-sends of an earlier message id) on top, not counted as messages"
    )
    print(f"  one process (both servers and this load generator) on {cores} CPU cores")
    header = (
        f"  {'users':>6}{'messages':>10}{'answered once':>15}{'lost':>6}{'duplicates':>12}{'errors':>8}"
        f"{'wall s':>9}{'msg/s':>8}"
    )
    print(header)
    print("  " + "-" * (len(header) - 2))
    print(
        f"  {r.users:>6}{r.messages:>10}{r.answered_once:>15}{r.lost:>6}{r.duplicates:>12}{r.errors:>8}"
        f"{r.wall_s:>9.1f}{r.throughput:>8.1f}"
    )
    print(
        f"  errors: {r.webhook_errors} webhook answers other than 200, {len(r.invalid_payloads)} Graph API payloads "
        f"refused, {r.failed_deliveries} failed deliveries recorded"
        + (f"; {r.refused_on_purpose} Graph API posts answered 503 on purpose" if r.refused_on_purpose else "")
    )

    def row(label: str, values: list[float]) -> None:
        print(
            f"  {label:<44}p50 {r.pct(values, 50):>7.0f} ms   p95 {r.pct(values, 95):>7.0f} ms   "
            f"max {r.pct(values, 100):>7.0f} ms"
        )

    row("time to reply (POST sent -> last part):", r.reply_times)
    row("time to first part of the reply:", r.first_times)
    row("webhook acknowledgement (POST -> 200):", r.ack_times)
    parts = [s.parts for s in r.sent if s.answered]
    if parts:
        print(f"  Graph API posts per answered message: {sum(parts) / len(parts):.2f} (max {max(parts)})")
    busy = f", all processes {r.busy_s:.1f}" if r.busy_s is not None else ""
    print(f"  CPU during the run: this process {r.cpu_s:.1f} core-s{busy}, of {cores * r.wall_s:.1f} available")
    for sample in r.duplicate_samples:
        print(f"  duplicate: {sample}")
    for problem in sorted(set(r.invalid_payloads))[:5]:
        print(f"  refused payload: {problem}")
    lost = [s for s in r.sent if s.status == 200 and not s.answered][:5]
    for s in lost:
        print(f"  lost: message {s.index} ({s.kind}) of {s.user}, {s.parts} part(s) seen")
    print(f"  {'OK: every message answered exactly once' if r.ok else 'FAILED: see the counts above'}")
