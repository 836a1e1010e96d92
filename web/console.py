"""The staff console (`/staff`): server-rendered pages, no front-end build step.

Staff sign in with their token, which is kept in an HttpOnly, SameSite=Strict cookie (`web.auth.COOKIE`)
and verified on every request, so a revoked token stops working at once. Pages are Jinja2 templates with
autoescaping on; the one script (`static/console.js`) only adds the upload progress indicator and the
remove confirmation, and every page works without it. State-changing requests are POSTs that must come
from this origin (the `Origin` and `Sec-Fetch-Site` headers, when present, are checked).
"""

from __future__ import annotations

import hashlib
import math
import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from functools import lru_cache
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import quote

import jinja2
from fastapi import APIRouter, Form, Request
from fastapi.responses import JSONResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates
from markupsafe import Markup, escape
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile

from assistant.config import SUPPORTED_LANGUAGES
from assistant.errors import AssistantError, IndexCorruptError, InputError, NotFoundError, NotIndexedError
from assistant.eval_cases import REVIEWED_FILE, candidate_cases, promote_case, validate_case
from assistant.gaps import group_gaps
from assistant.knowledge.ingest import list_documents
from assistant.knowledge.uploads import UploadRejected
from assistant.retrieval.search import Retriever, SearchHit
from assistant.runtime import Runtime
from assistant.storage import StaffIdentity
from assistant.text import analyze, fold_accents
from web.app import accept_uploads, remove_document
from web.auth import COOKIE, EDITORS, READERS, cross_origin, identify

router = APIRouter(prefix="/staff", include_in_schema=False)

HERE = Path(__file__).resolve().parent
STATIC_DIR = HERE / "static"
STATIC_TYPES = {
    "console.css": "text/css; charset=utf-8",
    "console.js": "text/javascript; charset=utf-8",
    "chat.css": "text/css; charset=utf-8",
    "chat.js": "text/javascript; charset=utf-8",
}
NAV = (
    ("/staff", "Dashboard", "dashboard"),
    ("/staff/search", "Search", "search"),
    ("/staff/documents", "Documents", "documents"),
    ("/staff/gaps", "Gaps", "gaps"),
    ("/staff/feedback", "Feedback", "feedback"),
    ("/staff/evals", "Eval cases", "evals"),
    ("/staff/handoffs", "Conversations", "handoffs"),
    ("/staff/matching", "Matching", "matching"),
    ("/staff/nudges", "Nudges", "nudges"),
)
LANGUAGE_COLOURS = {"fr": "#0072b2", "es": "#d55e00", "en": "#009e73"}  # Okabe-Ito: safe for colour-blindness
OTHER_COLOUR = "#777777"
PAGE_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; object-src 'none'; "
        "base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
    ),
    "Cache-Control": "no-store",
    "Referrer-Policy": "same-origin",
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
}
SNIPPET_CHARS = 320
EVAL_CANDIDATES_SHOWN = 100
MAX_TOKEN_CHARS = 512
_WORD = re.compile(r"\w+", re.UNICODE)
_ERROR_STATUS = {InputError: 422, NotFoundError: 404, NotIndexedError: 503, IndexCorruptError: 503}


@lru_cache(maxsize=len(STATIC_TYPES))
def _static_file(name: str) -> tuple[bytes, str]:
    """The file's bytes and a short content hash (for cache-busting URLs)."""
    data = (STATIC_DIR / name).read_bytes()
    return data, hashlib.sha256(data).hexdigest()[:12]


def static_url(name: str) -> str:
    return f"/staff/static/{name}?v={_static_file(name)[1]}"


def _when(value: str | None) -> str:
    """'2024-05-01T09:30:12.123+00:00' -> '2024-05-01 09:30 UTC'."""
    if not value:
        return ""
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return value
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")


def _environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(HERE / "templates"),
        autoescape=True,  # every template, whatever its name: nothing user-supplied is ever raw
        trim_blocks=True,
        lstrip_blocks=True,
        undefined=jinja2.StrictUndefined,
    )
    env.globals.update(static=static_url, nav=NAV)
    env.filters["when"] = _when
    return env


