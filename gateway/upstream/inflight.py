"""Writes that must finish once sent: a client that goes away cancels its reads, never a write in flight.

Cancelling a write whose request is already on the wire closes the connection under it: an upstream
that stops work when its client leaves may be left half-done, the gateway never learns whether the
change happened, and the reply cache it clears after every write would be cleared too early. So a
write runs in a task of its own that a cancellation of its caller does not reach (`asyncio.shield`);
the caller still stops waiting at once, and whoever ends the request (`gateway.request.disconnect`)
waits for the writes listed in `writes_in_request` before it lets go.
"""

from __future__ import annotations

import asyncio
import contextvars
from collections.abc import Coroutine
from typing import Any, TypeVar

T = TypeVar("T")

#: The writes the current request has in flight (set by whoever runs the request; None outside one).
writes_in_request: contextvars.ContextVar[set[asyncio.Task[Any]] | None] = contextvars.ContextVar(
    "writes_in_request", default=None
)


async def finish_even_if_cancelled(write: Coroutine[Any, Any, T]) -> T:
    """The result of `write`, which runs to its end even if the caller is cancelled meanwhile."""
    task = asyncio.ensure_future(write)
    in_flight = writes_in_request.get()
    if in_flight is not None:
        in_flight.add(task)
        task.add_done_callback(in_flight.discard)
    # A write nobody waits for any more must not log "exception was never retrieved".
    task.add_done_callback(_retrieve)
    return await asyncio.shield(task)


def _retrieve(task: asyncio.Task[Any]) -> None:
    if not task.cancelled():
        task.exception()
