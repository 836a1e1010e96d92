"""The runtime: the loaded embedding model, index and retriever, built once at start-up.

Entry points (the CLI, the web app) build one `Runtime` from `Settings`; everything expensive is loaded
here and nowhere else: the embedding model, the index, the query micro-batcher, the database and the speech
model for voice notes. A newer index version written by an ingest is picked up on the next use.
"""

from __future__ import annotations

import contextlib
import threading
from functools import cached_property

from assistant.config import Settings
from assistant.embeddings import Embedder, build_embedder, embed_queries
from assistant.embeddings.batching import MicroBatcher
from assistant.errors import ConfigurationError
from assistant.gaps import GapGroups
from assistant.knowledge.ingest import Ingestor
from assistant.pathways import PathwayService
from assistant.retrieval.index import IndexData, IndexStore
from assistant.retrieval.search import Retriever
from assistant.speech import AudioError, Transcriber, build_transcriber
from assistant.storage import Database, Store, installation_key, use_pseudonym_key


class Runtime:
    """Holds the expensive objects. Constructing it is cheap; each part loads on first use."""

    def __init__(self, settings: Settings, embedder: Embedder | None = None) -> None:
        self.settings = settings
        self._embedder = embedder
        self._index: IndexData | None = None
        self._retriever: Retriever | None = None
        self._lock = threading.Lock()

    @cached_property
    def index_store(self) -> IndexStore:
        return IndexStore(self.settings.index_dir)

    @property
    def embedder(self) -> Embedder:
        if self._embedder is None:
            self._embedder = build_embedder(self.settings)
        return self._embedder

    @property
    def index(self) -> IndexData:
        with self._lock:
            if self._index is None or self._index.version != self.index_store.current_version():
                self._index = self.index_store.load()
                if self._index.model != self.embedder.name:
                    raise ConfigurationError(
                        f"the index was built with {self._index.model!r} but the configured embedding model is "
                        f"{self.embedder.name!r}: run `mentor ingest` again or change MENTOR_EMBEDDING_MODEL"
                    )
            return self._index

    @property
    def retriever(self) -> Retriever:
        """One retriever per index version, so its caches (typo corrections, vocabularies) are kept."""
        index = self.index
        with self._lock:
            if self._retriever is None or self._retriever.index is not index:
                self._retriever = Retriever(index, self.embedder, self.settings, self.query_encoder)
            return self._retriever

    @cached_property
    def query_encoder(self):
        """Text -> query vector; micro-batched across threads when `micro_batch` is on."""
        embedder = self.embedder
        if not self.settings.micro_batch:
            return lambda text: embed_queries(embedder, [text])[0]
        return MicroBatcher(
            lambda texts: embed_queries(embedder, texts),
            self.settings.micro_batch_max,
            self.settings.micro_batch_wait_ms,
        )

    @cached_property
    def database(self) -> Database:
        """The database, migrated to the newest schema on first use. The installation's key is read (made on
        the first start) first, so every pseudonym written from here on is keyed with it."""
        use_pseudonym_key(installation_key(self.settings.data_dir))
        database = Database(self.settings.database)
        database.migrate()
        return database

    @cached_property
    def store(self) -> Store:
        return Store(self.database, self.settings.memory_turns)

    @cached_property
    def gap_groups(self) -> GapGroups:
        """Content gaps, grouped as they are recorded (what the answerer records them with)."""
        return GapGroups(self.store, self.embedder)

    @cached_property
    def matching(self):
        """Reciprocal matching over the database's participants (and the configured cohort file)."""
        # Lazy for cost, not a cycle: the matching engine loads SciPy's optimiser (about 2 s), which the
        # retrieval-only entry points never need.
        from assistant.matching.service import MatchingService

        return MatchingService(self.settings, self.store, self.embedder)

    @cached_property
    def pathways(self) -> PathwayService:
        """Learning pathways and resource recommendations over the database's participants."""
        return PathwayService(self.settings, self.store, self.embedder)

    @cached_property
    def transcriber(self) -> Transcriber | None:
        """The speech model for voice notes (None when MENTOR_ASR_MODEL=off).

        Built cheaply on first access, which says at once (a log line) when the bundled model is missing;
        the model itself loads on the first voice note, or here when MENTOR_ASR_PRELOAD is set. An entry point
        touches this at start-up so that the log line comes then.
        """
        transcriber = build_transcriber(self.settings)
        if transcriber is not None and self.settings.asr_preload:
            # load() logs a failure once; voice notes then get the text-only reply and text is unaffected.
            with contextlib.suppress(AudioError):
                transcriber.load()  # assembles and verifies the bundled model on the very first start
        return transcriber

    def prepare_speech(self) -> None:
        """Assemble and verify the speech model now (not load it), so that a checksum failure is said at
        start-up rather than on the first voice note; `mentor serve` runs this in the background."""
        prepare = getattr(self.transcriber, "prepare", None)
        if prepare is not None:
            prepare()

    def transcriber_status(self) -> dict[str, str]:
        """What /readyz says of speech: {"asr": "off" | "not loaded" | "ready" | "unavailable: <reason>"}."""
        transcriber = self.transcriber
        if transcriber is None:
            return {"asr": "off"}
        return {"asr": getattr(transcriber, "status", "ready")}

    def ingestor(self) -> Ingestor:
        return Ingestor(self.settings, self.embedder)
