"""The knowledge-base commands: `ingest`, `search`, `ask`, and the `kb` group (list and remove documents,
export the passage vectors that ship with the bundled guides).

`ingest`, `search` and `ask` are top-level commands, registered on the root app by `assistant.cli.root`;
`kb_app` is the `kb` group.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Annotated

import typer

from assistant.cli.context import ExitOnError, fail, get_runtime, language_option, make_assistant, out, progress_bar
from assistant.config import ROOT
from assistant.embeddings import CachedEmbedder, write_seed
from assistant.knowledge.ingest import IngestReport, list_documents
from assistant.phrases import phrase

kb_app = typer.Typer(help="Look after the knowledge base index.", no_args_is_help=True)


def ingest(
    ctx: typer.Context,
    paths: Annotated[list[Path] | None, typer.Argument(help="Files or folders (default: the knowledge base).")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the summary as JSON.")] = False,
) -> None:
    """Ingest Markdown, text, PDF, DOCX and HTML files into the index (incremental)."""
    os.umask(0o077)  # the index and caches it writes in the data directory are this user's only, as the server's
    runtime = get_runtime(ctx)
    targets = paths or [runtime.settings.kb_dir]
    with ExitOnError():
        ingestor = runtime.ingestor()
        with progress_bar(disable=as_json) as (_, progress):
            report = ingestor.ingest(targets, progress=progress)
    if as_json:
        print(json.dumps(report.to_dict(full_paths=True), ensure_ascii=False, indent=2))
    else:
        _print_report(report)


def _print_report(report: IngestReport) -> None:
    langs = ", ".join(f"{lang} {n}" for lang, n in report.languages.items()) or "none"
    out.print(
        f"[bold]{report.documents}[/] documents, [bold]{report.chunks}[/] chunks ({langs}) in {report.seconds:.1f} s",
        highlight=False,
    )
    out.print(
        f"added {len(report.added)}, updated {len(report.updated)}, unchanged {report.unchanged}, "
        f"removed {len(report.removed)}, chunks embedded {report.embedded}"
        + (f", {report.shipped} from the shipped vectors" if report.shipped else "")
        + (f", {report.questions} section questions" if report.questions else "")
        + (" (the section questions changed)" if report.questions_changed else "")
        + ("" if report.changed else " (index already up to date)"),
        highlight=False,
    )
    if report.skipped:
        out.print(f"[yellow]skipped {len(report.skipped)} file(s):[/]")
        for skipped in report.skipped:
            out.print(f"  {skipped.path}: {skipped.reason}", highlight=False, markup=False)
    for problem in report.question_problems:
        out.print(f"[yellow]questions left out:[/] {problem}", highlight=False)


def search(
    ctx: typer.Context,
    query: Annotated[str, typer.Argument(help="What to look for, in French, Spanish or English.")],
    k: Annotated[int, typer.Option("--k", min=1, max=100, help="How many results.")] = 5,
    lang: Annotated[str | None, typer.Option("--lang", callback=language_option, help="fr, es or en.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Machine-readable output.")] = False,
) -> None:
    """Search the knowledge base (hybrid BM25 + dense, language-aware)."""
    runtime = get_runtime(ctx)
    with ExitOnError():
        if not query.strip():
            fail("the query is empty: type a question or some keywords", 2)
        response = runtime.retriever.search(query, k=k, lang=lang)
    if as_json:
        print(json.dumps(response.to_dict(), ensure_ascii=False, indent=2))
        return
    if not response.hits:
        out.print("No results.")
    for hit in response.hits:
        out.print(
            f"[bold]{hit.rank}.[/] [{hit.chunk.lang}] {hit.chunk.title} — {hit.chunk.heading}  "
            f"[dim]{hit.score:.3f}  {hit.chunk.chunk_id}[/]",
            highlight=False,
        )
        text = " ".join(hit.chunk.text.split())
        out.print(f"   {text[:300]}{'…' if len(text) > 300 else ''}", highlight=False, markup=False)


def ask(
    ctx: typer.Context,
    question: Annotated[str, typer.Argument(help="A question in French, Spanish or English.")],
    lang: Annotated[str | None, typer.Option("--lang", callback=language_option, help="Answer language.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Machine-readable output.")] = False,
) -> None:
    """Answer a question from the guides, with numbered sources (or say honestly they do not know)."""
    with ExitOnError():
        answer = make_assistant(ctx).ask(question, language=lang, channel="cli")
    if as_json:
        print(json.dumps(answer.to_dict(), ensure_ascii=False, indent=2))
    else:
        _print_answer(answer)


def _print_answer(answer) -> None:
    out.print(answer.full_text, highlight=False, markup=False)
    if answer.citations:
        out.print(f"\n{phrase('sources_heading', answer.language)}", highlight=False)
        for c in answer.citations:
            out.print(f"  [{c.n}] {c.title} ({c.language}) — {c.chunk_id}", highlight=False, markup=False)


@kb_app.command("list")
def kb_list(
    ctx: typer.Context,
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """List the documents in the index."""
    with ExitOnError():
        docs = list_documents(get_runtime(ctx).index_store)
    if as_json:
        print(json.dumps(docs, ensure_ascii=False, indent=2))
        return
    if not docs:
        out.print("The index is empty: run `mentor ingest`.")
        return
    for doc in docs:
        out.print(f"{doc['key']:<45} {doc['count']:>4} chunks  {doc['title']}", highlight=False, markup=False)
    out.print(f"{len(docs)} documents")


@kb_app.command("remove")
def kb_remove(
    ctx: typer.Context,
    doc_id: Annotated[str, typer.Argument(help="A document id (all languages) or id.lang (one version).")],
) -> None:
    """Remove a document from the index."""
    with ExitOnError():
        removed = get_runtime(ctx).ingestor().remove(doc_id)
    out.print(f"removed {', '.join(removed)}", highlight=False)


@kb_app.command("export-vectors")
def kb_export_vectors(
    ctx: typer.Context,
    folder: Annotated[Path, typer.Argument(help="Where to write <model>.npz and <model>.json.")] = ROOT
    / "knowledge_base"
    / "vectors",
) -> None:
    """Write every passage vector cached for the configured model as shipped vectors (with their manifest).

    Run it on a fresh data directory after `mentor ingest` of the bundled guides (and `mentor eval run`, for
    the langchain-naive configuration's passages), so only those passages are shipped: `make kb-vectors`."""
    runtime = get_runtime(ctx)
    with ExitOnError():
        embedder = runtime.embedder
        cached = CachedEmbedder(embedder, runtime.settings.cache_dir)
        try:
            rows = cached.rows()
        finally:
            cached.close()
        if not rows:
            fail(f"no passage vector is cached for {embedder.name}: run `mentor ingest` first", 1)
        path = write_seed(folder, embedder, rows)
    out.print(
        f"{len(rows)} vectors (passages and section questions) of {embedder.name} written to {path}", highlight=False
    )
