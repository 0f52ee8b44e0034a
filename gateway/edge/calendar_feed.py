"""`GET /calendar.ics`: the `events` filter as URL parameters, answered as an RFC 5545 calendar.

Who may read it, with `GATEWAY_API_KEYS` set: a caller with a key (header), or a URL whose `sig`
is a signature of its filter under a `GATEWAY_FEED_SECRET` key (`calendarFeed` hands those out,
since calendar apps cannot send headers). Anything else is 401. Without keys the feed is open.

Replies, for calendar apps that poll:
- 200 with the calendar; a weak `ETag` (the content without DTSTAMP), so a conditional poll of an
  unchanged feed is a 304; `Cache-Control: private, max-age=300`.
- A provider that fails leaves the others' events in the feed: `X-Feed-Unavailable` names it (and
  its error code), as do the calendar's X-WR-CALDESC and `X-EVENT-GATEWAY-UNAVAILABLE`; such a
  reply is not cached (`no-cache`).
- When every provider asked failed, 503 with `Retry-After`: an empty calendar would make the app
  delete every event it shows, where an error makes it keep them until the next poll.
- A provider the deployment has not configured is not a failure to wait out: as the `events`
  query answers (its events: none, and a PROVIDER_NOT_CONFIGURED error), the feed is a calendar
  without its events that names it in `X-Feed-Unavailable`, even when it was the only one asked.
- More events than `GATEWAY_FEED_MAX_EVENTS`: the first ones in the `events` order, and
  `X-Feed-Truncated` plus the calendar's description say so.
- A bad parameter is a 400 naming it (text/plain), as is a filter the `events` query refuses.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

import strawberry
from starlette.requests import ClientDisconnect, Request
from starlette.responses import PlainTextResponse, Response

from gateway.edge.feed_events import FeedEvents, FeedFailed, collect
from gateway.edge.security import CallerKeys, Presented
from gateway.edge.view import request_id_of
from gateway.errors import BadUserInput, ErrorCode
from gateway.feed.filter import FeedFilter, parse_feed_query
from gateway.feed.signing import FeedSigner
from gateway.providers.base import AnySpec
from gateway.request.disconnect import ClientGone, unless_disconnected
from gateway.settings import Settings

log = logging.getLogger("gateway.feed")

CALENDAR_MEDIA_TYPE = "text/calendar; charset=utf-8"
FRESH_CACHE = "private, max-age=300"
PARTIAL_CACHE = "private, no-cache"
UNSIGNED_MESSAGE = (
    "This feed URL is not signed, or its filter or signature was changed: ask the `calendarFeed` "
    "query for a signed URL, or send the API key (`Authorization: Bearer <key>`)."
)


async def calendar_feed(request: Request) -> Response:
    """The events of the URL's filter as `text/calendar` (see the module's docstring)."""
    settings: Settings = request.app.state.settings
    specs: Sequence[AnySpec] = request.app.state.providers
    request_id = request_id_of(request)
    keys = CallerKeys([key.get_secret_value() for key in settings.gateway_api_keys])
    keyed = keys.in_headers(request.scope["headers"]) is Presented.VALID
    if keys.required and not keyed and "sig" not in request.query_params:
        return _unauthenticated(UNSIGNED_MESSAGE)
    try:
        asked = parse_feed_query(request.query_params.multi_items(), {spec.name for spec in specs})
    except BadUserInput as error:
        return _plain(400, f"{error.message}\n")
    if keys.required and not keyed:
        signer = FeedSigner([key.get_secret_value() for key in settings.gateway_feed_secret])
        if asked.signature is None or not signer.verify(asked.filter, asked.signature):
            return _unauthenticated(UNSIGNED_MESSAGE)
    schema: strawberry.Schema = request.app.state.schema
    try:
        collected = await unless_disconnected(
            collect(request, schema, settings, asked.filter, request_id), request.receive
        )
    except FeedFailed as failure:
        return _plain(failure.status, f"{failure.message}\n", request_id)
    except (ClientGone, ClientDisconnect):
        log.info("feed client disconnected; its request was cancelled", extra={"request_id": request_id})
        return Response(status_code=499)
    failed = {
        name: code
        for name, code in collected.unavailable.items()
        if code != ErrorCode.PROVIDER_NOT_CONFIGURED
    }
    if failed and not collected.events:
        names = ", ".join(f"{name} ({code})" for name, code in sorted(failed.items()))
        response = _plain(503, f"No provider answered: {names}. Try again later.\n", request_id)
        response.headers["Retry-After"] = "300"
        return response
    return _calendar(request, settings, specs, asked.filter, collected, request_id)


def _calendar(
    request: Request,
    settings: Settings,
    specs: Sequence[AnySpec],
    filter: FeedFilter,
    collected: FeedEvents,
    request_id: str,
) -> Response:
    # Imported by the first feed served, not at start-up: icalendar's ~80 modules took ~3 MiB of
    # every gateway process, most of which never serve a feed (issue 14).
    from gateway.feed.ics import CalendarHead, render

    dated = [event for event in collected.events if event.starts_at is not None]
    undated = len(collected.events) - len(dated)
    head = CalendarHead(
        name=_name(filter, specs),
        description=_description(filter, collected, undated, settings.gateway_feed_max_events),
        refresh=timedelta(seconds=settings.gateway_feed_refresh),
        categories={spec.name.upper(): spec.title for spec in specs},
        notes=_notes(collected, undated),
    )
    body = render(dated, head, datetime.now(UTC).replace(microsecond=0))
    headers = {
        "ETag": _etag(body),
        "Cache-Control": PARTIAL_CACHE if collected.unavailable else FRESH_CACHE,
        "Content-Disposition": 'inline; filename="calendar.ics"',
        "X-Request-ID": request_id,
    }
    if collected.unavailable:
        headers["X-Feed-Unavailable"] = ", ".join(
            f"{name}={code}" for name, code in sorted(collected.unavailable.items())
        )
    if collected.truncated:
        headers["X-Feed-Truncated"] = str(settings.gateway_feed_max_events)
    if undated:
        headers["X-Feed-Undated"] = str(undated)
    if _matches(request.headers.get("if-none-match"), headers["ETag"]):
        return Response(status_code=304, headers=headers)
    response = Response(body, 200, headers)
    response.headers["Content-Type"] = CALENDAR_MEDIA_TYPE
    return response


def _name(filter: FeedFilter, specs: Sequence[AnySpec]) -> str:
    titles = {spec.name: spec.title for spec in specs}
    chosen = ", ".join(titles.get(name, name) for name in filter.providers) if filter.providers else ""
    name = "Events" + (f" ({chosen})" if chosen else "")
    return name + (f": {filter.search}" if filter.search else "")


def _description(filter: FeedFilter, collected: FeedEvents, undated: int, limit: int) -> str:
    parts = ["Events from event-gateway's federated `events` query"]
    if filter.starts_after or filter.starts_before:
        window = f"{_when(filter.starts_after) or 'the start'} to {_when(filter.starts_before) or 'the end'}"
        parts[0] += f", starting from {window}"
    parts[0] += "."
    if collected.unavailable:
        names = ", ".join(f"{name} ({code})" for name, code in sorted(collected.unavailable.items()))
        parts.append(f"Incomplete: no events from {names} this time; they return when it answers again.")
    if collected.truncated:
        last = collected.events[-1].starts_at if collected.events else None
        until = f" (up to {_when(last)})" if last else ""
        parts.append(
            f"Cut at {limit} events{until}: later events are not in this feed. "
            "Narrow the filter (startsAfter, startsBefore, provider) to see them."
        )
    if undated:
        parts.append(f"{undated} event(s) without a start time cannot be shown in a calendar.")
    return " ".join(parts)


def _notes(collected: FeedEvents, undated: int) -> list[tuple[str, str]]:
    notes = [
        ("x-event-gateway-unavailable", f"{name} {code}")
        for name, code in sorted(collected.unavailable.items())
    ]
    if collected.truncated:
        notes.append(("x-event-gateway-truncated", str(len(collected.events))))
    if undated:
        notes.append(("x-event-gateway-undated", str(undated)))
    return notes


def _when(moment: datetime | None) -> str:
    return "" if moment is None else moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")


def _etag(body: bytes) -> str:
    """A weak ETag of the content: DTSTAMP (the moment of rendering) left out, so it changes only
    when an event does."""
    digest = hashlib.sha256()
    for line in body.splitlines(keepends=True):
        if not line.startswith(b"DTSTAMP"):
            digest.update(line)
    return f'W/"{digest.hexdigest()[:32]}"'


def _matches(if_none_match: str | None, etag: str) -> bool:
    """RFC 9110's weak comparison of `If-None-Match` with our ETag (`*` matches any)."""
    if not if_none_match:
        return False
    ours = etag.removeprefix("W/")
    for candidate in if_none_match.split(","):
        tag = candidate.strip()
        if tag == "*" or tag.removeprefix("W/") == ours:
            return True
    return False


def _plain(status: int, message: str, request_id: str | None = None) -> PlainTextResponse:
    headers = {"X-Request-ID": request_id} if request_id else None
    return PlainTextResponse(message, status, headers)


def _unauthenticated(message: str) -> PlainTextResponse:
    return PlainTextResponse(f"{message}\n", 401, {"WWW-Authenticate": 'Bearer realm="event-gateway"'})
