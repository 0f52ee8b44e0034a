"""`unless_disconnected`: work that never waits runs without a watcher; work that waits is watched."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from gateway.request.disconnect import ClientGone, unless_disconnected


class Receiver:
    """An ASGI `receive` whose client leaves when `leave` is set; counts its calls."""

    def __init__(self) -> None:
        self.calls = 0
        self.leave = asyncio.Event()

    async def __call__(self) -> dict[str, Any]:
        self.calls += 1
        await self.leave.wait()
        return {"type": "http.disconnect"}


async def test_work_that_never_waits_is_answered_without_listening_for_a_disconnect() -> None:
    receive = Receiver()

    async def work() -> str:
        return "answer"

    assert await unless_disconnected(work(), receive) == "answer"
    await asyncio.sleep(0)
    assert receive.calls == 0


async def test_an_error_before_the_work_waits_reaches_the_caller() -> None:
    async def work() -> str:
        raise ValueError("refused")

    with pytest.raises(ValueError, match="refused"):
        await unless_disconnected(work(), Receiver())


async def test_work_that_waits_gets_what_it_waits_for() -> None:
    receive = Receiver()
    loop = asyncio.get_running_loop()
    ready: asyncio.Future[int] = loop.create_future()
    loop.call_soon(ready.set_result, 41)

    async def work() -> int:
        await asyncio.sleep(0)  # a bare yield to the loop
        return await ready + 1

    assert await unless_disconnected(work(), receive) == 42
    assert receive.calls == 1  # watched once it waited


async def test_an_error_after_the_work_waited_reaches_the_caller() -> None:
    async def work() -> str:
        await asyncio.sleep(0)
        raise ValueError("failed")

    with pytest.raises(ValueError, match="failed"):
        await unless_disconnected(work(), Receiver())


async def test_a_disconnect_cancels_work_that_waits() -> None:
    receive = Receiver()
    cleaned_up = asyncio.Event()

    async def work() -> str:
        receive.leave.set()
        try:
            await asyncio.sleep(60)
        finally:
            cleaned_up.set()
        return "never"

    with pytest.raises(ClientGone):
        await asyncio.wait_for(unless_disconnected(work(), receive), 5)
    assert cleaned_up.is_set()


async def test_cancelling_the_request_cancels_its_work() -> None:
    started, cancelled = asyncio.Event(), asyncio.Event()

    async def work() -> None:
        started.set()
        try:
            await asyncio.sleep(60)
        except asyncio.CancelledError:
            cancelled.set()
            raise

    request = asyncio.ensure_future(unless_disconnected(work(), Receiver()))
    await started.wait()
    request.cancel()
    with pytest.raises(asyncio.CancelledError):
        await request
    assert cancelled.is_set()


async def test_work_that_handles_its_cancellation_by_the_disconnect_still_ends_in_client_gone() -> None:
    receive = Receiver()

    async def work() -> str:
        receive.leave.set()
        try:
            await asyncio.sleep(60)
        except asyncio.CancelledError:
            return "swallowed"
        return "never"

    with pytest.raises(ClientGone):
        await unless_disconnected(work(), receive)
