"""The mentoring assistant's domain library. Channels (bots, web, CLI) import only the names below."""

from assistant.config import SUPPORTED_LANGUAGES, Settings
from assistant.errors import (
    AssistantError,
    ConfigurationError,
    DocumentError,
    IndexCorruptError,
    InputError,
    NotIndexedError,
)
from assistant.knowledge.ingest import Ingestor, IngestReport
from assistant.languages import Detection, detect_language
from assistant.phrases import phrase
from assistant.retrieval.search import Retriever, SearchHit, SearchResponse
from assistant.runtime import Runtime
from assistant.storage import Store, pseudonym

__all__ = [
    "SUPPORTED_LANGUAGES",
    "AssistantError",
    "ConfigurationError",
    "Detection",
    "DocumentError",
    "IndexCorruptError",
    "IngestReport",
    "Ingestor",
    "InputError",
    "NotIndexedError",
    "Retriever",
    "Runtime",
    "SearchHit",
    "SearchResponse",
    "Settings",
    "Store",
    "detect_language",
    "phrase",
    "pseudonym",
]
