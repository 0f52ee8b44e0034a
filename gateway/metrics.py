"""Prometheus metrics of the gateway (one registry per process; exposed at /metrics)."""

from __future__ import annotations

import functools
import re
import threading

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram
from prometheus_client.metrics import MetricWrapperBase

REGISTRY = CollectorRegistry(auto_describe=True)

ANONYMOUS = "anonymous"
OTHER = "other"
#: A GraphQL name of a sensible length: nothing else becomes a label value.
_LABEL_NAME = re.compile(r"[_A-Za-z][_0-9A-Za-z]{0,63}")


class OperationLabels:
    """The operation names that may label metrics: the first `limit` distinct ones seen, then `other`.

    Operation names are chosen by clients; as labels they would let any caller grow /metrics (and
    every Prometheus that scrapes it) without bound, one series set per name.
    """

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self._names: set[str] = set()
        self._lock = threading.Lock()

    def label(self, name: str | None) -> str:
        """The label value for an operation called `name` (None: an anonymous operation)."""
        if name is None:
            return ANONYMOUS
        if name in self._names:
            return name
        if not _LABEL_NAME.fullmatch(name):
            return OTHER
        with self._lock:
            if len(self._names) >= self.limit:
                return OTHER
            self._names.add(name)
        return name


OPERATION_LABELS = OperationLabels(limit=100)

REQUESTS = Counter(
    "gateway_requests",
    "GraphQL requests by operation and outcome.",
    ["operation", "outcome"],
    registry=REGISTRY,
)
REQUEST_SECONDS = Histogram(
    "gateway_request_seconds", "GraphQL request latency.", ["operation"], registry=REGISTRY
)
UPSTREAM_CALLS = Counter(
    "gateway_upstream_calls",
    "Upstream HTTP calls by provider, method and status.",
    ["provider", "method", "status"],
    registry=REGISTRY,
)
UPSTREAM_SECONDS = Histogram(
    "gateway_upstream_seconds", "Upstream call latency.", ["provider", "method"], registry=REGISTRY
)
LOADER_BATCH_SIZE = Histogram(
    "gateway_loader_batch_size",
    "Keys per dataloader batch.",
    ["loader"],
    buckets=(1, 2, 5, 10, 20, 50, 100, 200),
    registry=REGISTRY,
)
BREAKER_OPEN = Gauge(
    "gateway_breaker_open", "1 while a provider's circuit breaker is open.", ["provider"], registry=REGISTRY
)
RATE_LIMIT_WAIT_SECONDS = Histogram(
    "gateway_rate_limit_wait_seconds",
    "Time spent waiting for the client-side rate limiter.",
    ["provider"],
    registry=REGISTRY,
)
LIVE_SUBSCRIBERS = Gauge(
    "gateway_live_subscribers", "eventChanges subscriptions this process serves.", registry=REGISTRY
)
LIVE_FEEDS = Gauge(
    "gateway_live_feeds",
    "Watched (provider, window, credential) keys with subscribers in this process.",
    registry=REGISTRY,
)
LIVE_POLLERS = Gauge(
    "gateway_live_pollers",
    "Keys this process polls for changes (with Redis: the ones whose lock it holds).",
    ["provider"],
    registry=REGISTRY,
)
LIVE_POLLS = Counter(
    "gateway_live_polls",
    "Change-detector polls by provider and outcome.",
    ["provider", "outcome"],
    registry=REGISTRY,
)
LIVE_CHANGES = Counter(
    "gateway_live_changes",
    "Changes detected or written, by provider and kind.",
    ["provider", "kind"],
    registry=REGISTRY,
)
LIVE_DROPPED = Counter(
    "gateway_live_dropped_subscribers",
    "Subscribers dropped for reading more slowly than changes came.",
    registry=REGISTRY,
)
CALLER_BREAKERS_OPEN = Gauge(
    "gateway_caller_breakers_open",
    "Circuit breakers open for callers' own credentials, per provider (never one series per caller).",
    ["provider"],
    registry=REGISTRY,
)
CALLER_CREDENTIALS = Gauge(
    "gateway_caller_credentials",
    "Callers' credentials this process keeps a client, breaker and quota for, per provider.",
    ["provider"],
    registry=REGISTRY,
)
TOKEN_REFRESHES = Counter(
    "gateway_token_refreshes",
    "Calls to a provider's token endpoint, by outcome (ok, refused, failed).",
    ["provider", "outcome"],
    registry=REGISTRY,
)


# Every label value above comes from a bounded set (operation names via `OPERATION_LABELS`,
# providers, HTTP methods and statuses), so the children can be cached: `labels()` validates its
# arguments and takes a lock on every call, ~3 µs each, several times per request.
_CHILDREN = 4096


@functools.lru_cache(maxsize=_CHILDREN)
def _child(metric: MetricWrapperBase, labels: tuple[str, ...]) -> MetricWrapperBase:
    return metric.labels(*labels)


def requests(operation: str, outcome: str) -> Counter:
    """`REQUESTS`' child for these labels."""
    return _child(REQUESTS, (operation, outcome))  # type: ignore[return-value]


def request_seconds(operation: str) -> Histogram:
    """`REQUEST_SECONDS`' child for this operation."""
    return _child(REQUEST_SECONDS, (operation,))  # type: ignore[return-value]


def upstream_calls(provider: str, method: str, status: str) -> Counter:
    """`UPSTREAM_CALLS`' child for these labels."""
    return _child(UPSTREAM_CALLS, (provider, method, status))  # type: ignore[return-value]


def upstream_seconds(provider: str, method: str) -> Histogram:
    """`UPSTREAM_SECONDS`' child for these labels."""
    return _child(UPSTREAM_SECONDS, (provider, method))  # type: ignore[return-value]
