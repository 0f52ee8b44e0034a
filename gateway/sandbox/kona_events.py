"""Kona emulator calendar-event endpoints: who may see and change an event, list/get/create/update/delete."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import replace
from datetime import datetime

from aiohttp import web

from gateway.sandbox.kona_http import (
    KonaError,
    bad_request,
    envelope,
    int_param,
    json_body,
    not_found,
    paginate,
    path_id,
    single_resource,
    unprocessable,
)
from gateway.sandbox.kona_render import api_root, event_json
from gateway.sandbox.kona_series import instance, make_series, overlaps
from gateway.sandbox.kona_state import CURRENT_USER, STATE, CalendarEvent, KonaState
from gateway.sandbox.kona_time import month_window, query_datetime
from gateway.sandbox.kona_validation import finish, validated_changes
from gateway.sandbox.recorder import json_response

# --- access rules ------------------------------------------------------------------------------


def _can_see(state: KonaState, event: CalendarEvent, user_id: int) -> bool:
    # calendar_events.md: events live in spaces; `visibility` participants_only (1) or public (2),
    # `stakeholder` just_me (0), group (1, the space's members) or everyone (2, the account).
    if user_id in (event.creator_id, *event.participant_ids, *event.editor_ids):
        return True
    if event.visibility != 2:
        return False
    if event.stakeholder == 2:
        return True
    space = state.spaces.get(event.space_id) if event.space_id is not None else None
    return event.stakeholder == 1 and space is not None and user_id in dict(space.members)


def _can_edit(event: CalendarEvent, user_id: int) -> bool:
    return event.default_role == 1 or user_id == event.creator_id or user_id in event.editor_ids


def _visible_event(state: KonaState, event_id: int, user_id: int) -> CalendarEvent:
    event = state.events.get(event_id)
    if event is None or not _can_see(state, event, user_id):
        raise not_found(f"Calendar event {event_id} does not exist or you have no access to it")
    return event


def _editable_event(request: web.Request) -> CalendarEvent:
    user_id = request[CURRENT_USER]
    event = _visible_event(request.app[STATE], path_id(request), user_id)
    if not _can_edit(event, user_id):
        raise KonaError(403, "Forbidden", f"You may not change calendar event {event.id}")
    return event


# --- calendar event handlers -------------------------------------------------------------------

_ORDER_KEYS: dict[str, Callable[[CalendarEvent], tuple[int, int]]] = {
    "created_at": lambda event: (-event.created_at, -event.id),
    "updated_at": lambda event: (-event.updated_at, -event.id),
}


def _window(query: Mapping[str, str], now: datetime) -> tuple[int, int]:
    keys = ("date_range_start", "date_range_end")
    given = [key in query for key in keys]
    if not any(given):
        return month_window(now)  # calendar_events.md: "all active events for the current month"
    if not all(given):
        raise bad_request("date_range_start and date_range_end must be sent together")
    return query_datetime(query, keys[0]), query_datetime(query, keys[1])


def _sort_key(query: Mapping[str, str]) -> Callable[[CalendarEvent], tuple[int, int]]:
    order_by = query.get("order_by")
    if order_by is None:
        return lambda event: (event.start_at, event.id)
    if order_by not in _ORDER_KEYS:
        raise bad_request("order_by must be created_at or updated_at")
    return _ORDER_KEYS[order_by]


async def list_events(request: web.Request) -> web.Response:
    """`GET /calendar_events`: active visible events overlapping the window, one page."""
    state, user_id, query = request.app[STATE], request[CURRENT_USER], request.query
    start, end = _window(query, state.now())
    sort_key = _sort_key(query)
    matching = [
        event
        for event in state.events.values()
        if not event.archived and _can_see(state, event, user_id) and overlaps(state, event, start, end)
    ]
    root = api_root(request)
    page = paginate(sorted(matching, key=sort_key), request)
    return envelope("calendar_events", [event_json(event, root) for event in page])


def _series_instance(state: KonaState, event: CalendarEvent, number: int, user_id: int) -> CalendarEvent:
    found = instance(state, event, number)
    if found is None or not _can_see(state, found, user_id):
        raise not_found(f"Calendar event {event.id} has no instance {number} in its series")
    return found


async def get_event(request: web.Request) -> web.Response:
    """`GET /calendar_events/{id}[?num_in_series=N]`."""
    state, user_id = request.app[STATE], request[CURRENT_USER]
    event = _visible_event(state, path_id(request), user_id)
    if "num_in_series" in request.query:
        number = int_param(request.query, "num_in_series", 1)
        event = _series_instance(state, event, number, user_id)
    return envelope("calendar_events", [event_json(event, api_root(request))])


async def create_event(request: web.Request) -> web.Response:
    """`POST /calendar_events`: 201, `Location` and the created event (responses.md "Create")."""
    state = request.app[STATE]
    changes = validated_changes(single_resource(await json_body(request), "calendar_events"), state)
    if "name" not in changes:
        raise unprocessable("name can't be blank")
    now_ms = state.now_ms()
    # calendar_events.md: start_at and end_at "default to current datetime"; creator_id is writable.
    defaults = {"start_at": now_ms, "end_at": now_ms, "creator_id": request[CURRENT_USER]}
    event = CalendarEvent(
        id=state.next_event_id, created_at=now_ms, updated_at=now_ms, **(defaults | changes)
    )
    event = finish(event)
    state.events[event.id] = event
    state.next_event_id += 1
    if event.series_id is not None:
        make_series(state, event)
    body = event_json(event, api_root(request))
    return json_response({"calendar_events": [body]}, status=201, headers={"Location": body["href"]})


async def update_event(request: web.Request) -> web.Response:
    """`PUT /calendar_events/{id}`: patch semantics, 200, or 403 (responses.md "Update")."""
    state = request.app[STATE]
    event = _editable_event(request)
    changes = validated_changes(single_resource(await json_body(request), "calendar_events"), state)
    updated = finish(replace(event, **changes))
    if updated != event:
        updated = replace(updated, updated_at=state.now_ms())
    state.events[event.id] = updated
    if event.series_id is None and updated.series_id is not None:
        make_series(state, updated)
    return envelope("calendar_events", [event_json(updated, api_root(request))])


async def delete_event(request: web.Request) -> web.Response:
    """`DELETE /calendar_events/{id}`: 204, or 403 (responses.md "Delete")."""
    event = _editable_event(request)
    del request.app[STATE].events[event.id]
    return web.Response(status=204)
