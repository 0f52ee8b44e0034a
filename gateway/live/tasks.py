"""Stopping a background task without swallowing the stopper's own cancellation."""

from __future__ import annotations

import asyncio
from typing import Any


async def cancel_and_wait(task: asyncio.Task[Any]) -> None:
    """Cancel `task` and wait until it has finished.

    `with suppress(CancelledError): await task` would also swallow a cancellation of the task doing
    the waiting: a feed's poller stopped while it released its lease then went on polling, and
    renewing that lease, with no subscriber left. `asyncio.wait` never raises the task's outcome,
    and a cancellation of the waiter propagates.
    """
    task.cancel()
    await asyncio.wait([task])
