"""Signatures of feed URLs: HMAC-SHA256 over the canonical filter, with keys that rotate.

A signed URL grants reading the events its filter selects, and nothing else: no other filter, no
GraphQL, never a write. It does not expire (a calendar app keeps the URL it was given for years);
it is revoked by removing the key that signed it from `GATEWAY_FEED_SECRET`. The first key signs
and every key verifies, so a new key is rolled in by putting it first, and the old one is removed
once the URLs it signed may stop working.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from collections.abc import Sequence

from gateway.feed.filter import FeedFilter

#: Domain separation: these bytes never mean anything else to a holder of the key.
_PURPOSE = b"event-gateway calendar feed v1\n"


class FeedSigner:
    """Signs and verifies feed filters with the configured keys (none: nothing signs or verifies)."""

    def __init__(self, keys: Sequence[str]) -> None:
        self._keys = [key.encode() for key in keys if key]

    @property
    def can_sign(self) -> bool:
        """Whether a key is configured."""
        return bool(self._keys)

    def sign(self, filter: FeedFilter) -> str:
        """The URL-safe signature of `filter` under the first key."""
        if not self._keys:
            raise RuntimeError("no feed key is configured")
        return _encode(_mac(self._keys[0], filter))

    def verify(self, filter: FeedFilter, signature: str) -> bool:
        """Whether `signature` is some key's signature of `filter` (every key compared, in constant time).

        Only the spelling `sign` writes verifies: one link per filter, none with padding, the standard
        alphabet or characters a lenient decoder would skip."""
        given = signature.encode()
        verdicts = [hmac.compare_digest(given, _encode(_mac(key, filter)).encode()) for key in self._keys]
        return any(verdicts)


def _mac(key: bytes, filter: FeedFilter) -> bytes:
    return hmac.new(key, _PURPOSE + filter.canonical(), hashlib.sha256).digest()


def _encode(digest: bytes) -> str:
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()
