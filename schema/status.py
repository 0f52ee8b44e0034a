"""`ProviderStatus`: what the gateway knows of each provider's health."""

from __future__ import annotations

from datetime import datetime
from enum import Enum

import strawberry

from gateway.upstream import resilience
from schema.event import Provider


@strawberry.enum(
    description="A provider's circuit breaker (`gateway.upstream.resilience`): CLOSED lets calls "
    "through, OPEN fails them fast."
)
class BreakerState(Enum):
    CLOSED = strawberry.enum_value(resilience.BreakerState.CLOSED.value, description="Calls go through.")
    OPEN = strawberry.enum_value(
        resilience.BreakerState.OPEN.value,
        description="The provider failed repeatedly: calls fail at once (UPSTREAM_UNAVAILABLE) until the "
        "next probe.",
    )
    HALF_OPEN = strawberry.enum_value(
        resilience.BreakerState.HALF_OPEN.value,
        description="One probe call is deciding whether to close again.",
    )


@strawberry.type(description="The last failure the gateway saw from a provider.")
class ProviderError:
    code: str = strawberry.field(description="The contract error code, e.g. UPSTREAM_TIMEOUT.")
    message: str = strawberry.field(description="What happened, without credentials.")
    at: datetime = strawberry.field(description="When it happened.")


@strawberry.type(description="One provider as this gateway sees it.")
class ProviderStatus:
    provider: Provider = strawberry.field(description="Which upstream.")
    enabled: bool = strawberry.field(description="Whether credentials for it are configured here.")
    healthy: bool = strawberry.field(description="Enabled and its breaker is closed.")
    breaker: BreakerState | None = strawberry.field(description="Null when the provider is not enabled.")
    calls: int = strawberry.field(description="Upstream calls since the gateway started.")
    failures: int = strawberry.field(description="Calls that timed out, failed to connect, or got a 5xx.")
    last_error: ProviderError | None = strawberry.field(description="The last failure since start, if any.")
    last_success_at: datetime | None = strawberry.field(description="When the last call got an answer.")
