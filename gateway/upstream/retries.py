"""Which failed calls are worth another attempt, and how long to wait before it."""

from __future__ import annotations

import random
from dataclasses import dataclass

from gateway.errors import (
    GatewayError,
    UpstreamFailure,
    UpstreamRateLimited,
    UpstreamUnavailable,
    WriteOutcomeUnknown,
)


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """Bounded, jittered retries for reads; waits longer than `max_wait` are not worth a retry."""

    attempts: int = 3
    base_delay: float = 0.1
    max_wait: float = 2.0

    def delay(self, attempt: int, retry_after: float | None) -> float:
        """Seconds to wait before attempt `attempt + 1`."""
        if retry_after is not None:
            return retry_after
        return random.uniform(0, self.base_delay * 2**attempt)


def worth_retrying(error: GatewayError, idempotent_write: bool) -> bool:
    """Whether an attempt that failed with `error` is worth repeating."""
    # Exact types on purpose: a timed-out read is not retried (the timeout is the caller's latency
    # bound), nor is an open breaker (CircuitOpen: waiting out a backoff would only add latency),
    # nor the gateway's own quota (QuotaExhausted: it already waited as long as it may), nor a
    # reply too large or a redirect (they would come back the same).
    # A write whose answer was lost is retried only when the upstream de-duplicates it by key.
    if idempotent_write and type(error) is WriteOutcomeUnknown:
        return True
    return type(error) in (UpstreamFailure, UpstreamUnavailable, UpstreamRateLimited)
