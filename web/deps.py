"""The typed dependencies routes ask for: what the lifespan built (runtime, assistant, channels, ingest
jobs) and the signed-in staff member by role (`ReaderDep`, `EditorDep`, on `web.auth.require`)."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from assistant import Assistant, Runtime, StaffIdentity
from web.auth import EDITORS, READERS, require
from web.channels import Channels
from web.jobs import IngestJobs


def get_runtime(request: Request) -> Runtime:
    return request.app.state.runtime


def get_assistant(request: Request) -> Assistant:
    return request.app.state.assistant


def get_channels(request: Request) -> Channels:
    return request.app.state.channels


def get_jobs(request: Request) -> IngestJobs:
    return request.app.state.jobs


RuntimeDep = Annotated[Runtime, Depends(get_runtime)]
AssistantDep = Annotated[Assistant, Depends(get_assistant)]
ChannelsDep = Annotated[Channels, Depends(get_channels)]
JobsDep = Annotated[IngestJobs, Depends(get_jobs)]
ReaderDep = Annotated[StaffIdentity, require(*READERS)]
EditorDep = Annotated[StaffIdentity, require(*EDITORS)]
