"""Stop a request's work when its HTTP client goes away, so its upstream calls stop with it.

An ASGI app learns of a disconnect only by calling `receive()` again after the body: the server
answers `http.disconnect` once the client is gone (or once the response is complete). So, with
the body read, the work runs in the request's own task while a watcher task waits on `receive()`;
if the client leaves first, the watcher cancels the work. Cancelling the work cancels the
resolvers and, through them, the aiohttp calls they await, which closes those upstream
connections. Work the request started but does not await itself (a dataloader's batch runs in a
task of its own) joins it with `cancel_with_request()`.

Writes already sent are the exception: they run to their end (`gateway.upstream.inflight`), and
the request is let go only once they have, so that the upstream is never left half-done and the
gateway's caches are cleared after the write, not before it ends.
"""

from __future__ import annotations

import asyncio
import contextvars
from collections.abc import Awaitable, Callable, Generator
from typing import Any, TypeVar, cast

from starlette.types import Receive

from gateway.upstream.inflight import writes_in_request

T = TypeVar("T")

#: The tasks that belong to the request running in this context, beside the request's own.
_detached: contextvars.ContextVar[set[asyncio.Task[Any]] | None] = contextvars.ContextVar(
    "detached_request_tasks", default=None
)


class ClientGone(Exception):
    """The HTTP client disconnected before its answer was ready; the work was cancelled."""


async def unless_disconnected(work: Awaitable[T], receive: Receive) -> T:
    """The result of `work`, or `ClientGone` (with `work` cancelled) if the client leaves first.

    Call it only after the request body has been read in full, so `receive()` has nothing left
    to deliver but the disconnect. The work runs in the calling task (a task of its own and
    `asyncio.wait` on the pair cost ~60 µs a request, an eighth of a `{ __typename }`); a watcher
    task cancels the caller if the client leaves first. The watcher starts only once the work first
    waits: work that never waits (`{ __typename }`) gives the loop no turn in which a disconnect
    could be heard, and skips the watcher's cost (~15 µs, a tenth of such a request).
    """
    task = asyncio.current_task()
    assert task is not None, "unless_disconnected runs in a task"
    detached: set[asyncio.Task[Any]] = set()
    writes: set[asyncio.Task[Any]] = set()
    gone = False

    def on_watched(watcher: asyncio.Task[None]) -> None:
        nonlocal gone
        if watcher.cancelled() or watcher.exception() is not None:
            return
        gone = True
        for pending in (task, *detached):
            pending.cancel()

    watcher: asyncio.Task[None] | None = None

    def watch() -> None:
        nonlocal watcher
        watcher = asyncio.ensure_future(_disconnected(receive))
        watcher.add_done_callback(on_watched)

    token, writes_token = _detached.set(detached), writes_in_request.set(writes)
    try:
        try:
            result = await _Watched(work, watch)
        except asyncio.CancelledError:
            if not gone:  # this request itself is being cancelled (server shutdown)
                for pending in detached:
                    pending.cancel()
                raise
        if not gone:
            return result
        # The client left first (whether or not the work swallowed its cancellation).
        task.uncancel()
        # Let the work unwind (its `finally` blocks, aiohttp closing its connections) and the writes
        # in flight finish before returning.
        if detached or writes:
            await asyncio.wait((*detached, *writes))
        raise ClientGone
    finally:
        if watcher is not None:
            watcher.remove_done_callback(on_watched)
            watcher.cancel()
        writes_in_request.reset(writes_token)
        _detached.reset(token)


def cancel_with_request() -> None:
    """Let a disconnect of the request this task works for cancel this task too.

    For tasks a request starts without awaiting them itself (a dataloader's batch); a no-op
    outside a request.
    """
    detached = _detached.get()
    task = asyncio.current_task()
    if detached is not None and task is not None:
        detached.add(task)
        task.add_done_callback(detached.discard)


class _Watched(Awaitable[T]):
    """Awaits `work` in the awaiting task, calling `on_wait` just before it first waits (if ever)."""

    __slots__ = ("on_wait", "work")

    def __init__(self, work: Awaitable[T], on_wait: Callable[[], None]) -> None:
        self.work = work
        self.on_wait = on_wait

    def __await__(self) -> Generator[Any, Any, T]:
        steps = self.work.__await__()
        try:
            waiting = steps.send(None)
        except StopIteration as done:
            return cast(T, done.value)
        self.on_wait()
        # What `yield from steps` does, for a generator already started: pass what it waits on to
        # the task, and the task's answer (a value, or an exception: a cancellation) back to it.
        while True:
            try:
                answer = yield waiting
            except GeneratorExit:
                steps.close()
                raise
            except BaseException as error:
                try:
                    waiting = steps.throw(error)
                except StopIteration as done:
                    return cast(T, done.value)
            else:
                try:
                    waiting = steps.send(answer)
                except StopIteration as done:
                    return cast(T, done.value)


async def _disconnected(receive: Receive) -> None:
    while (await receive())["type"] != "http.disconnect":
        pass
