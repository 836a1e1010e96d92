"""The HTTP API's defences: staff authentication on every staff route, revocation, constant-time token
checks, upload checks, malformed or oversized bodies, JSON errors, and CORS closed by default."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from dataclasses import dataclass

import pytest
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from assistant.cli import app as cli_app
from assistant.runtime import Runtime
from assistant.storage import tokens as store_module
from tests.conftest import zip_bomb
from tests.web.conftest import bearer
from web.app import create_app

PUBLIC_V1 = {("POST", "/v1/ask"), ("GET", "/v1/search"), ("POST", "/v1/feedback")}
GOOD_MD = b"---\nid: upload-guide\nlang: en\ntitle: Uploaded guide\n---\n\n# Uploaded guide\n\nKeep records.\n"


@dataclass(frozen=True)
class StaffRoute:
    method: str
    path: str  # the route's template, as in the OpenAPI document
    url: Callable[[Runtime], str]  # a concrete URL that exists, so an allowed call succeeds
    allowed_status: int
    editing: bool = False
    files: bool = False  # sends a valid upload
    json: dict | None = None

    @property
    def id(self) -> str:
        return f"{self.method} {self.path}"

    def call(self, client: TestClient, runtime: Runtime, headers: dict | None = None):
        kwargs: dict = {"headers": headers or {}}
        if self.files:
            kwargs["files"] = [("files", ("guide.md", GOOD_MD, "text/markdown"))]
        if self.json is not None:
            kwargs["json"] = self.json
        return client.request(self.method, self.url(runtime), **kwargs)


def _job(runtime: Runtime) -> str:
    return "/v1/jobs/" + runtime.store.create_job("ingest", {"files": []}, "tester")


def _handoff(runtime: Runtime, action: str) -> str:
    """A web-chat participant who asked for a person (a staff reply to her is queued, so it succeeds)."""
    person = runtime.store.give_consent("web", f"security-{action}", language="en")
    runtime.store.set_handed_to_staff("web", f"security-{action}")
    return f"/v1/handoffs/{person.id}/{action}"


def _matchable(runtime: Runtime) -> str:
    """A participant who told her offers and needs, so suggestions for her exist (possibly none)."""
    person = runtime.store.give_consent("web", "security-match", language="en")
    runtime.store.update_participant(person.id, profile={"offers": "bookkeeping", "needs": "branding"})
    return f"/v1/matches/{person.id}"


def _pairing(runtime: Runtime, action: str) -> str:
    pairing = runtime.store.propose_pairing(f"sec-{action}-a", f"sec-{action}-b", 0.5, 0.5, 0.5, {}, source="cohort")
    return f"/v1/pairings/{pairing['id']}/{action}"


def _pathway(runtime: Runtime) -> str:
    person = runtime.store.give_consent("web", "security-pathway", language="en")
    return f"/v1/pathways/{person.id}"


STAFF_ROUTES = [
    StaffRoute("GET", "/v1/documents", lambda rt: "/v1/documents", 200),
    StaffRoute("POST", "/v1/documents", lambda rt: "/v1/documents", 202, editing=True, files=True),
    StaffRoute("DELETE", "/v1/documents/{doc_id}", lambda rt: "/v1/documents/meetings", 200, editing=True),
    StaffRoute("GET", "/v1/jobs/{job_id}", _job, 200),
    StaffRoute("POST", "/v1/jobs/{job_id}/cancel", lambda rt: _job(rt) + "/cancel", 202, editing=True),
    StaffRoute("GET", "/v1/gaps", lambda rt: "/v1/gaps", 200),
    StaffRoute("GET", "/v1/feedback", lambda rt: "/v1/feedback", 200),
    StaffRoute("GET", "/v1/stats", lambda rt: "/v1/stats?days=7", 200),
    StaffRoute("GET", "/v1/handoffs", lambda rt: "/v1/handoffs", 200),
    StaffRoute("GET", "/v1/deliveries/failed", lambda rt: "/v1/deliveries/failed", 200),
    StaffRoute(
        "POST",
        "/v1/handoffs/{participant_id}/reply",
        lambda rt: _handoff(rt, "reply"),
        200,
        editing=True,
        json={"text": "Hello from the team"},
    ),
    StaffRoute("POST", "/v1/handoffs/{participant_id}/release", lambda rt: _handoff(rt, "release"), 200, editing=True),
    StaffRoute("GET", "/v1/matches/{participant_id}", _matchable, 200),
    StaffRoute("GET", "/v1/pairings", lambda rt: "/v1/pairings?status=proposed", 200),
    StaffRoute("GET", "/v1/matching/report", lambda rt: "/v1/matching/report", 200),
    StaffRoute(
        "POST", "/v1/pairings/cohort", lambda rt: "/v1/pairings/cohort", 200, editing=True, json={"save": False}
    ),
    StaffRoute("POST", "/v1/pairings/{match_id}/approve", lambda rt: _pairing(rt, "approve"), 200, editing=True),
    StaffRoute("POST", "/v1/pairings/{match_id}/reject", lambda rt: _pairing(rt, "reject"), 200, editing=True),
    StaffRoute("GET", "/v1/pathways/{participant_id}", _pathway, 200),
    StaffRoute("GET", "/v1/nudges/stats", lambda rt: "/v1/nudges/stats?days=30", 200),
    StaffRoute("POST", "/v1/nudges/run", lambda rt: "/v1/nudges/run?dry_run=true", 200, editing=True),
]
ROUTE_IDS = [r.id for r in STAFF_ROUTES]
EDITING = [r for r in STAFF_ROUTES if r.editing]
READING = [r for r in STAFF_ROUTES if not r.editing]


def _declared_routes(app) -> set[tuple[str, str]]:
    """Every (method, path) the app serves: from the OpenAPI document and from the routes themselves (a route
    left out of the schema still counts)."""
    found = {
        (method.upper(), path)
        for path, item in app.openapi()["paths"].items()
        for method in item
        if method in {"get", "post", "put", "patch", "delete"}
    }

    def walk(routes):
        for route in routes:
            if isinstance(route, APIRoute):
                path = route.path.replace(":path}", "}")  # as OpenAPI writes a path converter
                found.update((m, path) for m in route.methods if m not in {"HEAD", "OPTIONS"})
            elif getattr(route, "original_router", None) is not None:  # an included router
                walk(route.original_router.routes)

    walk(app.routes)
    return found


def test_the_matrix_covers_every_staff_route(api):
    staff = {r for r in _declared_routes(api.app) if r[1].startswith("/v1/")} - PUBLIC_V1
    assert staff, "no /v1 routes found: the discovery is broken"
    assert staff == {(r.method, r.path) for r in STAFF_ROUTES}, "a staff route without a security test"


# -- authentication -------------------------------------------------------------------------------------------


@pytest.mark.parametrize("route", STAFF_ROUTES, ids=ROUTE_IDS)
def test_no_token_is_401_json_with_www_authenticate(api, api_runtime, route):
    response = route.call(api, api_runtime)
    assert response.status_code == 401
    assert response.json() == {"code": "unauthorized", "message": response.json()["message"]}
    assert "token" in response.json()["message"]
    assert response.headers["WWW-Authenticate"] == "Bearer"


GARBAGE = ["garbage", "mnt_", "mnt__", "mnt_x_y_z", "mnt_0000000000000000_" + "A" * 43, "é" * 20, "x" * 5000]


@pytest.mark.parametrize("route", STAFF_ROUTES, ids=ROUTE_IDS)
def test_garbage_token_is_401(api, api_runtime, route):
    for token in GARBAGE:
        response = route.call(api, api_runtime, {"Authorization": b"Bearer " + token.encode()})
        assert response.status_code == 401, token
        assert response.json()["code"] == "invalid_token"
        assert response.headers["WWW-Authenticate"] == "Bearer"


@pytest.mark.parametrize("route", STAFF_ROUTES, ids=ROUTE_IDS)
def test_real_id_with_a_wrong_secret_is_401(api, api_runtime, tokens, route):
    prefix, token_id, secret = tokens["admin"].split("_", 2)
    assert prefix == "mnt" and len(secret) > 20
    for forged in (
        secret[:-1] + ("A" if secret[-1] != "A" else "B"),  # one character off
        secret[:-1],  # truncated
        "B" * len(secret),
        "",
    ):
        response = route.call(api, api_runtime, bearer(f"{prefix}_{token_id}_{forged}"))
        assert response.status_code == 401, forged
        assert response.json()["code"] == "invalid_token"
    # The real one, for contrast: the failure above is the secret's, not the test's.
    assert route.call(api, api_runtime, bearer(tokens["admin"])).status_code == route.allowed_status


def test_other_schemes_and_a_garbage_cookie_are_refused(api, tokens):
    assert api.get("/v1/documents", headers={"Authorization": f"Basic {tokens['staff']}"}).status_code == 401
    assert api.get("/v1/documents", headers={"Authorization": "Bearer "}).status_code == 401
    api.cookies.set("mentor_staff", "mnt_nothing_here")
    try:
        response = api.get("/v1/documents")
    finally:
        api.cookies.clear()
    assert response.status_code == 401 and response.json()["code"] == "invalid_token"


@pytest.mark.parametrize("route", EDITING, ids=[r.id for r in EDITING])
def test_the_evaluator_may_not_edit(api, api_runtime, tokens, route):
    response = route.call(api, api_runtime, bearer(tokens["evaluator"]))
    assert response.status_code == 403
    assert response.json()["code"] == "forbidden" and "evaluator" in response.json()["message"]
    # Nothing happened: the document is still there and nothing was saved.
    docs = {d["doc_id"] for d in api.get("/v1/documents", headers=bearer(tokens["evaluator"])).json()}
    assert "meetings" in docs
    assert not (api_runtime.settings.data_dir / "uploads").exists()


@pytest.mark.parametrize("route", READING, ids=[r.id for r in READING])
def test_the_evaluator_may_read(api, api_runtime, tokens, route):
    assert route.call(api, api_runtime, bearer(tokens["evaluator"])).status_code == route.allowed_status


@pytest.mark.parametrize("role", ["staff", "admin"])
@pytest.mark.parametrize("route", STAFF_ROUTES, ids=ROUTE_IDS)
def test_staff_and_admin_are_let_through(api, api_runtime, tokens, route, role):
    response = route.call(api, api_runtime, bearer(tokens[role]))
    assert response.status_code == route.allowed_status, response.text


# -- revocation and constant-time checks -------------------------------------------------------------------


def test_a_revoked_token_stops_working_on_the_next_request(api, api_runtime, tokens):
    headers = bearer(tokens["staff"])
    assert api.get("/v1/documents", headers=headers).status_code == 200
    assert api_runtime.store.revoke_token("staff-user") is True
    response = api.get("/v1/documents", headers=headers)
    assert response.status_code == 401 and response.json()["code"] == "invalid_token"
    # The other tokens are untouched.
    assert api.get("/v1/documents", headers=bearer(tokens["admin"])).status_code == 200


def test_revoking_with_the_cli_takes_effect_in_the_running_app(api, api_runtime, tokens):
    headers = bearer(tokens["admin"])
    assert api.get("/v1/stats", headers=headers).status_code == 200
    result = CliRunner().invoke(
        cli_app,
        ["--data-dir", str(api_runtime.settings.data_dir), "staff", "revoke", "admin-user"],
        env={"MENTOR_EMBEDDING_MODEL": "hash"},
    )
    assert result.exit_code == 0, result.output
    assert api.get("/v1/stats", headers=headers).status_code == 401


@pytest.fixture
def compare_spy(monkeypatch) -> list[tuple]:
    calls: list[tuple] = []
    real = store_module.hmac.compare_digest

    def spy(a, b):
        calls.append((a, b))
        return real(a, b)

    monkeypatch.setattr(store_module.hmac, "compare_digest", spy)
    return calls


def test_tokens_are_compared_with_hmac_compare_digest(api, api_runtime, tokens, compare_spy):
    assert api.get("/v1/documents", headers=bearer(tokens["staff"])).status_code == 200
    assert len(compare_spy) == 1
    prefix, token_id, secret = tokens["staff"].split("_", 2)
    assert api.get("/v1/documents", headers=bearer(f"{prefix}_{token_id}_{secret[::-1]}")).status_code == 401
    # An unknown id is compared too (against a dummy hash), so it takes as long as a wrong secret.
    assert api.get("/v1/documents", headers=bearer(f"{prefix}_ffffffffffffffff_{secret}")).status_code == 401
    assert len(compare_spy) == 3
    assert all(secret not in str(call) for call in compare_spy), "hashes are compared, never the raw secret"


def test_verification_relies_on_compare_digest_result(api_runtime, tokens, monkeypatch):
    assert api_runtime.store.verify_token(tokens["staff"]) is not None
    monkeypatch.setattr(store_module.hmac, "compare_digest", lambda a, b: False)
    assert api_runtime.store.verify_token(tokens["staff"]) is None


# -- uploads ---------------------------------------------------------------------------------------------------


@pytest.fixture
def make_client(api_runtime) -> Iterator[Callable[..., TestClient]]:
    """Builds an app after changing settings (some are read when the app is created), lifespan run."""
    with ExitStack() as stack:

        def make(**overrides) -> TestClient:
            for name, value in overrides.items():
                setattr(api_runtime.settings, name, value)
            return stack.enter_context(TestClient(create_app(api_runtime.settings, api_runtime)))

        yield make


def _upload(client: TestClient, token: str, *files: tuple[str, bytes]):
    return client.post("/v1/documents", headers=bearer(token), files=[("files", f) for f in files])


def _uploads(runtime: Runtime) -> list[str]:
    folder = runtime.settings.data_dir / "uploads"
    return sorted(p.name for p in folder.iterdir()) if folder.exists() else []


def test_an_upload_over_the_size_limit_is_413_with_the_reason(make_client, api_runtime, tokens):
    client = make_client(max_upload_mb=0.01)  # about 10 KB
    response = _upload(client, tokens["staff"], ("big.md", b"# Big\n\n" + b"words " * 4000))
    assert response.status_code == 413
    body = response.json()
    assert body["code"] == "upload_rejected"
    assert "big.md" in body["message"] and "0.01 MB limit" in body["message"]
    assert _uploads(api_runtime) == []
    # Just under the limit is fine.
    assert _upload(client, tokens["staff"], ("small.md", b"# Small\n\n" + b"w" * 9000)).status_code == 202


@pytest.mark.parametrize(
    "name, data, reason",
    [
        ("guide.pdf", b"just some text, not a PDF at all\n", "not a PDF"),
        ("guide.pdf", b"\x7fELF\x02\x01\x01\x00" + b"\x00" * 64, "not a PDF"),
        ("setup.exe", b"MZ\x90\x00" + b"\x00" * 64, "unsupported file type '.exe'"),
        ("noext", b"hello", "unsupported file type"),
        ("guide.md", b"\x7fELF\x02\x01\x01\x00" + b"\x00" * 64, "binary"),
        ("guide.docx", b"plain text named docx", "not a Word document"),
    ],
)
def test_content_that_does_not_match_the_name_is_415(api, api_runtime, tokens, name, data, reason):
    response = _upload(api, tokens["staff"], (name, data))
    assert response.status_code == 415, response.text
    assert response.json()["code"] == "upload_rejected" and reason in response.json()["message"]
    assert _uploads(api_runtime) == []


def test_a_docx_zip_bomb_is_refused_with_the_reason(api, api_runtime, tokens):
    bomb = zip_bomb()
    assert len(bomb) < 1024 * 1024  # small on the wire; well under the upload limit
    response = _upload(api, tokens["staff"], ("report.docx", bomb))
    assert 400 <= response.status_code < 500
    assert "zip bomb" in response.json()["message"] and "report.docx" in response.json()["message"]
    assert _uploads(api_runtime) == []


def _unreadable_docx() -> bytes:
    """A Word-shaped zip whose central directory asks for zip version 25.5, which zipfile refuses to read."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("word/document.xml", "<w:document/>")
    data = buffer.getvalue()
    at = data.index(b"PK\x01\x02") + 6
    return data[:at] + b"\xff\x00" + data[at + 2 :]


