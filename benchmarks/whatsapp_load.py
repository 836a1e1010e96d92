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
import os
import random
import tempfile
import time
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path

import httpx
from pydantic import SecretStr

from assistant.config import Settings
from assistant.runtime import Runtime
from benchmarks.api_load import prepare_index
from benchmarks.machine import busy_cpu_seconds
from benchmarks.whatsapp_replies import Recorder
from benchmarks.whatsapp_report import LoadResult, Sent, report
from benchmarks.whatsapp_users import PHONE_NUMBER_ID, Step, User, build_users, questions_by_language, webhook_body
from bots.whatsapp import sign
from testkit.graph_api import FakeGraph
from testkit.loopback import serve

TOKEN = "bench-graph-token"
APP_SECRET = "bench-app-secret"
VERIFY_TOKEN = "bench-verify-token"


# -- the load --------------------------------------------------------------------------------------------------------


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


def _failed_ids(runtime: Runtime) -> set[int]:
    return {row["id"] for row in runtime.store.failed_deliveries(limit=100_000)}


def _warmup_user(people: list[User], warmup: int, seed: int) -> User | None:
    """One extra user who first asks `warmup` questions, not counted, on a number none of `people` has."""
    if warmup <= 0:
        return None
    pool = questions_by_language()
    number = f"1514555{random.Random(seed + 1).randrange(10**4):04d}"
    while number in {u.number for u in people}:
        number = str(int(number) + 1)
    steps = [Step("question", pool[lang][i], closer="vote")
             for i, lang in zip(range(warmup), ("fr", "es", "en") * warmup, strict=False)]  # fmt: skip
    return User(number, "Warm-up", "fr", steps)


def _whatsapp_settings(runtime: Runtime, graph_url: str) -> Settings:
    return runtime.settings.model_copy(
        update={
            "whatsapp_token": SecretStr(TOKEN),
            "whatsapp_phone_number_id": PHONE_NUMBER_ID,
            "whatsapp_app_secret": SecretStr(APP_SECRET),
            "whatsapp_verify_token": SecretStr(VERIFY_TOKEN),
            "whatsapp_api_base": f"{graph_url}/v21.0",
        }
    )


def _leftovers(
    recorder: Recorder, sent: list[Sent], people: list[User], warm: User | None
) -> tuple[dict[str, int], list[str]]:
    """Posts no message accounts for, per user (duplicates), and a few of them to print."""
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
    return extras, samples


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
    warm = _warmup_user(people, warmup, seed)

    from web.app import create_app  # the web stack, only when a run starts

    failed_before = _failed_ids(runtime)
    recorder = Recorder()
    graph = FakeGraph(
        TOKEN,
        phone_number_id=PHONE_NUMBER_ID,
        failure_rate=graph_failure_rate,
        seed=seed,
        validate=True,
        clock=time.perf_counter,
        on_sent=recorder.add,
    )
    with serve(graph.app, name="graph-api") as graph_url:
        with serve(create_app(_whatsapp_settings(runtime, graph_url), runtime), name="mentor") as url:
            if progress:
                progress(f"servers up; {users} users x {messages} messages...")
            sent, redeliveries, redelivery_errors, wall, cpu, busy = asyncio.run(
                _drive(url, recorder, people, warm, run_id, reply_timeout_s)
            )
            if progress:
                progress("load done; stopping the server (it sends the replies still in flight)...")
        # The app has stopped: its background replies are all in. What no message accounts for is a duplicate.
        extras, samples = _leftovers(recorder, sent, people, warm)
    failed = len(_failed_ids(runtime) - failed_before)
    return LoadResult(
        users=users,
        messages_per_user=messages,
        sent=sent,
        redeliveries=redeliveries,
        redelivery_errors=redelivery_errors,
        duplicates=sum(extras.values()),
        duplicate_samples=samples[:5],
        invalid_payloads=list(graph.invalid),
        failed_deliveries=failed,
        refused_on_purpose=graph.refused,
        wall_s=wall,
        cpu_s=cpu,
        busy_s=busy,
        extras_by_user=extras,
    )


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

    with tempfile.TemporaryDirectory(prefix="mentor-whatsapp-load-") as tmp:
        work = Path(tmp)
        data_dir, index_note = prepare_index(args.data_dir, work, Settings().embedding_model)
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
