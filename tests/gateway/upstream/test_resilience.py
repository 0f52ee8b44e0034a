"""Breaker, quota and health: how the gateway behaves while an upstream misbehaves."""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass

import aiohttp
import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer

from gateway.errors import CircuitOpen, UpstreamFailure, UpstreamUnavailable
from gateway.sandbox import strigo as emulator
from gateway.sandbox.recorder import CallLog
from gateway.settings import Settings
from gateway.upstream.auth import static_authorization
from gateway.upstream.endpoint import Upstream
from gateway.upstream.resilience import BreakerState, CircuitBreaker
from gateway.upstream.retries import RetryPolicy
from tests.gateway.upstream.strigo_requests import LIST
from tests.harness import Sandbox, running_gateway, settings_for

STATUS = "{ providers { provider healthy breaker failures lastError { code } } }"


def state(breaker: CircuitBreaker) -> BreakerState:
    return breaker.state  # read through a call so mypy does not pin the narrowed state


def test_breaker_opens_after_threshold_and_one_probe_closes_it() -> None:
    now = [0.0]
    breaker = CircuitBreaker("strigo", threshold=2, reset_after=10, clock=lambda: now[0])
    breaker.failed()
    breaker.before_call()
    breaker.failed()
    assert state(breaker) is BreakerState.OPEN
    assert breaker.open
    with pytest.raises(UpstreamUnavailable):
        breaker.before_call()
    now[0] = 11
    breaker.before_call()  # the probe
    assert state(breaker) is BreakerState.HALF_OPEN
    breaker.failed()
    assert state(breaker) is BreakerState.OPEN
    now[0] = 22  # a failed probe doubles the pause: 20 s from 11
    with pytest.raises(UpstreamUnavailable):
        breaker.before_call()
    now[0] = 31
    breaker.before_call()
    breaker.succeeded()
    assert state(breaker) is BreakerState.CLOSED
    assert not breaker.open


async def test_breaker_fails_fast_then_recovers_through_a_probe(sandbox: Sandbox) -> None:
    # The checks below run while the breaker is open: give them a window a loaded machine cannot
    # miss (0.2 s could be), then wait it out for the probe.
    reset = 1.0
    settings = settings_for(
        sandbox, gateway_breaker_failures=2, gateway_breaker_reset=reset, gateway_retries=0
    )
    async with running_gateway(settings) as gateway:
        sandbox.fault("strigo", error_rate=1.0, status=503)
        for _ in range(2):
            assert (await gateway.query(LIST))["errors"][0]["extensions"]["code"] == "UPSTREAM_ERROR"
        fast = await gateway.query(LIST)
        assert fast["errors"][0]["extensions"] == {"code": "UPSTREAM_UNAVAILABLE", "provider": "STRIGO"}
        assert len(sandbox.calls("strigo")) == 2  # the third request never reached Strigo
        ready = await gateway.http.get("/readyz")
        assert ready.status_code == 503
        assert ready.json()["providers"] == ["strigo"]
        status = (await gateway.data(STATUS))["providers"][0]
        assert status == {
            "provider": "STRIGO", "healthy": False, "breaker": "OPEN", "failures": 2,
            "lastError": {"code": "UPSTREAM_ERROR"},
        }  # fmt: skip
        sandbox.log.faults.clear()
        await asyncio.sleep(reset)
        assert "errors" not in await gateway.query(LIST)
        assert (await gateway.http.get("/readyz")).status_code == 200
        assert (await gateway.data(STATUS))["providers"][0]["breaker"] == "CLOSED"


async def test_a_provider_that_stays_down_is_probed_ever_less_often(sandbox: Sandbox) -> None:
    """Each failed probe doubles the pause (1, 2, 4 … 30 s); a successful one starts again at 1 s.

    The breaker's clock is the test's, so this counts calls to Strigo at chosen instants: no waits."""
    settings = settings_for(sandbox, gateway_breaker_failures=1, gateway_retries=0)
    async with running_gateway(settings) as gateway:
        now = [1000.0]
        breaker = gateway.resources["clients"]["strigo"].upstream.breaker
        breaker.clock = lambda: now[0]

        async def calls_at(moment: float) -> int:
            """Query the list at `moment` (seconds since the breaker opened); Strigo calls it made."""
            now[0] = 1000.0 + moment
            before = len(sandbox.calls("strigo"))
            await gateway.query(LIST)
            return len(sandbox.calls("strigo")) - before

        sandbox.fault("strigo", error_rate=1.0, status=503)
        assert await calls_at(0) == 1  # opens the breaker for 1 s
        probes = [0.0]
        for pause in (1, 2, 4, 8, 16, 30, 30):
            opened = probes[-1]
            assert await calls_at(opened + pause - 0.01) == 0, pause  # still paused
            assert await calls_at(opened + pause) == 1, pause  # the probe (fails: doubles the pause)
            probes.append(opened + pause)
        sandbox.log.faults.clear()
        opened = probes[-1]
        assert await calls_at(opened + 30) == 1  # a probe that succeeds closes it
        sandbox.fault("strigo", error_rate=1.0, status=503)
        assert await calls_at(opened + 31) == 1  # fails: open again, for the first pause
        assert await calls_at(opened + 31.99) == 0
        assert await calls_at(opened + 32) == 1
        paused = await gateway.query(LIST)
        assert "2 s" in paused["errors"][0]["message"]


