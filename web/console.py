"""The staff console (`/staff`): server-rendered pages, no front-end build step."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter(prefix="/staff", include_in_schema=False)
