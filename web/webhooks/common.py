"""What the webhooks share: the refusal for a channel this server does not run, and strict JSON parsing."""

from __future__ import annotations

import json

from web.auth import ApiError


def not_configured(what: str) -> ApiError:
    return ApiError(404, "not_configured", f"the {what} is not configured on this server")


def parse_json(body: bytes):
    try:
        return json.loads(body)
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise ApiError(400, "invalid_json", "the body is not valid JSON") from None
