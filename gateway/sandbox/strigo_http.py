"""Strigo emulator wire envelope: the success/failure bodies, the named error answers, the bearer token."""

from __future__ import annotations

from typing import Any, TypedDict

from aiohttp import web

from gateway.sandbox.recorder import json_response


class ValidationIssue(TypedDict):
    """One entry of a `RequestValidationError`'s `errors` array."""

    location: str
    param: str
    msg: str


def success(data: Any) -> web.Response:
    """Strigo's success envelope."""
    return json_response({"result": "success", "data": data})


def failure(
    status: int, error_type: str, message: str, errors: list[ValidationIssue] | None = None
) -> web.Response:
    """Strigo's failure envelope."""
    error: dict[str, Any] = {"type": error_type, "message": message}
    if errors is not None:
        error["errors"] = errors
    return json_response({"result": "failure", "error": error}, status=status)


def invalid(errors: list[ValidationIssue]) -> web.Response:
    """422 `RequestValidationError` (intro.md: all validation errors use it)."""
    return failure(422, "RequestValidationError", "The request is not valid", errors)


def event_not_found(event_id: str) -> web.Response:
    """404 for an unknown event id."""
    return failure(404, "EventNotFound", f"Event {event_id} could not be found.")


def class_not_found(class_id: str) -> web.Response:
    """404 for an unknown class id (the intro's own error example)."""
    return failure(404, "ClassNotFound", f"Class {class_id} could not be found.")


def bearer(request: web.Request) -> str | None:
    """The credentials of an `Authorization: Bearer <token>` header, else None."""
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    return token.strip() if scheme.lower() == "bearer" else None
