"""Client-chosen operation names cannot grow /metrics: the label set is bounded."""

from __future__ import annotations

import re

import pytest

from gateway import metrics
from tests.harness import Gateway

LIMIT = 5


@pytest.fixture
def few_labels(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(metrics, "OPERATION_LABELS", metrics.OperationLabels(LIMIT))


def _operation_labels(text: str, prefix: str) -> set[str]:
    return set(re.findall(rf'gateway_requests_total{{operation="({prefix}[^"]*)"', text))


def _series(text: str) -> set[str]:
    """Every sample's name and labels, without its value."""
    return {line.rsplit(" ", 1)[0] for line in text.splitlines() if line and not line.startswith("#")}


@pytest.mark.usefixtures("few_labels")
async def test_distinct_operation_names_beyond_the_limit_share_one_label(gateway: Gateway) -> None:
    for index in range(10 * LIMIT):
        await gateway.query(f"query Flood{index} {{ __typename }}")
    before = (await gateway.http.get("/metrics")).text
    for index in range(10 * LIMIT, 20 * LIMIT):
        await gateway.query(f"query Flood{index} {{ __typename }}")
    after = (await gateway.http.get("/metrics")).text

    assert len(_operation_labels(after, "Flood")) == LIMIT
    assert 'gateway_requests_total{operation="other",outcome="ok"}' in after
    assert _series(after) == _series(before)  # ten times the names, not one series more


@pytest.mark.usefixtures("few_labels")
async def test_only_names_the_document_defines_and_sane_names_become_labels(gateway: Gateway) -> None:
    undefined = await gateway.http.post(
        "/graphql", json={"query": "query Real { __typename }", "operationName": "Ghost" + "x" * 100}
    )
    long_name = "Long" + "x" * 200
    await gateway.query(f"query {long_name} {{ __typename }}")
    await gateway.query("query Kept { __typename }")
    text = (await gateway.http.get("/metrics")).text

    assert undefined.status_code == 400
    assert "Ghost" not in text
    assert long_name not in text
    assert _operation_labels(text, "Kept") == {"Kept"}
