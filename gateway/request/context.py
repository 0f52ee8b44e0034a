"""The typed per-request context every resolver receives, and the `Info` alias."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any, TypeAlias, TypeVar, cast

import strawberry
from starlette.requests import Request
from starlette.responses import Response
from starlette.websockets import WebSocket

from gateway.errors import GatewayError, ProviderNotConfigured
from gateway.live.hub import Hub
from gateway.providers.base import ProviderClient, ProviderSpec
from gateway.request.loaders import Loaders
from gateway.settings import Settings
from gateway.upstream.budget import CallBudget
from gateway.upstream.endpoint import calls_in_request, current_request_id

#: The credential key of the deployment's own credentials (`context.credential_key`).
SERVICE_CREDENTIAL = "service"

ClientT = TypeVar("ClientT", bound=ProviderClient)


@dataclass(slots=True)
class Context:
    """What one GraphQL operation may use: settings, the open provider clients, fresh loaders.

    `request` is None for work no caller asked for (a change detector's poll). Over a WebSocket,
    every operation gets its own copy (`for_operation`): loaders and partial errors are never shared.
    """

    request: Request | WebSocket | None
    response: Response | None
    settings: Settings
    clients: Mapping[str, ProviderClient]
    request_id: str
    #: The live-update hub (`eventChanges`, and the writes it publishes); None where there is none.
    live: Hub | None = None
    #: Ends the operation's connection when its subscriber falls too far behind (set for WebSockets).
    abandon: Callable[[str], None] | None = None
    loaders: Loaders = field(default_factory=Loaders)
    #: The request's upstream calls: what it sent, and what it may still send.
    upstream_calls: CallBudget = field(init=False)
    #: Lists in flight per provider: `node`/`nodes` wait for them, since they prime the loaders.
    listing: dict[str, list[asyncio.Future[None]]] = field(default_factory=dict)
    #: Errors of one provider that must not blank the rest: reported beside the data, at a path.
    partial_errors: list[tuple[GatewayError, tuple[str | int, ...]]] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.upstream_calls = CallBudget(self.settings.gateway_max_upstream_calls)

    def for_operation(self) -> Context:
        """A context for one more operation on the same connection: same caller, fresh request state."""
        return replace(
            self,
            request_id=uuid.uuid4().hex,
            loaders=Loaders(),
            listing={},
            partial_errors=[],
        )

    def enter(self) -> None:
        """Make this context's call budget and id the ones upstream calls in the current task count on."""
        calls_in_request.set(self.upstream_calls)
        current_request_id.set(self.request_id)

    def credential_key(self, provider: str) -> str:
        """An opaque key of the credential this operation uses for `provider` (never the credential).

        Shared state that depends on who asks (a change detector's polls) is keyed by it.
        """
        return SERVICE_CREDENTIAL

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