@pytest.mark.parametrize("data", [b"PK\x03\x04" + b"\x00" * 300, _unreadable_docx()], ids=["truncated", "zip-version"])
def test_a_corrupt_docx_is_a_4xx_not_a_crash(api, api_runtime, tokens, data):
    response = _upload(api, tokens["staff"], ("broken.docx", data))
    assert response.status_code == 422, response.text
    assert response.json()["code"] == "upload_rejected" and "corrupt DOCX" in response.json()["message"]
    assert _uploads(api_runtime) == []


def test_a_valid_markdown_upload_is_accepted_and_ingested(api, api_runtime, tokens):
    response = _upload(api, tokens["staff"], ("My Guide.md", GOOD_MD))
    assert response.status_code == 202
    body = response.json()
    assert body["files"] == ["my-guide.md"]
    assert (api_runtime.settings.data_dir / "uploads" / "my-guide.md").read_bytes() == GOOD_MD
    job = api.get(f"/v1/jobs/{body['job_id']}", headers=bearer(tokens["staff"]))
    assert job.status_code == 200 and job.json()["kind"] == "ingest"


@pytest.mark.parametrize(
    "filename", ["../../etc/passwd.md", "..\\..\\windows\\passwd.md", "/etc/passwd.md", "uploads/../../passwd.md"]
)
def test_a_path_in_the_filename_is_dropped(api, api_runtime, tokens, filename):
    response = _upload(api, tokens["staff"], (filename, GOOD_MD))
    assert response.status_code == 202, response.text
    assert response.json()["files"] == ["passwd.md"]
    data_dir = api_runtime.settings.data_dir
    saved = data_dir / "uploads" / "passwd.md"
    assert saved.read_bytes() == GOOD_MD
    everything = list(data_dir.parent.rglob("passwd.md"))
    assert everything == [saved], "the file was written somewhere else too"


