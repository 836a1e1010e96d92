"""The console's dashboard (`/staff`): questions per day and language (an inline SVG chart), abstention
rate, top topics."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool

from web.console.chart import build_chart
from web.console.pages import render
from web.console.session import PageStaff
from web.deps import RuntimeDep
from web.documents import indexed_documents

router = APIRouter(prefix="/staff")


@router.get("")
async def dashboard(request: Request, staff: PageStaff, runtime: RuntimeDep) -> Response:
    """Questions per day and language (an inline SVG chart), abstention rate, top topics."""
    stats = await run_in_threadpool(runtime.store.stats, 30)
    titles: dict[str, str] = {}
    for doc in sorted(await run_in_threadpool(indexed_documents, runtime), key=lambda d: d["lang"] != "en"):
        titles.setdefault(doc["doc_id"], doc["title"])  # the English title when there is one
    topics = [{**t, "title": titles.get(t["doc_id"], t["doc_id"])} for t in stats["top_topics"]]
    chart = build_chart(stats["per_day"], stats["days"])
    return render(request, "dashboard.html", staff, active="dashboard", stats=stats, chart=chart, topics=topics)
