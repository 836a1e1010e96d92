"""Several workers and several servers on one PostgreSQL, for real: `mentor serve --workers 2` and a second,
separate `mentor serve`, both on loopback, on one database of their own and one shared data directory, the
default model (multilingual-e5-small), replies caught by the local Graph API (testkit.graph_api).

- 10 people x 10 signed WhatsApp messages spread over both servers, with redeliveries (the same message to
  both servers at the same moment, then every message again): each answered exactly once, her replies in
  the order she wrote.
- A document uploaded through one server is found through the other within 5 s of its job ending.
- The nudge scheduler runs in one worker only, whatever the number of workers.
- A web chat spread over both servers: the staff reply sent through one reaches her page through the other.
- Uploads through both servers: each job claimed once (the ingest workers of both servers compete for them).
- The anonymous rate limit is one budget across every worker and server (counted in the database).
- A server killed with SIGKILL while answering (the Graph API failing, so it is stuck retrying) loses
  nothing: Meta redelivers to the other server, which answers once.

Needs `MENTOR_TEST_DATABASE_URL` (PostgreSQL); skipped with the reason without it. Each run creates a
database of its own (`mentor_t_<hex>`, tests/pg.py) and drops it afterwards.
"""

from __future__ import annotations

import json
import threading
import time
from datetime import timedelta
from pathlib import Path

import httpx
import pytest
from sqlalchemy import func, select

from assistant.config import Settings
from assistant.runtime import Runtime
from assistant.storage.models import InboundMessage, Job, Nudge
from assistant.storage.store import now
from bots.whatsapp import sign
from testkit.graph_api import TOKEN, FakeGraph
from testkit.loopback import serve
from testkit.mentor_server import MentorServer
from tests.bots.helpers import text as text_message
from tests.bots.helpers import webhook
from tests.conftest import guide, write
from tests.pg import own_database

pytestmark = [pytest.mark.integration, pytest.mark.slow]

SECRET = "workers-app-secret"
ANONYMOUS_PER_HOUR = 40
# One invented word per guide, so each question has one answer that names it.
WORDS = ["zorbaxite", "quillmoss", "trevendal", "mistrapan", "ombraleaf",
         "pelvanite", "rusquelet", "dornivax", "felquara", "vantossim"]  # fmt: skip


@pytest.fixture(scope="module")
def pg_database():
    """A PostgreSQL database of this module's own, dropped afterwards."""
    with own_database() as url:
        yield url


def _corpus(root: Path) -> Path:
    for word in WORDS:
        write(
            root / f"{word}.md",
            guide(
                word,
                "en",
                f"The {word} method",
                {
                    f"What {word} is": f"The {word} method is a savings practice: the group meets every week and "
                    f"writes each deposit in the {word} ledger, which the treasurer reads aloud.",
                },
            ),
        )
    return root


