"""The `staff` group: create, revoke and list the staff API tokens (only their hashes are stored)."""

from __future__ import annotations

from typing import Annotated

import typer

from assistant.cli.context import ExitOnError, err, get_runtime, out

app = typer.Typer(help="Staff API tokens (for the HTTP API and the staff console).", no_args_is_help=True)


@app.command("create-token")
def staff_create_token(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="Who the token is for (unique).")],
    role: Annotated[str, typer.Option("--role", help="staff, admin or evaluator.")] = "staff",
) -> None:
    """Create a token and print it alone on stdout, once: only its hash is kept."""
    with ExitOnError():
        token = get_runtime(ctx).store.create_token(name, role)
    print(token)
    err.print(f"token for {name} ({role}) created; it cannot be shown again.", highlight=False)


@app.command("revoke")
def staff_revoke(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="The token's name.")],
) -> None:
    """Revoke a token; it stops working at once."""
    with ExitOnError():
        revoked = get_runtime(ctx).store.revoke_token(name)
    if not revoked:
        err.print(f"no active token named {name!r}", highlight=False)
        raise typer.Exit(1)
    err.print(f"token {name!r} revoked", highlight=False)


@app.command("list")
def staff_list(ctx: typer.Context) -> None:
    """The tokens (names, roles, whether revoked); never the secrets."""
    with ExitOnError():
        tokens = get_runtime(ctx).store.tokens()
    for token in tokens:
        state = "revoked" if token["revoked"] else "active"
        out.print(f"{token['name']:<40} {token['role']:<10} {state:<8} {token['created_at']}", highlight=False)
