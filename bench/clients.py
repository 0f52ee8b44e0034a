"""Client conventions, measured in-process: what an APQ hit costs, and what gzip does to a 200-event page.

    .venv/bin/python bench/clients.py

The sandbox runs on loopback and the gateway in this process (httpx's ASGI transport, lifespan
running), so the numbers are the gateway's own work per request, without a network hop.
"""

from __future__ import annotations

import asyncio
import gzip
import statistics
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from graphql import get_introspection_query

from gateway.app import build_schema
from gateway.edge.persisted_queries import sha256_hex
from gateway.query_limits import guard
from gateway.query_limits.guard import DocumentLimits, parse_within
from tests.harness import Gateway, running_gateway, running_sandbox, settings_for

INTROSPECTION = get_introspection_query(descriptions=True)
SMALL = "query Providers { providers { provider enabled healthy breaker } }"
PAGE = """{ events(first: 200, filter: {startsAfter: "2024-01-01T00:00:00Z"}) { edges { cursor node {
  id provider providerId title description startsAt endsAt timezone allDay startDate endDate url location
  status raw } } } }"""
ROUNDS = 300


def _median_ms(samples: list[float]) -> float:
    return round(statistics.median(samples) * 1000, 3)


async def _timed(gateway: Gateway, body: dict[str, Any]) -> float:
    started = time.perf_counter()
    response = await gateway.http.post("/graphql", json=body)
    elapsed = time.perf_counter() - started
    assert response.status_code == 200, response.text[:300]
    assert "errors" not in response.json(), response.text[:300]
    return elapsed


def _parse_and_validate_ms(query: str) -> float:
    """Parsing and validating `query` from scratch: what an APQ hit skips."""
    schema = build_schema()._schema
    limits = DocumentLimits(
        max_depth=12, max_cost=25_000, max_aliases=30, max_length=50_000, max_tokens=2_000
    )
    samples = []
    for _ in range(50):
        started = time.perf_counter()
        document = parse_within(query, limits)
        guard.validate_document(schema, document, ())  # type: ignore[attr-defined]
        samples.append(time.perf_counter() - started)
    return _median_ms(samples)


async def apq(gateway: Gateway, name: str, query: str) -> list[str]:
    apq_only = {"extensions": {"persistedQuery": {"version": 1, "sha256Hash": sha256_hex(query)}}}
    await gateway.http.post("/graphql", json={"query": query, **apq_only})  # registers it
    fresh, text, hits = [], [], []
    for round_ in range(ROUNDS):  # interleaved, so none gets the warmer part of the run
        # A comment makes new text: parsed and validated again, as a never-seen document is.
        fresh.append(await _timed(gateway, {"query": f"{query}\n# {round_}"}))
        text.append(await _timed(gateway, {"query": query}))
        hits.append(await _timed(gateway, apq_only))
    return [
        f"| {name} ({len(query):,} characters) | {_parse_and_validate_ms(query)} | {_median_ms(fresh)} | "
        f"{_median_ms(text)} | {_median_ms(hits)} |"
    ]


async def compression(gateway: Gateway) -> list[str]:
    response = await gateway.http.post(
        "/graphql", json={"query": PAGE}, headers={"Accept-Encoding": "identity"}
    )
    body = response.content
    rows = []
    for level in (1, 6, 9):
        samples = []
        for _ in range(20):
            started = time.perf_counter()
            packed = gzip.compress(body, compresslevel=level)
            samples.append(time.perf_counter() - started)
        note = " (what the gateway uses)" if level == 6 else ""
        sizes = f"{len(body):,} | {len(packed):,} | {len(packed) / len(body):.3f}"
        rows.append(f"| gzip level {level}{note} | {sizes} | {_median_ms(samples)} |")
    served = await gateway.http.post("/graphql", json={"query": PAGE}, headers={"Accept-Encoding": "gzip"})
    assert served.headers["content-encoding"] == "gzip"
    rows.append(f"| as sent by the gateway | {len(body):,} | {int(served.headers['content-length']):,} | | |")
    return rows


async def main() -> None:
    async with running_sandbox() as sandbox, running_gateway(settings_for(sandbox)) as gateway:
        print("| document | parse + validate alone, ms | new text, ms | known text, ms | APQ hash hit, ms |")
        print("|---|---|---|---|---|")
        for name, query in (("GraphiQL's introspection query", INTROSPECTION), ("a small query", SMALL)):
            for row in await apq(gateway, name, query):
                print(row)
        print()
        print("| 200-event page | plain bytes | gzip bytes | ratio | compress ms |")
        print("|---|---|---|---|---|")
        for row in await compression(gateway):
            print(row)


if __name__ == "__main__":
    asyncio.run(main())
