"""Voice notes in the web chat: an audio file posted as the body of `/chat/api/voice`, with the scripted
transcriber: what was heard, then the answer; a file over the limit, an empty body, a cross-site post, a
retry, and the speech model switched off, each answered clearly."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from assistant.phrases import phrase
from assistant.speech import ScriptedTranscriber, Transcript
from assistant.storage.models import Message as StoredMessage

QUESTION = "How do I prepare a loan file to obtain credit?"
NOTE = b"OggS\x00\x02 a voice note recorded in the browser"


@pytest.fixture
def transcriber(api_runtime):
    fake = ScriptedTranscriber(default=Transcript(QUESTION, "en", 5.0, 0.9))
    api_runtime.transcriber = fake  # what Runtime.transcriber gives in production
    return fake


def post(api, audio: bytes, message_id: str | None = None, **headers):
    query = f"?message_id={message_id}" if message_id else ""
    return api.post(f"/chat/api/voice{query}", content=audio, headers={"Content-Type": "audio/ogg", **headers})


def test_a_voice_note_is_echoed_then_answered(api, transcriber):
    response = post(api, NOTE, **{"Accept-Language": "es-BO,es;q=0.9"})
    assert response.status_code == 200
    echo, answer = response.json()["replies"][:2]
    assert echo["text"] == phrase("voice_heard", "en", text=QUESTION)
    assert answer["sources"] and answer["buttons"][0]["id"].startswith("vote:up:")  # sources come apart
    assert transcriber.calls == [(NOTE, None)] and transcriber.hints == ["es"]  # the browser's language as prior


def test_a_retried_note_is_answered_once(api, transcriber):
    assert len(post(api, NOTE, message_id="note-1").json()["replies"]) >= 2
    again = post(api, NOTE, message_id="note-1").json()
    assert again == {"duplicate": True, "replies": []} and len(transcriber.calls) == 1


def test_a_file_over_the_limit_is_refused_politely_without_being_transcribed(api, api_runtime, transcriber):
    big = b"\x00" * (api_runtime.settings.asr_max_bytes + 1)
    [reply] = post(api, big, **{"Accept-Language": "fr"}).json()["replies"]
    assert reply["text"] == phrase("voice_too_long", "fr", limit="2 min") and transcriber.calls == []


def test_an_unreadable_file_gets_the_polite_reply(api, api_runtime):
    api_runtime.transcriber = ScriptedTranscriber()  # nothing scripted: the audio counts as unreadable
    [reply] = post(api, b"not audio at all").json()["replies"]
    assert reply["text"] == phrase("voice_unreadable", "en")


def test_with_speech_off_she_is_asked_to_type(api, api_runtime):
    api_runtime.transcriber = None  # MENTOR_ASR_MODEL=off
    [reply] = post(api, NOTE, **{"Accept-Language": "es"}).json()["replies"]
    assert reply["text"] == phrase("voice_unavailable", "es")


def test_an_empty_body_and_a_cross_site_post_are_refused(api, transcriber):
    empty = post(api, b"")
    assert empty.status_code == 422 and empty.json()["code"] == "empty_message"
    cross = post(api, NOTE, Origin="https://evil.example")
    assert cross.status_code == 403 and transcriber.calls == []
    assert post(api, NOTE, message_id="bad id!").status_code == 422


def test_the_audio_is_not_stored(api, api_runtime, transcriber):
    post(api, NOTE)
    with api_runtime.database.session() as s:
        texts = s.scalars(select(StoredMessage.text)).all()
    assert not any("OggS" in (t or "") for t in texts)
