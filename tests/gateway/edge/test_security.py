"""Who may call, what may be asked, and what never leaks — over real HTTP."""

from __future__ import annotations

import logging

import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer
from pydantic import SecretStr

from resolvers.registry import PROVIDERS
from schema.strigo import StrigoEvent
from tests.harness import Sandbox, running_gateway, settings_for

LIST = "{ strigoEvents { id title } }"


def real_looking_secrets() -> dict[str, str]:
    """A real-looking value for every secret setting of every registered provider, by setting name."""
    return {
        f"{api.spec.name}_{name}": f"{api.spec.name}_{name}_9f8e7d6c5b4a3928"
        for api in PROVIDERS
        for name, field in api.spec.settings.model_fields.items()
        if field.annotation is SecretStr
    }


KEY = "gw_live_4f9a1c2e7b8d"


async def test_api_keys_guard_graphql_but_not_health(sandbox: Sandbox) -> None:
    async with running_gateway(settings_for(sandbox, gateway_api_keys=f"other-key,{KEY}")) as gateway:
        refused = await gateway.http.post("/graphql", json={"query": LIST})
        wrong = await gateway.http.post(
            "/graphql", json={"query": LIST}, headers={"Authorization": "Bearer nope"}
        )
        bearer = await gateway.http.post(
            "/graphql", json={"query": LIST}, headers={"Authorization": f"Bearer {KEY}"}
        )
        header = await gateway.http.post("/graphql", json={"query": LIST}, headers={"X-API-Key": KEY})
        health = await gateway.http.get("/healthz")
    assert refused.status_code == wrong.status_code == 401
    assert refused.json() == {
        "errors": [
            {
                "message": "Missing or invalid API key: send `Authorization: Bearer <key>`.",
                "extensions": {"code": "UNAUTHENTICATED"},
            }
        ]
    }
    assert refused.headers["www-authenticate"].startswith("Bearer")
    assert bearer.status_code == header.status_code == 200
    assert "errors" not in bearer.json()
    assert health.status_code == 200
    assert len(sandbox.calls("strigo")) == 2  # only the two authenticated requests reached Strigo


@pytest.mark.parametrize(
    ("query", "problem"),
    [
        ("{ strigoEvents { " + "".join(f"a{i}: title " for i in range(40)) + "} }", "aliases"),
        ("{ events(first: 200) { edges { node { ... on StrigoEvent { class { name } } } } } "
         "nodes(ids: [" + ",".join(f'"{i}"' for i in range(300)) + "]) { id } }", "cost"),
        ("fragment F on Query { providers { lastError { code } } } "
         "{ a: strigoEvents { class { raw } } ...F }", None),
    ],
    ids=["too-many-aliases", "too-costly", "within-limits"],
)  # fmt: skip
async def test_complexity_limits_refuse_before_any_upstream_call(
    sandbox: Sandbox, query: str, problem: str | None
) -> None:
    async with running_gateway(settings_for(sandbox, gateway_max_cost=500)) as gateway:
        body = await gateway.query(query)
    if problem is None:
        assert "errors" not in body
        return
    assert body["errors"][0]["extensions"]["code"] == "QUERY_TOO_COMPLEX"
    assert problem in body["errors"][0]["message"]
    assert sandbox.calls("strigo") == []


async def test_depth_limit(sandbox: Sandbox) -> None:
    async with running_gateway(settings_for(sandbox, gateway_max_depth=3)) as gateway:
        deep = await gateway.query("{ events { edges { node { title } } } }")
        shallow = await gateway.query("{ providers { provider } }")
    assert deep["errors"][0]["extensions"]["code"] == "QUERY_TOO_COMPLEX"
    assert "depth 4" in deep["errors"][0]["message"]
    assert "errors" not in shallow


async def test_large_bodies_are_refused(sandbox: Sandbox) -> None:
    async with running_gateway(settings_for(sandbox, gateway_max_body_bytes=1000)) as gateway:
        response = await gateway.http.post("/graphql", json={"query": LIST, "variables": {"x": "y" * 2000}})
    assert response.status_code == 413
    assert response.json()["errors"][0]["extensions"]["code"] == "BAD_REQUEST"


async def test_introspection_can_be_switched_off(sandbox: Sandbox) -> None:
    async with running_gateway(settings_for(sandbox, gateway_introspection=False)) as gateway:
        body = await gateway.query("{ __schema { types { name } } }")
        normal = await gateway.query("{ providers { provider } }")
    assert "introspection" in body["errors"][0]["message"].lower()
    assert "errors" not in normal


