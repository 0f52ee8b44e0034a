"""The request's loaders: primed values answer loads without a batch, and stay values until loaded."""

from __future__ import annotations

import asyncio
import gc
from collections.abc import Sequence
from typing import Any

import pytest

from gateway.request.loaders import Loaders


class Upstream:
    """A batch function that records what it was asked for."""

    def __init__(self) -> None:
        self.asked: list[list[Any]] = []

    async def load(self, keys: Sequence[Any]) -> list[Any]:
        self.asked.append(list(keys))
        return [f"fetched {key}" for key in keys]


async def test_a_primed_value_answers_without_a_batch_and_only_once_made_a_future() -> None:
    upstream = Upstream()
    loaders = Loaders()
    loader = loaders.get("things", upstream.load)
    for key in range(100):
        loader.replace(key, f"listed {key}")
    assert len(loader._cache) == 0  # values, not futures, until asked for
    assert await loader.load(7) == "listed 7"
    assert await loader.load_many([7, 8, 200]) == ["listed 7", "listed 8", "fetched 200"]
    assert upstream.asked == [[200]]
    assert loader.load(7) is loader.load(7)  # one future per key, as aiodataloader keeps


async def test_replacing_a_loaded_key_answers_the_new_value() -> None:
    upstream = Upstream()
    loader = Loaders().get("things", upstream.load)
    assert await loader.load("a") == "fetched a"
    loader.replace("a", "written a")
    assert await loader.load("a") == "written a"
    loader.replace("a", None)  # deleted
    assert await loader.load("a") is None
    assert upstream.asked == [["a"]]


async def test_clearing_a_primed_key_makes_the_next_load_fetch_it() -> None:
    upstream = Upstream()
    loaders = Loaders()
    loaders.prime("things", upstream.load, "a", "listed a")
    loaders.clear("things", upstream.load, "a")
    assert await loaders.get("things", upstream.load).load("a") == "fetched a"
    loader = loaders.get("things", upstream.load)
    loader.replace("b", "listed b")
    loader.clear_all()
    assert await loader.load("b") == "fetched b"
    assert upstream.asked == [["a"], ["b"]]


async def test_aiodataloaders_own_prime_keeps_an_existing_value() -> None:
    upstream = Upstream()
    loader = Loaders().get("things", upstream.load)
    loader.replace("a", "listed a")
    loader.prime("a", "ignored")  # aiodataloader: prime never overwrites
    loader.prime("b", ValueError("refused"))
    assert await loader.load("a") == "listed a"
    with pytest.raises(ValueError, match="refused"):
        await loader.load("b")


async def test_a_primed_error_is_raised_by_every_load() -> None:
    loader = Loaders().get("things", Upstream().load)
    loader.replace("a", LookupError("gone"))
    for _ in range(2):
        with pytest.raises(LookupError, match="gone"):
            await asyncio.ensure_future(loader.load("a"))


async def test_a_cancelled_waiter_leaves_the_shared_load_to_the_others() -> None:
    release = asyncio.Event()

    async def slow(keys: Sequence[Any]) -> list[Any]:
        await release.wait()
        return [f"fetched {key}" for key in keys]

    loader = Loaders().get("things", slow)

    async def wait() -> Any:
        return await loader.load("a")

    first, second = asyncio.ensure_future(wait()), asyncio.ensure_future(wait())
    await asyncio.sleep(0)
    first.cancel()  # as graphql-core cancels the siblings of a failed non-null field
    await asyncio.sleep(0)
    release.set()
    assert await second == "fetched a"
    assert await loader.load("a") == "fetched a"  # and the key is not left cancelled in the cache
    assert first.cancelled()


async def test_a_load_failing_after_all_its_waiters_left_is_not_reported_as_unretrieved() -> None:
    loop = asyncio.get_running_loop()
    reported: list[str] = []
    previous = loop.get_exception_handler()
    loop.set_exception_handler(lambda _, context: reported.append(str(context.get("message"))))
    try:
        release = asyncio.Event()

        async def failing(keys: Sequence[Any]) -> list[Any]:
            await release.wait()
            raise RuntimeError("upstream down")

        loader = Loaders().get("things", failing)
        waiter = asyncio.ensure_future(loader.load("a"))
        await asyncio.sleep(0)
        waiter.cancel()
        release.set()
        for _ in range(5):
            await asyncio.sleep(0)
        del loader, waiter
        gc.collect()
        await asyncio.sleep(0)
    finally:
        loop.set_exception_handler(previous)
    assert reported == []
