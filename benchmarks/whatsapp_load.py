"""WhatsApp channel under load: 50 users each sending 20 signed webhook messages, replies caught by a local Graph API.

Run with `python -m benchmarks.whatsapp_load` (`--users 5 --messages 4` for a quick run). Everything is real
but Meta: the app is `create_app` served by uvicorn on loopback, with the real bundled model and an index
built from knowledge_base/ by `mentor ingest` (or reused with `--data-dir`), a fresh SQLite database (or
`--database-url`, e.g. PostgreSQL); its replies go through the real `WhatsAppClient` to a local stand-in for
the Graph API (`POST /{phone_number_id}/messages`, also uvicorn on loopback) that checks each payload against
the Graph API's limits and notes when it arrived. The two servers and this load generator share one process
(threads) and the machine's cores: the figures are those of one small server, not of a fleet.

Each simulated user has a number of a programme country (Bolivia, Guatemala, Peru, Senegal, Côte d'Ivoire,
Benin, Rwanda, Canada, the Philippines) and behaves like a person: she sends a message and waits for its
reply before sending the next one; all users at once. Her 20 messages: `/start` (two replies: greeting,
consent question), the "No" consent button, then questions of the evaluation set (mostly in her language,
some in the other two), with `/help` and `/resources` along the way. Besides them, each user's webhook is
redelivered twice as Meta does: one message is POSTed twice at the same moment, and with her last message an
earlier message is POSTed again; neither may bring another reply.

A reply carries no inbound id, so replies are matched per user, in order: the replies to her message are
the Graph API posts from the end of the previous turn up to the one that closes this turn (the consent
question for `/start`, the answer with its vote buttons for a question, the text for a command or button).
After the run the server is stopped, which waits for replies in flight; any post left unmatched is a
duplicate. Printed: messages answered exactly once, lost (acknowledged but no reply within
`--reply-timeout`), duplicates, errors (webhook answers other than 200, Graph API payloads refused, failed
deliveries the channel recorded), throughput, time to reply (webhook POST sent → last part of the reply at the
Graph API) p50/p95/max, and the webhook acknowledgement p50/p95/max. The exit status is 1 if a message was
lost, duplicated or errored; figures are printed, never judged.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import tempfile
import threading
import time
from collections import defaultdict
from collections.abc import Callable
from contextlib import suppress
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import numpy as np
from pydantic import SecretStr
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from assistant.config import Settings
from assistant.runtime import Runtime
from bots.whatsapp import sign
from testkit.loopback import serve

ROOT = Path(__file__).resolve().parents[1]
QUESTIONS = ROOT / "evals" / "datasets" / "questions.jsonl"

TOKEN = "bench-graph-token"
PHONE_NUMBER_ID = "106540352242922"
APP_SECRET = "bench-app-secret"
VERIFY_TOKEN = "bench-verify-token"
DISPLAY_NUMBER = "15550000000"

# (calling code, national-number prefixes, digits after the prefix, language, first names)
COUNTRIES: tuple[tuple[str, tuple[str, ...], int, str, tuple[str, ...]], ...] = (
    ("591", ("6", "7"), 7, "es", ("María", "Ximena", "Rosa")),  # Bolivia: 8-digit mobiles
    ("502", ("3", "4", "5"), 7, "es", ("Ana", "Lucía", "Marta")),  # Guatemala
    ("51", ("9",), 8, "es", ("Carmen", "Julia")),  # Peru
    ("221", ("70", "76", "77", "78"), 7, "fr", ("Awa", "Fatou", "Aminata")),  # Senegal
    ("225", ("07", "05", "01"), 8, "fr", ("Adjoua", "Aya")),  # Côte d'Ivoire (10 digits)
    ("229", ("0196", "0197"), 6, "fr", ("Rachida", "Bernice")),  # Benin (10 digits since 2024)
    ("250", ("78", "72", "73"), 7, "fr", ("Claudine", "Aline")),  # Rwanda
    ("1", ("514", "418", "819"), 7, "fr", ("Chloé", "Geneviève")),  # Canada, Quebec area codes
    ("1", ("416", "613", "604"), 7, "en", ("Sarah", "Emily")),  # Canada, Ontario and British Columbia
    ("63", ("917", "918", "927"), 7, "en", ("Maricel", "Jocelyn", "Rowena")),  # Philippines
)  # fmt: skip


# -- the script of each user ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Step:
    """One message she sends: text or a button press, and what closes its reply (see `closes`)."""

    kind: str  # "command", "button" or "question"
    text: str
    button_id: str | None = None
    closer: str = "text"  # "consent": the consent question; "vote": an answer with vote buttons; "text"


@dataclass
class User:
    number: str
    name: str
    language: str
    steps: list[Step]
    twin_at: int | None = None  # this message is POSTed twice at the same moment
    redeliver: int | None = None  # with her last message, this earlier one is POSTed again


def questions_by_language(path: Path = QUESTIONS) -> dict[str, list[str]]:
    """The evaluation questions, in file order, per language."""
    found: dict[str, list[str]] = defaultdict(list)
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip():
            row = json.loads(line)
            question = row["question"].strip()
            if question and not question.startswith("/"):
                found[row["language"]].append(question)
    return dict(found)


def phone_number(rng: random.Random, index: int) -> tuple[str, str, str]:
    """(wa_id, first name, language) of the index-th user: E.164 digits without the '+', as WhatsApp sends."""
    code, prefixes, digits, language, names = COUNTRIES[index % len(COUNTRIES)]
    national = rng.choice(prefixes) + "".join(str(rng.randrange(10)) for _ in range(digits))
    return code + national, rng.choice(names), language


def build_script(messages: int, language: str, pool: dict[str, list[str]], rng: random.Random) -> list[Step]:
    """`/start`, the "No" consent button, then questions (7 in 10 in her language) with `/help` and
    `/resources` along the way when there are enough messages."""
    others = [lang for lang in sorted(pool) if lang != language]
    steps: list[Step] = []
    for i in range(messages):
        if i == 0:
            steps.append(Step("command", "/start", closer="consent"))
        elif i == 1:
            steps.append(Step("button", "No", button_id="consent:no"))
        elif messages >= 6 and i == messages // 2:
            steps.append(Step("command", "/help"))
        elif messages >= 10 and i == messages - 4:
            steps.append(Step("command", "/resources"))
        else:
            lang = language if rng.random() < 0.7 or not others else rng.choice(others)
            steps.append(Step("question", rng.choice(pool[lang]), closer="vote"))
    return steps


def build_users(count: int, messages: int, seed: int) -> list[User]:
    rng = random.Random(seed)
    pool = questions_by_language()
    users, seen = [], set()
    for index in range(count):
        number, name, language = phone_number(rng, index)
        while number in seen:
            number, name, language = phone_number(rng, index)
        seen.add(number)
        steps = build_script(messages, language, pool, rng)
        questions = [i for i, s in enumerate(steps) if s.kind == "question" and i >= messages // 2]
        twin_at = questions[0] if questions else messages - 1
        redeliver = None if messages < 2 else 1 if messages > 2 else 0  # an early message, re-sent with the last
        users.append(User(number, name, language, steps, twin_at, redeliver))
    return users


def webhook_body(user: User, step: Step, wamid: str) -> bytes:
    """The body Meta POSTs for one inbound message."""
    message: dict = {"from": user.number, "id": wamid, "timestamp": str(int(time.time()))}
    if step.button_id:
        message |= {
            "type": "interactive",
            "interactive": {"type": "button_reply", "button_reply": {"id": step.button_id, "title": step.text}},
        }
    else:
        message |= {"type": "text", "text": {"body": step.text}}
    value = {
        "messaging_product": "whatsapp",
        "metadata": {"display_phone_number": DISPLAY_NUMBER, "phone_number_id": PHONE_NUMBER_ID},
        "contacts": [{"profile": {"name": user.name}, "wa_id": user.number}],
        "messages": [message],
    }
    payload = {"object": "whatsapp_business_account",
               "entry": [{"id": "WABA-BENCH", "changes": [{"field": "messages", "value": value}]}]}  # fmt: skip
    return json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode()


# -- the local Graph API ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Outbound:
    """One message the server sent through the Graph API."""

    to: str
    kind: str  # "text" or "interactive"
    text: str
    buttons: tuple[str, ...]  # ids of reply buttons or list rows
    at: float  # time.perf_counter() when it reached the Graph API


def closes(step: Step, out: Outbound) -> bool:
    """Whether `out` is the last part of the reply to `step`."""
    if step.closer == "consent":
        return out.kind == "interactive" and "consent:yes" in out.buttons
    if step.closer == "vote":
        return out.kind == "interactive" and any(b.startswith("vote:") for b in out.buttons)
    return out.kind == "text"


def graph_problem(payload: object) -> str | None:
    """Why the Graph API would refuse this message payload, or None (its documented limits)."""
    if not isinstance(payload, dict) or payload.get("messaging_product") != "whatsapp":
        return "messaging_product must be whatsapp"
    if not isinstance(payload.get("to"), str) or not payload["to"].isdigit():
        return "to must be a phone number"
    kind = payload.get("type")
    if kind == "text":
        body = (payload.get("text") or {}).get("body")
        return None if isinstance(body, str) and 0 < len(body) <= 4096 else "text.body must be 1 to 4096 characters"
    if kind != "interactive":
        return f"unexpected type {kind!r}"
    inner = payload.get("interactive") or {}
    body = (inner.get("body") or {}).get("text")
    if not isinstance(body, str) or not 0 < len(body) <= 1024:
        return "interactive.body.text must be 1 to 1024 characters"
    action = inner.get("action") or {}
    if inner.get("type") == "button":
        buttons = action.get("buttons") or []
        if not 1 <= len(buttons) <= 3:
            return "1 to 3 reply buttons"
        titles = [(b.get("reply") or {}).get("title") or "" for b in buttons]
        ids = [(b.get("reply") or {}).get("id") or "" for b in buttons]
        if any(not 0 < len(t) <= 20 for t in titles) or any(not 0 < len(i) <= 256 for i in ids):
            return "button titles 1 to 20 characters, ids 1 to 256"
        if len(set(titles)) != len(titles) or len(set(ids)) != len(ids):
            return "button titles and ids must be unique"
        return None
    if inner.get("type") == "list":
        rows = [row for section in action.get("sections") or [] for row in section.get("rows") or []]
        if not 0 < len(action.get("button") or "") <= 20 or not 1 <= len(rows) <= 10:
            return "list button label 1 to 20 characters, 1 to 10 rows"
        for row in rows:
            if not 0 < len(row.get("title") or "") <= 24 or len(row.get("description") or "") > 72:
                return "row titles 1 to 24 characters, descriptions up to 72"
        return None
    return f"unexpected interactive type {inner.get('type')!r}"


def _outbound(payload: dict, at: float) -> Outbound:
    if payload["type"] == "text":
        return Outbound(payload["to"], "text", payload["text"]["body"], (), at)
    inner = payload["interactive"]
    action = inner.get("action") or {}
    ids = [(b.get("reply") or {}).get("id", "") for b in action.get("buttons") or []]
    ids += [row.get("id", "") for s in action.get("sections") or [] for row in s.get("rows") or []]
    return Outbound(payload["to"], "interactive", inner["body"]["text"], tuple(ids), at)


class Recorder:
    """What the local Graph API received, per recipient, and wake-ups for the users waiting for it."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._by_user: dict[str, list[Outbound]] = defaultdict(list)
        self._loop: asyncio.AbstractEventLoop | None = None
        self._events: dict[str, asyncio.Event] = {}
        self.invalid: list[str] = []  # payloads refused with a 400, and why
        self.refused = 0  # posts answered 503 on purpose (--graph-failure-rate)

    def attach(self, loop: asyncio.AbstractEventLoop, numbers: list[str]) -> None:
        with self._lock:
            self._loop = loop
            self._events = {number: asyncio.Event() for number in numbers}

    def add(self, out: Outbound) -> None:
        with self._lock:
            self._by_user[out.to].append(out)
            event, loop = self._events.get(out.to), self._loop
        if event is not None and loop is not None and not loop.is_closed():
            with suppress(RuntimeError):  # the load generator's loop has just closed
                loop.call_soon_threadsafe(event.set)

    def received(self, to: str, start: int = 0) -> list[Outbound]:
        with self._lock:
            return list(self._by_user.get(to, [])[start:])

    def recipients(self) -> list[str]:
        with self._lock:
            return list(self._by_user)

    async def turn(self, to: str, start: int, step: Step, timeout: float) -> tuple[list[Outbound], bool]:
        """The posts to `to` from `start` up to the one that closes the reply to `step`; (posts so far, False)
        when none closes it within `timeout` seconds."""
        event = self._events[to]
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            event.clear()  # before looking, so a post arriving meanwhile wakes the wait below
            new = self.received(to, start)
            for i, out in enumerate(new):
                if closes(step, out):
                    return new[: i + 1], True
            remaining = deadline - loop.time()
            if remaining <= 0:
                return new, False
            with suppress(TimeoutError):
                await asyncio.wait_for(event.wait(), remaining)