async def test_with_introspection_off_no_error_suggests_a_name(sandbox: Sandbox) -> None:
    guesses = (
        "{ providr { provider } }",  # field
        "{ events(frist: 1) { nodes { id } } }",  # argument
        "{ events(filter: {providers: [STRIG]}) { nodes { id } } }",  # enum value
        "query($f: EventFiltr) { events(filter: $f) { nodes { id } } }",  # type
        "{ providers { provider { x } } }",  # a leaf with a selection
    )
    async with running_gateway(settings_for(sandbox, gateway_introspection=False)) as hidden:
        answers = [await hidden.query(guess) for guess in guesses]
    async with running_gateway(settings_for(sandbox)) as open_schema:
        suggested = await open_schema.query(guesses[0])
    assert "Did you mean 'providers'?" in suggested["errors"][0]["message"]  # the default helps
    for guess, answer in zip(guesses, answers, strict=True):
        messages = [error["message"] for error in answer["errors"]]
        assert messages, guess
        assert not any("did you mean" in message.lower() for message in messages), (guess, messages)
        assert all(error["extensions"]["code"] == "GRAPHQL_VALIDATION_FAILED" for error in answer["errors"])


async def test_mutations_never_run_on_get(sandbox: Sandbox) -> None:
    async with running_gateway(settings_for(sandbox)) as gateway:
        response = await gateway.http.get(
            "/graphql", params={"query": 'mutation { deleteStrigoEvent(id: "x") { deletedId } }'}
        )
    assert response.status_code == 405
    assert sandbox.calls("strigo") == []


async def test_cors_is_closed_by_default_and_opens_per_origin(sandbox: Sandbox) -> None:
    preflight = {"Origin": "https://app.example", "Access-Control-Request-Method": "POST"}
    async with running_gateway(settings_for(sandbox)) as gateway:
        closed = await gateway.http.options("/graphql", headers=preflight)
    async with running_gateway(settings_for(sandbox, gateway_cors_origins="https://app.example")) as gateway:
        opened = await gateway.http.options("/graphql", headers=preflight)
    assert "access-control-allow-origin" not in closed.headers
    assert opened.headers["access-control-allow-origin"] == "https://app.example"


async def test_request_id_is_echoed_and_sent_upstream(sandbox: Sandbox) -> None:
    async with running_gateway(settings_for(sandbox)) as gateway:
        response = await gateway.http.post(
            "/graphql", json={"query": LIST}, headers={"X-Request-ID": "req-42"}
        )
        generated = await gateway.http.post("/graphql", json={"query": LIST})
    assert response.headers["x-request-id"] == "req-42"
    assert sandbox.calls("strigo")[0].headers["X-Request-ID"] == "req-42"
    assert len(generated.headers["x-request-id"]) == 32


async def test_unexpected_errors_are_masked_and_secrets_never_leak(
    sandbox: Sandbox, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Real-looking secrets on every error path: none reaches a response or a log line."""

    def bug(cls: type[StrigoEvent], data: dict[str, object]) -> StrigoEvent:
        raise KeyError("id")  # stands in for a gateway bug: a malformed item is an UPSTREAM_ERROR

    monkeypatch.setattr(StrigoEvent, "from_upstream", classmethod(bug))
    secrets = real_looking_secrets()

    async def broken_events(request: web.Request) -> web.Response:
        return web.json_response({"result": "success", "data": [{"name": "no id field"}]})

    broken = web.Application()
    broken.router.add_get("/api/v1/events", broken_events)
    server = TestServer(broken, host="127.0.0.1")
    await server.start_server()
    caplog.set_level(logging.DEBUG)
    bodies = []
    try:
        settings = settings_for(sandbox, strigo_base_url=str(server.make_url("/api/v1")), **secrets)
        async with running_gateway(settings) as gateway:
            masked = await gateway.http.post(
                "/graphql", json={"query": LIST}, headers={"X-Request-ID": "r-1"}
            )
            bodies.append(masked.text)
            for query in ("{ events { edges { node { id } } } }", "{ providers { lastError { message } } }"):
                bodies.append((await gateway.http.post("/graphql", json={"query": query})).text)
    finally:
        await server.close()
    error = masked.json()["errors"][0]
    assert error["extensions"] == {"code": "INTERNAL_SERVER_ERROR", "requestId": "r-1"}
    assert "KeyError" not in masked.text
    assert "Traceback" not in masked.text
    assert any("KeyError" in record.getMessage() or record.exc_info for record in caplog.records)
    logged = "\n".join(record.getMessage() + str(vars(record)) for record in caplog.records)
    for secret in secrets.values():
        assert all(secret not in body for body in bodies)
        assert secret not in logged
