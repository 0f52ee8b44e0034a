"""Reading single values out of upstream JSON: ids, texts, numbers and lists, checked and typed.

Optional fields of the wrong type read as absent (the object's `raw` still shows what came);
a missing or unusable id is `MalformedItem`, an UPSTREAM_ERROR naming the provider, because an
object the gateway cannot identify can be neither shown nor silently left out.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from enum import Enum
from typing import Any, TypeVar

from gateway.errors import MalformedItem

E = TypeVar("E", bound=Enum)

#: What an upstream key may look like to become part of a global id (and of a path): the
#: shape `gateway.ids` accepts back, so every id the gateway hands out can be resolved.
_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,127}")
#: Upstream numbers (ids, counts, offsets) beyond this are not real: JSON itself allows any size.
MAX_INTEGER = 2**53


def upstream_id(value: Any) -> str | None:
    """An id as text: a non-negative integer or a short token of letters, digits, `.`, `_`, `-`."""
    if isinstance(value, str):
        return value if _ID.fullmatch(value) else None
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value) if 0 <= value <= MAX_INTEGER else None
    return None


def required_id(data: Any, key: str, *, title: str, what: str, provider: str) -> str:
    """`data[key]` as an id, or `MalformedItem`."""
    found = upstream_id(data.get(key)) if isinstance(data, dict) else None
    if found is None:
        raise MalformedItem(title, what, key, provider=provider)
    return found


def text(value: Any) -> str | None:
    """A string as is, a number as text; anything else (objects, lists, booleans) is absent."""
    if isinstance(value, str):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        return str(value)
    return None


def texts(value: Any) -> list[str]:
    """A list of strings (numbers as text); other items, or a value that is not a list, are left out."""
    if not isinstance(value, list):
        return []
    return [item for item in (text(each) for each in value) if item is not None]


def integer(value: Any, *, minimum: int = -MAX_INTEGER, maximum: int = MAX_INTEGER) -> int | None:
    """An integer within the bounds (never a bool or a float); None otherwise."""
    if isinstance(value, int) and not isinstance(value, bool) and minimum <= value <= maximum:
        return value
    return None


def enum_or_none(kind: type[E]) -> Callable[[Any], E | None]:
    """A converter to a member of `kind` from its value (a string, or an integer that is not a bool);
    None when absent, ill-typed or unknown (a value the upstream added later stays in `raw`)."""

    members: dict[Any, E] = kind._value2member_map_  # type: ignore[assignment]

    def convert(value: Any) -> E | None:
        if not isinstance(value, str) and integer(value) is None:
            return None
        found = members.get(value)  # what `kind(value)` finds first, without Enum's call machinery
        if found is not None:
            return found
        try:
            return kind(value)
        except ValueError:
            return None

    return convert


def digits(value: Any, *, maximum: int = MAX_INTEGER) -> int | None:
    """A non-negative integer sent as a number or as a string of digits (as Schoology does)."""
    if isinstance(value, str) and 0 < len(value) <= 16 and value.isascii() and value.isdigit():
        value = int(value)
    return integer(value, minimum=0, maximum=maximum)


def flag(value: Any) -> bool | None:
    """A JSON boolean; anything else is absent."""
    return value if isinstance(value, bool) else None
