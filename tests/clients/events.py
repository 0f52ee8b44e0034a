"""What the gateway itself says, fetched directly, to hold the clients' results against."""

from __future__ import annotations

from typing import Any

import httpx

PAGE = """query($after: String) {
  events(first: 200, after: $after) {
    edges { node { id provider } }
    pageInfo { hasNextPage endCursor }
  }
}"""


def post(url: str, query: str, variables: dict[str, Any] | None = None) -> dict[str, Any]:
    """One GraphQL request that must succeed without errors; its `data`."""
    body: dict[str, Any] = httpx.post(
        url, json={"query": query, "variables": variables or {}}, timeout=30
    ).json()
    assert "errors" not in body, body["errors"]
    data: dict[str, Any] = body["data"]
    return data


def all_events(url: str) -> list[dict[str, Any]]:
    """Every event of the federated list, in its order (id and provider)."""
    events: list[dict[str, Any]] = []
    after: str | None = None
    while True:
        page = post(url, PAGE, {"after": after})["events"]
        events.extend(edge["node"] for edge in page["edges"])
        if not page["pageInfo"]["hasNextPage"]:
            return events
        after = page["pageInfo"]["endCursor"]
