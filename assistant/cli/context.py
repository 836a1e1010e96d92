"""What every `mentor` command shares: the consoles, the runtime the root callback built, errors as exits.

The root callback (`assistant.cli.root`) puts one `Runtime` on the typer context; commands read it with
`get_runtime`. `ExitOnError` turns an `AssistantError` into one clear line on stderr and its exit code, and
`fail` does the same for the CLI's own checks. The per-stage progress bar and the `--lang` check live here
too, because several command groups use them.
"""

from __future__ import annotations

import contextlib

import typer
from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)

from assistant.config import SUPPORTED_LANGUAGES
from assistant.errors import AssistantError
from assistant.runtime import Runtime

err = Console(stderr=True, soft_wrap=True)
out = Console()


def fail(message: str, code: int = 1) -> None:
    err.print(f"[bold red]error:[/] {message}", highlight=False)
    raise typer.Exit(code)


def get_runtime(ctx: typer.Context) -> Runtime:
    return ctx.obj


def make_assistant(ctx: typer.Context):
    # Lazy: assistant.core pulls in LangChain (over a second), kept off the `mentor --help` path.
    from assistant.core import Assistant

    return Assistant(get_runtime(ctx))


class ExitOnError:
    """Turns an AssistantError into one line and its exit code."""

    def __enter__(self):
        return self

    def __exit__(self, kind, exc, tb):
        if isinstance(exc, AssistantError):
            fail(str(exc), exc.exit_code)
        return False


def language_option(value: str | None) -> str | None:
    if value is not None and value not in SUPPORTED_LANGUAGES:
        raise typer.BadParameter(f"use one of {', '.join(SUPPORTED_LANGUAGES)}")
    return value


@contextlib.contextmanager
def progress_bar(disable: bool = False):
    """A bar per stage on stderr; yields (bar, progress) where `progress(stage, done, total)` drives it."""
    with Progress(
        TextColumn("{task.description:<10}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        TimeRemainingColumn(),
        console=err,
        transient=False,
        disable=disable,
    ) as bar:
        tasks: dict[str, int] = {}

        def progress(stage: str, done: int, total: int) -> None:
            if stage not in tasks:
                tasks[stage] = bar.add_task(stage, total=total)
            bar.update(tasks[stage], completed=done, total=total)

        yield bar, progress
