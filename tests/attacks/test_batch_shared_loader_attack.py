"""The operations of a JSON array batch share one set of loaders (`Context.sibling`), so one
loader future can be awaited by two operations. Found here: when graphql-core cancelled one
operation's waiter (its non-null root field failed), the shared future was cancelled with it, and
the other operation, which did nothing wrong, failed; the CancelledError escaped the ASGI app and
uvicorn answered the whole batch `500 Internal Server Error` in plain text, on both executors.
Loads are shielded now (`RequestLoader.load`): a failure of one leaves the others' answers whole."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from tests.harness import misbehaving, running_gateway, running_sandbox, settings_for

RESILIENCE_OFF: dict[str, Any] = {"gateway_retries": 0, "gateway_breaker_failures": 1_000_000}
MISBEHAVE = {"on": False}


def _on() -> bool:
    return MISBEHAVE["on"]


@pytest.mark.parametrize("compiled", [False, True], ids=["stock", "compiled"])
async def test_one_operations_failure_leaves_the_other_operation_of_a_batch_whole(compiled: bool) -> None:
    apps = {
        "strigo": misbehaving("strigo", r"/classes(/[^/]+)?$", status=None, delay=0.4, when=_on),  # slow
        "kona": misbehaving("kona", r"/calendar_events$", delay=0.05, when=_on),  # fails
    }
    MISBEHAVE["on"] = False
    async with running_sandbox(apps) as sandbox:
        settings = settings_for(sandbox, gateway_compiled_execution=compiled, **RESILIENCE_OFF)
        async with running_gateway(settings) as gateway:
            listed = await gateway.data("{ strigoEvents { class { id } } }")
            class_id = next(event["class"]["id"] for event in listed["strigoEvents"] if event["class"])
            MISBEHAVE["on"] = True
            failing = (
                "query A($id: ID!) { konaCalendarEvents { edges { node { id } } } node(id: $id) { id } }"
            )
            innocent = "query B { strigoEvents { id class { name } } }"
            try:
                response = await gateway.http.post(
                    "/graphql",
                    json=[
                        {"query": failing, "variables": {"id": class_id}},
                        {"query": innocent},
                    ],
                )
            except asyncio.CancelledError:
                # What escaped the ASGI app: over uvicorn, the connection ends without an answer.
                pytest.fail("CancelledError escaped the app: no answer for the whole batch")
            finally:
                MISBEHAVE["on"] = False
    assert response.status_code == 200, response.text[:500]
    first, second = response.json()
    assert first["data"] is None
    assert "errors" not in second, second["errors"][:2]
    assert all(event["class"] is None or event["class"]["name"] for event in second["data"]["strigoEvents"])
