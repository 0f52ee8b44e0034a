"""Checks of mutation inputs before anything is sent; each names the offending field. And the
shared steps from an input to an upstream body: the fields given, the JSON values of a body."""

from __future__ import annotations

import dataclasses
import re
import zoneinfo
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from enum import Enum
from functools import cache
from typing import Any, cast

import strawberry

from gateway.errors import BadUserInput, InvalidInput

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


@cache
def _zones() -> frozenset[str]:
    return frozenset(zoneinfo.available_timezones())


class Problems:
    """Collects every problem of one input, then raises them together."""

    def __init__(self, *prefix: str) -> None:
        self.prefix = prefix
        self.found: list[BadUserInput] = []

    def add(self, field: str, message: str) -> None:
        """Record a problem with `field` (a GraphQL input field name)."""
        self.found.append(BadUserInput(message, field=[*self.prefix, field]))

    def text(
        self, field: str, value: str | None, *, max_length: int | None = None, required: bool = False
    ) -> None:
        """Non-blank (when required) and at most `max_length` characters (when the API has a limit)."""
        if value is None:
            if required:
                self.add(field, f"{field} is required")
            return
        if required and not value.strip():
            self.add(field, f"{field} must not be blank")
        if max_length is not None and len(value) > max_length:
            self.add(field, f"{field} must be at most {max_length} characters (got {len(value)})")

    def emails(self, field: str, values: Sequence[str] | None) -> None:
        """Every value looks like an email address."""
        for value in values or ():
            if not _EMAIL.match(value):
                self.add(field, f"{value!r} is not an email address")

    def timezone(self, field: str, value: str | None) -> None:
        """An IANA time zone name such as `Europe/Berlin`."""
        if value is not None and value not in _zones():
            self.add(field, f"{value!r} is not an IANA time zone name (e.g. 'Europe/Berlin')")

    def ordered(
        self,
        start_field: str,
        start: datetime | None,
        end_field: str,
        end: datetime | None,
        *,
        allow_equal: bool = False,
    ) -> None:
        """`end` is after `start` (or equal, with `allow_equal`) when both are given."""
        if start is None or end is None:
            return
        if end < start or (end == start and not allow_equal):
            relation = "on or after" if allow_equal else "after"
            self.add(end_field, f"{end_field} must be {relation} {start_field}")

    def check(self) -> None:
        """Raise everything found as one `InvalidInput`."""
        if self.found:
            raise InvalidInput(self.found)


def given_fields(data: object, names: Iterable[str] | None = None) -> dict[str, Any]:
    """The fields of an input the caller gave, by attribute name (`names`, else all of its fields in
    order): a create's that are not null, an update's `strawberry.Maybe` that are set (to their value,
    null included)."""
    fields: dict[str, Any] = {}
    for name in names if names is not None else [field.name for field in dataclasses.fields(cast(Any, data))]:
        value = getattr(data, name)
        if isinstance(value, strawberry.Some):
            fields[name] = value.value
        elif value is not None:
            fields[name] = value
    return fields


def refuse_empty_update() -> None:
    """An update that changes nothing is refused at `input`, before anything is sent."""
    problems = Problems()
    problems.add("input", "give at least one field to change")
    problems.check()


def json_values(fields: Mapping[str, Any]) -> dict[str, Any]:
    """`fields` as a JSON body: instants in ISO 8601 with their offset, enum members as their values."""
    return {name: _json_value(value) for name, value in fields.items()}


def _json_value(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, Enum):
        return value.value
    return value
