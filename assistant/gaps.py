"""Content gaps: questions the guides could not answer, kept for staff to review.

Each record has the question, its language, the time and the evidence scores; no user id. Appended to
`<data_dir>/content_gaps.jsonl` for now; the storage layer moves them into the database.
"""

from __future__ import annotations

import json
import threading
import time
from pathlib import Path


class GapLog:
    def __init__(self, path: Path) -> None:
        self.path = path
        self._lock = threading.Lock()

    def record(self, question: str, language: str, scores: dict) -> None:
        entry = {
            "time": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
            "question": question,
            "language": language,
            "scores": scores,
        }
        with self._lock:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            with open(self.path, "a", encoding="utf-8") as handle:
                handle.write(json.dumps(entry, ensure_ascii=False) + "\n")

    def read(self) -> list[dict]:
        if not self.path.exists():
            return []
        with open(self.path, encoding="utf-8") as handle:
            return [json.loads(line) for line in handle if line.strip()]
