"""Kona emulator validation of the writable calendar-event fields and their cross-field rules."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import Any

from gateway.sandbox.kona_http import unprocessable
from gateway.sandbox.kona_state import CalendarEvent, KonaState
from gateway.sandbox.kona_time import DATETIME_FORMS, parse_datetime

_Validator = Callable[[str, Any, KonaState], Any]


def _name(key: str, value: Any, _: KonaState) -> str:
    if not isinstance(value, str) or not value.strip():
        raise unprocessable(f"{key} can't be blank")
    return value


def _optional_text(key: str, value: Any, _: KonaState) -> str | None:
    if value is not None and not isinstance(value, str):
        raise unprocessable(f"{key} must be a string")
    return value


def _boolean(key: str, value: Any, _: KonaState) -> bool:
    if not isinstance(value, bool):
        raise unprocessable(f"{key} must be true or false")
    return value


def _required_datetime(key: str, value: Any, _: KonaState) -> int:
    if value is None:
        raise unprocessable(f"{key} can't be blank")
    parsed = parse_datetime(value)
    if parsed is None:
        raise unprocessable(f"{key} must be {DATETIME_FORMS}")
    return parsed


def _optional_datetime(key: str, value: Any, state: KonaState) -> int | None:
    return None if value is None else _required_datetime(key, value, state)


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _enum(low: int, high: int, *, nullable: bool = False) -> _Validator:
    def check(key: str, value: Any, _: KonaState) -> int | None:
        if value is None and nullable:
            return None
        if not _is_int(value) or not low <= value <= high:
            raise unprocessable(f"{key} must be an integer from {low} to {high}")
        return int(value)

    return check


def _user_ref(key: str, value: Any, state: KonaState) -> int:
    if not _is_int(value) or value not in state.users:
        raise unprocessable(f"{key} {value!r} is not a user of this account")
    return int(value)


def _space_ref(key: str, value: Any, state: KonaState) -> int | None:
    if value is None:
        return None
    if not _is_int(value) or value not in state.spaces:
        raise unprocessable(f"{key} {value!r} is not a space you can use")
    return int(value)


def _user_refs(key: str, value: Any, state: KonaState) -> tuple[int, ...]:
    if not isinstance(value, list) or not all(_is_int(item) for item in value):
        raise unprocessable(f"{key} must be an array of user ids")
    unknown = [item for item in value if item not in state.users]
    if unknown:
        raise unprocessable(f"{key} contains unknown user ids {unknown}")
    return tuple(value)


def _external_object(key: str, value: Any, _: KonaState) -> dict[str, str] | None:
    # external_objects.md: `{}` removes the link; otherwise id and name are required strings.
    if value is None or value == {}:
        return None
    fields_ok = isinstance(value, dict) and all(isinstance(value.get(name), str) for name in ("id", "name"))
    if not fields_ok or not isinstance(value.get("url", ""), str):
        raise unprocessable(f"{key} needs string id and name (and an optional string url)")
    return {name: value[name] for name in ("id", "name", "url") if name in value}


_WRITABLE: dict[str, _Validator] = {
    "name": _name,
    "location": _optional_text,
    "details": _optional_text,
    "all_day": _boolean,
    "start_at": _required_datetime,
    "end_at": _required_datetime,
    "space_id": _space_ref,
    "creator_id": _user_ref,
    "participant_ids": _user_refs,
    "editor_ids": _user_refs,
    "status": _enum(0, 4),
    "visibility": _enum(1, 2),
    "stakeholder": _enum(0, 2),
    "default_role": _enum(1, 3),
    "period": _enum(0, 5),
    "frequency": _enum(0, 3),
    "sel_days": _enum(0, 6, nullable=True),
    "series_end_at": _optional_datetime,
    "external_object": _external_object,
}


def validated_changes(fields: dict[str, Any], state: KonaState) -> dict[str, Any]:
    """The writable keys present in `fields`, converted; unknown and read-only keys are dropped."""
    return {key: check(key, fields[key], state) for key, check in _WRITABLE.items() if key in fields}


def finish(event: CalendarEvent) -> CalendarEvent:
    """Cross-field rules, and a fresh series for an event that just became recurring."""
    if event.end_at < event.start_at:
        raise unprocessable("end_at must not be before start_at")
    if event.period and event.series_id is None:
        return replace(event, series_id=event.id, num_in_series=1)
    return event
