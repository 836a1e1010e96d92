"""The `pathway` group: one participant's learning pathway, and the pathway quality check on a cohort."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from assistant.cli.context import ExitOnError, get_runtime, language_option, out

app = typer.Typer(help="Learning pathways and resource recommendations.", no_args_is_help=True)


@app.command("show")
def pathway_show(
    ctx: typer.Context,
    participant_id: Annotated[str, typer.Argument(help="A participant id (see the staff console).")],
    lang: Annotated[str | None, typer.Option("--lang", help="Language of titles and reasons (default: hers).")] = None,
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """Her pathway: the ordered modules, why each is next, their time and resources."""
    lang = language_option(lang)
    with ExitOnError():
        payload = get_runtime(ctx).pathways.pathway(participant_id, lang)
    if as_json:
        print(json.dumps(payload, ensure_ascii=False, indent=2))
        return
    if not payload["steps"]:
        out.print("Every module is completed (or already known to her).", highlight=False)
    for n, step in enumerate(payload["steps"], 1):
        out.print(f"{n}. {step['title']} ({step['minutes']} min) [{step['module_id']}]\n   {step['why']}",
                  highlight=False, markup=False)  # fmt: skip
    for n, item in enumerate(payload["agenda"], 1):
        out.print(("Agenda for the next meeting with her partner:\n" if n == 1 else "") + f"  {n}. {item}",
                  highlight=False, markup=False)  # fmt: skip


@app.command("quality")
def pathway_quality(
    ctx: typer.Context,
    profiles: Annotated[
        Path | None, typer.Option("--profiles", help="A cohort file (default: the demo cohort).")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """Prerequisite violations, first steps on the two weakest competencies, and repeated resources, on
    the demo cohort (exit status 1 when a goal is missed)."""
    # Lazy: the quality check pulls in scipy, kept off the `mentor --help` path.
    from assistant.pathways.quality import evaluate, load_demo

    with ExitOnError():
        runtime = get_runtime(ctx)
        pathways = runtime.pathways
        quality = evaluate(load_demo(profiles), runtime.embedder, pathways.catalog, catalog_root=pathways.catalog_root)
    payload = quality.to_dict()
    if as_json:
        print(json.dumps(payload, ensure_ascii=False, indent=2))
    else:
        out.print(
            f"people: {payload['people']}\n"
            f"prerequisite violations: {payload['prerequisite_violations']} (goal 0)\n"
            f"first step on her weakest competency or its direct prerequisite: "
            f"{payload['first_step_on_weakest_or_its_direct_prerequisite']:.1%} (goal >= 95%)\n"
            f"untrue why claims: {payload['untrue_why_claims']} (goal 0)\n"
            f"first step on one of her two weakest competencies: {payload['first_step_on_two_weakest']:.1%}; "
            f"directly or as their prerequisite: "
            f"{payload['first_step_on_two_weakest_or_their_prerequisite']:.1%}\n"
            f"recommendations on her current step or stated needs: "
            f"{payload['recommendations_on_her_step_or_needs']:.1%}\n"
            f"resources with something to open: {payload['resources_with_something_to_open']:.1%} (goal 100%)\n"
            f"completed resources recommended again: {payload['completed_resources_repeated']} (goal 0)\n"
            f"people left without recommendations: {payload['people_without_recommendations']}\n"
            f"goals {'met' if quality.ok else 'NOT met'}",
            highlight=False,
            markup=False,
        )
    if not quality.ok:
        raise typer.Exit(1)
