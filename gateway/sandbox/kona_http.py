"""Kona emulator HTTP: the problem-type error body, the `{"<plural>": [...]}` envelope, paging, bodies."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, TypeVar

import orjson
from aiohttp import web

from gateway.sandbox.recorder import json_response

PROBLEM_TYPE = "https://io.kona.com/api/exceptions"
DEFAULT_PER_PAGE = 25
# The `per_page` cap, set on each request by the entry module from `kona.MAX_PER_PAGE`.
PER_PAGE_CAP = web.RequestKey("kona_per_page_cap", int)

_T = TypeVar("_T")


class KonaError(Exception):
    """An API error, rendered as Kona's `{"problemType","title","details"}` body."""

    def __init__(self, status: int, title: str, details: str) -> None:
        super().__init__(details)
        self.status = status
        self.title = title
        self.details = details


def bad_request(details: str) -> KonaError:
    return KonaError(400, "Bad Request", details)


def unprocessable(details: str) -> KonaError:
    return KonaError(422, "Unprocessable Entity", details)


def not_found(details: str) -> KonaError:
    return KonaError(404, "Not Found", details)


def envelope(key: str, items: list[dict[str, Any]], status: int = 200) -> web.Response:
    return json_response({key: items}, status=status)


def error_response(error: KonaError) -> web.Response:
    body = {"problemType": PROBLEM_TYPE, "title": error.title, "details": error.details}
    headers = {"WWW-Authenticate": "Bearer"} if error.status == 401 else None
    return json_response(body, status=error.status, headers=headers)


# --- request parsing ---------------------------------------------------------------------------


def int_param(query: Mapping[str, str], key: str, default: int) -> int:
    raw = query.get(key)
    if raw is None:
        return default
    if not raw.isdigit() or int(raw) < 1:
        raise bad_request(f"{key} must be a positive integer")
    return int(raw)


def paginate(items: Sequence[_T], request: web.Request) -> list[_T]:
    """One page; no links and no total (README "Pagination"): a short page is the last one."""
    query = request.query
    page = int_param(query, "page", 1)
    per_page = min(int_param(query, "per_page", DEFAULT_PER_PAGE), request[PER_PAGE_CAP])
    return list(items[(page - 1) * per_page : page * per_page])


async def json_body(request: web.Request) -> Any:
    raw = await request.read()
    try:
        return orjson.loads(raw)
    except orjson.JSONDecodeError as exc:
        # Exceptions page: a JSON parse error answers raw text unless JSON was asked for.
        if "application/json" in request.headers.get("Accept", ""):
            raise bad_request(f"The request body is not valid JSON: {exc}") from None
        raise web.HTTPBadRequest(text="Error occurred while parsing request parameters") from None


def single_resource(body: Any, key: str) -> dict[str, Any]:
    items = body.get(key) if isinstance(body, dict) else None
    if not isinstance(items, list) or len(items) != 1 or not isinstance(items[0], dict):
        raise bad_request(f'Expected a body of the form {{"{key}": [{{…}}]}}')
    return items[0]


def path_id(request: web.Request) -> int:
    return int(request.match_info["id"])
