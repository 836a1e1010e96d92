"""Per-client rate limits on the real server on loopback (issue 19, points 5 and 12): anonymous questions,
searches and chat messages past the limit get 429 `rate_limited` with `Retry-After`; failed sign-ins and
refused bearer tokens likewise; the counts are shared by two servers on one database, or kept in Redis."""

from __future__ import annotations

import uuid
from contextlib import ExitStack

import httpx
import pytest
import redis

from assistant.runtime import Runtime
from testkit.loopback import serve
from tests.web.conftest import bearer
from web.app import create_app

REDIS_URL = "redis://127.0.0.1:6379/0"


def limited(runtime: Runtime, **update) -> Runtime:
    settings = runtime.settings.model_copy(
        update={"rate_limit_anonymous": "3/minute", "rate_limit_auth_failures": "4/minute", **update}
    )
    runtime.settings = settings
    return runtime


def ask(url: str, **kwargs) -> httpx.Response:
    return httpx.post(f"{url}/v1/ask", json={"question": "How do I get a loan?"}, timeout=60, **kwargs)


def assert_limited(response: httpx.Response) -> None:
    assert response.status_code == 429, response.text
    assert response.json()["code"] == "rate_limited" and "try again in" in response.json()["message"]
    assert 1 <= int(response.headers["Retry-After"]) <= 60


@pytest.fixture
def server(api_runtime):
    runtime = limited(api_runtime)
    with serve(create_app(runtime.settings, runtime), name="mentor") as url:
        yield url


def test_anonymous_questions_past_the_limit_get_429_with_retry_after(server):
    assert [ask(server).status_code for _ in range(3)] == [200, 200, 200]
    assert_limited(ask(server))


def test_questions_searches_and_chat_share_one_anonymous_count(server):
    assert ask(server).status_code == 200
    assert httpx.get(f"{server}/v1/search", params={"q": "loan"}, timeout=60).status_code == 200
    chat = httpx.post(f"{server}/chat/api/messages", json={"text": "hello"}, timeout=60)
    assert chat.status_code == 200
    assert_limited(httpx.get(f"{server}/v1/search", params={"q": "loan"}, timeout=60))
    assert_limited(httpx.post(f"{server}/chat/api/messages", json={"text": "hello"}, timeout=60))


def test_staff_with_a_valid_token_are_not_counted(server, tokens):
    for _ in range(5):
        assert ask(server, headers=bearer(tokens["evaluator"])).status_code == 200
    assert ask(server).status_code == 200  # her own count was never touched


def test_refused_bearer_tokens_past_the_limit_get_429_even_with_a_good_token(server, tokens):
    wrong = bearer("mnt_0000000000000000_wrong")
    assert [httpx.get(f"{server}/v1/gaps", headers=wrong).status_code for _ in range(4)] == [401] * 4
    assert_limited(httpx.get(f"{server}/v1/gaps", headers=wrong))
    assert_limited(httpx.get(f"{server}/v1/gaps", headers=bearer(tokens["staff"])))  # guessing stops here


def test_failed_console_sign_ins_past_the_limit_get_429(server, tokens):
    def sign_in(token: str) -> httpx.Response:
        return httpx.post(f"{server}/staff/login", data={"token": token}, follow_redirects=False)

    assert [sign_in(f"mnt_0000000000000000_guess{i}").status_code for i in range(4)] == [401] * 4
    refused = sign_in(tokens["staff"])
    assert refused.status_code == 429 and "Too many failed sign-ins" in refused.text
    assert 1 <= int(refused.headers["Retry-After"]) <= 60


def test_good_sign_ins_are_not_counted(server, tokens):
    for _ in range(6):
        assert httpx.post(f"{server}/staff/login", data={"token": tokens["staff"]}).status_code in (200, 303)


def test_off_turns_a_limit_off(api_runtime):
    runtime = limited(api_runtime, rate_limit_anonymous="off")
    with serve(create_app(runtime.settings, runtime), name="mentor") as url:
        assert {ask(url).status_code for _ in range(5)} == {200}


def test_two_servers_on_one_database_share_the_counts(api_runtime):
    """Two workers (two apps, two runtimes, two engines) on one SQLite file, counts in the database."""
    first = limited(api_runtime, rate_limit_store="database")
    second = Runtime(first.settings, embedder=first.embedder)
    with ExitStack() as stack:
        a = stack.enter_context(serve(create_app(first.settings, first), name="a"))
        b = stack.enter_context(serve(create_app(second.settings, second), name="b"))
        assert [ask(url).status_code for url in (a, b, a)] == [200, 200, 200]
        assert_limited(ask(b))


def test_the_counts_can_live_in_redis(api_runtime):
    client = redis.Redis.from_url(REDIS_URL)
    try:
        client.ping()
    except redis.ConnectionError:
        pytest.skip("no Redis on 127.0.0.1:6379")
    runtime = limited(api_runtime, rate_limit_store="redis", redis_url=REDIS_URL)
    data_dir = runtime.settings.data_dir / f"r-{uuid.uuid4().hex[:6]}"  # a new installation key: fresh counts
    runtime.settings = runtime.settings.model_copy(update={"data_dir": data_dir})
    api = Runtime(runtime.settings, embedder=runtime.embedder)
    api.settings.abstain_threshold = 0.2
    with serve(create_app(api.settings, api), name="mentor") as url:
        statuses = [httpx.get(f"{url}/v1/search", params={"q": "x"}, timeout=60).status_code for _ in range(4)]
    assert statuses[3] == 429 and 429 not in statuses[:3]
    assert any(key.startswith(b"LIMITS") for key in client.scan_iter("LIMITS*"))
