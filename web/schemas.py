"""Pydantic shapes of the HTTP API. They stay at the edge: `assistant/` never sees them."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

Language = Literal["fr", "es", "en"]


class ErrorBody(BaseModel):
    code: str
    message: str


class SearchResultOut(BaseModel):
    rank: int
    chunk_id: str
    doc_id: str
    title: str
    language: str
    score: float
    text: str


class SearchOut(BaseModel):
    query: str
    language: str
    results: list[SearchResultOut]


class Health(BaseModel):
    status: str
    detail: str | None = None


class AskIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    question: str = Field(min_length=1, max_length=10_000, description="Over 2,000 characters is truncated.")
    language: Language | None = Field(None, description="Answer language; detected when absent.")
    user_id: str | None = Field(None, min_length=1, max_length=128, description="Keeps follow-ups in context.")


class CitationOut(BaseModel):
    n: int
    doc_id: str
    chunk_id: str
    title: str
    language: str
    snippet: str


class AskOut(BaseModel):
    question: str
    language: str
    answer: str
    abstained: bool
    citations: list[CitationOut]
    latency_ms: float
    composer: str
    answer_id: str | None


class FeedbackIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    answer_id: str = Field(min_length=1, max_length=64)
    vote: Literal["up", "down"]
    comment: str | None = Field(None, max_length=2000)


class FeedbackOut(BaseModel):
    id: int


class NegativeFeedbackOut(BaseModel):
    id: int
    answer_id: str
    question: str
    answer: str
    language: str
    channel: str
    citations: list[dict]
    comment: str | None
    created_at: str


class DocumentOut(BaseModel):
    doc_id: str
    lang: str
    title: str
    chunks: int
    source: str
    format: str | None = None


class JobOut(BaseModel):
    id: str
    kind: str
    status: str
    stage: str | None
    done: int
    total: int
    progress: float
    detail: dict
    error: str | None
    created_at: str
    finished_at: str | None


class UploadOut(BaseModel):
    job_id: str
    files: list[str]


class RemovedOut(BaseModel):
    removed: list[str]


class GapGroupOut(BaseModel):
    question: str
    count: int
    languages: dict[str, int]
    last_seen: str
    examples: list[str]


class StatsOut(BaseModel):
    days: int
    questions: int
    abstention_rate: float
    per_day: list[dict]
    by_language: dict[str, int]
    by_channel: dict[str, int]
    top_topics: list[dict]
    feedback: dict[str, int]
