"""Prometheus metrics of the gateway (one registry per process; exposed at /metrics)."""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram

REGISTRY = CollectorRegistry(auto_describe=True)

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