def graph_app(recorder: Recorder, failure_rate: float = 0.0, seed: int = 0) -> Starlette:
    """`POST /{phone_number_id}/messages` as the Graph API answers it; `failure_rate` of posts get a 503."""
    rng = random.Random(seed)

    async def messages(request: Request) -> JSONResponse:
        if request.path_params["phone_number_id"] != PHONE_NUMBER_ID:
            return JSONResponse({"error": {"message": "Unsupported post request", "code": 100}}, 400)
        if request.headers.get("authorization") != f"Bearer {TOKEN}":
            return JSONResponse({"error": {"message": "Invalid OAuth access token", "code": 190}}, 401)
        if failure_rate and rng.random() < failure_rate:
            recorder.refused += 1
            return JSONResponse({"error": {"message": "Service temporarily unavailable", "code": 2}}, 503)
        try:
            payload = await request.json()
        except ValueError:
            payload = None
        problem = graph_problem(payload)
        if problem:
            recorder.invalid.append(problem)
            return JSONResponse({"error": {"message": f"(#100) {problem}", "code": 100}}, 400)
        out = _outbound(payload, time.perf_counter())
        recorder.add(out)
        return JSONResponse({"messaging_product": "whatsapp", "contacts": [{"input": out.to, "wa_id": out.to}],
                             "messages": [{"id": f"wamid.out.{os.urandom(8).hex()}"}]})  # fmt: skip

    return Starlette(routes=[Route("/v21.0/{phone_number_id}/messages", messages, methods=["POST"])])


