"""`RequestLoader` (primed values kept as values) against aiodataloader's own `DataLoader` doing
`clear(key).prime(key, value)`: every sequence of loads, primes, replaces and clears must answer
alike and ask the batch function for the same keys."""

from __future__ import annotations

import asyncio
import random
from collections.abc import Sequence
from typing import Any

import pytest
from aiodataloader import DataLoader

from gateway.request.loaders import RequestLoader


class Upstream:
    def __init__(self) -> None:
        self.batches: list[list[Any]] = []

    async def batch(self, keys: Sequence[Any]) -> list[Any]:
        self.batches.append(list(keys))
        await asyncio.sleep(0)
        if "f" in keys:
            raise RuntimeError("the whole batch fails")
        return [ValueError(f"no {key}") if key == "e" else f"up:{key}" for key in keys]


async def _outcome(future: Any) -> Any:
    try:
        return ("ok", await future)
    except Exception as error:
        return ("err", type(error).__name__, str(error))


async def _play(loader: Any, upstream: Upstream, script: list[tuple[str, Any, Any]], ours: bool) -> list[Any]:
    results: list[Any] = []
    pending: list[Any] = []
    for op, key, value in script:
        if op == "load":
            pending.append(loader.load(key))
        elif op == "replace":
            if ours:
                loader.replace(key, value)
            else:
                loader.clear(key).prime(key, value)
        elif op == "prime":
            loader.prime(key, value)
        elif op == "clear":
            loader.clear(key)
        elif op == "clear_all":
            loader.clear_all()
        elif op == "tick":
            await asyncio.sleep(0)
            await asyncio.sleep(0)
        elif op == "settle":
            results.extend([await _outcome(future) for future in pending])
            pending = []
    results.extend([await _outcome(future) for future in pending])
    return [results, upstream.batches]


def _script(rng: random.Random) -> list[tuple[str, Any, Any]]:
    ops = ["load"] * 5 + ["replace", "prime", "clear", "clear_all", "tick", "settle"]
    keys = ["a", "b", "c", "e", "f"]
    script = []
    for _ in range(rng.randint(1, 25)):
        op = rng.choice(ops)
        value: Any = rng.choice([None, "v1", "v2", KeyError("primed error")])
        script.append((op, rng.choice(keys), value))
    return script


@pytest.mark.parametrize("seed", range(400))
async def test_request_loader_answers_as_aiodataloader_does(seed: int) -> None:
    script = _script(random.Random(seed))
    theirs_up, ours_up = Upstream(), Upstream()
    theirs = await _play(DataLoader(theirs_up.batch), theirs_up, script, ours=False)
    ours = await _play(RequestLoader(ours_up.batch, None), ours_up, script, ours=True)
    assert ours == theirs, script


async def test_a_primed_exception_is_no_never_retrieved_future() -> None:
    """A primed error that is never loaded costs no future (aiodataloader's would be one whose
    exception nobody retrieves)."""
    loop = asyncio.get_running_loop()
    previous = loop.get_exception_handler()
    seen: list[str] = []
    loop.set_exception_handler(lambda _, context: seen.append(str(context.get("message"))))
    try:
        loader = RequestLoader(Upstream().batch, None)
        loader.replace("x", ValueError("primed"))
        del loader
        import gc

        gc.collect()
        await asyncio.sleep(0)
    finally:
        loop.set_exception_handler(previous)
    assert seen == []
