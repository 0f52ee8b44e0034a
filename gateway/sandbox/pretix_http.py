"""pretix emulator HTTP: DRF's error answers, token auth and permissions, rendering, paging, bodies."""

from __future__ import annotations

import json
import math
import re
from collections.abc import Awaitable, Callable, Mapping
from datetime import UTC, datetime
from typing import Any
from urllib import parse

import orjson
from aiohttp import web

from gateway.sandbox.pretix_i18n import language_of, localize
from gateway.sandbox.pretix_state import SALES_CHANNELS, STATE, Event, Organizer, Team, i18n_json
from gateway.sandbox.recorder import Handler

PAGE_SIZE = 50
NO_PERMISSION = "You do not have permission to perform this action."
NOT_PROVIDED = "Authentication credentials were not provided."
LIST_ALLOW = "GET, POST, HEAD, OPTIONS"
DETAIL_ALLOW = "GET, PUT, PATCH, DELETE, HEAD, OPTIONS"
ORGANIZERS_ALLOW = "GET, HEAD, OPTIONS"
ORGANIZER_ALLOW = "GET, PUT, PATCH, HEAD, OPTIONS"
CLONE_ALLOW = "POST"  # CloneEventViewSet.http_method_names = ["post"]
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


# --- errors and responses ----------------------------------------------------------------------------


class ApiError(Exception):
    """An error answer: status, JSON body and extra headers."""

    def __init__(self, status: int, body: Any, *, headers: dict[str, str] | None = None) -> None:
        super().__init__(status)
        self.status = status
        self.body = body
        self.headers = headers or {}


def detail_error(status: int, message: str, **headers: str) -> ApiError:
    return ApiError(status, {"detail": message}, headers=headers)


def forbidden(message: str = NO_PERMISSION) -> ApiError:
    return detail_error(403, message)


def html_page(status: int, title: str) -> web.Response:
    page = f"<!DOCTYPE html>\n<html><head><title>{title}</title></head><body><h1>{title}</h1></body></html>\n"
    return web.Response(status=status, text=page, content_type="text/html", charset="utf-8")


def answer(
    data: Any, status: int, allow: str, language: str, extra: dict[str, str] | None = None
) -> web.Response:
    """A DRF response; `language` is the one `Accept-Language` chose (see `pretix_i18n`)."""
    headers = {"Allow": allow, "Vary": "Accept-Language, Cookie, Host", "Content-Language": language}
    headers.update(extra or {})
    if status == 204:
        return web.Response(status=204, headers=headers)
    # DRF's JSONRenderer as pretix configures it: compact, non-ASCII escaped (`K\u00f6ln`).
    body = json.dumps(data, separators=(",", ":")).encode()
    return web.Response(status=status, body=body, content_type="application/json", headers=headers)


class ServerError(Exception):
    """What real pretix answers with an HTML 500 (e.g. a JSON body that is a string)."""


Endpoint = Callable[[web.Request], Awaitable[tuple[int, Any]]]


def route(allow: str, methods: Mapping[str, Endpoint]) -> Handler:
    """A handler for one path: auth and permission first, then the method (DRF's order)."""

    async def handler(request: web.Request) -> web.StreamResponse:
        language = language_of(request.headers.get("Accept-Language", ""))
        try:
            endpoint = methods.get("GET" if request.method == "HEAD" else request.method)
            _authenticate(request)
            _check_permission(request, write=request.method not in SAFE_METHODS and endpoint is not None)
            if endpoint is None:
                raise detail_error(405, f'Method "{request.method}" not allowed.')
            status, data = await endpoint(request)
        except ApiError as error:
            return answer(localize(error.body, language), error.status, allow, language, error.headers)
        except ServerError:
            return html_page(500, "Internal Server Error")
        return answer(data, status, allow, language)

    return handler


# --- auth --------------------------------------------------------------------------------------------

TEAM = web.RequestKey("pretix_team", Team)


def _authenticate(request: web.Request) -> None:
    """DRF TokenAuthentication; the other pretix authenticators (session, device, OAuth) never match."""
    parts = request.headers.get("Authorization", "").split()
    if not parts or parts[0].lower() not in ("token", "device"):
        raise detail_error(401, NOT_PROVIDED, **{"WWW-Authenticate": "Token"})
    if len(parts) == 1:
        raise detail_error(
            401, "Invalid token header. No credentials provided.", **{"WWW-Authenticate": "Token"}
        )
    if len(parts) > 2:
        raise detail_error(
            401,
            "Invalid token header. Token string should not contain spaces.",
            **{"WWW-Authenticate": "Token"},
        )
    team = request.app[STATE].teams.get(parts[1]) if parts[0].lower() == "token" else None
    if team is None:
        raise detail_error(401, "Invalid token.", **{"WWW-Authenticate": "Token"})
    request[TEAM] = team


def _check_permission(request: web.Request, *, write: bool) -> None:
    """EventPermission/EventCRUDPermission: unknown and forbidden look the same (403)."""
    org_slug = request.match_info.get("organizer")
    if org_slug is None:
        return
    state, team = request.app[STATE], request[TEAM]
    org = state.organizers.get(org_slug)
    if org is None or org_slug not in team.organizers:
        raise forbidden()
    event_slug = request.match_info.get("event")
    if event_slug is not None and event_slug not in org.events:
        raise forbidden()
    if write and not team.can_write:
        raise forbidden()


def organizer_of(request: web.Request) -> Organizer:
    return request.app[STATE].organizers[request.match_info["organizer"]]


def event_of(request: web.Request) -> Event:
    return organizer_of(request).events[request.match_info["event"]]


