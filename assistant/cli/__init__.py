"""The `mentor` command line: ingest, search, ask, chat, serve, and the kb, match, pathway, nudges, staff and
eval groups.

`app` is the root typer app and `main` the console script's entry point (`mentor = "assistant.cli:main"`);
both live in `assistant.cli.root`, the commands one module per concern beside it.
"""

from assistant.cli.root import app, main

__all__ = ["app", "main"]
