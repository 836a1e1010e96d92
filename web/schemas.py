"""Pydantic shapes of the HTTP API. They stay at the edge: `assistant/` never sees them."""

from __future__ import annotations

from typing import Any, Literal

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


class Readiness(Health):
    """/readyz: Health plus the speech model's state, which never makes the server not ready (text still works)."""

    asr: str | None = Field(None, description="'off', 'not loaded', 'ready' or 'unavailable: <reason>'.")


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
    reason: Literal["not_asked", "wrong", "too_long", "language", "other"] | None = Field(
        None, description="Why a thumbs-down: not what was asked, wrong, too long, in another language, other."
    )


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
    reason: str | None = None
    created_at: str


class DocumentOut(BaseModel):
    doc_id: str
    lang: str
    title: str
    chunks: int
    source: str
    format: str | None = None
    languages: list[str] = []  # every language this document id exists in


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
    attempts: int = 0
    cancel_requested: bool = False
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
    answered_from: dict[str, int] = {}  # times it was answered only from a guide in another language, by language


class StatsOut(BaseModel):
    days: int
    questions: int
    abstention_rate: float
    per_day: list[dict]
    by_language: dict[str, int]
    by_channel: dict[str, int]
    top_topics: list[dict]
    feedback: dict[str, int]


# -- staff: hand-offs, deliveries, matching, pathways, nudges ------------------------------------------------------
# Numbers the store rounds stay as they are: `Number` keeps an int an int and a float a float, so a response
# model never turns a `0` into `0.0`. Field order is the order the store's dicts have.

Number = int | float


class HandoffMessageOut(BaseModel):
    id: int
    role: str
    text: str
    language: str | None
    at: str


class HandoffOut(BaseModel):
    participant_id: str
    name: str | None
    channel: str
    country: str | None
    language: str | None
    handed_at: str | None
    messages: list[HandoffMessageOut]


class StaffReplyOut(BaseModel):
    participant_id: str
    channel: str
    delivery: str = Field(description="sent, queued (the web chat fetches it), failed (recorded) or unreachable.")
    reason: str | None = Field(None, description="Why it was not delivered (failed or unreachable).")


class ReleasedOut(BaseModel):
    participant_id: str
    delivery: str


class FailedDeliveryOut(BaseModel):
    id: int
    channel: str
    pseudonym: str
    can_resend: bool
    text: str
    error: str | None
    created_at: str


class SuggestionOut(BaseModel):
    id: str
    score: Number
    fit_to_her: Number
    fit_from_her: Number
    shared_languages: list[str]
    explanation: str
    covers_main_need: bool = False


class MainNeedOut(BaseModel):
    skill: str | None
    status: str  # covered, full, exposure, shown, none, unstated


class SuggestionsOut(BaseModel):
    participant_id: str
    main_need: MainNeedOut | None = None
    suggestions: list[SuggestionOut]


class PairingOut(BaseModel):
    id: str
    a: str
    b: str
    kind: str
    source: str
    score: Number
    fit_ab: Number
    fit_ba: Number
    status: str
    accepted_a: bool | None
    accepted_b: bool | None
    staff_decision: str | None
    decided_by: str | None
    reasons: dict
    created_at: str
    decided_at: str | None


class PairOut(BaseModel):
    a: str
    b: str
    score: Number
    fit_ab: Number
    fit_ba: Number
    shared_languages: list[str]
    reasons: list[str]


class UnmatchedOut(BaseModel):
    id: str
    reason: str


class CohortOut(BaseModel):
    pairs: list[PairOut]
    unmatched: list[UnmatchedOut]
    summary: dict
    problems: list[str]


class StepOut(BaseModel):
    module_id: str
    title: str
    why: str
    minutes: Number
    resources: list[str]


class PathwayOut(BaseModel):
    participant_id: str
    language: str
    steps: list[StepOut]
    completed: list[str]
    diagnostic: dict[str, Number]
    questions_by_competency: dict
    level: str
    agenda: list


class NudgeCountsOut(BaseModel):
    sent: int
    answered: int
    ignored: int
    waiting: int
    failed: int


class PlannedNudgeOut(BaseModel):
    participant: str
    kind: str
    ref: str
    channel: str
    mode: str
    held_back: str | None


class NudgeRunOut(BaseModel):
    sent: int
    failed: int
    skipped: dict[str, int]
    planned: list[PlannedNudgeOut]


MatchingReportOut = dict[str, Any]  # ours against a random and a one-directional pairing, per country and language


class WebhookAck(BaseModel):
    """A webhook's acknowledgement; `messages` only where the platform sends several at once (WhatsApp)."""

    status: str = Field(description="ok, or ignored for something that is not an update.")
    messages: int | None = None
