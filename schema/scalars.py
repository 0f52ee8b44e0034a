"""Scalars: `DateTime` (ISO 8601, offset required on input), `Date` (ISO 8601 calendar day), `JSON`.

A value that does not parse raises `ValueError` with a message for the caller: graphql-core reports
it as a validation error (a literal in the document) or a BAD_USER_INPUT error (a variable), with
the location of the value (see `gateway.edge.masking` for why those are never masked).
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any, NewType, cast

import orjson
from strawberry.scalars import JSON
from strawberry.types.scalar import ScalarDefinition, scalar

__all__ = ["DATE", "DATETIME", "JSON", "SCALAR_MAP", "Representation", "as_json", "parse_datetime"]

#: Apollo Federation's `_Any`: an entity representation a supergraph router sends (subgraph mode only).
Representation = NewType("Representation", object)


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


def _serialize(value: datetime | date) -> str:
    if value.__class__ is datetime and value.tzinfo is UTC:
        # What isoformat() writes for a UTC instant, to the character (tests/schema/test_scalars.py),
        # in a third of its time: most instants upstreams send are in UTC.
        return orjson.dumps(value)[1:-1].decode()
    return value.isoformat()


def _parse_datetime(value: Any) -> datetime:
    example = "e.g. 2026-11-22T09:30:00+01:00"
    if not isinstance(value, str):
        raise ValueError(f"a DateTime is a string, ISO 8601 with a UTC offset ({example})")
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        raise ValueError(f"not an ISO 8601 date-time with a UTC offset ({example})") from None
    if parsed.tzinfo is None:
        raise ValueError("no UTC offset: add one, e.g. Z or +02:00")
    return parsed


def _parse_date(value: Any) -> date:
    if not isinstance(value, str):
        raise ValueError("a Date is a string, ISO 8601 YYYY-MM-DD (e.g. 2026-11-22)")
    try:
        # `date.fromisoformat` also takes `20261122` and week dates: only the one spelling here.
        if len(value) != 10:
            raise ValueError(value)
        return date.fromisoformat(value)
    except ValueError:
        raise ValueError("not a calendar date YYYY-MM-DD (e.g. 2026-11-22)") from None


DATETIME: ScalarDefinition = scalar(
    name="DateTime",
    description="An instant: ISO 8601 date and time with a UTC offset, e.g. `2026-11-22T09:30:00+01:00` "
    "(RFC 3339). Sent as the upstream gave it (its offset kept); an input without an offset is refused.",
    serialize=_serialize,
    parse_value=_parse_datetime,
    specified_by_url="https://datatracker.ietf.org/doc/html/rfc3339#section-5.6",
)

DATE: ScalarDefinition = scalar(
    name="Date",
    description="A calendar day, not an instant: ISO 8601 `YYYY-MM-DD`, e.g. `2026-11-22`. Which day an "
    "event falls on depends on its time zone: the field that carries one says which zone it is in.",
    serialize=_serialize,
    parse_value=_parse_date,
    specified_by_url="https://datatracker.ietf.org/doc/html/rfc3339#section-5.6",
)

REPRESENTATION: ScalarDefinition = scalar(
    name="_Any",
    description="An entity representation, as a supergraph router sends it: `{__typename, id}`.",
    serialize=lambda value: value,
    parse_value=lambda value: value,
)

#: Pass as `StrawberryConfig(scalar_map=SCALAR_MAP)`.
SCALAR_MAP: dict[object, ScalarDefinition] = {datetime: DATETIME, date: DATE, Representation: REPRESENTATION}
