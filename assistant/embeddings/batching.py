"""Micro-batching: the query embeddings of concurrent requests are computed in one model call.

A request thread hands its text to `MicroBatcher(text)` and blocks; one worker thread takes the first
waiting text, gathers any others that arrive within `max_wait_ms` (up to `max_batch`), embeds them
together, and hands each thread its own vector. On two CPU cores a batch of 16 to 32 short queries costs
about 3 ms a query against 8 ms for one alone, so under load throughput rises and latency falls
(`python -m benchmarks.api_load`); alone, a request waits at most `max_wait_ms`.
"""

from __future__ import annotations

import logging
import queue
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future

import numpy as np

log = logging.getLogger(__name__)


class MicroBatcher:
    def __init__(
        self, encode: Callable[[list[str]], np.ndarray], max_batch: int = 32, max_wait_ms: float = 2.0
    ) -> None:
        self.encode = encode
        self.max_batch = max_batch
        self.max_wait = max_wait_ms / 1000
        self._queue: queue.Queue[tuple[str, Future]] = queue.Queue()
        self._worker: threading.Thread | None = None
        self._start_lock = threading.Lock()
        self.batches = 0  # for the benchmark and tests
        self.items = 0

    def __call__(self, text: str) -> np.ndarray:
        self._ensure_worker()
        future: Future = Future()
        self._queue.put((text, future))
        return future.result()

    def _ensure_worker(self) -> None:
        if self._worker is None or not self._worker.is_alive():
            with self._start_lock:
                if self._worker is None or not self._worker.is_alive():
                    self._worker = threading.Thread(target=self._run, name="query-batcher", daemon=True)
                    self._worker.start()

    def _run(self) -> None:
        while True:
            batch = [self._queue.get()]
            deadline = time.perf_counter() + self.max_wait
            while len(batch) < self.max_batch:
                remaining = deadline - time.perf_counter()
                try:
                    batch.append(self._queue.get(timeout=remaining) if remaining > 0 else self._queue.get_nowait())
                except queue.Empty:
                    break
            texts = [text for text, _ in batch]
            started = time.perf_counter()
            try:
                vectors = self.encode(texts)
                elapsed_ms = (time.perf_counter() - started) * 1000
            except Exception as exc:  # every waiting request must hear of the failure
                for _, future in batch:
                    future.set_exception(exc)
                continue
            self.batches += 1
            self.items += len(batch)
            for (_, future), vector in zip(batch, vectors, strict=True):
                future.set_result(vector)
            # MENTOR_LOG_LEVEL=DEBUG shows whether concurrent requests really share model calls.
            log.debug("embedded %d queries in one call (%.1f ms)", len(batch), elapsed_ms)