def test_uploads_are_all_or_nothing(api, api_runtime, tokens, monkeypatch):
    jobs = api.app.state.jobs
    submitted: list = []
    real_submit = jobs.submit
    monkeypatch.setattr(jobs, "submit", lambda paths, by: submitted.append(paths) or real_submit(paths, by))
    response = _upload(
        api, tokens["staff"], ("first.md", GOOD_MD), ("payload.exe", b"MZ\x90\x00"), ("second.md", GOOD_MD)
    )
    assert response.status_code == 415
    assert "payload.exe" in response.json()["message"]
    assert _uploads(api_runtime) == [] and submitted == []
    # Two files that end up with the same name are refused too, before anything is written.
    response = _upload(api, tokens["staff"], ("a/guide.md", GOOD_MD), ("b/guide.md", GOOD_MD))
    assert response.status_code == 422 and "same name" in response.json()["message"]
    assert _uploads(api_runtime) == [] and submitted == []
    # The spy does see a good upload (so the checks above can fail).
    assert _upload(api, tokens["staff"], ("first.md", GOOD_MD)).status_code == 202
    assert _uploads(api_runtime) == ["first.md"] and len(submitted) == 1


def test_an_upload_with_no_files_is_a_json_4xx(api, tokens):
    response = api.post("/v1/documents", headers=bearer(tokens["staff"]))
    assert response.status_code == 422
    assert response.json()["code"] == "invalid_request" and "files" in response.json()["message"]


