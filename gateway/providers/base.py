"""The seam every provider meets: a `ProviderSpec` value and the shared batch-loading helpers."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from aiohttp import web

from gateway.errors import NotFound
from gateway.sandbox.recorder import CallLog
from gateway.settings import Settings
from gateway.upstream.endpoint import Wiring

ClientT = TypeVar("ClientT")
K = TypeVar("K")
JSONObject = dict[str, Any]


@dataclass(frozen=True, slots=True, kw_only=True)
class ProviderSpec(Generic[ClientT]):
    """Everything the process needs to know about one upstream.

    `open` builds the provider's client on the `Wiring` the lifespan owns (pooled session, where
    cache and quota live), which it passes to `Upstream.configured`; `sandbox_app` and
    `sandbox_env` come from the provider's emulator so `demo` and the tests can wire it up.
    """

    name: str
    title: str
    is_enabled: Callable[[Settings], bool]
    open: Callable[[Settings, Wiring], ClientT]
    sandbox_app: Callable[[CallLog], web.Application]
    sandbox_env: Callable[[str], dict[str, str]]


async def gather_by_key(
    keys: Sequence[K], fetch_one: Callable[[K], Awaitable[JSONObject]]
) -> list[JSONObject | None]:
    """Fetch each key concurrently (the upstream layer bounds concurrency); missing objects are None.

    Any other failure of any key fails the whole batch, as the upstream itself is then unhealthy.
    """

    async def one(key: K) -> JSONObject | None:
        try:
            return await fetch_one(key)
        except NotFound:
            return None

    return list(await asyncio.gather(*(one(key) for key in keys)))


def pick_by_key(
    keys: Sequence[K], objects: Iterable[JSONObject], key_of: Callable[[JSONObject], K]
) -> list[JSONObject | None]:
    """Order objects from a list call by the requested keys; absent keys are None."""
    index: Mapping[K, JSONObject] = {key_of(obj): obj for obj in objects}
    return [index.get(key) for key in keys]
