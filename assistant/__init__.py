"""The mentoring assistant's domain library. Channels (bots, web) import only the names listed here.

`from assistant import Engine, Message, Reply` is the whole surface a channel adapter needs; the web layer
adds the runtime, the store and the staff operations. Each name loads its module on first use (PEP 562):
the names span the whole library (FAISS, the answering stack with LangChain, SciPy), and a light entry
point (`mentor --help`, `import assistant.config`) should not pay for all of it. The imports under
TYPE_CHECKING say the same to type checkers and to the import-graph tests.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from assistant.answering.types import Answer, Citation
    from assistant.config import SUPPORTED_LANGUAGES, Settings
    from assistant.conversation import Button, Engine, Message, Reply, VoiceNotes, VoiceRef
    from assistant.core import Assistant
    from assistant.errors import (
        AssistantError,
        AudioError,
        ConfigurationError,
        DocumentError,
        IndexCorruptError,
        InputError,
        NotFoundError,
        NotIndexedError,
        TooManyFiles,
        UploadRejected,
    )
    from assistant.eval_cases import REVIEWED_FILE, candidate_cases, promote_case, validate_case
    from assistant.gaps import group_gaps
    from assistant.knowledge.ingest import Ingestor, IngestReport, list_documents
    from assistant.knowledge.reading import ReadableGuide, chunk_anchor, read_guide
    from assistant.knowledge.uploads import check_upload
    from assistant.knowledge.worker import INGEST_JOB, WorkerHandle, recover_ingest_jobs, start_ingest_worker
    from assistant.languages import Detection, detect_language
    from assistant.pathways.nudges import Nudger
    from assistant.phrases import language_label, phrase
    from assistant.retrieval.search import Retriever, SearchHit, SearchResponse
    from assistant.runtime import Runtime
    from assistant.storage import (
        DEDUP_WINDOW,
        FEEDBACK_REASONS,
        ROLES,
        DatabaseStorage,
        StaffIdentity,
        Store,
        pseudonym,
    )
    from assistant.text import analyze, fold_accents

# name -> the module that defines it
_HOMES = {
    "Answer": "assistant.answering.types",
    "Citation": "assistant.answering.types",
    "SUPPORTED_LANGUAGES": "assistant.config",
    "Settings": "assistant.config",
    "Button": "assistant.conversation",
    "Engine": "assistant.conversation",
    "Message": "assistant.conversation",
    "Reply": "assistant.conversation",
    "VoiceNotes": "assistant.conversation",
    "VoiceRef": "assistant.conversation",
    "Assistant": "assistant.core",
    **dict.fromkeys(
        [
            "AssistantError",
            "AudioError",
            "ConfigurationError",
            "DocumentError",
            "IndexCorruptError",
            "InputError",
            "NotFoundError",
            "NotIndexedError",
            "TooManyFiles",
            "UploadRejected",
        ],
        "assistant.errors",
    ),
    **dict.fromkeys(["REVIEWED_FILE", "candidate_cases", "promote_case", "validate_case"], "assistant.eval_cases"),
    "group_gaps": "assistant.gaps",
    **dict.fromkeys(["Ingestor", "IngestReport", "list_documents"], "assistant.knowledge.ingest"),
    "check_upload": "assistant.knowledge.uploads",
    **dict.fromkeys(["ReadableGuide", "chunk_anchor", "read_guide"], "assistant.knowledge.reading"),
    **dict.fromkeys(
        ["INGEST_JOB", "WorkerHandle", "recover_ingest_jobs", "start_ingest_worker"], "assistant.knowledge.worker"
    ),
    **dict.fromkeys(["Detection", "detect_language"], "assistant.languages"),
    "Nudger": "assistant.pathways.nudges",
    **dict.fromkeys(["language_label", "phrase"], "assistant.phrases"),
    **dict.fromkeys(["Retriever", "SearchHit", "SearchResponse"], "assistant.retrieval.search"),
    "Runtime": "assistant.runtime",
    **dict.fromkeys(
        ["DEDUP_WINDOW", "FEEDBACK_REASONS", "ROLES", "DatabaseStorage", "StaffIdentity", "Store", "pseudonym"],
        "assistant.storage",
    ),
    **dict.fromkeys(["analyze", "fold_accents"], "assistant.text"),
}

__all__ = [
    "DEDUP_WINDOW",
    "FEEDBACK_REASONS",
    "INGEST_JOB",
    "REVIEWED_FILE",
    "ROLES",
    "SUPPORTED_LANGUAGES",
    "Answer",
    "Assistant",
    "AssistantError",
    "AudioError",
    "Button",
    "Citation",
    "ConfigurationError",
    "DatabaseStorage",
    "Detection",
    "DocumentError",
    "Engine",
    "IndexCorruptError",
    "IngestReport",
    "Ingestor",
    "InputError",
    "Message",
    "NotFoundError",
    "NotIndexedError",
    "Nudger",
    "ReadableGuide",
    "Reply",
    "Retriever",
    "Runtime",
    "SearchHit",
    "SearchResponse",
    "Settings",
    "StaffIdentity",
    "Store",
    "TooManyFiles",
    "UploadRejected",
    "VoiceNotes",
    "VoiceRef",
    "WorkerHandle",
    "analyze",
    "candidate_cases",
    "check_upload",
    "chunk_anchor",
    "detect_language",
    "fold_accents",
    "group_gaps",
    "language_label",
    "list_documents",
    "phrase",
    "promote_case",
    "pseudonym",
    "read_guide",
    "recover_ingest_jobs",
    "start_ingest_worker",
    "validate_case",
]


def __getattr__(name: str):
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module 'assistant' has no attribute {name!r}")
    value = getattr(importlib.import_module(home), name)
    globals()[name] = value  # the next access is a plain attribute
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
