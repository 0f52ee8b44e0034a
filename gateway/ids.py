"""Global Relay ids: opaque base64url of `provider:key part:key part…`."""

from __future__ import annotations

import base64
import binascii
import re
from dataclasses import dataclass

from gateway.errors import BadUserInput

_PART = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$")


@dataclass(frozen=True, slots=True)
class GlobalId:
    """A decoded global id: which provider, and the upstream key parts (e.g. realm kind, realm id, id)."""

    provider: str
    parts: tuple[str, ...]


def encode_id(provider: str, *parts: str | int) -> str:
    """The opaque global id of an upstream object."""
    raw = ":".join((provider, *(str(part) for part in parts)))
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def decode_id(value: str, *, field: str = "id") -> GlobalId:
    """Decode a global id, refusing anything that is not one of ours (BAD_USER_INPUT)."""
    try:
        raw = base64.urlsafe_b64decode(value + "=" * (-len(value) % 4)).decode()
    except (binascii.Error, UnicodeDecodeError, ValueError):
        raise BadUserInput(f"{value!r} is not a valid id", field=[field]) from None
    provider, *parts = raw.split(":")
    if not provider or not parts or not all(_PART.match(part) for part in parts):
        raise BadUserInput(f"{value!r} is not a valid id", field=[field])
    return GlobalId(provider, tuple(parts))
