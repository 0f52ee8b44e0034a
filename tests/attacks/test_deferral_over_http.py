"""The deferral through the real app and the sandbox: a list whose related loads are in flight when
graphql-core cancels it (a non-null sibling root field failed)."""

from __future__ import annotations

import asyncio
import gc
from typing import Any

import pytest

from tests.harness import misbehaving, running_gateway, running_sandbox, settings_for

RESILIENCE_OFF: dict[str, Any] = {"gateway_retries": 0, "gateway_breaker_failures": 1_000_000}
QUERY = "{ konaCalendarEvents { edges { node { space { name } } } } strigoEvents { id } }"


@pytest.mark.parametrize("compiled", [False, True], ids=["stock", "compiled"])
async def test_a_list_cancelled_mid_load_leaves_no_never_retrieved_exceptions(compiled: bool) -> None:
    """Kona's `/spaces` answers 500 after 0.3 s; Strigo's list fails at once, so the non-null
    `strigoEvents` nulls `data` and graphql-core cancels `konaCalendarEvents` while its spaces load.
    Found here: the compiled path left the failed loads unread, and asyncio logged "Future exception
    was never retrieved" (with a traceback) for each space key, per request."""
    apps = {
        "kona": misbehaving("kona", r"/spaces$", delay=0.3),
        "strigo": misbehaving("strigo", r"/events$"),
    }
    loop = asyncio.get_running_loop()
    previous = loop.get_exception_handler()
    seen: list[str] = []
    loop.set_exception_handler(lambda _, context: seen.append(str(context.get("message"))))
    try:
        async with running_sandbox(apps) as sandbox:
            settings = settings_for(sandbox, gateway_compiled_execution=compiled, **RESILIENCE_OFF)
            async with running_gateway(settings) as gateway:
                body = await gateway.query(QUERY)
                assert body["data"] is None
                assert any(error["path"] == ["strigoEvents"] for error in body["errors"])
                await asyncio.sleep(0.8)  # the spaces batch fails meanwhile
                assert sandbox.calls("kona"), "the spaces were asked for"
                gc.collect()
                await asyncio.sleep(0.05)
    finally:
        loop.set_exception_handler(previous)
    assert [message for message in seen if "never retrieved" in message] == []