@pytest.fixture(scope="module")
def deployment(tmp_path_factory, pg_database, real_embedder):
    """The Graph API, a learner due a nudge, then server A (2 workers) and server B (1), both running the nudge
    scheduler, on the same database and data directory."""
    work = tmp_path_factory.mktemp("workers")
    data = work / "data"
    settings = Settings(data_dir=data, database_url=pg_database, _env_file=None)
    runtime = Runtime(settings, embedder=real_embedder)
    runtime.ingestor().ingest([_corpus(work / "corpus")])
    store = runtime.store  # migrates the database
    learner = store.give_consent("web", "learner-1", language="es")
    ratings = dict.fromkeys(runtime.pathways.planner.diagnostic_competencies(), 4)
    ratings["digital-skills"] = 1
    store.update_participant(learner.id, country="Bolivia", profile={"diagnostic": ratings})
    given = (now() - timedelta(days=8)).isoformat()
    store.set_module_state(learner.id, "digital-first-steps", "given", given_at=given)
    graph = FakeGraph(validate=True)
    with serve(graph.app, name="graph") as graph_url:
        env = {
            "MENTOR_DATA_DIR": str(data),
            "MENTOR_DATABASE_URL": pg_database,
            "MENTOR_WHATSAPP_TOKEN": TOKEN,
            "MENTOR_WHATSAPP_PHONE_NUMBER_ID": "PNID",
            "MENTOR_WHATSAPP_APP_SECRET": SECRET,
            "MENTOR_WHATSAPP_VERIFY_TOKEN": "verify",
            "MENTOR_WHATSAPP_API_BASE": f"{graph_url}/v21.0",
            "MENTOR_CHANNEL_SEND_ATTEMPTS": "8",
            "MENTOR_CHANNEL_BACKOFF_S": "0.5",
            "MENTOR_NUDGES_IN_SERVER": "true",
            "MENTOR_NUDGE_QUIET_HOURS": "00:00-00:00",
            "MENTOR_ASR_MODEL": "off",
            "MENTOR_LOG_LEVEL": "INFO",
            # Anonymous questions, searches and chat messages per client, counted in the shared database
            # (the other tests search with a staff token, which is not counted).
            "MENTOR_RATE_LIMIT_ANONYMOUS": f"{ANONYMOUS_PER_HOUR}/hour",
            "MENTOR_INGEST_WORKER": "process",
        }
        a = MentorServer(env, work / "a.log", workers=2).start()
        b = MentorServer(env, work / "b.log").start()
        try:
            a.wait_ready()
            b.wait_ready()
            yield {"a": a, "b": b, "graph": graph, "store": store, "runtime": runtime}
        finally:
            a.stop()
            b.stop()
            runtime.database.dispose()


def _post(url: str, payload: dict, timeout: float = 60.0) -> int:
    body = json.dumps(payload).encode()
    headers = {"Content-Type": "application/json", "X-Hub-Signature-256": sign(SECRET, body)}
    return httpx.post(f"{url}/webhooks/whatsapp", content=body, headers=headers, timeout=timeout).status_code


def _answers(graph: FakeGraph, number: str) -> list[str]:
    """The word each answer to `number` names, in the order the Graph API received them (an answer is the
    post that carries the vote buttons)."""
    out = []
    for sent in graph.to(number):
        if any(b.startswith("vote:up:") for b in sent.button_ids):
            named = [w for w in WORDS if w in sent.text]
            out.append(named[0] if len(named) == 1 else f"?{named}")
    return out


def test_ten_people_ten_messages_over_two_servers_answered_once_in_order(deployment):
    a, b, graph = deployment["a"], deployment["b"], deployment["graph"]
    servers = [a.url, b.url]
    problems: list[str] = []

    def person(n: int) -> None:
        number = f"1514555{n:04d}"
        payloads = [webhook(text_message(number, f"What is the {w} method?", f"wamid.{n}.{k}")) for k, w in
                    enumerate(WORDS)]  # fmt: skip
        for k, payload in enumerate(payloads):
            if k % 3 == 1:  # Meta delivers the same message to both servers at the same moment
                codes: list[int] = []
                twins = [
                    threading.Thread(target=lambda u=u, p=payload, c=codes: c.append(_post(u, p))) for u in servers
                ]
                for t in twins:
                    t.start()
                for t in twins:
                    t.join()
            else:
                codes = [_post(servers[(n + k) % 2], payload)]
            if set(codes) != {200}:
                problems.append(f"{number} message {k}: {codes}")
        for k, payload in enumerate(payloads):  # every message redelivered once more, to the other server
            if _post(servers[(n + k + 1) % 2], payload) != 200:
                problems.append(f"{number} redelivery {k} refused")

    people = [threading.Thread(target=person, args=(n,)) for n in range(10)]
    for t in people:
        t.start()
    for t in people:
        t.join()
    assert not problems
    for n in range(10):
        graph.wait_for(f"1514555{n:04d}", 10, timeout=60)
    time.sleep(1.0)  # a duplicate would come after the last answer: give it the time to show
    for n in range(10):
        assert _answers(graph, f"1514555{n:04d}") == WORDS, f"person {n}"
    assert graph.invalid == []
    with deployment["runtime"].database.session() as s:
        undone = s.scalar(select(func.count()).select_from(InboundMessage).where(InboundMessage.done.is_(False)))
    assert undone == 0


