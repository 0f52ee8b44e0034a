"""pretix emulator input parsing: DRF's field types and their error messages."""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

from gateway.sandbox.pretix_state import I18n

DATETIME_RE = re.compile(
    r"(?P<year>\d{4})-(?P<month>\d{1,2})-(?P<day>\d{1,2})"
    r"[T ](?P<hour>\d{1,2}):(?P<minute>\d{1,2})"
    r"(?::(?P<second>\d{1,2})(?:[.,](?P<microsecond>\d{1,6})\d{0,6})?)?"
    r"\s*(?P<tzinfo>Z|[+-]\d{2}(?::?\d{2})?)?$"
)
DATETIME_FORMAT = (
    "Datetime has wrong format. Use one of these formats instead: "
    "YYYY-MM-DDThh:mm[:ss[.uuuuuu]][+HH:MM|-HH:MM|Z]."
)


class FieldError(Exception):
    """Messages for one field."""

    def __init__(self, *messages: str) -> None:
        super().__init__(*messages)
        self.messages = list(messages)


def parse_datetime(value: Any) -> datetime | None:
    """django.utils.dateparse.parse_datetime, made aware in UTC (pretix's default time zone here)."""
    if not isinstance(value, str):
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        match = DATETIME_RE.match(value)
        if match is None:
            return None
        try:
            parsed = _from_match(match)
        except ValueError:
            return None
    return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)


def _from_match(match: re.Match[str]) -> datetime:
    parts = match.groupdict()
    micro = parts.pop("microsecond")
    tz_text = parts.pop("tzinfo")
    tz: timezone | None = None
    if tz_text == "Z":
        tz = UTC
    elif tz_text is not None:
        minutes = 60 * int(tz_text[1:3]) + (int(tz_text[-2:]) if len(tz_text) > 3 else 0)
        tz = timezone(timedelta(minutes=-minutes if tz_text[0] == "-" else minutes))
    numbers = {key: int(value) for key, value in parts.items() if value is not None}
    return datetime(**numbers, microsecond=int(micro.ljust(6, "0")) if micro else 0, tzinfo=tz)


def datetime_field(value: Any) -> datetime:
    parsed = parse_datetime(value)
    if parsed is None:
        raise FieldError(DATETIME_FORMAT)
    return parsed


_TRUE = frozenset({"t", "y", "yes", "true", "on", "1"})
_FALSE = frozenset({"f", "n", "no", "false", "off", "0"})


def boolean_field(value: Any) -> bool:
    """DRF BooleanField."""
    if isinstance(value, bool):
        return value
    if isinstance(value, int | float) and value in (0, 1):
        return bool(value)
    if isinstance(value, str) and value.lower() in _TRUE | _FALSE:
        return value.lower() in _TRUE
    raise FieldError("Must be a valid boolean.")


def i18n_field(value: Any) -> I18n:
    """i18nfield's serializer field: a plain string (shown as the default language) or a dict."""
    if isinstance(value, str):
        return value
    if not isinstance(value, dict):
        raise FieldError("Invalid data type.")
    if not all(isinstance(text, str) for text in value.values()):
        raise FieldError("All entries must be strings.")
    return dict(value)


def string_field(value: Any) -> str:
    """DRF CharField (trims whitespace; numbers become strings)."""
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        raise FieldError("Not a valid string.")
    return str(value).strip()


def float_field(value: Any, limit: int) -> float:
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise FieldError("A valid number is required.") from None
    if number < -limit:
        raise FieldError(f"Ensure this value is greater than or equal to {-limit}.")
    if number > limit:
        raise FieldError(f"Ensure this value is less than or equal to {limit}.")
    return number


def choice_field(value: Any, choices: Iterable[str]) -> str:
    if isinstance(value, bool) or str(value) not in choices:
        raise FieldError(f'"{value}" is not a valid choice.')
    return str(value)


def object_field(value: Any, name: str, value_type: type, shape: str) -> dict[str, Any]:
    """pretix's MetaDataField/MetaPropertyField/SeatCategoryMappingField type check."""
    if not isinstance(value, dict) or not all(isinstance(item, value_type) for item in value.values()):
        raise FieldError(f"{name} needs to be an object ({shape}).")
    return dict(value)
