"""The console's cookie is a server-side session id, not the token, and signing out revokes it (issue 19,
point 12), on the real server on loopback, SQLite and PostgreSQL: a cookie copied before sign-out no
longer opens anything afterwards, on this server or another on the same database."""

from __future__ import annotations

from contextlib import ExitStack

import httpx

from assistant.runtime import Runtime
from testkit.loopback import serve
from tests.web.test_control_characters import runtime  # noqa: F401  (the SQLite / PostgreSQL fixture)
from web.app import create_app
from web.auth import COOKIE


def sign_in(url: str, token: str) -> str:
    response = httpx.post(f"{url}/staff/login", data={"token": token}, follow_redirects=False)
    assert response.status_code == 303, response.text
    return response.cookies[COOKIE]


def page(url: str, cookie: str, path: str = "/staff/documents") -> int:
    return httpx.get(f"{url}{path}", cookies={COOKIE: cookie}, follow_redirects=False).status_code


def test_the_cookie_holds_a_session_id_and_sign_out_revokes_it_on_every_server(runtime):  # noqa: F811
    token = runtime.store.create_token("Awa", "staff")
    other = Runtime(runtime.settings, embedder=runtime.embedder)  # a second worker on the same database
    with ExitStack() as stack:
        a = stack.enter_context(serve(create_app(runtime.settings, runtime), name="a"))
        b = stack.enter_context(serve(create_app(other.settings, other), name="b"))
        cookie = sign_in(a, token)
        assert cookie != token and token.split("_", 2)[2] not in cookie  # the token never rides in the cookie
        assert page(a, cookie) == 200 and page(b, cookie) == 200
        copied = cookie  # what someone who saw the cookie keeps
        signed_out = httpx.post(f"{a}/staff/logout", cookies={COOKIE: cookie}, follow_redirects=False)
        assert signed_out.status_code == 303
        assert page(a, copied) == 303 and page(b, copied) == 303  # back to the sign-in form
        assert httpx.get(f"{b}/v1/gaps", cookies={COOKIE: copied}).status_code == 401
        assert page(a, sign_in(a, token)) == 200  # the token itself still signs in


def test_revoking_the_token_ends_its_sessions(runtime):  # noqa: F811
    token = runtime.store.create_token("Binta", "admin")
    with serve(create_app(runtime.settings, runtime), name="a") as url:
        cookie = sign_in(url, token)
        assert page(url, cookie) == 200
        runtime.store.revoke_token("Binta")
        assert page(url, cookie) == 303


def test_a_session_expires(runtime):  # noqa: F811
    token = runtime.store.create_token("Coumba", "staff")
    session_id, _ = runtime.store.open_session(token, hours=-1)  # opened already expired
    assert runtime.store.session_identity(session_id) is None
    live, who = runtime.store.open_session(token, hours=1)
    assert runtime.store.session_identity(live) == who and who.name == "Coumba"
