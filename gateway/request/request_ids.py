"""Request ids: unique and unpredictable without a system call per request."""

from __future__ import annotations

import itertools
import os
import secrets
from hashlib import blake2b

_key = secrets.token_bytes(16)
_counter = itertools.count(1)


def new_request_id() -> str:
    """A fresh request id: 32 hex digits, a counter keyed by a random secret per process.

    `uuid4()` reads the system's random source for every request (about 4 % of a `{ __typename }`
    request's CPU); the keyed hash keeps ids unique without telling how many requests the process
    served or which id comes next."""
    count = next(_counter).to_bytes(8, "little")
    return blake2b(count, key=_key, digest_size=16).hexdigest()


def _reseed() -> None:
    # A forked worker must not repeat its parent's ids.
    global _key, _counter
    _key = secrets.token_bytes(16)
    _counter = itertools.count(1)


os.register_at_fork(after_in_child=_reseed)
