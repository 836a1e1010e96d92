"""Asking the guides: hybrid search (`/v1/search`), grounded answers (`/v1/ask`) and a participant's vote
on an answer (`POST /v1/feedback`)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from starlette.concurrency import run_in_threadpool

from web.deps import AssistantDep, RuntimeDep
from web.errors import LIMITED, NOT_FOUND
from web.ratelimit import AnonymousLimit
from web.schemas import AskIn, AskOut, FeedbackIn, FeedbackOut, SearchOut

router = APIRouter()


@router.get("/v1/search", response_model=SearchOut, dependencies=[AnonymousLimit], responses=LIMITED)
async def search(
    runtime: RuntimeDep,
    q: Annotated[str, Query(min_length=1, max_length=2000, description="The query.")],
    k: Annotated[int, Query(ge=1, le=50)] = 5,
    lang: Annotated[str | None, Query(pattern="^(fr|es|en)$")] = None,
):
    """Hybrid search over the knowledge base; the `mentor search --json` shape."""
    response = await run_in_threadpool(lambda: runtime.retriever.search(q, k=k, lang=lang))
    return response.to_dict()


@router.post("/v1/ask", response_model=AskOut, dependencies=[AnonymousLimit], responses=LIMITED)
async def ask(body: AskIn, assistant: AssistantDep):
    """Answer a question from the guides, with citations; the `mentor ask --json` shape plus
    `answer_id` (for feedback). With `user_id`, follow-up questions are understood in context."""
    answer = await run_in_threadpool(
        lambda: assistant.ask(body.question, language=body.language, channel="api", user_id=body.user_id)
    )
    return answer.to_dict()


@router.post("/v1/feedback", response_model=FeedbackOut, status_code=201, responses=NOT_FOUND)
async def feedback(body: FeedbackIn, assistant: AssistantDep):
    """A thumbs-up or thumbs-down on an answer, with an optional comment."""
    feedback_id = await run_in_threadpool(assistant.feedback, body.answer_id, body.vote, body.comment, body.reason)
    return FeedbackOut(id=feedback_id)
