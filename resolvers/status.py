"""The `providers` query: every registered provider with its health."""

from __future__ import annotations

from datetime import UTC, datetime

from gateway.request.context import Info
from gateway.upstream.endpoint import Upstream
from gateway.upstream.resilience import BreakerState as Breaker
from resolvers.registry import PROVIDERS
from schema.event import Provider
from schema.status import BreakerState, ProviderError, ProviderStatus


def _instant(epoch: float | None) -> datetime | None:
    return None if epoch is None else datetime.fromtimestamp(epoch, UTC)


def _status(name: str, upstream: Upstream | None) -> ProviderStatus:
    provider = Provider(name)
    if upstream is None:
        return ProviderStatus(
            provider=provider, enabled=False, healthy=False, breaker=None, calls=0, failures=0,
            last_error=None, last_success_at=None,
        )  # fmt: skip
    health, state = upstream.health, upstream.breaker.state
    error_at = _instant(health.last_error_at)
    return ProviderStatus(
        provider=provider,
        enabled=True,
        healthy=state is Breaker.CLOSED,
        breaker=BreakerState(state.value),
        calls=health.calls,
        failures=health.failures,
        last_error=ProviderError(
            code=health.last_error_code or "", message=health.last_error_message or "", at=error_at
        )
        if error_at is not None
        else None,
        last_success_at=_instant(health.last_success_at),
    )


async def providers(info: Info) -> list[ProviderStatus]:
    """Each registered provider, enabled or not, with its breaker state and last error."""
    clients = info.context.clients
    statuses = []
    for api in PROVIDERS:
        client = clients.get(api.spec.name)
        statuses.append(_status(api.spec.name, None if client is None else client.upstream))
    return statuses
