"""pretix emulator list filters (EventFilter) and ordering (TotalOrderingFilter)."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from aiohttp import web

from gateway.sandbox.pretix_fields import parse_datetime
from gateway.sandbox.pretix_http import ApiError
from gateway.sandbox.pretix_state import Event, I18n, Organizer


def i18n_search_text(value: I18n) -> str:
    """The stored column text pretix's `search` runs icontains on (json.dumps, ASCII-escaped)."""
    return value if isinstance(value, str) else json.dumps(value, sort_keys=True)


def _bool_param(request: web.Request, name: str) -> bool | None:
    """django-filter BooleanWidget: true/false/1/0 (any case); other values mean no filter."""
    return {"1": True, "true": True, "0": False, "false": False}.get(request.query.get(name, "").lower())


DATE_FILTERS = (
    ("ends_after", ("ends_after",)),
    ("date_from", ("date_from_after", "date_from_before")),
    ("date_to", ("date_to_after", "date_to_before")),
)


def date_params(request: web.Request) -> dict[str, tuple[datetime | None, datetime | None]]:
    """ends_after and the two IsoDateTimeFromToRange filters; bad values are 400 under the filter name."""
    ranges: dict[str, tuple[datetime | None, datetime | None]] = {}
    errors: dict[str, list[str]] = {}
    for name, keys in DATE_FILTERS:
        bounds: list[datetime | None] = []
        for key in keys:
            text = request.query.get(key, "")
            parsed = parse_datetime(text) if text else None
            if text and parsed is None:
                errors[name] = ["Enter a valid date/time."]
            bounds.append(parsed)
        ranges[name] = (bounds[0], bounds[-1] if len(bounds) > 1 else None)
    if errors:
        raise ApiError(400, errors)
    return ranges


def _ends(event: Event) -> datetime:
    return event.date_to if event.date_to is not None else event.date_from


def _in_range(value: datetime | None, bounds: tuple[datetime | None, datetime | None]) -> bool:
    low, high = bounds
    if low is None and high is None:
        return True
    if value is None:
        return False
    return (low is None or value >= low) and (high is None or value <= high)


def _search_text(event: Event) -> str:
    """The columns pretix's `search` runs icontains on: name, slug, location."""
    parts = [i18n_search_text(event.name), event.slug]
    if event.location is not None:
        parts.append(i18n_search_text(event.location))
    return "\n".join(parts).lower()


def _meta_data_matches(event: Event, org: Organizer, request: web.Request) -> bool:
    """`attr[<property>]=<value>` (pretix's `filter_qs_by_attr`): the event's value, or the property's
    default when it has none; properties the organizer does not have or filter by are ignored."""
    for key, value in request.query.items():
        name = key[5:-1] if key.startswith("attr[") and key.endswith("]") else None
        if name is None or name not in org.meta_filterable:
            continue
        own = event.meta_data.get(name)
        if own != value and not (own is None and org.meta_defaults.get(name) == value):
            return False
    return True


def matches(event: Event, request: web.Request, now: datetime, dates: dict[str, Any], org: Organizer) -> bool:
    for name in ("is_public", "live", "has_subevents", "testmode"):
        wanted = _bool_param(request, name)
        if wanted is not None and getattr(event, name) != wanted:
            return False
    single = not event.has_subevents  # series never count as past, future or ending after
    for name, is_true in (
        ("is_past", single and _ends(event) < now),
        ("is_future", single and _ends(event) >= now),
    ):
        wanted = _bool_param(request, name)
        if wanted is not None and wanted != is_true:
            return False
    ends_after = dates["ends_after"][0]
    if ends_after is not None and not (single and _ends(event) >= ends_after):
        return False
    if not _in_range(event.date_from, dates["date_from"]) or not _in_range(event.date_to, dates["date_to"]):
        return False
    if not _meta_data_matches(event, org, request):
        return False
    channel = request.query.get("sales_channel")
    if channel and not (event.all_sales_channels or channel in event.limit_sales_channels):
        return False
    search = request.query.get("search", "")
    # pretix.helpers.i18n.i18ncomp escapes the term the way the stored JSON is escaped.
    return not search or json.dumps(search)[1:-1].lower() in _search_text(event)


def ordered(events: list[Event], request: web.Request) -> list[Event]:
    """TotalOrderingFilter: comma-separated `date_from`/`slug` (± ), unknown ones dropped, then -pk."""
    keys = [key.strip() for key in request.query.get("ordering", "").split(",")]
    keys = [key for key in keys if key.lstrip("-") in ("date_from", "slug")] or ["slug"]
    result = sorted(events, key=lambda event: event.seq, reverse=True)
    for key in reversed(keys):
        name = key.lstrip("-")
        result.sort(key=lambda event: getattr(event, name), reverse=key.startswith("-"))
    return result