def test_an_upload_through_one_server_is_found_through_the_other_within_5_s(deployment):
    a, b = deployment["a"], deployment["b"]
    token = deployment["store"].create_token("uploader", "staff")
    headers = {"Authorization": f"Bearer {token}"}
    body = guide("glimmerwort", "en", "Glimmerwort cooperatives", {"How": "A glimmerwort cooperative shares one oven."})
    response = httpx.post(f"{a.url}/v1/documents", headers=headers, timeout=60,
                          files={"files": ("glimmerwort.md", body.encode(), "text/markdown")})  # fmt: skip
    assert response.status_code == 202, response.text
    job_id = response.json()["job_id"]
    deadline = time.monotonic() + 120
    while (job := httpx.get(f"{b.url}/v1/jobs/{job_id}", headers=headers).json())["status"] not in ("done", "failed"):
        assert time.monotonic() < deadline, job
        time.sleep(0.1)
    assert job["status"] == "done", job
    ended = time.monotonic()
    for server in (b, a):  # B never saw the upload; A's other worker may not have either
        found = False
        while not found and time.monotonic() < ended + 5.0:
            params = {"q": "glimmerwort oven", "k": 3}
            results = httpx.get(f"{server.url}/v1/search", params=params, headers=headers).json()["results"]
            found = any(r["doc_id"] == "glimmerwort" for r in results)
            time.sleep(0.05)
        assert found, f"{server.url} did not serve the new version within 5 s of the job's end"


def test_the_nudge_scheduler_runs_in_one_worker_only(deployment):
    a, b, store = deployment["a"], deployment["b"], deployment["store"]
    deadline = time.monotonic() + 30
    while not store.nudges() and time.monotonic() < deadline:
        time.sleep(0.1)
    time.sleep(6.0)  # longer than a follower's retry (web.nudges.LEADER_RETRY_S): a second run would show now
    runs = (a.log_text() + b.log_text()).count("nudge run by this worker")
    assert runs == 1, f"{runs} nudge runs by three workers"
    with deployment["runtime"].database.session() as s:
        assert s.scalar(select(func.count()).select_from(Nudge)) == 1


def test_a_web_chat_spread_over_both_servers_gets_the_staff_reply_from_either(deployment):
    """Her chat goes to one server or the other (one cookie); staff answer through server A's API and the
    page's poll finds the reply through server B (and A)."""
    from assistant.phrases import phrase

    a, b, store = deployment["a"], deployment["b"], deployment["store"]
    token = store.create_token("claire", "staff")
    with httpx.Client(timeout=60) as chat:

        def say(server, text_="", button=None):
            body = {"text": text_, **({"button_id": button} if button else {})}
            response = chat.post(f"{server.url}/chat/api/messages", json=body)
            assert response.status_code == 200, response.text
            return "\n".join(r["text"] for r in response.json()["replies"])

        say(b, "/start")
        say(a, button="consent:yes")
        say(b, "/cancel")
        assert say(a, "/human") == phrase("human_handed", "en", hours=24)
        assert say(b, "Could someone call me?") == phrase("human_relayed", "en")
        [waiting] = httpx.get(f"{b.url}/v1/handoffs", headers={"Authorization": f"Bearer {token}"}).json()
        sent = httpx.post(
            f"{a.url}/v1/handoffs/{waiting['participant_id']}/reply",
            json={"text": "Hello, this is Claire."},
            headers={"Authorization": f"Bearer {token}"},
        )
        assert sent.status_code == 200 and sent.json()["delivery"] == "queued"
        expected = phrase("staff_says", "en") + "\nHello, this is Claire."
        for server in (b, a):
            [update] = chat.get(f"{server.url}/chat/api/updates").json()["messages"]
            assert update["text"] == expected


