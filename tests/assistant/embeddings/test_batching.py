"""Micro-batching: concurrent callers share one encode call and each gets its own vector."""

from __future__ import annotations

import threading

import numpy as np
import pytest

from assistant.embeddings.batching import MicroBatcher


class SlowEncoder:
    """Records each batch; vector i is [len(text)], so a caller can check it got its own."""

    def __init__(self, delay: float = 0.02) -> None:
        self.calls: list[list[str]] = []
        self.delay = delay
        self.release = threading.Event()

    def __call__(self, texts: list[str]) -> np.ndarray:
        self.calls.append(list(texts))
        self.release.wait(self.delay)
        return np.array([[float(len(t))] for t in texts], dtype=np.float32)


def run_concurrently(batcher: MicroBatcher, texts: list[str]) -> dict[str, np.ndarray]:
    results: dict[str, np.ndarray] = {}
    barrier = threading.Barrier(len(texts))

    def call(text: str) -> None:
        barrier.wait()
        results[text] = batcher(text)

    threads = [threading.Thread(target=call, args=(t,)) for t in texts]
    for t in threads:
        t.start()
    for t in threads:
        t.join(10)
    return results


def test_a_lone_request_is_encoded_alone():
    encoder = SlowEncoder(0)
    batcher = MicroBatcher(encoder, max_batch=8, max_wait_ms=1)
    assert batcher("hello")[0] == 5.0
    assert encoder.calls == [["hello"]]


def test_concurrent_requests_share_batches_and_get_their_own_vectors():
    encoder = SlowEncoder(0.05)
    batcher = MicroBatcher(encoder, max_batch=32, max_wait_ms=5)
    texts = ["x" * n for n in range(1, 25)]
    results = run_concurrently(batcher, texts)
    assert {t: float(v[0]) for t, v in results.items()} == {t: float(len(t)) for t in texts}
    assert sum(len(c) for c in encoder.calls) == 24
    assert len(encoder.calls) < 24 / 2  # most requests waited together for one model call
    assert batcher.items == 24 and batcher.batches == len(encoder.calls)


def test_batches_never_exceed_the_maximum():
    encoder = SlowEncoder(0.05)
    batcher = MicroBatcher(encoder, max_batch=4, max_wait_ms=5)
    run_concurrently(batcher, [f"q{i}" for i in range(12)])
    assert max(len(c) for c in encoder.calls) <= 4


def test_an_encoder_failure_reaches_every_waiting_caller_and_the_batcher_recovers():
    fail = threading.Event()
    fail.set()

    def encode(texts: list[str]) -> np.ndarray:
        if fail.is_set():
            raise RuntimeError("model crashed")
        return np.ones((len(texts), 1), dtype=np.float32)

    batcher = MicroBatcher(encode, max_batch=8, max_wait_ms=1)
    with pytest.raises(RuntimeError, match="model crashed"):
        batcher("first")
    fail.clear()
    assert batcher("second")[0] == 1.0