# --- output ------------------------------------------------------------------------------------------


def format_datetime(value: datetime | None) -> str | None:
    """DRF DateTimeField output in the UTC server time zone: `…Z`, microseconds only when non-zero."""
    if value is None:
        return None
    text = value.astimezone(UTC).isoformat()
    return text[:-6] + "Z" if text.endswith("+00:00") else text


def site_of(request: web.Request) -> str:
    """The shop root: this emulator's mount point on the request's host (pretix uses its `url` setting)."""
    return f"{request.scheme}://{request.host}{request.path.split('/api/v1/')[0]}"


def event_json(
    event: Event, org: Organizer, site: str, *, detail: bool, availability: bool = False
) -> dict[str, Any]:
    """The event as EventSerializer renders it; `valid_keys` only on endpoints under one event.

    `availability` (a GET with `with_availability_for`) adds `best_availability_state`.
    """
    data: dict[str, Any] = {
        "name": i18n_json(event.name),
        "slug": event.slug,
        "live": event.live,
        "testmode": event.testmode,
        "currency": event.currency,
        "date_from": format_datetime(event.date_from),
        "date_to": format_datetime(event.date_to),
        "date_admission": format_datetime(event.date_admission),
        "is_public": event.is_public,
        "presale_start": format_datetime(event.presale_start),
        "presale_end": format_datetime(event.presale_end),
        "location": None if event.location is None else i18n_json(event.location),
        "geo_lat": event.geo_lat,
        "geo_lon": event.geo_lon,
        "has_subevents": event.has_subevents,
        "meta_data": event.meta_data,
        "seating_plan": None,
        "plugins": sorted(set(event.plugins)),
        "seat_category_mapping": {},
        "timezone": event.timezone,
        "item_meta_properties": event.item_meta_properties,
    }
    if detail:
        data["valid_keys"] = {"pretix_sig1": []}
    data["all_sales_channels"] = event.all_sales_channels
    data["limit_sales_channels"] = event.limit_sales_channels
    if availability:
        # Emulator assumption: an event with quotas has tickets available (100); without, unknown.
        data["best_availability_state"] = 100 if event.has_quotas else None
    data["public_url"] = f"{site}/{org.slug}/{event.slug}/"
    # The legacy field is still rendered (SalesChannelMigrationMixin.to_representation).
    data["sales_channels"] = list(SALES_CHANNELS) if event.all_sales_channels else event.limit_sales_channels
    return data


def organizer_json(org: Organizer, site: str) -> dict[str, Any]:
    """OrganizerSerializer."""
    return {"name": org.name, "slug": org.slug, "public_url": f"{site}/{org.slug}/", "plugins": org.plugins}


# --- paging ------------------------------------------------------------------------------------------


def _with_query_param(url: str, key: str, value: str | None) -> str:
    """DRF replace_query_param / remove_query_param: re-encodes the query with sorted keys."""
    scheme, netloc, path, query, fragment = parse.urlsplit(url)
    params = parse.parse_qs(query, keep_blank_values=True)
    if value is None:
        params.pop(key, None)
    else:
        params[key] = [value]
    return parse.urlunsplit(
        (scheme, netloc, path, parse.urlencode(sorted(params.items()), doseq=True), fragment)
    )


def _page_size(request: web.Request) -> int:
    try:
        size = int(request.query["page_size"])
    except (KeyError, ValueError):
        return PAGE_SIZE
    return min(size, PAGE_SIZE) if size > 0 else PAGE_SIZE


def paginate(request: web.Request, items: list[Any]) -> tuple[dict[str, Any], list[Any]]:
    """DRF PageNumberPagination: the envelope without `results`, and the page's items."""
    size = _page_size(request)
    pages = max(1, math.ceil(len(items) / size))
    raw = request.query.get("page") or "1"
    try:
        number = pages if raw == "last" else int(raw)
    except ValueError:
        raise detail_error(404, "Invalid page.") from None
    if number < 1 or number > pages:
        raise detail_error(404, "Invalid page.")
    query = request.rel_url.raw_query_string
    url = f"{request.scheme}://{request.host}{request.rel_url.raw_path}" + (f"?{query}" if query else "")
    envelope = {
        "count": len(items),
        "next": _with_query_param(url, "page", str(number + 1)) if number < pages else None,
        "previous": None
        if number == 1
        else _with_query_param(url, "page", str(number - 1) if number > 2 else None),
    }
    return envelope, items[(number - 1) * size : number * size]


# --- request bodies ----------------------------------------------------------------------------------


async def read_body(request: web.Request) -> dict[str, Any]:
    """The JSON object body; DRF/pretix answers for anything else."""
    raw = await request.read()
    if not raw.strip():
        return {}
    try:
        data = orjson.loads(raw)
    except orjson.JSONDecodeError:
        raise detail_error(400, f"JSON parse error - {_parse_error(raw)}") from None
    if data is None:
        raise ApiError(400, {"non_field_errors": ["No data provided"]})
    if not isinstance(data, dict):
        raise ServerError  # the mixin calls data.get(…) on it
    return data


def _parse_error(raw: bytes) -> str:
    """pretix parses JSON with ujson; its two common messages."""
    bad_literal = re.search(rb"(?<![\"\w])([ntf])[a-z]*", raw)
    if bad_literal is not None and raw.lstrip()[:1] in (b"{", b"["):
        word = {b"n": "null", b"t": "true", b"f": "false"}[bad_literal.group(1)]
        return f"Unexpected character found when decoding '{word}'"
    return "Expected object or value"