# -- the load --------------------------------------------------------------------------------------------------------


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


class _Webhook:
    """Signed POSTs to /webhooks/whatsapp."""

    def __init__(self, client: httpx.AsyncClient) -> None:
        self.client = client

    async def post(self, body: bytes) -> tuple[int | None, float]:
        headers = {"Content-Type": "application/json", "X-Hub-Signature-256": sign(APP_SECRET, body)}
        started = time.perf_counter()
        try:
            response = await self.client.post("/webhooks/whatsapp", content=body, headers=headers)
            status = response.status_code
        except httpx.HTTPError:
            status = None
        return status, time.perf_counter() - started


async def _session(
    user: User, webhook: _Webhook, recorder: Recorder, run_id: str, timeout: float, results: list[Sent]
) -> tuple[int, int]:
    """Her messages one after another, each once its predecessor's reply is complete. (redeliveries, errors)"""
    cursor, bodies = 0, []
    redeliveries = redelivery_errors = 0
    last = len(user.steps) - 1
    for index, step in enumerate(user.steps):
        body = webhook_body(user, step, f"wamid.{run_id}.{user.number}.{index}")
        bodies.append(body)
        extra = []
        if index == user.twin_at:
            extra.append(body)  # Meta's retry racing the original
        if index == last and user.redeliver is not None and user.redeliver < index:
            extra.append(bodies[user.redeliver])  # a late redelivery of an earlier message
        sent_at = time.perf_counter()
        outcomes = await asyncio.gather(webhook.post(body), *(webhook.post(b) for b in extra))
        status, ack_s = outcomes[0]
        redeliveries += len(extra)
        redelivery_errors += sum(1 for s, _ in outcomes[1:] if s != 200)
        sent = Sent(user.number, index, step.kind, status, ack_s)
        results.append(sent)
        if status != 200:
            continue
        posts, complete = await recorder.turn(user.number, cursor, step, timeout)
        cursor += len(posts)
        sent.parts = len(posts)
        if posts:
            sent.first_s = posts[0].at - sent_at
        if complete:
            sent.answered = True
            sent.reply_s = posts[-1].at - sent_at
    return redeliveries, redelivery_errors


