"""The root `mentor` app: global options, the runtime every command shares, and the command groups.

One of the two composition roots (with `web/app.py`): the root callback reads `Settings` once and builds
the `Runtime` the commands use; an invalid setting is one clear line on stderr and exit code 2. The
commands live one module per concern (`knowledge`, `chat`, `serve`, and a typer sub-app per group).
"""

from __future__ import annotations

import logging
import sys
from pathlib import Path
from typing import Annotated

import typer
from pydantic import ValidationError

from assistant.cli import chat, evals, knowledge, match, nudges, pathway, serve, staff
from assistant.cli.context import err, fail
from assistant.config import Settings
from assistant.runtime import Runtime

NOISY_LOGGERS = ("sentence_transformers", "transformers", "httpx", "faiss", "bm25s")

app = typer.Typer(help="Mentoring assistant for the reciprocal-mentoring programme.", no_args_is_help=True)
# Registration order is the order of `mentor --help`: top-level commands first, then the groups.
for command in (knowledge.ingest, knowledge.search, knowledge.ask, chat.chat, serve.serve, serve.telegram):
    app.command()(command)
app.add_typer(knowledge.kb_app, name="kb")
app.add_typer(match.app, name="match")
app.add_typer(pathway.app, name="pathway")
app.add_typer(nudges.app, name="nudges")
app.add_typer(staff.app, name="staff")
app.add_typer(evals.app, name="eval")


@app.callback()
def main_options(
    ctx: typer.Context,
    data_dir: Annotated[
        Path | None, typer.Option("--data-dir", help="Keep a separate index and database here (MENTOR_DATA_DIR).")
    ] = None,
) -> None:
    """Global options."""
    overrides = {"data_dir": data_dir} if data_dir is not None else {}
    try:
        settings = Settings(**overrides)
    except ValidationError as exc:
        first = exc.errors()[0]
        field = ".".join(str(p) for p in first["loc"]) or "settings"
        fail(f"invalid setting MENTOR_{field.upper()}: {first['msg']}", 2)
    logging.basicConfig(level=settings.log_level, format="%(levelname)s %(name)s: %(message)s")
    for noisy in NOISY_LOGGERS:
        logging.getLogger(noisy).setLevel(max(logging.WARNING, logging.getLevelName(settings.log_level)))
    ctx.obj = Runtime(settings)


def main() -> None:
    try:
        app()
    except KeyboardInterrupt:
        err.print("interrupted")
        sys.exit(130)
