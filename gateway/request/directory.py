"""Which client serves a request for each provider: the deployment's own, or one opened for the
caller's credential (`GATEWAY_CREDENTIALS`), or none.

A caller's client is opened once per credential and kept, with its breaker, quota and health, in a
least-recently-used table of `GATEWAY_MAX_CALLER_CREDENTIALS` per provider: callers with many
credentials (or random ones) cannot grow the process, and forgetting a credential costs only its
in-process state (its cache entries and, with Redis, its quota live on under its fingerprint).
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from gateway import metrics
from gateway.providers.base import AnySpec, ProviderClient
from gateway.settings import Settings
from gateway.upstream.auth import CallerCredential
from gateway.upstream.state import SERVICE
from gateway.upstream.wiring import Wiring

#: Opens a provider's client for one caller's credential.
Opener = Callable[[CallerCredential], ProviderClient]


@dataclass(frozen=True, slots=True)
class RequestClients:
    """One request's clients by provider, the credential each uses (`service` or a fingerprint),
    and the providers it could have used with credentials of its own, by the header it lacked."""

    clients: Mapping[str, ProviderClient]
    credential_keys: Mapping[str, str]
    missing: Mapping[str, str]


class CallerClients:
    """One provider's clients for callers' credentials, the least recently used forgotten first."""

    def __init__(self, open_client: Opener, provider: str, limit: int) -> None:
        self.open_client = open_client
        self.provider = provider
        self.limit = limit
        self._clients: OrderedDict[str, ProviderClient] = OrderedDict()

    def __len__(self) -> int:
        return len(self._clients)

    def client(self, credential: CallerCredential) -> ProviderClient:
        """The client signing with `credential` (opened on first use)."""
        found = self._clients.get(credential.scope)
        if found is not None:
            self._clients.move_to_end(credential.scope)
            return found
        opened = self._clients[credential.scope] = self.open_client(credential)
        while len(self._clients) > self.limit:
            _, forgotten = self._clients.popitem(last=False)
            forgotten.upstream.breaker.forget()
        metrics.CALLER_CREDENTIALS.labels(self.provider).set(len(self._clients))
        return opened


class ClientDirectory:
    """Every client of the process: the deployment's own per provider, and each caller credential's."""

    def __init__(
        self,
        settings: Settings,
        specs: Sequence[AnySpec],
        service: Mapping[str, ProviderClient],
        wiring: Mapping[str, Wiring],
    ) -> None:
        self.mode = settings.gateway_credentials
        self.specs = tuple(specs)
        #: The deployment's own clients (none in `caller` mode).
        self.service = dict(service) if self.mode != "caller" else {}
        takes_callers = self.mode != "service"
        #: What each provider open to callers' credentials needs them in, by provider.
        self.headers = {
            spec.name: spec.caller.name
            for spec in self.specs
            if takes_callers and spec.caller is not None and spec.accepts_callers(settings)
        }
        self.callers = {
            name: CallerClients(
                _opener(settings, spec, wiring[name]), name, settings.gateway_max_caller_credentials
            )
            for spec in self.specs
            if (name := spec.name) in self.headers
        }

    @property
    def served(self) -> list[str]:
        """The providers this process can call for some request, in registry order."""
        return [spec.name for spec in self.specs if spec.name in self.service or spec.name in self.callers]

    def for_request(self, presented: Mapping[str, CallerCredential]) -> RequestClients:
        """The clients of a request that presented these caller credentials (already checked)."""
        clients: dict[str, ProviderClient] = {}
        keys: dict[str, str] = {}
        missing: dict[str, str] = {}
        for spec in self.specs:
            name = spec.name
            credential = presented.get(name)
            if credential is not None and name in self.callers:
                clients[name], keys[name] = self.callers[name].client(credential), credential.scope
            elif name in self.service:
                clients[name], keys[name] = self.service[name], SERVICE
            elif name in self.headers:
                missing[name] = self.headers[name]
        return RequestClients(clients, keys, missing)


def _opener(
    settings: Settings, spec: AnySpec, wiring: Wiring
) -> Callable[[CallerCredential], ProviderClient]:
    def open_client(credential: CallerCredential) -> ProviderClient:
        client: ProviderClient = spec.open_client(settings, wiring.for_caller(credential))
        return client

    return open_client
