"""After /forget nothing in the database files, the data directory or the server's log can be tied to her
(issue 19, point 7), on the real `mentor serve` over SQLite: her name and her web-chat id are searched for
in the raw bytes of every file, the database files are 0600, and the chat gives her a new id."""

from __future__ import annotations

import stat
from pathlib import Path

import httpx
import pytest

from testkit.process import mentor_serve

NAME = "Aminata Diallo"
ENV = {"MENTOR_EMBEDDING_MODEL": "hash", "MENTOR_ABSTAIN_THRESHOLD": "0.2"}


class Chat:
    def __init__(self, url: str) -> None:
        self.http = httpx.Client(base_url=url, timeout=60)
        self.sent = 0

    def say(self, text: str = "", button: str | None = None) -> list[dict]:
        self.sent += 1
        body = {"text": text, "button_id": button, "message_id": f"m{self.sent}"}
        response = self.http.post("/chat/api/messages", json=body, headers={"Accept-Language": "en"})
        assert response.status_code == 200, response.text
        return response.json()["replies"]

    @property
    def id(self) -> str:
        return self.http.cookies["mentor_chat"]


def every_file(root: Path) -> dict[Path, bytes]:
    return {p: p.read_bytes() for p in root.rglob("*") if p.is_file()}


def traces(files: dict[Path, bytes], needles: list[str]) -> list[str]:
    found = []
    for path, data in files.items():
        for needle in needles:
            for form in {needle, needle.lower(), needle.upper()}:
                if form.encode() in data:
                    found.append(f"{path.name}: {form}")
    return found


@pytest.fixture
def server(corpus_runtime):
    corpus_runtime.database.dispose()
    with mentor_serve(corpus_runtime.settings.data_dir, ENV) as running:
        yield running


def test_after_forget_no_file_in_the_data_directory_nor_the_log_holds_her(server, corpus_runtime):
    data_dir = corpus_runtime.settings.data_dir
    chat = Chat(server.url)
    chat.say("Hello, my name is Aminata Diallo: what time does the Lima office open?")  # before consent
    chat.say("/start")
    chat.say(button="consent:yes")
    chat.say("cancel")  # the onboarding, for now
    chat.say("/profile name")
    assert chat.say(NAME)  # her name, kept with her consent
    chat.say("How do I prepare a loan file to obtain credit?")
    chat.say("Aminata Diallo asks: is there a bus from Dakar to Thiès on Sundays?")  # a gap naming her
    chat.say("xylophone quantum zebra?")  # a gap in her own words
    old_id = chat.id
    assert traces(every_file(data_dir), [NAME.split()[0], old_id]), "the test must see her before /forget"

    confirm = chat.say("/forget")
    assert any(b["id"] == "forget:confirm" for b in confirm[-1]["buttons"])
    chat.say(button="forget:confirm")
    assert chat.id != old_id  # a new chat id, from the response that confirmed it

    needles = ["Aminata", "Diallo", old_id, "xylophone"]
    assert traces(every_file(data_dir), needles) == []  # while the server runs
    for name in ("mentor.db", "mentor.db-wal", "mentor.db-shm", "installation.key"):
        path = data_dir / name
        if path.exists():
            assert stat.S_IMODE(path.stat().st_mode) == 0o600, name
    assert traces({server.log: server.log.read_bytes()}, needles) == []


def test_after_forget_and_a_restart_nothing_holds_her_either(server, corpus_runtime):
    chat = Chat(server.url)
    chat.say("/start")
    chat.say(button="consent:yes")
    chat.say(NAME)  # the onboarding's first answer, in her conversation's state until the onboarding ends
    old_id = chat.id
    chat.say("/forget")
    chat.say(button="forget:confirm")
    server.stop()
    assert traces(every_file(corpus_runtime.settings.data_dir), ["Aminata", "Diallo", old_id]) == []
    assert traces({server.log: server.log.read_bytes()}, ["Aminata", "Diallo", old_id]) == []
