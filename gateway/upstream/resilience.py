"""Per-credential protection: a circuit breaker, and the health the `providers` query reports.

The service credential's breaker is the provider's (`gateway_breaker_open{provider}`); each caller's
credential has one of its own, so one caller's failures never stop another's calls, and those are
counted per provider only (`gateway_caller_breakers_open`), never one metric series per caller.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from enum import Enum

from gateway import metrics
from gateway.errors import CircuitOpen


class BreakerState(Enum):
    """Closed: calls flow. Open: calls fail fast. Half-open: one probe decides."""

    CLOSED = "closed"
    OPEN = "open"
    HALF_OPEN = "half_open"


#: The longest an open breaker pauses calls, however many probes failed (unless `reset_after` is longer).
MAX_PAUSE = 30.0


@dataclass(slots=True)
class CircuitBreaker:
    """Opens after `threshold` consecutive failures; after a pause lets one probe through.

    A successful probe closes it; a failed one re-opens it for twice the last pause: `reset_after`
    (a second by default), then 2, 4, 8 … up to `MAX_PAUSE`. A short first pause means that once the
    upstream recovers the next request finds out, instead of every caller seeing its error for half
    a minute after it cleared; the doubling means an upstream that stays down gets a probe every
    half minute, not one a second for as long as the outage lasts.
    """

    provider: str
    threshold: int = 5
    reset_after: float = 1.0
    clock: Callable[[], float] = time.monotonic
    state: BreakerState = BreakerState.CLOSED
    failures: int = 0
    opened_at: float = 0.0
    #: A caller's credential's breaker: counted, not the provider's own gauge.
    caller: bool = False
    #: Probes that failed since the breaker last closed: each doubles the pause.
    failed_probes: int = 0
    _probing: bool = False

    @property
    def pause(self) -> float:
        """Seconds the breaker stays open this time (before the next probe)."""
        longest = max(MAX_PAUSE, self.reset_after)
        # min() before the power would overflow: 2**1100 is no float.
        doubling: float = 2.0 ** min(self.failed_probes, 64)
        return min(longest, self.reset_after * doubling)

    def before_call(self) -> None:
        """Raise UPSTREAM_UNAVAILABLE instead of calling while the breaker is open."""
        if self.state is BreakerState.OPEN:
            if self.clock() - self.opened_at < self.pause:
                raise CircuitOpen(
                    f"{self.provider} is failing; calls are paused for up to {self.pause:g} s",
                    provider=self.provider,
                )
            self._set(BreakerState.HALF_OPEN)
        if self.state is BreakerState.HALF_OPEN:
            if self._probing:
                raise CircuitOpen(
                    f"{self.provider} is being probed; try again shortly", provider=self.provider
                )
            self._probing = True

    def succeeded(self) -> None:
        """The upstream answered (any status that is not its own failure)."""
        self.failures = 0
        self.failed_probes = 0
        self._probing = False
        if self.state is not BreakerState.CLOSED:
            self._set(BreakerState.CLOSED)

    def failed(self) -> None:
        """The upstream timed out, was unreachable, or answered 5xx."""
        self.failures += 1
        self._probing = False
        if self.state is BreakerState.HALF_OPEN:
            self.failed_probes += 1
        if self.state is BreakerState.HALF_OPEN or self.failures >= self.threshold:
            self.opened_at = self.clock()
            self._set(BreakerState.OPEN)

    @property
    def open(self) -> bool:
        """Whether calls are currently refused (the `/readyz` view)."""
        return self.state is BreakerState.OPEN and self.clock() - self.opened_at < self.pause

    def forget(self) -> None:
        """The breaker is dropped (its caller's client was evicted): it no longer counts as open."""
        if self.caller and self.state is BreakerState.OPEN:
            metrics.CALLER_BREAKERS_OPEN.labels(self.provider).dec()

    def _set(self, state: BreakerState) -> None:
        was_open, self.state = self.state is BreakerState.OPEN, state
        is_open = state is BreakerState.OPEN
        if not self.caller:
            metrics.BREAKER_OPEN.labels(self.provider).set(1 if is_open else 0)
        elif is_open != was_open:
            metrics.CALLER_BREAKERS_OPEN.labels(self.provider).inc(1 if is_open else -1)


@dataclass(slots=True)
class Health:
    """What the gateway last saw of one provider."""

    last_error_code: str | None = None
    last_error_message: str | None = None
    last_error_at: float | None = None
    last_success_at: float | None = None
    calls: int = 0
    failures: int = field(default=0)
