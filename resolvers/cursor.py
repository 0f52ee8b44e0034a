"""Opaque keyset cursors for the federated order (never offsets, so pages neither skip nor repeat)."""

from __future__ import annotations

import base64
import binascii
from datetime import datetime

import orjson

from gateway.errors import BadUserInput
from gateway.instants import clamped
from resolvers.provider import OrderKey


def encode_cursor(key: OrderKey) -> str:
    """The cursor pointing just after the event with this key."""
    undated, starts, provider, provider_id, global_id = key
    payload = orjson.dumps([undated, starts.isoformat(), provider, provider_id, global_id])
    return base64.urlsafe_b64encode(payload).decode().rstrip("=")


def decode_cursor(cursor: str, *, field: str = "after") -> OrderKey:
    """The key a cursor points after; BAD_USER_INPUT when it is not one of ours."""
    try:
        raw = orjson.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
        undated, starts, provider, provider_id, global_id = raw
        key: OrderKey = (
            bool(undated), datetime.fromisoformat(starts), str(provider), str(provider_id), str(global_id)
        )  # fmt: skip
    except (binascii.Error, orjson.JSONDecodeError, ValueError, TypeError):
        raise BadUserInput(f"{cursor!r} is not a cursor of this query", field=[field]) from None
    if key[1].tzinfo is None:
        raise BadUserInput(f"{cursor!r} is not a cursor of this query", field=[field])
    # Cursors are only base64: one made by hand may hold any instant, even one UTC cannot express.
    return (key[0], clamped(key[1]), *key[2:])
