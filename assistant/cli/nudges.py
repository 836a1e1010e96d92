"""The `nudges` group: send the follow-up nudges due now (or list them), and their per-cohort statistics."""

from __future__ import annotations

import asyncio
import json
from datetime import timedelta
from typing import Annotated

import typer

from assistant.cli.context import ExitOnError, fail, get_runtime, make_assistant, out

app = typer.Typer(help="Follow-up nudges on pathway steps and quiet pairings.", no_args_is_help=True)


@app.command("run")
def nudges_run(
    ctx: typer.Context,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="List what is due; send nothing.")] = False,
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """Send the nudges due now (follow-ups on steps, check-ins on quiet pairings), through the configured
    channels; quiet hours, one a day and WhatsApp's 24-hour window respected."""
    with ExitOnError():
        result = asyncio.run(_run(ctx, dry_run))
    payload = result.to_dict()
    if as_json:
        print(json.dumps(payload, ensure_ascii=False, indent=2, default=str))
        return
    for item in payload["planned"]:
        state = f"held back: {item['held_back']}" if item["held_back"] else ("due" if dry_run else "sent")
        line = f"{item['participant']}  {item['kind']:<8} {item['ref']:<32} {item['channel']:<9} {item['mode']:<8}"
        out.print(f"{line} {state}", highlight=False, markup=False)
    out.print(f"sent {payload['sent']}, failed {payload['failed']}, held back {payload['skipped'] or 'none'}"
              + (" (dry run)" if dry_run else ""), highlight=False, markup=False)  # fmt: skip


async def _run(ctx: typer.Context, dry_run: bool):
    # Lazy: the nudger pulls in LangChain, kept off the `mentor --help` path.
    from assistant.pathways.nudges import Nudger

    runtime = get_runtime(ctx)
    nudger = Nudger(runtime.settings, runtime.store, runtime.pathways)
    if dry_run:
        return await nudger.run(None, dry_run=True)
    # Lazy: the CLI is a composition root; the web layer's channels only when nudges are really sent.
    from web.channels import Channels

    lock = runtime.store.named_lock(Nudger.RUN_LOCK)  # a server's scheduler, or another cron run, may be at it
    if not lock.try_acquire():
        fail("another nudge run is in progress (a server's scheduler or another `mentor nudges run`); "
             "what it sends is not sent twice: try again in a minute", 1)  # fmt: skip
    channels = Channels(runtime.settings, make_assistant(ctx))
    try:
        return await nudger.run(channels.notify)
    finally:
        await channels.stop()
        lock.release()


@app.command("stats")
def nudges_stats(
    ctx: typer.Context,
    days: Annotated[int, typer.Option("--days", min=1, help="Nudges sent in the last N days.")] = 90,
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """Nudges sent, answered, ignored (no answer in 3 days), waiting and failed, per cohort (country)."""
    with ExitOnError():
        stats = get_runtime(ctx).store.nudge_stats(since=timedelta(days=days))
    if as_json:
        print(json.dumps(stats, ensure_ascii=False, indent=2))
        return
    out.print(f"{'cohort':<16}{'sent':>6}{'answered':>10}{'ignored':>9}{'waiting':>9}{'failed':>8}", highlight=False)
    for cohort, row in stats.items():
        out.print(f"{cohort:<16}{row['sent']:>6}{row['answered']:>10}{row['ignored']:>9}{row['waiting']:>9}"
                  f"{row['failed']:>8}", highlight=False)  # fmt: skip
