"""One caller's credential never costs another: breakers apart, a bounded table of credentials, and
loaders that never answer one client's load from another's."""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager

from aiohttp import web
from aiohttp.test_utils import TestServer

from gateway.metrics import REGISTRY
from gateway.request.loaders import Loaders
from tests.harness import Gateway, Sandbox, running_gateway, settings_for

LIST = "{ strigoEvents { id } }"


@asynccontextmanager
async def strigo_failing_for(org: str) -> AsyncIterator[tuple[str, list[str]]]:
    """A Strigo stand-in that answers 503 to `org` and an empty list to any other; yields its URL
    and the org of every call it received."""
    seen: list[str] = []

    async def events(request: web.Request) -> web.Response:
        caller = request.headers.get("Authorization", "").removeprefix("Bearer ").partition(":")[0]
        seen.append(caller)
        if caller == org:
            return web.Response(status=503, text="down for this org")
        return web.json_response({"result": "success", "data": []})

    app = web.Application()
    app.router.add_get("/api/v1/events", events)
    server = TestServer(app, host="127.0.0.1")
    await server.start_server()
    try:
        yield str(server.make_url("/api/v1")), seen
    finally:
        await server.close()


def gauge(name: str, provider: str = "strigo") -> float:
    return REGISTRY.get_sample_value(name, {"provider": provider}) or 0.0


def as_org(org: str) -> dict[str, str]:
    return {"X-Strigo-Credentials": f"{org}:key-of-{org}"}


async def code_of(gateway: Gateway, org: str) -> str | None:
    body = await gateway.query(LIST, headers=as_org(org))
    return body["errors"][0]["extensions"]["code"] if "errors" in body else None


async def test_one_callers_failures_never_open_anothers_breaker(sandbox: Sandbox) -> None:
    async with strigo_failing_for("flaky") as (url, seen):
        settings = settings_for(
            sandbox, gateway_credentials="caller", strigo_base_url=url, gateway_retries=0,
            gateway_breaker_failures=2,
        )  # fmt: skip
        open_before = gauge("gateway_caller_breakers_open")
        provider_before = gauge("gateway_breaker_open")  # one registry per process: earlier tests count
        async with running_gateway(settings) as gateway:
            codes = [await code_of(gateway, "flaky") for _ in range(3)]
            steady = await code_of(gateway, "steady")
            opened = gauge("gateway_caller_breakers_open") - open_before
            provider_gauge = gauge("gateway_breaker_open")
            ready = await gateway.http.get("/readyz")
    assert codes == ["UPSTREAM_ERROR", "UPSTREAM_ERROR", "UPSTREAM_UNAVAILABLE"]  # the third: breaker open
    assert steady is None
    assert seen == ["flaky", "flaky", "steady"]  # the open breaker sent nothing; the other org's went out
    assert opened == 1
    assert provider_gauge == provider_before  # the provider's own breaker (the deployment's) is not it
    assert ready.status_code == 200  # one caller's breaker never takes the replica out


async def test_the_table_of_callers_credentials_is_bounded(sandbox: Sandbox) -> None:
    async with strigo_failing_for("flaky") as (url, seen):
        settings = settings_for(
            sandbox, gateway_credentials="caller", strigo_base_url=url, gateway_retries=0,
            gateway_breaker_failures=1, gateway_max_caller_credentials=3,
        )  # fmt: skip
        open_before = gauge("gateway_caller_breakers_open")
        async with running_gateway(settings) as gateway:
            assert await code_of(gateway, "flaky") == "UPSTREAM_ERROR"
            assert gauge("gateway_caller_breakers_open") - open_before == 1
            for n in range(10):  # random-looking credentials, one after another
                assert await code_of(gateway, f"org{n}") is None
            kept = gauge("gateway_caller_credentials")
            still_open = gauge("gateway_caller_breakers_open") - open_before
            # Forgotten, the flaky org starts afresh: its call goes out again.
            assert await code_of(gateway, "flaky") == "UPSTREAM_ERROR"
    assert kept == 3
    assert still_open == 0  # the forgotten breaker no longer counts as open
    assert seen.count("flaky") == 2


async def test_a_loader_belongs_to_the_client_it_loads_through() -> None:
    class Client:
        def __init__(self, name: str) -> None:
            self.name = name

        async def load(self, keys: Sequence[str]) -> list[str]:
            return [f"{self.name}:{key}" for key in keys]

    loaders = Loaders()
    alice, bob = Client("alice"), Client("bob")
    assert loaders.get("events", alice.load) is loaders.get("events", alice.load)
    assert loaders.get("events", alice.load) is not loaders.get("events", bob.load)
    assert await loaders.get("events", bob.load).load("1") == "bob:1"
