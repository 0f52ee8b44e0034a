"""The typed per-request context every resolver receives, and the `Info` alias."""

from __future__ import annotations

import asyncio
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
from gateway.request.request_ids import new_request_id
from gateway.settings import Settings
from gateway.upstream.budget import CallBudget
from gateway.upstream.endpoint import calls_in_request, current_request_id
from gateway.upstream.state import SERVICE

ClientT = TypeVar("ClientT", bound=ProviderClient)


@dataclass(slots=True)
class Context:
    """What one GraphQL operation may use: settings, its provider clients, fresh loaders.

    `clients` are this request's: for each provider, the client signing with the caller's own
    credential or the deployment's (`GATEWAY_CREDENTIALS`). `credential_keys` names the credential
    each uses, and `missing` the providers it could have used with credentials of its own, by the
    header it did not send.

    `request` is None for work no caller asked for (a change detector's poll). Over a WebSocket,
    every operation gets its own copy (`for_operation`): loaders and partial errors are never shared.
    """

    request: Request | WebSocket | None
    response: Response | None
    settings: Settings
    clients: Mapping[str, ProviderClient]
    request_id: str
    credential_keys: Mapping[str, str] = field(default_factory=dict)
    missing: Mapping[str, str] = field(default_factory=dict)
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

    def sibling(self) -> Context:
        """A context for another operation of the same HTTP request (a batch): the same caller,
        clients, loaders and upstream call budget; partial errors and lists in flight of its own."""
        twin = replace(self, listing={}, partial_errors=[])
        twin.upstream_calls = self.upstream_calls  # not an init field: `replace` made a fresh one
        return twin

    def for_operation(self) -> Context:
        """A context for one more operation on the same connection (a WebSocket): the same caller
        and clients, and everything else of its own: id, loaders, call budget, partial errors."""
        return replace(self, request_id=new_request_id(), loaders=Loaders(), listing={}, partial_errors=[])

    def enter(self) -> None:
        """Make this context's call budget and id the ones upstream calls in the current task count on."""
        calls_in_request.set(self.upstream_calls)
        current_request_id.set(self.request_id)

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
            raise self.not_configured(spec.name, spec.title)
        return cast(ClientT, client)

    def not_configured(self, provider: str, title: str) -> ProviderNotConfigured:
        """The PROVIDER_NOT_CONFIGURED error of a provider this request has no credentials for."""
        header = self.missing.get(provider)
        if header is not None:
            return ProviderNotConfigured(
                f"{title} needs the caller's own credentials on this gateway: send {header}",
                provider=provider,
            )
        return ProviderNotConfigured(f"{title} is not configured on this gateway", provider=provider)

    def credential_key(self, provider: str) -> str:
        """The name of the credential this request calls `provider` with: `service` for the
        deployment's own, else the caller's credential's keyed fingerprint (never the credential).

        Stable for one credential while `GATEWAY_CREDENTIAL_KEY` is; what per-credential state (caches,
        quotas, breakers, pollers) is kept under. PROVIDER_NOT_CONFIGURED when there is none.
        """
        key = self.credential_keys.get(provider)
        if key is None:
            raise self.not_configured(provider, provider.capitalize())
        return key

    def uses_caller_credentials(self, provider: str) -> bool:
        """Whether this request calls `provider` with the caller's own credential."""
        return self.credential_keys.get(provider, SERVICE) != SERVICE


Info: TypeAlias = strawberry.Info[Context, None]
