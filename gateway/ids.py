"""Global Relay ids: opaque base64url of `provider:key part:key part…`, in exactly one spelling.

A provider's events have ids of its name (`kona:1001`); its other objects (spaces, users, classes,
realms, organizers…) name their kind too (`kona.space:7`), so no id of one type can be read as an
id of another, and every event id stays what it always was.
"""

from __future__ import annotations

import base64
import binascii
import re
from dataclasses import dataclass

from gateway.error_shape import quoted
from gateway.errors import BadUserInput

_PART = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,127}")
_KIND = re.compile(r"[a-z]{1,32}")
#: Longer than any id `encode_id` makes from valid parts: refused before decoding.
_MAX_LENGTH = 1024
_URLSAFE = bytes.maketrans(b"+/", b"-_")


@dataclass(frozen=True, slots=True)
class GlobalId:
    """A decoded global id: which provider, the upstream key parts (e.g. realm kind, realm id, id),
    and the kind of object (None for the provider's events)."""

    provider: str
    parts: tuple[str, ...]
    kind: str | None = None

    def is_of(self, provider: str, kind: str | None = None) -> bool:
        """Whether this is an id of `provider`'s objects of `kind` (None: its events)."""
        return self.provider == provider and self.kind == kind


def encode_id(provider: str, *parts: str | int, kind: str | None = None) -> str:
    """The opaque global id of an upstream object (`kind` names what it is, for all but events)."""
    head = provider if kind is None else f"{provider}.{kind}"
    try:
        raw = ":".join((head, *parts))  # type: ignore[arg-type]  # parts are mostly text: joined as they are
    except TypeError:
        raw = ":".join((head, *(part if isinstance(part, str) else str(part) for part in parts)))
    # What `base64.urlsafe_b64encode` does, without its wrappers: one id per event of every list.
    return binascii.b2a_base64(raw.encode(), newline=False).translate(_URLSAFE).rstrip(b"=").decode()


def decode_id(value: str, *, field: str = "id") -> GlobalId:
    """Decode a global id, refusing anything that is not one of ours (BAD_USER_INPUT).

    Only the spelling `encode_id` produces is accepted: no padding, no characters the decoder
    would skip, no other bits in the last character. One object has one id, so ids can be
    compared, cached and used as keys by clients.
    """
    decoded = _decoded(value) if len(value) <= _MAX_LENGTH else None
    if decoded is None:
        raise BadUserInput(f"{quoted(value)} is not a valid id", field=[field])
    head, *parts = decoded.split(":")
    provider, dot, kind = head.partition(".")
    if (
        not provider
        or (dot and not _KIND.fullmatch(kind))
        or not parts
        or not all(_PART.fullmatch(part) for part in parts)
        or encode_id(provider, *parts, kind=kind or None) != value
    ):
        raise BadUserInput(f"{quoted(value)} is not a valid id", field=[field])
    return GlobalId(provider, tuple(parts), kind or None)


def _decoded(value: str) -> str | None:
    try:
        return base64.urlsafe_b64decode(value + "=" * (-len(value) % 4)).decode()
    except (binascii.Error, UnicodeDecodeError, ValueError):
        return None