async def _drive(
    base_url: str, recorder: Recorder, users: list[User], warmup: User | None, run_id: str, timeout: float
) -> tuple[list[Sent], int, int, float, float, float | None]:
    numbers = [u.number for u in users] + ([warmup.number] if warmup else [])
    recorder.attach(asyncio.get_running_loop(), numbers)
    limits = httpx.Limits(max_connections=4 * len(users) + 8, max_keepalive_connections=4 * len(users) + 8)
    async with httpx.AsyncClient(base_url=base_url, timeout=60.0, limits=limits) as client:
        webhook = _Webhook(client)
        if warmup is not None:  # first use of every code path, not counted
            await _session(warmup, webhook, recorder, run_id, timeout, [])
        results: list[Sent] = []
        cpu_before, busy_before = time.process_time(), busy_cpu_seconds()
        started = time.perf_counter()
        counts = await asyncio.gather(*(_session(u, webhook, recorder, run_id, timeout, results) for u in users))
        wall = time.perf_counter() - started
        cpu = time.process_time() - cpu_before
        busy_after = busy_cpu_seconds()
    busy = None if busy_before is None or busy_after is None else busy_after - busy_before
    return results, sum(c[0] for c in counts), sum(c[1] for c in counts), wall, cpu, busy


def busy_cpu_seconds() -> float | None:
    """CPU time all processes on the machine have used so far (Linux)."""
    try:
        fields = [int(v) for v in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
    except (OSError, ValueError):
        return None
    idle = fields[3] + (fields[4] if len(fields) > 4 else 0)
    return (sum(fields[:8]) - idle) / os.sysconf("SC_CLK_TCK")


def _failed_ids(runtime: Runtime) -> set[int]:
    return {row["id"] for row in runtime.store.failed_deliveries(limit=100_000)}


def run_load(
    runtime: Runtime,
    users: int = 50,
    messages: int = 20,
    *,
    reply_timeout_s: float = 60.0,
    graph_failure_rate: float = 0.0,
    warmup: int = 3,
    seed: int | None = None,
    progress: Callable[[str], None] | None = None,
) -> LoadResult:
    """The whole run against `runtime` (its index and database are used as they are): the local Graph API and
    the app on loopback, `users` users sending `messages` messages each, then the app stopped (replies in
    flight are sent first) and every post the Graph API received accounted for."""
    seed = random.randrange(2**32) if seed is None else seed
    run_id = f"{seed:x}{os.urandom(3).hex()}"  # wamids never met before, even in a reused database
    people = build_users(users, messages, seed)
    pool = questions_by_language()
    warm = None
    if warmup > 0:
        number = f"1514555{random.Random(seed + 1).randrange(10**4):04d}"
        while number in {u.number for u in people}:
            number = str(int(number) + 1)
        steps = [Step("question", pool[lang][i], closer="vote")
                 for i, lang in zip(range(warmup), ("fr", "es", "en") * warmup, strict=False)]  # fmt: skip
        warm = User(number, "Warm-up", "fr", steps)

    from web.app import create_app  # the web stack, only when a run starts

    failed_before = _failed_ids(runtime)
    recorder = Recorder()
    with serve(graph_app(recorder, graph_failure_rate, seed), name="graph-api") as graph_url:
        settings = runtime.settings.model_copy(
            update={
                "whatsapp_token": SecretStr(TOKEN),
                "whatsapp_phone_number_id": PHONE_NUMBER_ID,
                "whatsapp_app_secret": SecretStr(APP_SECRET),
                "whatsapp_verify_token": SecretStr(VERIFY_TOKEN),
                "whatsapp_api_base": f"{graph_url}/v21.0",
            }
        )
        with serve(create_app(settings, runtime), name="mentor") as url:
            if progress:
                progress(f"servers up; {users} users x {messages} messages...")
            sent, redeliveries, redelivery_errors, wall, cpu, busy = asyncio.run(
                _drive(url, recorder, people, warm, run_id, reply_timeout_s)
            )
            if progress:
                progress("load done; stopping the server (it sends the replies still in flight)...")
        # The app has stopped: its background replies are all in. What no message accounts for is a duplicate.
        consumed: dict[str, int] = defaultdict(int)
        for s in sent:
            consumed[s.user] += s.parts
        expected = {u.number for u in people}
        extras: dict[str, int] = {}
        samples: list[str] = []
        for number in recorder.recipients():
            if warm is not None and number == warm.number:
                continue
            left = recorder.received(number, consumed.get(number, 0) if number in expected else 0)
            if left:
                extras[number] = len(left)
                samples.extend(f"to {number}: {out.kind} {out.text[:60]!r}" for out in left[:2])
    failed = len(_failed_ids(runtime) - failed_before)
    return LoadResult(
        users=users,
        messages_per_user=messages,
        sent=sent,
        redeliveries=redeliveries,
        redelivery_errors=redelivery_errors,
        duplicates=sum(extras.values()),
        duplicate_samples=samples[:5],
        invalid_payloads=list(recorder.invalid),
        failed_deliveries=failed,
        refused_on_purpose=recorder.refused,
        wall_s=wall,
        cpu_s=cpu,
        busy_s=busy,
        extras_by_user=extras,
    )


# -- report -----------------------------------------------------------------------------------------------------------


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


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=50, help="Simulated WhatsApp users, all at once (default 50).")
    parser.add_argument("--messages", type=int, default=20, help="Messages each user sends (default 20).")
    parser.add_argument("--data-dir", type=Path, help="Reuse the index in this data dir instead of building one.")
    parser.add_argument(
        "--database-url", help="SQLAlchemy URL (e.g. postgresql+psycopg://...); default a fresh SQLite file."
    )
    parser.add_argument("--reply-timeout", type=float, default=60.0, help="Seconds before a reply counts as lost.")
    parser.add_argument("--warmup", type=int, default=3, help="Questions sent by one extra user first, not counted.")
    parser.add_argument(
        "--graph-failure-rate", type=float, default=0.0, help="Share of Graph API posts answered 503 (retried)."
    )
    parser.add_argument("--seed", type=int, help="Seed of the numbers and scripts (default: random).")
    args = parser.parse_args(argv)
    if args.users < 1 or args.messages < 1 or args.warmup < 0 or args.reply_timeout <= 0:
        parser.error("--users and --messages must be at least 1, --warmup at least 0, --reply-timeout positive")
    if not 0.0 <= args.graph_failure_rate < 1.0:
        parser.error("--graph-failure-rate is a share, from 0 up to 1 (excluded)")

    from benchmarks.api_load import prepare_index

    with tempfile.TemporaryDirectory(prefix="mentor-whatsapp-load-") as tmp:
        work = Path(tmp)
        data_dir, index_note = prepare_index(args.data_dir, work)
        database_url = args.database_url or f"sqlite:///{work / 'whatsapp-load.db'}"
        runtime = Runtime(Settings(data_dir=data_dir, database_url=database_url))
        try:
            result = run_load(
                runtime,
                args.users,
                args.messages,
                reply_timeout_s=args.reply_timeout,
                graph_failure_rate=args.graph_failure_rate,
                warmup=args.warmup,
                seed=args.seed,
                progress=lambda line: print(f"  ... {line}", flush=True),
            )
        finally:
            if "database" in runtime.__dict__:
                runtime.database.engine.dispose()
    database = "SQLite (fresh)" if args.database_url is None else runtime.database.dialect
    report(result, f"real model {runtime.settings.embedding_model}, {index_note}; database {database}")
    if not result.ok:
        raise SystemExit(1)


if __name__ == "__main__":
    main()
