"""Event field rules of the Schoology emulator: validating create/update bodies, rendering stored events."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from gateway.sandbox.schoology_seed import REALM_KINDS, StoredEvent
from gateway.sandbox.schoology_time import DATETIME_FORMAT, rendered, stored, to_all_day

# Field order of the docs' examples (dicts keep it into JSON and XML).
_FIELD_ORDER = (
    "id",
    "title",
    "description",
    "start",
    "has_end",
    "end",
    "all_day",
    "editable",
    "rsvp",
    "comments_enabled",
    "type",
    "assignment_id",
    "web_url",
)
_FLAGS = ("has_end", "all_day", "comments_enabled")
_DEFAULTS: dict[str, Any] = {
    "description": "",
    "has_end": 0,
    "end": "",
    "all_day": 0,
    "rsvp": 0,
    "comments_enabled": 1,
    "type": "event",
}


class BadRequest(ValueError):
    """A request body or query broke a rule; `str(error)` is the 400 message."""


def render_event(
    event: StoredEvent, self_url: str | None, zone: ZoneInfo | None, *, attachments: bool = False
) -> dict[str, Any]:
    """The event as Schoology returns it: stored fields plus `realm`, `section_id` and `links`, its
    times written in `zone` (a list's realm zone) or in UTC (None: the single GET), and with
    `attachments` its attachments, if it has any."""
    kind, realm_id = event.realm
    data = {name: event.fields[name] for name in _FIELD_ORDER if name in event.fields}
    for name in ("start", "end"):
        if name in data:
            data[name] = rendered(data[name], zone)
    data["realm"] = REALM_KINDS[kind]
    if kind == "sections":
        data["section_id"] = realm_id
    if self_url is not None:
        data["links"] = {"self": self_url}
    if attachments and event.attachments:
        data["attachments"] = event.attachments
    return data


def new_event_fields(body: Any, zone: ZoneInfo) -> dict[str, Any]:
    """Validate a POST body written in the realm's `zone`; return the fields to store (without `id`)."""
    changes = _changes(body)
    for required in ("title", "start"):
        if required not in changes:
            raise BadRequest(f"The {required} field is required")
    if changes.get("type", "event") != "event":
        # Due-date events come from assignments/discussions; the events endpoint only makes plain events.
        raise BadRequest("Only events of type 'event' can be created")
    _keep_times(changes, zone, all_day=bool(changes.get("all_day")))
    return _settle({**_DEFAULTS, "editable": 1}, changes)


def updated_event_fields(current: dict[str, Any], body: Any, zone: ZoneInfo) -> dict[str, Any]:
    """Validate a PUT body (changed fields only, written in `zone`); return the merged fields."""
    changes = _changes(body)
    if changes.get("type", current["type"]) != current["type"]:
        raise BadRequest("The type of an event cannot be changed")
    all_day = bool(changes.get("all_day", current["all_day"]))
    _keep_times(changes, zone, all_day=all_day)
    if all_day and not current["all_day"]:
        # A timed event made all-day keeps the local days of its times.
        for name in ("start", "end"):
            if name not in changes and current.get(name):
                changes[name] = to_all_day(current[name], zone)
    return _settle(dict(current), changes)


def _keep_times(changes: dict[str, Any], zone: ZoneInfo, *, all_day: bool) -> None:
    for name in ("start", "end"):
        if name in changes:
            changes[name] = stored(changes[name], zone, all_day=all_day)


def _settle(fields: dict[str, Any], changes: dict[str, Any]) -> dict[str, Any]:
    fields.update(changes)
    if not fields["has_end"]:
        # `end` is only meaningful with has_end=1 (docs: "present if has_end is 1").
        fields["end"] = ""
    elif not fields["end"]:
        raise BadRequest("The end field is required when has_end is 1")
    elif fields["end"] < fields["start"]:
        raise BadRequest("The end must not be before the start")
    return fields


def _changes(body: Any) -> dict[str, Any]:
    if not isinstance(body, dict) or not body:
        raise BadRequest("The request body must be an object of event fields")
    changes: dict[str, Any] = {}
    if "title" in body:
        changes["title"] = _text(body["title"], "title", required=True)
    if "description" in body:
        changes["description"] = _text(body["description"], "description", required=False)
    for name in ("start", "end"):
        if name in body and not (name == "end" and body[name] in ("", None)):
            changes[name] = _datetime(body[name], name)
    for name in _FLAGS:
        if name in body:
            changes[name] = _number(body[name], name, 1)
    if "rsvp" in body:
        changes["rsvp"] = _number(body["rsvp"], "rsvp", 2)
    if "type" in body:
        changes["type"] = _text(body["type"], "type", required=True)
    return changes


def _text(value: Any, name: str, *, required: bool) -> str:
    if not isinstance(value, str) or (required and not value.strip()):
        raise BadRequest(f"The {name} field must be a {'non-empty ' if required else ''}string")
    return value


def _datetime(value: Any, name: str) -> str:
    try:
        datetime.strptime(value, DATETIME_FORMAT)
    except (TypeError, ValueError):
        raise BadRequest(f"The {name} field must have the format YYYY-MM-DD HH:MM:SS") from None
    return str(value)


def _number(value: Any, name: str, highest: int) -> int:
    # Schoology accepts 0/1 flags as ints or numeric strings (its own example sends "has_end": "1").
    if isinstance(value, bool):
        value = int(value)
    if isinstance(value, str) and value.strip().isdigit():
        value = int(value)
    if not isinstance(value, int) or not 0 <= value <= highest:
        allowed = ", ".join(str(option) for option in range(highest + 1))
        raise BadRequest(f"The {name} field must be one of {allowed}")
    return value
