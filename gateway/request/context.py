"""The typed per-request context every resolver receives, and the `Info` alias."""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, TypeAlias, TypeVar, cast

import strawberry
from starlette.requests import Request
from starlette.responses import Response
from starlette.websockets import WebSocket

from gateway.errors import GatewayError, ProviderNotConfigured
from gateway.providers.base import ProviderClient, ProviderSpec
from gateway.request.loaders import Loaders
from gateway.settings import Settings
from gateway.upstream.budget import CallBudget

ClientT = TypeVar("ClientT", bound=ProviderClient)


@dataclass(slots=True)
class Context:
    """What one GraphQL request may use: settings, the open provider clients, fresh loaders."""

    request: Request | WebSocket
    response: Response | None
    settings: Settings
    clients: Mapping[str, ProviderClient]
    request_id: str
    loaders: Loaders = field(default_factory=Loaders)
    #: The request's upstream calls: what it sent, and what it may still send.
    upstream_calls: CallBudget = field(init=False)
    #: Lists in flight per provider: `node`/`nodes` wait for them, since they prime the loaders.
    listing: dict[str, list[asyncio.Future[None]]] = field(default_factory=dict)
    #: Errors of one provider that must not blank the rest: reported beside the data, at a path.
    partial_errors: list[tuple[GatewayError, tuple[str | int, ...]]] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.upstream_calls = CallBudget(self.settings.gateway_max_upstream_calls)

    def sibling(self) -> Context:
        """A context for another operation of the same HTTP request (a batch): the same caller,
        clients, loaders and upstream call budget; partial errors and lists in flight of its own."""
        twin = Context(
            request=self.request,
            response=self.response,
            settings=self.settings,
            clients=self.clients,
            request_id=self.request_id,
            loaders=self.loaders,
        )
        twin.upstream_calls = self.upstream_calls
        return twin

    def start_listing(self, provider: str) -> asyncio.Future[None]:
        """Mark a list of `provider`'s events as in flight; resolve the future when it is done."""
        done: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self.listing.setdefault(provider, []).append(done)
        return done

    async def lists_settled(self, provider: str) -> None:
        """Wait until this request's lists of `provider` are done (successfully or not)."""
        pending = self.listing.get(provider)
        if pending:
            await asyncio.wait(pending)

    def client(self, spec: ProviderSpec[Any, ClientT]) -> ClientT:
        """The provider's client, or PROVIDER_NOT_CONFIGURED when it has no credentials here."""
        client = self.clients.get(spec.name)
        if client is None:
            raise ProviderNotConfigured(f"{spec.title} is not configured on this gateway", provider=spec.name)
        return cast(ClientT, client)


Info: TypeAlias = strawberry.Info[Context, None]
