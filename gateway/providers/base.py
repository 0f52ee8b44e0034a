"""The seam every provider meets: its `ProviderSpec`, the `ProviderClient` protocol, batch-loading helpers."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Generic, Protocol, TypeVar

from gateway.errors import NotFound
from gateway.settings import ProviderSettings, SectionT, Settings
from gateway.upstream.endpoint import Upstream, Wiring

K = TypeVar("K")
JSONObject = dict[str, Any]


class ProviderClient(Protocol):
    """What shared code relies on in every client: the `Upstream` it calls through, whose breaker
    and health `/readyz` and the `providers` query report."""

    @property
    def upstream(self) -> Upstream:
        """The provider's one HTTP endpoint."""
        ...


ClientT = TypeVar("ClientT", bound=ProviderClient)


@dataclass(frozen=True, slots=True, kw_only=True)
class ProviderSpec(Generic[SectionT, ClientT]):
    """What the process knows of one upstream: its name, its settings section, how to open its client.

    `open` builds the client from the provider's own settings and the `Wiring` the lifespan owns
    (gateway-wide settings, pooled session, where cache and quota live, what to redact), which it
    passes to `Upstream.configured`.
    """

    name: str
    title: str
    settings: type[SectionT]
    open: Callable[[SectionT, Wiring], ClientT]

    def section(self, settings: Settings) -> SectionT:
        """This provider's section of `settings`."""
        return settings.section(self.settings)

    def is_enabled(self, settings: Settings) -> bool:
        """Whether the deployment configured this provider's credentials."""
        return self.section(settings).enabled

    def open_client(self, settings: Settings, wiring: Wiring) -> ClientT:
        """The provider's client on the lifespan's wiring."""
        return self.open(self.section(settings), wiring)


#: A spec of any provider (what registries and the lifespan hold).
AnySpec = ProviderSpec[Any, Any]


def deployment_secrets(settings: Settings, specs: Iterable[AnySpec]) -> tuple[str, ...]:
    """Every credential of the deployment, the gateway's own and each provider's: what is redacted."""
    sections: list[ProviderSettings] = [spec.section(settings) for spec in specs]
    return (*settings.secrets(), *(secret for section in sections for secret in section.secrets()))


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