templates = Jinja2Templates(env=_environment())


# -- helpers --------------------------------------------------------------------------------------------------


def _render(request: Request, name: str, staff: StaffIdentity | None, status: int = 200, **context: Any) -> Response:
    context.setdefault("active", "")
    context.setdefault("error", None)
    context.setdefault("notice", None)
    return templates.TemplateResponse(
        request, name, {"staff": staff, **context}, status_code=status, headers=PAGE_HEADERS
    )


def _to_login(request: Request) -> RedirectResponse:
    """Back to the sign-in form; a stale cookie (revoked or unknown token) is cleared on the way."""
    response = RedirectResponse("/staff/login", status_code=303)
    if request.cookies.get(COOKIE):
        _clear_cookie(request, response)
    return response


def _clear_cookie(request: Request, response: Response) -> None:
    response.delete_cookie(COOKIE, path="/", httponly=True, samesite="strict", secure=request.url.scheme == "https")


def _wants_json(request: Request) -> bool:
    """The console's script asks for JSON; a plain form post gets pages and redirects."""
    return "application/json" in request.headers.get("accept", "")


def _refuse(request: Request, staff: StaffIdentity | None, status: int, code: str, message: str) -> Response:
    if _wants_json(request):
        return JSONResponse({"code": code, "message": message}, status_code=status)
    return _render(
        request, "error.html", staff, status, title="Not allowed" if status == 403 else "Error", message=message
    )


async def _guard_page(request: Request) -> StaffIdentity | Response:
    """The signed-in staff member for a page, or the response that sends them to sign in."""
    staff = await identify(request)
    if staff is None:
        return _to_login(request)
    if staff.role not in READERS:
        return _refuse(request, staff, 403, "forbidden", f"The role '{staff.role}' may not use the console.")
    return staff


async def _guard_post(request: Request, roles: tuple[str, ...]) -> StaffIdentity | Response:
    """The signed-in staff member for a state-changing request, or the response that refuses it."""
    staff = await identify(request)
    if cross_origin(request):
        return _refuse(request, staff, 403, "cross_origin", "This request came from another site.")
    if staff is None:
        if _wants_json(request):
            return JSONResponse({"code": "unauthorized", "message": "Sign in again."}, status_code=401)
        return _to_login(request)
    if staff.role not in roles:
        message = f"The role '{staff.role}' may read the console but not change documents."
        return _refuse(request, staff, 403, "forbidden", message)
    return staff


def _error_status(exc: AssistantError) -> int:
    status = getattr(exc, "status", None)
    return status or next((code for kind, code in _ERROR_STATUS.items() if isinstance(exc, kind)), 500)


# -- search highlighting --------------------------------------------------------------------------------------


@lru_cache(maxsize=65536)
def _word_keys(word: str, lang: str) -> frozenset[str]:
    """What a word is matched on: its analysed term, with and without accents (stop words have none)."""
    return frozenset(analyze(word, lang) + analyze(fold_accents(word), lang))


