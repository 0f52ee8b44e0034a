"""Request ids: unique without a system call per request."""

from __future__ import annotations

import itertools
import os
import secrets

_prefix = secrets.token_hex(8)
_counter = itertools.count(1)


def new_request_id() -> str:
    """A fresh request id: 32 hex digits, a random prefix per process and then a counter.

    `uuid4()` reads the system's random source for every request (about 4 % of a `{ __typename }`
    request's CPU); an id only has to be unique, not unguessable."""
    return f"{_prefix}{next(_counter):016x}"


def _reseed() -> None:
    # A forked worker must not repeat its parent's ids.
    global _prefix, _counter
    _prefix = secrets.token_hex(8)
    _counter = itertools.count(1)


os.register_at_fork(after_in_child=_reseed)