async def test_a_cleared_fault_stops_showing_within_the_default_pause(sandbox: Sandbox) -> None:
    """With the defaults, a provider's error ends about a second after its fault does (not 30 s)."""
    defaults = Settings()
    assert defaults.gateway_breaker_reset <= 1.0
    async with running_gateway(settings_for(sandbox)) as gateway:
        sandbox.fault("strigo", error_rate=1.0, status=503)
        for _ in range(defaults.gateway_breaker_failures):
            await gateway.query(LIST)
        paused = await gateway.query(LIST)
        assert paused["errors"][0]["extensions"] == {"code": "UPSTREAM_UNAVAILABLE", "provider": "STRIGO"}
        assert "1 s" in paused["errors"][0]["message"]
        sandbox.log.faults.clear()
        await asyncio.sleep(defaults.gateway_breaker_reset + 0.5)
        assert "errors" not in await gateway.query(LIST)


async def test_client_errors_do_not_trip_the_breaker(sandbox: Sandbox) -> None:
    settings = settings_for(sandbox, gateway_breaker_failures=1)
    async with running_gateway(settings) as gateway:
        missing = "query($id: ID!) { node(id: $id) { id } }"
        for _ in range(3):
            await gateway.query(missing, {"id": "c3RyaWdvOk5vcGU"})  # strigo:Nope → 404
        assert "errors" not in await gateway.query(LIST)


async def test_strigo_quota_headers_stop_calls_before_a_429() -> None:
    log = CallLog()
    root = web.Application()
    # Pin the emulator's clock to the start of the next minute, so its window cannot roll over
    # (and refill the quota) while the test runs: the reset it announces is a minute away.
    pinned = (time.time() // 60 + 1) * 60
    root.add_subapp("/strigo", emulator.create_app(log, rate_limit=3, clock=lambda: pinned))
    server = TestServer(root, host="127.0.0.1")
    await server.start_server()
    try:
        sandbox = Sandbox(log=log, base_url=str(server.make_url("")).rstrip("/"))
        async with running_gateway(settings_for(sandbox)) as gateway:
            for _ in range(3):
                assert "errors" not in await gateway.query(LIST)
            limited = await gateway.query(LIST)
    finally:
        await server.close()
    assert limited["errors"][0]["extensions"] == {"code": "UPSTREAM_RATE_LIMITED", "provider": "STRIGO"}
    assert len(log.of("strigo")) == 3  # the gateway waited for the reset instead of collecting a 429


async def test_metrics_expose_requests_upstream_calls_and_loader_batches(sandbox: Sandbox) -> None:
    async with running_gateway(settings_for(sandbox)) as gateway:
        await gateway.http.post(
            "/graphql", json={"query": "query Listing { strigoEvents { class { name } } }"}
        )
        text = (await gateway.http.get("/metrics")).text
    assert 'gateway_requests_total{operation="Listing",outcome="ok"}' in text
    assert 'gateway_upstream_calls_total{method="GET",provider="strigo",status="200"}' in text
    assert "gateway_request_seconds_bucket" in text
    # The registry is per process: other tests may have added to the count, never removed it.
    assert 'gateway_loader_batch_size_count{loader="strigo.classes"}' in text


async def test_an_open_breaker_is_not_retried(sandbox: Sandbox) -> None:
    """Retrying a call the breaker refuses would only add backoff delays to a fast failure."""
    waits: list[float] = []

    @dataclass(frozen=True, slots=True)
    class RecordingRetry(RetryPolicy):
        def delay(self, attempt: int, retry_after: float | None) -> float:
            waits.append(0.0)
            return 0.0

    async with aiohttp.ClientSession() as session:
        upstream = Upstream(
            provider="strigo",
            session=session,
            base_url=f"{sandbox.base_url}/strigo/api/v1",
            auth=static_authorization(f"Bearer {emulator.ORG_ID}:{emulator.API_KEY}"),
            retry=RecordingRetry(attempts=3),
            breaker_threshold=1,
        )
        sandbox.fault("strigo", error_rate=1.0, status=503)
        with pytest.raises(UpstreamFailure):
            await upstream.get("events")  # the first 503 opens the breaker; the retry meets it
        assert waits == [0.0]
        with pytest.raises(CircuitOpen):
            await upstream.get("events")
    assert waits == [0.0]  # the refusal was final: no backoff, no second attempt
    assert len(sandbox.calls("strigo")) == 1


async def test_a_rate_limited_provider_recovers_at_once_when_its_quota_returns(sandbox: Sandbox) -> None:
    """429s say "later", not "broken": they never open the breaker, so recovery needs no probe."""
    async with running_gateway(settings_for(sandbox, gateway_breaker_failures=2)) as gateway:
        sandbox.fault("strigo", error_rate=1.0, status=429, retry_after=60)
        for _ in range(4):
            body = await gateway.query(LIST)
            assert body["errors"][0]["extensions"]["code"] == "UPSTREAM_RATE_LIMITED"
        sandbox.log.faults.clear()
        assert "errors" not in await gateway.query(LIST)
        assert (await gateway.data(STATUS))["providers"][0]["breaker"] == "CLOSED"
