"""Voice notes in the running server: webhook to reply for a 15 s note, and `/v1/ask` while notes are heard.

Run with `make bench` (or `python -m benchmarks.voice_load [--threads 1,2] [--requests 40]`). The app and a
local Graph API (testkit.graph_api, serving media the Cloud API way) run on loopback in this process, over
an index of knowledge_base/ with the real embedding model and the bundled Whisper base. For each value of
MENTOR_ASR_THREADS (`--threads`; 0 is automatic: half the cores) and one transcription at a time
(MENTOR_ASR_WORKERS=1):

- the signed webhook's answer time and the time from the webhook to the echo and to the reply's first message, for one
  English note of about 15 s (espeak-ng speech as OGG/Opus, as WhatsApp sends it);
- `/v1/ask` p50/p95 from `--clients` clients, first alone, then while 5 such notes from 5 people are being
  transcribed (posted just before), and how long those 5 took to be answered.

The load generator shares the process and the cores with the server: the figures compare settings on this
machine, they are not a capacity promise. Figures are printed; nothing is asserted.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import tempfile
import time
from pathlib import Path

import httpx
from pydantic import SecretStr

from assistant.config import Settings
from assistant.runtime import Runtime
from assistant.speech import build_transcriber
from benchmarks.api_load import load_questions, prepare_index
from benchmarks.machine import rss_mb
from benchmarks.speech import SENTENCES
from bots.whatsapp import sign
from testkit.graph_api import FakeGraph
from testkit.loopback import serve
from testkit.voice_notes import spoken_note, tools_missing

TOKEN, PHONE_NUMBER_ID, APP_SECRET = "voice-bench-token", "PNID", "voice-bench-secret"
NOTE_TEXT = " ".join(SENTENCES["en"][:4])  # about 15 s at espeak-ng's 150 words a minute


def _settings(runtime: Runtime, graph_url: str) -> Settings:
    return runtime.settings.model_copy(
        update={
            "whatsapp_token": SecretStr(TOKEN),
            "whatsapp_phone_number_id": PHONE_NUMBER_ID,
            "whatsapp_app_secret": SecretStr(APP_SECRET),
            "whatsapp_verify_token": SecretStr("verify"),
            "whatsapp_api_base": f"{graph_url}/v21.0",
            "asr_workers": 1,
        }
    )


def _voice_body(number: str, wamid: str, media_id: str) -> bytes:
    note = {"mime_type": "audio/ogg; codecs=opus", "sha256": "x", "id": media_id, "voice": True}
    message = {"from": number, "id": wamid, "timestamp": str(int(time.time())), "type": "audio", "audio": note}
    value = {"messaging_product": "whatsapp", "metadata": {"phone_number_id": PHONE_NUMBER_ID}, "messages": [message]}
    payload = {"object": "whatsapp_business_account", "entry": [{"id": "WABA", "changes": [
        {"field": "messages", "value": value}]}]}  # fmt: skip
    return json.dumps(payload).encode()


async def _post_note(client: httpx.AsyncClient, number: str, wamid: str, media_id: str) -> float:
    """POST the signed webhook; seconds until it answered."""
    body = _voice_body(number, wamid, media_id)
    headers = {"Content-Type": "application/json", "X-Hub-Signature-256": sign(APP_SECRET, body)}
    started = time.perf_counter()
    response = await client.post("/webhooks/whatsapp", content=body, headers=headers)
    response.raise_for_status()
    return time.perf_counter() - started


async def _replied(graph: FakeGraph, number: str, messages: int, timeout: float = 600.0) -> float:
    """perf_counter time of the `messages`-th message sent to `number` (the echo, then the answer)."""
    deadline = time.perf_counter() + timeout
    while time.perf_counter() < deadline:
        sent = [s for s in graph.sent if s.payload.get("to") == number]
        if len(sent) >= messages:
            return sent[messages - 1].at
        await asyncio.sleep(0.02)
    raise TimeoutError(f"no reply to {number} in {timeout:.0f} s")


async def _ask(client: httpx.AsyncClient, questions: list[str], total: int, clients: int) -> list[float]:
    latencies: list[float] = []
    counter = iter(range(total))

    async def one() -> None:
        for n in counter:
            started = time.perf_counter()
            response = await client.post("/v1/ask", json={"question": questions[n % len(questions)]})
            response.raise_for_status()
            latencies.append((time.perf_counter() - started) * 1000)

    await asyncio.gather(*(one() for _ in range(clients)))
    return latencies


def _p(values: list[float], q: float) -> float:
    return statistics.quantiles(values, n=100, method="inclusive")[int(q) - 1] if len(values) > 1 else values[0]


async def _measure(url: str, graph: FakeGraph, note: bytes, threads: int, args) -> None:
    questions = load_questions()
    run = os.urandom(3).hex()
    async with httpx.AsyncClient(base_url=url, timeout=600.0) as client:
        await _ask(client, questions, 4, 1)  # warm-up: the embedder and the index
        warm = f"1514555{run[:4]}"
        await _post_note(client, warm, f"wamid.{run}.warm", graph.add_media(note))
        await _replied(graph, warm, 2)  # warm-up: the first transcription

        number = f"1514556{run[:4]}"
        started = time.perf_counter()
        ack = await _post_note(client, number, f"wamid.{run}.one", graph.add_media(note))
        echo = await _replied(graph, number, 1)
        answer = await _replied(graph, number, 2)
        print(
            f"voice threads={threads}: webhook answered in {ack * 1000:.0f} ms; 15 s note: echo after "
            f"{echo - started:.1f} s, reply after {answer - started:.1f} s"
        )

        alone = await _ask(client, questions, args.requests, args.clients)
        people = [f"1514557{run[:3]}{i}" for i in range(5)]
        started = time.perf_counter()
        acks = await asyncio.gather(
            *(_post_note(client, p, f"wamid.{run}.{i}", graph.add_media(note)) for i, p in enumerate(people))
        )
        busy = await _ask(client, questions, args.requests, args.clients)
        asked_for = time.perf_counter() - started
        answered = [await _replied(graph, p, 2) for p in people]
        print(
            f"voice threads={threads}: /v1/ask p50/p95 {_p(alone, 50):.0f}/{_p(alone, 95):.0f} ms alone, "
            f"{_p(busy, 50):.0f}/{_p(busy, 95):.0f} ms while 5 notes were transcribed "
            f"({args.requests} requests from {args.clients} clients in {asked_for:.1f} s); the 5 notes answered "
            f"after {max(answered) - started:.1f} s; webhook max {max(acks) * 1000:.0f} ms; "
            f"RSS {rss_mb(os.getpid()) or 0:.0f} MB"
        )


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
    parser.add_argument("--threads", default=f"0,1,{cores}", help="MENTOR_ASR_THREADS values, comma-separated")
    parser.add_argument("--requests", type=int, default=40, help="/v1/ask requests per measure")
    parser.add_argument("--clients", type=int, default=2, help="concurrent /v1/ask clients")
    parser.add_argument("--data-dir", type=Path, help="reuse the index in this data dir")
    args = parser.parse_args(argv)
    if (why := tools_missing()) is not None:
        print(f"voice load benchmark skipped: {why}")
        return
    from web.app import create_app  # the web stack, only when a run starts

    note = spoken_note(NOTE_TEXT, "en")
    with tempfile.TemporaryDirectory(prefix="mentor-voice-load-") as tmp:
        work = Path(tmp)
        data_dir, index_note = prepare_index(args.data_dir, work, Settings().embedding_model)
        print(f"voice load: {index_note}; {cores} cores; one transcription at a time")
        for threads in dict.fromkeys(int(t) for t in args.threads.split(",")):
            settings = Settings(data_dir=data_dir, database_url=f"sqlite:///{work / f'voice-{threads}.db'}")
            runtime = Runtime(settings)
            model_settings = Settings(_env_file=None, data_dir=work, asr_threads=threads)
            runtime.transcriber = build_transcriber(model_settings)  # what Runtime.transcriber builds
            runtime.transcriber.load()
            graph = FakeGraph(TOKEN, phone_number_id=PHONE_NUMBER_ID, clock=time.perf_counter)
            with (
                serve(graph.app, name="graph-api") as graph_url,
                serve(create_app(_settings(runtime, graph_url), runtime), name="mentor") as url,
            ):
                asyncio.run(_measure(url, graph, note, threads, args))
            runtime.database.engine.dispose()


if __name__ == "__main__":
    main()
