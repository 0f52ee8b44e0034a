"""The upstream layer's error mapping, retries and path encoding, seen through real HTTP."""

from __future__ import annotations

import pytest

from gateway.errors import BadUserInput
from gateway.ids import encode_id
from gateway.sandbox import strigo as emulator
from gateway.upstream.endpoint import path
from tests.gateway.upstream.strigo_requests import CREATE, LIST, new_event
from tests.harness import Gateway, Sandbox, running_gateway, settings_for

# An upstream that never answers times out after this; long enough for the request to have
# reached it on a loaded machine (0.2 s was not always), short enough to keep the suite quick.
SLOW_ENOUGH = 1.0

NEW_EVENT = new_event("Timeout drill")


async def only_error(gateway: Gateway, query: str = LIST) -> dict[str, object]:
    body = await gateway.query(query)
    assert body["data"] is None
    [error] = body["errors"]
    assert isinstance(error, dict)
    return error


@pytest.mark.parametrize(
    ("status", "code", "calls"),
    [(500, "UPSTREAM_ERROR", 3), (503, "UPSTREAM_ERROR", 3), (429, "UPSTREAM_RATE_LIMITED", 3)],
    ids=["500", "503", "429"],
)
async def test_failing_reads_are_retried_then_mapped(
    gateway: Gateway, sandbox: Sandbox, status: int, code: str, calls: int
) -> None:
    sandbox.fault("strigo", error_rate=1.0, status=status, retry_after=0 if status == 429 else None)
    error = await only_error(gateway)
    assert error["extensions"] == {"code": code, "provider": "STRIGO"}
    assert len(sandbox.calls("strigo")) == calls


async def test_a_long_retry_after_is_not_waited_for(gateway: Gateway, sandbox: Sandbox) -> None:
    sandbox.fault("strigo", error_rate=1.0, status=429, retry_after=60)
    error = await only_error(gateway)
    assert error["extensions"] == {"code": "UPSTREAM_RATE_LIMITED", "provider": "STRIGO"}
    assert len(sandbox.calls("strigo")) == 1


async def test_undecodable_success_is_an_upstream_error(gateway: Gateway, sandbox: Sandbox) -> None:
    sandbox.fault("strigo", error_rate=1.0, status=200)
    error = await only_error(gateway)
    assert error["extensions"] == {"code": "UPSTREAM_ERROR", "provider": "STRIGO"}


async def test_wrong_credentials_are_upstream_unauthorized_and_never_echoed(sandbox: Sandbox) -> None:
    secret = "sk_live_9f8e7d6c5b4a39281706"
    async with running_gateway(settings_for(sandbox, strigo_api_key=secret)) as gateway:
        response = await gateway.http.post("/graphql", json={"query": LIST})
    assert secret not in response.text
    [error] = response.json()["errors"]
    assert error["extensions"] == {"code": "UPSTREAM_UNAUTHORIZED", "provider": "STRIGO"}
    assert sandbox.calls("strigo")[0].headers["Authorization"] == f"Bearer {emulator.ORG_ID}:{secret}"


async def test_read_timeout(sandbox: Sandbox) -> None:
    sandbox.fault("strigo", hang=True)
    async with running_gateway(settings_for(sandbox, gateway_upstream_timeout=SLOW_ENOUGH)) as gateway:
        error = await only_error(gateway)
    assert error["extensions"] == {"code": "UPSTREAM_TIMEOUT", "provider": "STRIGO"}
    assert len(sandbox.calls("strigo")) == 1  # a timed-out read is not retried: the timeout is the bound


async def test_write_timeout_is_outcome_unknown_and_not_retried(sandbox: Sandbox) -> None:
    sandbox.fault("strigo", hang=True)
    async with running_gateway(settings_for(sandbox, gateway_upstream_timeout=SLOW_ENOUGH)) as gateway:
        response = await gateway.http.post(
            "/graphql", json={"query": CREATE, "variables": {"input": NEW_EVENT}}
        )
    [error] = response.json()["errors"]
    assert error["extensions"] == {"code": "WRITE_OUTCOME_UNKNOWN", "provider": "STRIGO"}
    assert "may or may not" in error["message"]
    assert [call.method for call in sandbox.calls("strigo")] == ["POST"]