class Highlighter:
    """Marks the words of a text that match the query's terms (case, accents and inflection ignored)."""

    def __init__(self, retriever: Retriever, query: str) -> None:
        self.retriever = retriever
        self.query = query
        self._terms: dict[str, frozenset[str]] = {}

    def terms(self, lang: str) -> frozenset[str]:
        if lang not in self._terms:
            words = set(self.retriever.query_terms(self.query, lang))  # typo-corrected, as the search did
            for word in _WORD.findall(self.query):
                words |= _word_keys(word.lower(), lang)
            self._terms[lang] = frozenset(words)
        return self._terms[lang]

    def matches(self, word: str, lang: str) -> bool:
        return bool(_word_keys(word.lower(), lang) & self.terms(lang))

    def snippet(self, text: str, lang: str, length: int = SNIPPET_CHARS) -> Markup:
        """About `length` characters around the first match, HTML-escaped, matches wrapped in <mark>."""
        text = " ".join(text.split())
        words = list(_WORD.finditer(text))
        first = next((m.start() for m in words if self.matches(m.group(), lang)), 0)
        start = 0 if first < length // 3 else _word_start(text, first - length // 3)
        end = min(len(text), start + length)
        if end < len(text):
            end = max(text.rfind(" ", start, end), start + length // 2)
        out: list[Markup] = [Markup("…") if start > 0 else Markup("")]
        position = start
        for match in _WORD.finditer(text, start, end):
            out.append(escape(text[position : match.start()]))
            word = match.group()
            out.append(Markup("<mark>{}</mark>").format(word) if self.matches(word, lang) else escape(word))
            position = match.end()
        out.append(escape(text[position:end]))
        if end < len(text):
            out.append(Markup("…"))
        return Markup("").join(out)


def _word_start(text: str, index: int) -> int:
    space = text.rfind(" ", 0, index)
    return space + 1 if space >= 0 else 0


@dataclass(slots=True)
class ResultView:
    rank: int
    doc_id: str
    title: str
    heading: str
    language: str
    score: float
    snippet: Markup


def _result_views(retriever: Retriever, query: str, hits: list[SearchHit]) -> list[ResultView]:
    highlighter = Highlighter(retriever, query)
    return [
        ResultView(
            hit.rank,
            hit.chunk.doc_id,
            hit.chunk.title,
            hit.chunk.heading,
            hit.chunk.lang,
            round(hit.score, 3),
            highlighter.snippet(hit.chunk.text, hit.chunk.lang),
        )
        for hit in hits
    ]


# -- the dashboard chart --------------------------------------------------------------------------------------


@dataclass(slots=True)
class Segment:
    x: float
    y: float
    width: float
    height: float
    colour: str
    language: str
    count: int


@dataclass(slots=True)
class Column:
    day: str
    total: int
    label: str
    x: float
    width: float
    segments: list[Segment] = field(default_factory=list)


@dataclass(slots=True)
class Chart:
    """Stacked bars of questions per day, one colour per language, laid out for an inline SVG."""

    width: int
    height: int
    top: int
    left: int
    bottom: int
    peak: int
    ticks: list[tuple[float, int]]
    columns: list[Column]
    labels: list[tuple[float, str]]
    languages: list[tuple[str, str, int]]  # (code, colour, questions)
    description: str


def build_chart(per_day: list[dict], days: int, today: date | None = None) -> Chart:
    """`per_day` as `Store.stats()` gives it ({date, language, channel, count}), summed over channels."""
    width, height, left, top, bottom = 640, 220, 36, 12, 28
    today = today or datetime.now(UTC).date()
    counts: dict[str, Counter] = defaultdict(Counter)
    for row in per_day:
        counts[row["date"]][row["language"]] += row["count"]
    dates = {(today - timedelta(days=i)).isoformat() for i in range(days)} | set(counts)
    ordered = sorted(dates)
    totals: Counter = Counter()
    for day in counts.values():
        totals.update(day)
    languages = [lang for lang in SUPPORTED_LANGUAGES if totals[lang]] + sorted(
        lang for lang in totals if lang not in SUPPORTED_LANGUAGES
    )
    peak = max((sum(day.values()) for day in counts.values()), default=0)
    scale_top = max(_nice_ceiling(peak), 1)
    plot_height = height - top - bottom
    slot = (width - left - 8) / max(len(ordered), 1)
    bar = max(slot * 0.7, 1.0)
    columns = []
    for i, day in enumerate(ordered):
        x = left + i * slot + (slot - bar) / 2
        y = float(height - bottom)
        parts = [(lang, counts[day][lang]) for lang in languages if counts[day][lang]]
        label = f"{day}: " + (", ".join(f"{lang} {n}" for lang, n in parts) if parts else "no questions")
        column = Column(day, sum(n for _, n in parts), label, round(left + i * slot, 2), round(slot, 2))
        for lang, n in parts:
            h = n / scale_top * plot_height
            y -= h
            column.segments.append(
                Segment(round(x, 2), round(y, 2), round(bar, 2), round(h, 2), _colour(lang), lang, n)
            )
        columns.append(column)
    ticks = [(round(height - bottom - v / scale_top * plot_height, 2), v) for v in _ticks(scale_top)]
    step = max(1, math.ceil(len(ordered) / 6))
    labels = [(round(left + i * slot + slot / 2, 2), day[5:]) for i, day in enumerate(ordered) if i % step == 0]
    summary = ", ".join(f"{lang} {totals[lang]}" for lang in languages) or "none"
    total = sum(totals.values())
    description = f"{total} question{'' if total == 1 else 's'} from {ordered[0]} to {ordered[-1]} ({summary})."
    return Chart(
        width=width,
        height=height,
        top=top,
        left=left,
        bottom=bottom,
        peak=peak,
        ticks=ticks,
        columns=columns,
        labels=labels,
        languages=[(lang, _colour(lang), totals[lang]) for lang in languages],
        description=description,
    )


def _colour(lang: str) -> str:
    return LANGUAGE_COLOURS.get(lang, OTHER_COLOUR)


def _nice_ceiling(value: int) -> int:
    """The smallest 'round' number (1, 2, 5 × 10^n) at or above `value`."""
    if value <= 0:
        return 0
    magnitude = 10 ** (len(str(value)) - 1)
    return next(m * magnitude for m in (1, 2, 5, 10) if m * magnitude >= value)


def _ticks(top: int) -> list[int]:
    return [0, top // 2, top] if top % 2 == 0 else [0, top]


# -- routes: static files and signing in ------------------------------------------------------------------------


@router.get("/static/{name}")
async def static(name: str) -> Response:
    """The console's stylesheet and script (a fixed list: nothing else on disk can be reached)."""
    if name not in STATIC_TYPES:
        return Response("not found", status_code=404, media_type="text/plain")
    data, _ = _static_file(name)
    headers = {"Cache-Control": "public, max-age=86400", "X-Content-Type-Options": "nosniff"}
    return Response(data, media_type=STATIC_TYPES[name], headers=headers)


@router.get("/login")
async def login_form(request: Request) -> Response:
    """The sign-in form (signed-in staff go straight to the dashboard)."""
    if await identify(request) is not None:
        return RedirectResponse("/staff", status_code=303)
    return _render(request, "login.html", None)


@router.post("/login")
async def login(request: Request, token: Annotated[str, Form()] = "") -> Response:
    """Check the token; on success keep it in an HttpOnly, SameSite=Strict cookie."""
    if cross_origin(request):
        return _render(request, "login.html", None, 403, error="This sign-in came from another site.")
    token = token.strip()
    verify = request.app.state.runtime.store.verify_token
    staff = await run_in_threadpool(verify, token) if 0 < len(token) <= MAX_TOKEN_CHARS else None
    if staff is None:
        message = "That token is unknown or has been revoked." if token else "Enter your staff token."
        return _render(request, "login.html", None, 401, error=message)
    response = RedirectResponse("/staff", status_code=303)
    response.set_cookie(COOKIE, token, path="/", httponly=True, samesite="strict", secure=request.url.scheme == "https")
    return response


@router.post("/logout")
async def logout(request: Request) -> Response:
    """Forget the cookie."""
    if cross_origin(request):
        return _refuse(request, None, 403, "cross_origin", "This request came from another site.")
    response = RedirectResponse("/staff/login", status_code=303)
    _clear_cookie(request, response)
    return response


# -- routes: pages ------------------------------------------------------------------------------------------------


@router.get("")
async def dashboard(request: Request) -> Response:
    """Questions per day and language (an inline SVG chart), abstention rate, top topics."""
    staff = await _guard_page(request)
    if isinstance(staff, Response):
        return staff
    runtime = request.app.state.runtime
    stats = await run_in_threadpool(runtime.store.stats, 30)
    titles: dict[str, str] = {}
    for doc in sorted(await run_in_threadpool(_documents, runtime), key=lambda d: d["lang"] != "en"):
        titles.setdefault(doc["doc_id"], doc["title"])  # the English title when there is one
    topics = [{**t, "title": titles.get(t["doc_id"], t["doc_id"])} for t in stats["top_topics"]]
    chart = build_chart(stats["per_day"], stats["days"])
    return _render(request, "dashboard.html", staff, active="dashboard", stats=stats, chart=chart, topics=topics)


@router.get("/search")
async def search(request: Request, q: str = "", lang: str = "") -> Response:
    """Search the knowledge base; each result's matching words are highlighted."""
    staff = await _guard_page(request)
    if isinstance(staff, Response):
        return staff
    context: dict[str, Any] = {"active": "search", "q": q, "lang": lang, "results": None, "searched_in": None}
    if lang and lang not in SUPPORTED_LANGUAGES:
        return _render(request, "search.html", staff, 422, error=f"Unknown language {lang!r}.", **context)
    if not q.strip():
        return _render(request, "search.html", staff, **context)
    runtime = request.app.state.runtime

    def run() -> tuple[str, list[ResultView]]:
        retriever = runtime.retriever
        response = retriever.search(q, k=10, lang=lang or None)
        return response.language, _result_views(retriever, response.query, response.hits)

    try:
        context["searched_in"], context["results"] = await run_in_threadpool(run)
    except AssistantError as exc:
        return _render(request, "search.html", staff, _error_status(exc), error=str(exc), **context)
    return _render(request, "search.html", staff, **context)


def _documents(runtime: Runtime) -> list[dict]:
    try:
        return list_documents(runtime.index_store)
    except AssistantError:
        return []


async def _documents_page(request: Request, staff: StaffIdentity, status: int = 200, **context: Any) -> Response:
    docs = await run_in_threadpool(_documents, request.app.state.runtime)
    return _render(
        request,
        "documents.html",
        staff,
        status,
        active="documents",
        documents=docs,
        can_edit=staff.role in EDITORS,
        max_mb=request.app.state.runtime.settings.max_upload_mb,
        **context,
    )


@router.get("/documents")
async def documents(request: Request, removed: str = "") -> Response:
    """The documents in the index, the upload form and a remove button per document (editors)."""
    staff = await _guard_page(request)
    if isinstance(staff, Response):
        return staff
    notice = f"Removed {removed}." if removed else None
    return await _documents_page(request, staff, notice=notice)


@router.post("/documents")
async def upload(request: Request) -> Response:
    """Upload one or several files (field `files`): JSON for the script, else a redirect to the job page."""
    staff = await _guard_post(request, EDITORS)
    if isinstance(staff, Response):
        return staff
    form = await request.form()
    files = [f for f in form.getlist("files") if isinstance(f, UploadFile) and f.filename]
    try:
        accepted = await accept_uploads(request, request.app.state.runtime, files, staff)
    except UploadRejected as exc:
        if _wants_json(request):
            return JSONResponse({"code": exc.code, "message": str(exc)}, status_code=exc.status)
        return await _documents_page(request, staff, exc.status, error=f"Upload refused: {exc}")
    finally:
        await form.close()
    if _wants_json(request):
        return JSONResponse(accepted.model_dump(), status_code=202)
    return RedirectResponse(f"/staff/jobs/{quote(accepted.job_id, safe='')}", status_code=303)


@router.post("/documents/{doc_id}/delete")
async def delete(request: Request, doc_id: str, confirmed: Annotated[str, Form()] = "") -> Response:
    """Remove a document (`doc_id` or `doc_id.lang`), once confirmed (a dialog, or a page without script)."""
    staff = await _guard_post(request, EDITORS)
    if isinstance(staff, Response):
        return staff
    if confirmed != "yes":
        return _render(request, "confirm_delete.html", staff, active="documents", doc_id=doc_id)
    try:
        removed = await run_in_threadpool(remove_document, request.app.state.runtime, doc_id)
    except AssistantError as exc:
        return await _documents_page(request, staff, _error_status(exc), error=str(exc))
    return RedirectResponse(f"/staff/documents?removed={quote(', '.join(removed))}", status_code=303)


@router.get("/jobs/{job_id}")
async def job(request: Request, job_id: str) -> Response:
    """An upload's progress; the page refreshes itself until the job is done or failed."""
    staff = await _guard_page(request)
    if isinstance(staff, Response):
        return staff
    found = await run_in_threadpool(request.app.state.runtime.store.job, job_id)
    if found is None:
        return _render(request, "error.html", staff, 404, title="Not found", message=f"No job with id {job_id}.")
    running = found["status"] not in ("done", "failed")
    return _render(request, "job.html", staff, active="documents", job=found, running=running)


@router.get("/gaps")
async def gaps(request: Request, sort: str = "count") -> Response:
    """Questions the guides could not answer, grouped; most frequent or newest first."""
    staff = await _guard_page(request)
    if isinstance(staff, Response):
        return staff
    sort = sort if sort in ("count", "recent") else "count"
    runtime = request.app.state.runtime
    groups = await run_in_threadpool(lambda: group_gaps(runtime.store.gaps(), runtime.embedder))
    if sort == "recent":
        groups.sort(key=lambda g: g["last_seen"], reverse=True)
    return _render(request, "gaps.html", staff, active="gaps", groups=groups, sort=sort)


@router.get("/feedback")
async def feedback(request: Request) -> Response:
    """Thumbs-down answers, newest first, with the answer that was shown and the comment."""
    staff = await _guard_page(request)
    if isinstance(staff, Response):
        return staff
    items = await run_in_threadpool(request.app.state.runtime.store.negative_feedback)
    return _render(request, "feedback.html", staff, active="feedback", items=items)


# -- evaluation cases from feedback and gaps -----------------------------------------------------------------------


def _guide_texts(runtime: Runtime) -> dict[tuple[str, str], str]:
    """(doc_id, lang) -> the indexed guide's text (title, headings and chunks joined; chunks may overlap)."""
    try:
        chunks = runtime.index.chunks
    except AssistantError:
        return {}
    parts: dict[tuple[str, str], list[str]] = {}
    for chunk in chunks:
        parts.setdefault((chunk.doc_id, chunk.lang), [chunk.title]).append(f"{chunk.heading}\n{chunk.text}")
    return {key: "\n\n".join(texts) for key, texts in parts.items()}


def _doc_choices(runtime: Runtime) -> list[tuple[str, str]]:
    """(doc_id, label) for each indexed document, the label with its title (English first) and languages."""
    titles: dict[str, str] = {}
    languages: dict[str, list[str]] = defaultdict(list)
    for doc in sorted(_documents(runtime), key=lambda d: d["lang"] != "en"):
        titles.setdefault(doc["doc_id"], doc["title"])
        languages[doc["doc_id"]].append(doc["lang"])
    return [(d, f"{d} — {titles[d]} ({', '.join(sorted(languages[d]))})") for d in sorted(titles)]


def _case_form(case: dict) -> dict:
    """A candidate's fields as the promote form shows them."""
    return {
        "id": case.get("id", ""),
        "question": case.get("question", ""),
        "language": case.get("language", ""),
        "answerable": bool(case.get("answerable")),
        "relevant_doc_ids": list(case.get("relevant_doc_ids") or []),
        "key_facts": "\n".join(case.get("key_facts") or []),
    }


async def _evals_page(
    request: Request,
    staff: StaffIdentity,
    status: int = 200,
    typed: dict | None = None,
    failure: str | None = None,
    notice: str | None = None,
) -> Response:
    """The candidates, each with its promote form; `typed` (with `failure`) replaces the form it came from."""
    runtime = request.app.state.runtime

    def load() -> tuple[list[dict], list[tuple[str, str]]]:
        found = candidate_cases(runtime.store, 500, runtime.settings.eval_datasets_dir)
        return found, _doc_choices(runtime)

    candidates, choices = await run_in_threadpool(load)
    items = [
        {"candidate": c, "key": c["id"], "form": _case_form(c), "error": None}
        for c in candidates[:EVAL_CANDIDATES_SHOWN]
    ]
    if typed is not None:
        item = next((i for i in items if i["key"] == typed["candidate"]), None)
        if item is None:  # the candidate is gone (or was never listed): show what was typed first
            item = {"candidate": None, "key": typed["candidate"], "form": None, "error": None}
            items.insert(0, item)
        item["form"], item["error"] = typed["form"], failure
    return _render(
        request,
        "evals.html",
        staff,
        status,
        active="evals",
        items=items,
        total=len(candidates),
        choices=choices,
        known={doc_id for doc_id, _ in choices},
        languages=SUPPORTED_LANGUAGES,
        can_edit=staff.role in EDITORS,
        notice=notice,
    )


@router.get("/evals")
async def evals(request: Request, promoted: str = "") -> Response:
    """Thumbs-down answers and content gaps as candidate evaluation cases, each with a form to promote it."""
    staff = await _guard_page(request)
    if isinstance(staff, Response):
        return staff
    notice = None
    if promoted and re.fullmatch(r"[a-z]{2}-[a-z0-9-]+", promoted):
        path = request.app.state.runtime.settings.eval_datasets_dir / REVIEWED_FILE
        notice = f"Added {promoted} to {path} (and to questions.jsonl)."
    return await _evals_page(request, staff, notice=notice)


@router.post("/evals/promote")
async def evals_promote(request: Request) -> Response:
    """Check a reviewed case against the indexed guides and append it to the evaluation dataset."""
    staff = await _guard_post(request, EDITORS)
    if isinstance(staff, Response):
        return staff
    form = await request.form()

    def text(name: str) -> str:
        value = form.get(name)
        return value if isinstance(value, str) else ""

    facts = [line.strip() for line in text("key_facts").splitlines() if line.strip()]
    case = {
        "id": text("id"),
        "question": text("question"),
        "language": text("language"),
        "relevant_doc_ids": [v for v in form.getlist("relevant_doc_ids") if isinstance(v, str) and v],
        "answerable": text("answerable") == "yes",
        "key_facts": facts,
    }
    runtime = request.app.state.runtime

    def promote() -> dict:
        cleaned = validate_case(case, _guide_texts(runtime))
        promote_case(cleaned, runtime.settings.eval_datasets_dir)
        return cleaned

    try:
        cleaned = await run_in_threadpool(promote)
    except InputError as exc:
        typed = {"candidate": text("candidate"), "form": {**_case_form(case), "key_facts": text("key_facts")}}
        return await _evals_page(request, staff, 422, typed=typed, failure=str(exc))
    return RedirectResponse(f"/staff/evals?promoted={quote(cleaned['id'], safe='')}", status_code=303)


@router.get("/handoffs")
async def handoffs(request: Request) -> Response:
    """Conversations handed to staff with /human, longest waiting first, with the recent turns and a reply box."""
    staff = await _guard_page(request)
    if isinstance(staff, Response):
        return staff
    items = await run_in_threadpool(request.app.state.runtime.store.handoffs)
    notice = {"sent": "Reply sent.", "queued": "Reply saved: the web chat shows it.", "released": "Handed back."}
    return _render(
        request,
        "handoffs.html",
        staff,
        active="handoffs",
        items=items,
        notice=notice.get(request.query_params.get("done", "")),
    )


@router.post("/handoffs/{participant_id}/reply")
async def handoff_reply(
    request: Request, participant_id: str, text: Annotated[str, Form(max_length=4000)] = ""
) -> Response:
    """Send a staff reply to her on her own channel."""
    from web.channels import deliver_staff_reply

    staff = await _guard_post(request, EDITORS)
    if isinstance(staff, Response):
        return staff
    try:
        result = await deliver_staff_reply(request.app.state.channels, participant_id, text, staff)
    except AssistantError as exc:
        return _refuse(request, staff, _error_status(exc), exc.code, str(exc))
    if result["delivery"] in ("failed", "unreachable"):
        message = f"The reply is saved but could not be delivered on {result['channel']} ({result['delivery']})."
        return _refuse(request, staff, 502, "not_delivered", message)
    return RedirectResponse(f"/staff/handoffs?done={result['delivery']}", status_code=303)


@router.post("/handoffs/{participant_id}/release")
async def handoff_release(request: Request, participant_id: str) -> Response:
    """Give the conversation back to the assistant."""
    from web.channels import release_to_assistant

    staff = await _guard_post(request, EDITORS)
    if isinstance(staff, Response):
        return staff
    try:
        await release_to_assistant(request.app.state.channels, participant_id)
    except AssistantError as exc:
        return _refuse(request, staff, _error_status(exc), exc.code, str(exc))
    return RedirectResponse("/staff/handoffs?done=released", status_code=303)


__all__ = ["Highlighter", "build_chart", "router"]
