"""A client that leaves while a list's related objects hang upstream: the request must end at
once, with nothing left running or reported, on both executors."""

from __future__ import annotations

import asyncio
import gc
from typing import Any

import orjson
import pytest
from asgi_lifespan import LifespanManager

from gateway.app import create_app
from gateway.sandbox.recorder import Fault
from tests.harness import misbehaving, running_sandbox, settings_for

QUERY = "{ konaCalendarEvents { edges { node { id space { name } creator { name } } } } }"


async def _leave_after(app: Any, body: bytes, delay: float) -> list[dict[str, Any]]:
    sent: list[dict[str, Any]] = []
    delivered = False

    async def receive() -> dict[str, Any]:
        nonlocal delivered
        if not delivered:
            delivered = True
            return {"type": "http.request", "body": body, "more_body": False}
        await asyncio.sleep(delay)
        return {"type": "http.disconnect"}

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    scope = {
        "type": "http",
        "asgi": {"version": "3.0", "spec_version": "2.3"},
        "http_version": "1.1",
        "method": "POST",
        "scheme": "http",
        "path": "/graphql",
        "raw_path": b"/graphql",
        "root_path": "",
        "query_string": b"",
        "headers": [(b"host", b"gateway.test"), (b"content-type", b"application/json")],
        "client": ("127.0.0.1", 5000),
        "server": ("gateway.test", 80),
    }
    await asyncio.wait_for(app(scope, receive, send), timeout=5)
    return sent


@pytest.mark.parametrize("related_only", [False, True], ids=["list-hangs", "related-hang"])
@pytest.mark.parametrize("compiled", [False, True], ids=["stock", "compiled"])
async def test_a_client_leaving_while_related_loads_hang_leaves_nothing_behind(
    compiled: bool, related_only: bool
) -> None:
    loop = asyncio.get_running_loop()
    previous = loop.get_exception_handler()
    seen: list[str] = []
    loop.set_exception_handler(lambda _, context: seen.append(str(context.get("message"))))
    try:
        apps = {"kona": misbehaving("kona", r"/(spaces|users)$", delay=3600)} if related_only else None
        async with running_sandbox(apps) as sandbox:
            settings = settings_for(sandbox, gateway_compiled_execution=compiled)
            app = create_app(settings)
            async with LifespanManager(app) as manager:
                before = {task for task in asyncio.all_tasks() if not task.done()}
                if not related_only:
                    # Warm up (plans, connections), then make the list itself hang.
                    warm = await _leave_after(manager.app, orjson.dumps({"query": QUERY}), 5)
                    assert warm[0]["status"] == 200
                    before = {task for task in asyncio.all_tasks() if not task.done()}
                    sandbox.log.faults["kona"] = Fault(hang=True)
                started = loop.time()
                sent = await _leave_after(manager.app, orjson.dumps({"query": QUERY}), 0.3)
                assert loop.time() - started < 2
                assert not any(message["type"] == "http.response.start" for message in sent)
                if related_only:
                    assert any(call.path.endswith(("/spaces", "/users")) for call in sandbox.calls("kona"))
                sandbox.log.faults.pop("kona", None)
                for _ in range(10):
                    await asyncio.sleep(0.01)
                left = {task for task in asyncio.all_tasks() if not task.done()} - before
                assert not [
                    task for task in left if "sandbox" not in repr(task) and "web_protocol" not in repr(task)
                ], left
                del sent
        gc.collect()
        await asyncio.sleep(0.01)
    finally:
        loop.set_exception_handler(previous)
    assert seen == []
