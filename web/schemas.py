"""Pydantic shapes of the HTTP API. They stay at the edge: `assistant/` never sees them."""

from __future__ import annotations

from pydantic import BaseModel


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
