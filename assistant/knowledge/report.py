"""The ingest report: what one ingest did (documents added, updated, replaced, removed, files skipped and
why), for the summary the CLI prints, the API returns and the console's job page shows.

A skipped file is named in the report by its path relative to the folder it was ingested from (an upload
by its file name), never by an absolute server path.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class Skipped:
    path: str  # where the file is on this machine (the CLI prints it; the web job deletes an unusable upload)
    reason: str
    name: str = ""  # what the report shows: relative to the ingested folder

    @property
    def shown(self) -> str:
        return self.name or self.path.rsplit("/", 1)[-1]


@dataclass
class Replaced:
    """A document that a file from another place replaced (an upload named like an existing guide)."""

    key: str
    previous: str  # the file it came from, relative to its folder
    by: str


@dataclass
class IngestReport:
    """What an ingest did, for the summary the CLI prints and the API returns."""

    documents: int = 0
    chunks: int = 0
    languages: dict[str, int] = field(default_factory=dict)
    added: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: int = 0
    removed: list[str] = field(default_factory=list)
    replaced: list[Replaced] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)
    embedded: int = 0
    shipped: int = 0  # passage vectors taken from the shipped ones (knowledge_base/vectors)
    versions: dict[str, list[str]] = field(default_factory=dict)  # added/updated doc id -> languages it exists in
    rebuilt: str | None = None  # why every document was read again (the old index could not be reused)
    seconds: float = 0.0
    version: str | None = None
    questions: int = 0  # questions of guide sections in the index (assistant/knowledge/questions.py)
    question_problems: list[str] = field(default_factory=list)  # question files left out, and why
    questions_changed: bool = False

    @property
    def changed(self) -> bool:
        return bool(self.added or self.updated or self.removed or self.questions_changed)

    def to_dict(self, full_paths: bool = False) -> dict:
        """As JSON; skipped files by their path relative to their folder (the server's reports), or as
        given on this machine with `full_paths` (the CLI, whose user named them)."""
        return {
            "documents": self.documents,
            "chunks": self.chunks,
            "languages": self.languages,
            "added": self.added,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "removed": self.removed,
            "replaced": [{"key": r.key, "previous": r.previous, "by": r.by} for r in self.replaced],
            "skipped": [{"path": s.path if full_paths else s.shown, "reason": s.reason} for s in self.skipped],
            "embedded": self.embedded,
            "shipped": self.shipped,
            "versions": self.versions,
            "rebuilt": self.rebuilt,
            "seconds": round(self.seconds, 3),
            "version": self.version,
            "questions": self.questions,
            "question_problems": self.question_problems,
            "questions_changed": self.questions_changed,
        }
