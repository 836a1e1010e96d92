"""`POST /v1/documents` checks the staff token before it reads the body (issue 19, point 6): on the real
server on loopback, a client that announces a 150 MB upload without a token gets its 401 after sending the
headers and a few bytes, instead of the server reading and spooling the whole body first."""

from __future__ import annotations

import socket
from urllib.parse import urlsplit

import pytest

from testkit.loopback import serve
from web.app import create_app

BOUNDARY = "x-mentor-boundary"
ANNOUNCED = 150 * 1024 * 1024


@pytest.fixture
def server(api_runtime):
    with serve(create_app(api_runtime.settings, api_runtime), name="mentor") as url:
        yield url


def _start_upload(url: str, path: str, headers: dict[str, str]) -> socket.socket:
    """Headers announcing a 150 MB multipart body, and the body's first bytes only."""
    host, port = urlsplit(url).hostname, urlsplit(url).port
    sock = socket.create_connection((host, port), timeout=30)
    lines = [
        f"POST {path} HTTP/1.1",
        f"Host: {host}:{port}",
        f"Content-Type: multipart/form-data; boundary={BOUNDARY}",
        f"Content-Length: {ANNOUNCED}",
        *(f"{k}: {v}" for k, v in headers.items()),
    ]
    first = f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="files"; filename="big.txt"\r\n\r\n'
    sock.sendall(("\r\n".join(lines) + "\r\n\r\n" + first).encode() + b"a" * 65536)
    return sock


def _status(sock: socket.socket) -> int:
    """The status line of the response the server sent while most of the body is still unsent (the read
    gives up after 30 s: a server that waits for the 150 MB never answers)."""
    try:
        head = sock.recv(4096).decode("latin-1")
    except TimeoutError:
        return 0
    finally:
        sock.close()
    return int(head.split(" ", 2)[1]) if head.startswith("HTTP/1.1 ") else 0


def test_an_upload_without_a_token_is_refused_before_the_body_is_read(server):
    assert _status(_start_upload(server, "/v1/documents", {})) == 401


def test_an_upload_with_a_wrong_token_is_refused_before_the_body_is_read(server):
    headers = {"Authorization": "Bearer mnt_0000000000000000_not-a-secret"}
    assert _status(_start_upload(server, "/v1/documents", headers)) == 401


def test_an_evaluator_upload_is_refused_before_the_body_is_read(server, tokens):
    headers = {"Authorization": f"Bearer {tokens['evaluator']}"}
    assert _status(_start_upload(server, "/v1/documents", headers)) == 403


def test_the_console_upload_is_refused_before_the_body_is_read(server):
    """The console's form already checked first: the same probe, as a reference."""
    assert _status(_start_upload(server, "/staff/documents", {})) in (303, 401)