async def test_failing_write_is_not_retried(gateway: Gateway, sandbox: Sandbox) -> None:
    sandbox.fault("strigo", error_rate=1.0, status=503)
    response = await gateway.http.post("/graphql", json={"query": CREATE, "variables": {"input": NEW_EVENT}})
    assert response.json()["errors"][0]["extensions"]["code"] == "UPSTREAM_ERROR"
    assert [call.method for call in sandbox.calls("strigo")] == ["POST"]


async def test_connection_refused_is_unavailable(sandbox: Sandbox) -> None:
    settings = settings_for(sandbox, strigo_base_url="http://127.0.0.1:9/api/v1")
    async with running_gateway(settings) as gateway:
        error = await only_error(gateway)
    assert error["extensions"] == {"code": "UPSTREAM_UNAVAILABLE", "provider": "STRIGO"}


def test_path_segments_are_percent_encoded() -> None:
    assert path("events", "a/b?c#d") == "events/a%2Fb%3Fc%23d"
    assert path("organizers", "o", "events", "s", trailing_slash=True) == "organizers/o/events/s/"


@pytest.mark.parametrize("segment", ["", ".", ".."])
def test_path_segments_that_would_climb_are_refused(segment: str) -> None:
    with pytest.raises(BadUserInput):
        path("events", segment)


async def test_unknown_event_of_a_well_formed_id_is_the_only_call(gateway: Gateway, sandbox: Sandbox) -> None:
    body = await gateway.query("query($id: ID!) { node(id: $id) { id } }", {"id": encode_id("strigo", "Zz9")})
    assert body["errors"][0]["extensions"]["code"] == "NOT_FOUND"
    assert [call.path for call in sandbox.calls("strigo")] == ["/api/v1/events/Zz9"]


async def test_an_idempotent_write_whose_answer_was_lost_is_retried_with_the_same_key(
    sandbox: Sandbox,
) -> None:
    """pretix replays a repeated X-Idempotency-Key, so a lost answer may be asked for again."""
    create = """mutation($input: CreatePretixEventInput!) {
      createPretixEvent(organizer: "demo-conf", input: $input) { event { slug } userErrors { code } }
    }"""
    new = {
        "name": [{"locale": "en", "text": "Lost answer"}],
        "slug": "lost-answer",
        "dateFrom": "2027-05-01T09:00:00Z",
    }
    sandbox.fault("pretix", hang=True)
    async with running_gateway(
        settings_for(sandbox, gateway_upstream_timeout=SLOW_ENOUGH, gateway_retries=1)
    ) as gateway:
        response = await gateway.http.post("/graphql", json={"query": create, "variables": {"input": new}})
    [error] = response.json()["errors"]
    assert error["extensions"] == {"code": "WRITE_OUTCOME_UNKNOWN", "provider": "PRETIX"}
    posts = [call for call in sandbox.calls("pretix") if call.method == "POST"]
    assert len(posts) == 2
    assert posts[0].headers["X-Idempotency-Key"] == posts[1].headers["X-Idempotency-Key"]


async def test_cache_ttl_serves_repeated_reads_and_a_write_clears_it(sandbox: Sandbox) -> None:
    async with running_gateway(settings_for(sandbox, gateway_cache_ttl=60)) as gateway:
        first = await gateway.data(LIST)
        second = await gateway.data(LIST)
        assert first == second
        assert [call.method for call in sandbox.calls("strigo")] == ["GET"]  # the second request was cached
        await gateway.data(CREATE, {"input": NEW_EVENT})
        third = await gateway.data(LIST)
    assert [call.method for call in sandbox.calls("strigo")] == ["GET", "POST", "GET"]
    assert len(third["strigoEvents"]) == len(first["strigoEvents"]) + 1


async def test_without_cache_ttl_every_request_reads_upstream(gateway: Gateway, sandbox: Sandbox) -> None:
    await gateway.data(LIST)
    await gateway.data(LIST)
    assert len(sandbox.calls("strigo")) == 2
