"""The mentoring assistant's domain library. Channels (bots, web, CLI) import only the names below."""

import importlib
from typing import TYPE_CHECKING

from assistant.config import SUPPORTED_LANGUAGES, Settings
from assistant.errors import (
    AssistantError,
    ConfigurationError,
    DocumentError,
    IndexCorruptError,
    InputError,
    NotFoundError,
    NotIndexedError,
)
from assistant.eval_cases import REVIEWED_FILE, candidate_cases, promote_case, validate_case
from assistant.gaps import group_gaps
from assistant.knowledge.ingest import Ingestor, IngestReport, list_documents
from assistant.knowledge.uploads import UploadRejected, check_upload
from assistant.languages import Detection, detect_language
from assistant.phrases import phrase
from assistant.retrieval.search import Retriever, SearchHit, SearchResponse
from assistant.runtime import Runtime
from assistant.storage import StaffIdentity, Store, pseudonym
from assistant.text import analyze, fold_accents

if TYPE_CHECKING:
    from assistant.conversation import Engine, Message, Reply
    from assistant.core import Assistant
    from assistant.pathways.nudges import Nudger

# These pull in the answering stack (LangChain, ~7 s cold), which `mentor --help` and the light commands
# must not pay for: they load on first use (PEP 562).
_LAZY = {
    "Assistant": "assistant.core",
    "Engine": "assistant.conversation",
    "Message": "assistant.conversation",
    "Nudger": "assistant.pathways.nudges",
    "Reply": "assistant.conversation",
}


def __getattr__(name: str):
    if name in _LAZY:
        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'assistant' has no attribute {name!r}")


__all__ = [
    "REVIEWED_FILE",
    "SUPPORTED_LANGUAGES",
    "Assistant",
    "AssistantError",
    "ConfigurationError",
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
    "Reply",
    "Retriever",
    "Runtime",
    "SearchHit",
    "SearchResponse",
    "Settings",
    "StaffIdentity",
    "Store",
    "UploadRejected",
    "analyze",
    "candidate_cases",
    "check_upload",
    "detect_language",
    "fold_accents",
    "group_gaps",
    "list_documents",
    "phrase",
    "promote_case",
    "pseudonym",
    "validate_case",
]
