"""No caller's credential in any response, log line or `/metrics`, even from upstreams that echo them."""

from __future__ import annotations

import base64
import logging
import re
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from functools import partial
from urllib.parse import quote

import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer

from gateway.providers.base import AnySpec
from gateway.sandbox.emulators import emulator
from gateway.upstream.redaction import spellings
from resolvers.registry import NAMES, PROVIDERS
from tests.harness import Sandbox, running_gateway, settings_for

SPECS: tuple[AnySpec, ...] = tuple(api.spec for api in PROVIDERS if api.spec.caller is not None)


def _credential(spec: AnySpec) -> tuple[str, set[str]]:
    """A live-looking value of the spec's caller header (each `<part>` of its form filled in), and its
    secrets: the whole value and every part but identifiers (`<org_id>` names an account)."""
    assert spec.caller is not None
    parts = re.findall(r"<(\w+)>", spec.caller.form)
    filled = {part: f"{spec.name}_{part}_7Hq2Lx9Pz3Vb8Nc1" for part in parts}
    value = re.sub(r"<(\w+)>", lambda match: filled[match[1]], spec.caller.form)
    return value, {value, *(filled[part] for part in parts if not part.endswith("_id"))}


CREDENTIALS = {spec.caller.name: _credential(spec) for spec in SPECS if spec.caller is not None}
HEADERS = {header: value for header, (value, _) in CREDENTIALS.items()}
SECRETS = tuple(secret for _, secrets in CREDENTIALS.values() for secret in secrets)
QUERIES = (
    "{ strigoEvents { id } }",
    "{ konaCalendarEvents(first: 5) { edges { node { id } } } }",
    '{ pretixEvents(organizer: "demo-conf") { edges { node { id } } } }',
    '{ schoologyEvents(realm: {kind: SECTION, providerId: "3719526"}) { edges { node { id } } } }',
    "{ events(first: 5) { edges { node { id } } } }",
    "{ providers { lastError { message } } }",
)


def echoes(request: web.Request) -> str:
    """Whatever a careless upstream might say back: the credential in several spellings."""
    sent = request.headers.get("Authorization", "")
    credential = sent.partition(" ")[2]
    encoded = base64.b64encode(sent.encode()).decode()
    return f"you sent {sent!r} ({credential}, {quote(sent, safe='')}, {encoded})"


@asynccontextmanager
async def echoing_upstreams() -> AsyncIterator[str]:
    """Each provider's API under `/<name>/` answering every read with a refusal in its own dialect
    (its emulator's `refusal`) that echoes the request's `Authorization` header."""
    app = web.Application()
    for name in NAMES:
        refusal = emulator(name).refusal
        assert refusal, f"gateway/sandbox/{name}.py needs `refusal(message)`"
        app.router.add_route("*", f"/{name}/{{tail:.*}}", partial(_echo, refusal))
    server = TestServer(app, host="127.0.0.1")
    await server.start_server()
    try:
        yield str(server.make_url("")).rstrip("/")
    finally:
        await server.close()


async def _echo(refusal: Callable[[str], web.Response], request: web.Request) -> web.Response:
    return refusal(echoes(request))


def forms(secret: str) -> set[str]:
    return spellings(secret) | {base64.b64encode(secret.encode()).decode()}


async def test_no_callers_credential_reaches_a_response_a_log_line_or_metrics(
    sandbox: Sandbox, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    async with echoing_upstreams() as base:
        # Each provider's API root as its emulator's settings place it, on the echoing server.
        roots = {
            f"{name}_base_url": emulator(name).env(f"{base}/{name}")[f"{name.upper()}_BASE_URL"]
            for name in NAMES
        }
        settings = settings_for(sandbox, gateway_credentials="caller", gateway_retries=0, **roots)
        async with running_gateway(settings) as gateway:
            answers = [
                await gateway.http.post("/graphql", json={"query": query}, headers=HEADERS)
                for query in QUERIES
            ]
            answers.append(await gateway.http.get("/metrics"))
    errors = [error for answer in answers[:5] for error in answer.json()["errors"]]
    # Every provider failed with its upstream's own message (the echo), scrubbed.
    assert {error["extensions"]["provider"] for error in errors} == {name.upper() for name in NAMES}
    assert all("[redacted]" in error["message"] for error in errors)
    last_errors = [status["lastError"]["message"] for status in answers[5].json()["data"]["providers"]]
    assert all("[redacted]" in message for message in last_errors)
    logged = "\n".join(record.getMessage() + repr(vars(record)) for record in caplog.records)
    texts = [answer.text for answer in answers] + [logged]
    for secret in SECRETS:
        for form in forms(secret):
            assert not any(form in text for text in texts), f"{form!r} leaked"
    # What the log does carry is each credential's fingerprint.
    [line] = [record for record in caplog.records if record.getMessage() == "graphql request"][:1]
    fingerprints = vars(line)["credentials"]
    assert set(fingerprints) == {spec.name for spec in SPECS}
    assert all(re.fullmatch(r"[0-9a-f]{32}", value) for value in fingerprints.values())