# -- malformed and oversized bodies ------------------------------------------------------------------------

JSON = {"content-type": "application/json"}


@pytest.mark.parametrize("path", ["/v1/ask", "/v1/feedback"])
@pytest.mark.parametrize(
    "body", [b"{", b'{"question": "hi"', b"not json", b"{'single': 'quotes'}", b"\xff\xfe{}", b'{"question": "\xff"}']
)
def test_malformed_json_is_422_invalid_json(api, path, body):
    response = api.post(path, content=body, headers=JSON)
    assert response.status_code == 422
    assert response.json() == {"code": "invalid_json", "message": response.json()["message"]}


@pytest.mark.parametrize(
    "path, payload, field_name",
    [
        ("/v1/ask", {"question": 5}, "question"),
        ("/v1/ask", {"question": ""}, "question"),
        ("/v1/ask", {"question": "hi", "language": "de"}, "language"),
        ("/v1/ask", {"question": "hi", "admin": True}, "admin"),
        ("/v1/feedback", {"answer_id": [], "vote": "maybe"}, "answer_id"),
        ("/v1/feedback", {"answer_id": "abc", "vote": "maybe"}, "vote"),
        ("/v1/feedback", {"answer_id": "abc", "vote": "up", "comment": 3}, "comment"),
    ],
)
def test_wrong_types_are_422_naming_the_field(api, path, payload, field_name):
    response = api.post(path, json=payload)
    assert response.status_code == 422
    body = response.json()
    assert body["code"] == "invalid_request"
    assert body["message"].startswith(f"{field_name}:"), body["message"]


