"""Errors over HTTP: the one table from the assistant's errors to a status, the documented error responses,
and the exception handlers (`install(app)`) that answer every error as JSON `{code, message}` with a stable
code. Validation errors are 422, bodies over the limit 413; nothing the client sends should produce a 500.
The console uses the same table (`error_status`) for its error pages."""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.formparsers import MultiPartException

from assistant import (
    AssistantError,
    ConfigurationError,
    IndexCorruptError,
    InputError,
    NotFoundError,
    NotIndexedError,
)
from web.auth import ApiError
from web.schemas import ErrorBody

ERROR_STATUS = {
    NotFoundError: 404,
    InputError: 422,
    NotIndexedError: 503,
    IndexCorruptError: 503,
    ConfigurationError: 500,
}
ERRORS = {
    401: {"model": ErrorBody, "description": "No staff token, or an unknown or revoked one."},
    403: {"model": ErrorBody, "description": "The token's role may not use this route."},
    422: {"model": ErrorBody, "description": "The request is malformed."},
}
NOT_FOUND = {404: {"model": ErrorBody}}
LIMITED = {429: {"model": ErrorBody, "description": "Too many requests from this client; see Retry-After."}}
HTTP_CODES = {404: "not_found", 405: "method_not_allowed", 413: "too_large"}


def error_status(exc: AssistantError) -> int:
    """The error's own status (an upload refusal says 413 or 415), else the table's, else 500."""
    status = getattr(exc, "status", None)
    return status or next((code for kind, code in ERROR_STATUS.items() if isinstance(exc, kind)), 500)


async def assistant_error(request: Request, exc: AssistantError) -> JSONResponse:
    return JSONResponse({"code": exc.code, "message": str(exc)}, status_code=error_status(exc))


async def api_error(request: Request, exc: ApiError) -> JSONResponse:
    return JSONResponse({"code": exc.code, "message": exc.message}, status_code=exc.status, headers=exc.headers)


async def invalid_request(request: Request, exc: RequestValidationError) -> JSONResponse:
    errors = exc.errors()
    first = errors[0] if errors else {"loc": (), "msg": "invalid request"}
    if first.get("type") == "json_invalid":
        return JSONResponse({"code": "invalid_json", "message": "the body is not valid JSON"}, status_code=422)
    where = ".".join(str(p) for p in first.get("loc", ()) if p != "body") or "request"
    return JSONResponse({"code": "invalid_request", "message": f"{where}: {first['msg']}"}, status_code=422)


async def http_error(request: Request, exc: StarletteHTTPException) -> JSONResponse:
    if exc.status_code == 400 and isinstance(exc.__cause__, UnicodeDecodeError):
        # FastAPI answers a JSON body that is not UTF-8 with a bare 400; it is malformed JSON like any other.
        return JSONResponse({"code": "invalid_json", "message": "the body is not valid JSON (not UTF-8)"}, 422)
    if exc.status_code == 400 and isinstance(exc.__context__, MultiPartException):
        # Starlette's own bounds on a multipart body (1,000 files, 1,000 fields, 1 MB a field) and a malformed
        # one: documented codes, not a bare 400.
        if str(exc.detail).startswith("Too many files"):
            limit = request.app.state.runtime.settings.max_upload_files
            message = f"too many files in one upload: at most {limit} (MENTOR_MAX_UPLOAD_FILES)"
            return JSONResponse({"code": "too_many_files", "message": message}, 413)
        return JSONResponse({"code": "invalid_form", "message": f"the multipart form is unusable: {exc.detail}"}, 422)
    return JSONResponse(
        {"code": HTTP_CODES.get(exc.status_code, "http_error"), "message": str(exc.detail)},
        status_code=exc.status_code,
        headers=getattr(exc, "headers", None),
    )


def install(app: FastAPI) -> None:
    app.add_exception_handler(AssistantError, assistant_error)
    app.add_exception_handler(ApiError, api_error)
    app.add_exception_handler(RequestValidationError, invalid_request)
    app.add_exception_handler(StarletteHTTPException, http_error)