def test_uploads_through_both_servers_are_each_ingested_once(deployment):
    """Each server runs its own ingest worker; the jobs queued through both are claimed once each (SKIP
    LOCKED), and every document ends up in the one index both serve."""
    a, b, store = deployment["a"], deployment["b"], deployment["store"]
    token = store.create_token("uploader-2", "staff")
    headers = {"Authorization": f"Bearer {token}"}
    words = ["brindlecap", "saffronel", "quorvane", "tamberline"]
    jobs = []
    for n, word in enumerate(words):
        body = guide(word, "en", f"The {word} fund", {"How": f"The {word} fund lends to a whole village."})
        response = httpx.post(f"{(a, b)[n % 2].url}/v1/documents", headers=headers, timeout=60,
                              files={"files": (f"{word}.md", body.encode(), "text/markdown")})  # fmt: skip
        assert response.status_code == 202, response.text
        jobs.append(response.json()["job_id"])
    deadline = time.monotonic() + 240
    while any(store.job(j)["status"] not in ("done", "failed") for j in jobs):
        assert time.monotonic() < deadline, [store.job(j)["status"] for j in jobs]
        time.sleep(0.2)
    with deployment["runtime"].database.session() as s:
        rows = s.execute(select(Job.id, Job.status, Job.attempts, Job.claimed_by).where(Job.id.in_(jobs))).all()
    assert sorted((r.status, r.attempts) for r in rows) == [("done", 1)] * len(words), rows
    deadline = time.monotonic() + 30
    for server in (a, b):
        for word in words:
            found = False
            while not found:
                assert time.monotonic() < deadline, f"{word} not served by {server.url}"
                params = {"q": f"{word} fund", "k": 3}
                results = httpx.get(f"{server.url}/v1/search", params=params, headers=headers).json()["results"]
                found = any(r["doc_id"] == word for r in results)
                time.sleep(0.05 if not found else 0)


def test_the_anonymous_rate_limit_is_one_budget_across_every_worker_and_server(deployment):
    """Anonymous searches from one client spread over server A's two workers and server B: together they get
    at most the one hourly budget, then 429 with Retry-After (each process counting alone would allow three
    budgets)."""
    a, b = deployment["a"], deployment["b"]
    allowed = 0
    refused = None
    for n in range(3 * ANONYMOUS_PER_HOUR + 3):
        response = httpx.get(f"{(a, b)[n % 2].url}/v1/search", params={"q": "savings"}, timeout=30)
        if response.status_code == 429:
            refused = response
            break
        assert response.status_code == 200, response.text
        allowed += 1
    assert refused is not None, "never limited"
    assert allowed <= ANONYMOUS_PER_HOUR, f"{allowed} anonymous searches allowed across the servers"
    assert int(refused.headers["retry-after"]) > 0
    assert httpx.get(f"{(a, b)[(allowed + 1) % 2].url}/v1/search", params={"q": "savings"}).status_code == 429


def test_a_server_killed_mid_answer_loses_nothing_the_other_answers_the_redelivery(deployment):
    """Runs last: it kills server B."""
    a, b, graph = deployment["a"], deployment["b"], deployment["graph"]
    number = "15145559999"
    first = webhook(text_message(number, f"What is the {WORDS[0]} method?", "wamid.kill.0"))
    assert _post(a.url, first) == 200
    graph.wait_for(number, 1)
    attempts = graph.attempts
    graph.fail_next(503, times=1000)  # B is stuck retrying her reply, her lock held, the message not done
    second = webhook(text_message(number, f"What is the {WORDS[1]} method?", "wamid.kill.1"))
    outcome: list[object] = []

    def deliver_to_b() -> None:
        try:
            outcome.append(_post(b.url, second, timeout=60))
        except httpx.HTTPError as exc:  # the connection dies with the server: Meta will redeliver
            outcome.append(exc)

    sender = threading.Thread(target=deliver_to_b)
    sender.start()
    deadline = time.monotonic() + 60
    while graph.attempts <= attempts and time.monotonic() < deadline:
        time.sleep(0.02)
    assert graph.attempts > attempts, "server B never tried to reply"
    b.kill()
    sender.join(timeout=30)
    assert outcome and isinstance(outcome[0], httpx.HTTPError), f"B acknowledged before answering: {outcome}"
    graph.clear_failures()
    assert _post(a.url, second) == 200  # Meta's redelivery reaches server A
    third = webhook(text_message(number, f"What is the {WORDS[2]} method?", "wamid.kill.2"))
    assert _post(a.url, third) == 200
    graph.wait_for(number, 3)
    time.sleep(1.0)
    assert _answers(graph, number) == WORDS[:3]
