"""Per-provider protection: a circuit breaker, and the health the `providers` query reports."""

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


@dataclass(slots=True)
class CircuitBreaker:
    """Opens after `threshold` consecutive failures; after `reset_after` seconds lets one probe through.

    A successful probe closes it, a failed one re-opens it for another `reset_after`. The pause is
    short (a second by default): while the upstream fails it gets one call at a time, at most one a
    second, and once it recovers the next request after the pause finds out, instead of every
    caller seeing its error for half a minute after it cleared.
    """

    provider: str
    threshold: int = 5
    reset_after: float = 1.0
    clock: Callable[[], float] = time.monotonic
    state: BreakerState = BreakerState.CLOSED
    failures: int = 0
    opened_at: float = 0.0
    _probing: bool = False

    def before_call(self) -> None:
        """Raise UPSTREAM_UNAVAILABLE instead of calling while the breaker is open."""
        if self.state is BreakerState.OPEN:
            if self.clock() - self.opened_at < self.reset_after:
                raise CircuitOpen(
                    f"{self.provider} is failing; calls are paused for up to {self.reset_after:g} s",
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
        self._probing = False
        if self.state is not BreakerState.CLOSED:
            self._set(BreakerState.CLOSED)

    def failed(self) -> None:
        """The upstream timed out, was unreachable, or answered 5xx."""
        self.failures += 1
        self._probing = False
        if self.state is BreakerState.HALF_OPEN or self.failures >= self.threshold:
            self.opened_at = self.clock()
            self._set(BreakerState.OPEN)

    @property
    def open(self) -> bool:
        """Whether calls are currently refused (the `/readyz` view)."""
        return self.state is BreakerState.OPEN and self.clock() - self.opened_at < self.reset_after

    def _set(self, state: BreakerState) -> None:
        self.state = state
        metrics.BREAKER_OPEN.labels(self.provider).set(1 if state is BreakerState.OPEN else 0)


@dataclass(slots=True)
class Health:
    """What the gateway last saw of one provider."""

    last_error_code: str | None = None
    last_error_message: str | None = None
    last_error_at: float | None = None
    last_success_at: float | None = None
    calls: int = 0
    failures: int = field(default=0)