@pytest.mark.parametrize("body", [b"", b"null", b"[]", b'"question"', b"42"])
def test_a_body_that_is_not_an_object_is_422(api, body):
    response = api.post("/v1/ask", content=body, headers=JSON)
    assert response.status_code == 422 and response.json()["code"] == "invalid_request"


def _chunks(total: int, size: int = 4096) -> Iterator[bytes]:
    yield b'{"question": "'
    for _ in range(total // size):
        yield b"x" * size
    yield b'"}'


@pytest.mark.parametrize("path", ["/v1/ask", "/v1/feedback"])
def test_an_oversized_body_is_413_with_content_length(api, api_runtime, path):
    limit = api_runtime.settings.max_body_kb * 1024
    response = api.post(path, content=b"".join(_chunks(limit + 8192)), headers=JSON)
    assert response.status_code == 413
    assert response.json()["code"] == "too_large"


@pytest.mark.parametrize("path", ["/v1/ask", "/v1/feedback"])
def test_an_oversized_body_is_413_when_chunked_without_content_length(api, api_runtime, path):
    limit = api_runtime.settings.max_body_kb * 1024
    response = api.post(path, content=_chunks(limit + 8192), headers=JSON)
    assert "content-length" not in response.request.headers
    assert response.request.headers["transfer-encoding"] == "chunked"
    assert response.status_code == 413, response.text
    assert response.json() == {"code": "too_large", "message": response.json()["message"]}
    assert "KB limit" in response.json()["message"]


def test_a_chunked_body_under_the_limit_is_read(api):
    response = api.post("/v1/ask", content=iter([b'{"question": ', b'"savings groups"}']), headers=JSON)
    assert response.status_code == 200 and response.json()["question"] == "savings groups"


def test_an_oversized_chunked_upload_is_413(make_client, tokens):
    client = make_client(max_upload_mb=0.01)  # the whole request may be about 1.1 MB
    boundary = "xyzboundary"

    def body() -> Iterator[bytes]:
        yield (
            f'--{boundary}\r\nContent-Disposition: form-data; name="files"; filename="huge.md"\r\n'
            "Content-Type: text/markdown\r\n\r\n"
        ).encode()
        for _ in range(300):
            yield b"y" * 8192
        yield f"\r\n--{boundary}--\r\n".encode()

    headers = {**bearer(tokens["staff"]), "content-type": f"multipart/form-data; boundary={boundary}"}
    response = client.post("/v1/documents", content=body(), headers=headers)
    assert response.status_code == 413, response.text
    assert response.json()["code"] == "too_large"


def test_unknown_route_and_wrong_method_are_json(api):
    missing = api.get("/v1/nothing-here")
    assert missing.status_code == 404
    assert missing.json() == {"code": "not_found", "message": "Not Found"}
    wrong = api.put("/v1/ask", json={"question": "hi"})
    assert wrong.status_code == 405
    assert wrong.json()["code"] == "method_not_allowed"
    assert wrong.headers["allow"] == "POST"


# -- CORS ------------------------------------------------------------------------------------------------------

STAFF_ORIGIN = "https://staff.example.org"
PREFLIGHT = {"Access-Control-Request-Method": "POST", "Access-Control-Request-Headers": "content-type"}


def test_cors_is_closed_by_default(api):
    preflight = api.options("/v1/ask", headers={"Origin": STAFF_ORIGIN, **PREFLIGHT})
    assert "access-control-allow-origin" not in preflight.headers
    assert preflight.status_code < 500
    response = api.get("/healthz", headers={"Origin": STAFF_ORIGIN})
    assert response.status_code == 200
    assert "access-control-allow-origin" not in response.headers


def test_cors_echoes_only_the_configured_origins(make_client):
    client = make_client(cors_origins=[STAFF_ORIGIN])
    allowed = client.options("/v1/ask", headers={"Origin": STAFF_ORIGIN, **PREFLIGHT})
    assert allowed.status_code == 200
    assert allowed.headers["access-control-allow-origin"] == STAFF_ORIGIN
    assert client.get("/healthz", headers={"Origin": STAFF_ORIGIN}).headers["access-control-allow-origin"] == (
        STAFF_ORIGIN
    )
    other = "https://evil.example.com"
    refused = client.options("/v1/ask", headers={"Origin": other, **PREFLIGHT})
    assert refused.headers.get("access-control-allow-origin") != other
    assert "access-control-allow-origin" not in refused.headers
    assert "access-control-allow-origin" not in client.get("/healthz", headers={"Origin": other}).headers


def test_a_cross_site_change_signed_by_the_console_cookie_is_refused(api, tokens, small_corpus):
    # The browser attaches the console's cookie to any request; a change from another site must not pass.
    assert api.post("/staff/login", data={"token": tokens["admin"]}, follow_redirects=False).status_code == 303
    forged = api.delete("/v1/documents/credit", headers={"Origin": "https://evil.example"})
    assert forged.status_code == 403 and forged.json()["code"] == "cross_origin"
    assert api.get("/v1/documents", headers={"Origin": "https://evil.example"}).status_code == 200  # reads pass
    same_site = api.delete("/v1/documents/credit", headers={"Origin": "http://testserver"})
    assert same_site.status_code == 200
    api.cookies.clear()
    with_bearer = api.delete(
        "/v1/documents/meetings", headers={"Origin": "https://evil.example", **bearer(tokens["admin"])}
    )
    assert with_bearer.status_code == 200  # a script holding the token is not a forged form
