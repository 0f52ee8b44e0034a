"""Scalars: `DateTime` (ISO 8601, offset required on input), `Date`, `JSON`."""

from __future__ import annotations

from datetime import datetime
from typing import Any, cast

from strawberry.scalars import JSON
from strawberry.types.scalar import ScalarDefinition, scalar

__all__ = ["DATETIME", "JSON", "SCALAR_MAP", "as_json", "parse_datetime"]


def as_json(value: Any) -> JSON:
    """Mark a decoded upstream value as the `JSON` scalar (typing only)."""
    return cast(JSON, value)


def parse_datetime(value: Any) -> datetime | None:
    """An upstream's ISO 8601 date-time (e.g. `2018-09-20T11:00:00.000Z`); None when absent or unreadable."""
    if not isinstance(value, str) or not value:
        return None
    try:
        return datetime.fromisoformat(value)
    except ValueError:
        return None


def _serialize(value: datetime) -> str:
    return value.isoformat()


def _parse(value: Any) -> datetime:
    if not isinstance(value, str):
        raise ValueError("DateTime must be an ISO 8601 string")
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        raise ValueError(f"{value!r} is not an ISO 8601 date-time") from None
    if parsed.tzinfo is None:
        raise ValueError(f"{value!r} has no UTC offset; add one, e.g. 'Z' or '+02:00'")
    return parsed


DATETIME: ScalarDefinition = scalar(
    name="DateTime",
    description="An instant as ISO 8601 with a UTC offset, e.g. `2026-11-22T09:30:00+01:00`.",
    serialize=_serialize,
    parse_value=_parse,
)

#: Pass as `StrawberryConfig(scalar_map=SCALAR_MAP)`.
SCALAR_MAP: dict[object, ScalarDefinition] = {datetime: DATETIME}
