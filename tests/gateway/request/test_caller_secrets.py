"""No caller's credential in any response, log line or `/metrics`, even from upstreams that echo them."""

from __future__ import annotations

import base64
import logging
import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from urllib.parse import quote

import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer

from gateway.upstream.redaction import spellings
from tests.harness import Sandbox, running_gateway, settings_for

ORG, STRIGO_KEY = "org_4711", "sk_live_7Hq2Lx9Pz3Vb8Nc1"
KONA_TOKEN = "kona_at_Zq8Rt5Wy2Ux7Io4P"
PRETIX_TOKEN = "ptx_9a8b7c6d5e4f3a2b1c0d"
SCHOOLOGY_TOKEN, SCHOOLOGY_SECRET = "sgy_tok_3e4r5t6y7u8i", "sgy_sec_1q2w3e4r5t6y"
HEADERS = {
    "X-Strigo-Credentials": f"{ORG}:{STRIGO_KEY}",
    "X-Kona-Token": KONA_TOKEN,
    "X-Pretix-Token": PRETIX_TOKEN,
    "X-Schoology-Token": f"{SCHOOLOGY_TOKEN}:{SCHOOLOGY_SECRET}",
}
SECRETS = (STRIGO_KEY, f"{ORG}:{STRIGO_KEY}", KONA_TOKEN, PRETIX_TOKEN, SCHOOLOGY_TOKEN, SCHOOLOGY_SECRET)
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
    """Each provider's API answering every read with a 400 in its own dialect that echoes the
    request's `Authorization` header."""

    async def strigo(request: web.Request) -> web.Response:
        error = {"type": "RequestValidationError", "errors": [{"param": "x", "msg": echoes(request)}]}
        return web.json_response({"result": "failure", "error": error}, status=422)

    async def kona(request: web.Request) -> web.Response:
        return web.json_response({"title": "Bad Request", "details": echoes(request)}, status=400)

    async def pretix(request: web.Request) -> web.Response:
        return web.json_response({"detail": echoes(request)}, status=400)

    async def schoology(request: web.Request) -> web.Response:
        return web.json_response(echoes(request), status=400)

    app = web.Application()
    for prefix, handler in (("strigo", strigo), ("kona", kona), ("pretix", pretix), ("schoology", schoology)):
        app.router.add_route("*", f"/{prefix}/{{tail:.*}}", handler)
    server = TestServer(app, host="127.0.0.1")
    await server.start_server()
    try:
        yield str(server.make_url("")).rstrip("/")
    finally:
        await server.close()


def forms(secret: str) -> set[str]:
    return spellings(secret) | {base64.b64encode(secret.encode()).decode()}


async def test_no_callers_credential_reaches_a_response_a_log_line_or_metrics(
    sandbox: Sandbox, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    async with echoing_upstreams() as base:
        settings = settings_for(
            sandbox,
            gateway_credentials="caller",
            gateway_retries=0,
            strigo_base_url=f"{base}/strigo/api/v1",
            kona_base_url=f"{base}/kona/api",
            pretix_base_url=f"{base}/pretix/api/v1",
            schoology_base_url=f"{base}/schoology/v1",
        )
        async with running_gateway(settings) as gateway:
            answers = [
                await gateway.http.post("/graphql", json={"query": query}, headers=HEADERS)
                for query in QUERIES
            ]
            answers.append(await gateway.http.get("/metrics"))
    errors = [error for answer in answers[:5] for error in answer.json()["errors"]]
    # Every provider failed with its upstream's own message (the echo), scrubbed.
    assert {error["extensions"]["provider"] for error in errors} == {"STRIGO", "KONA", "PRETIX", "SCHOOLOGY"}
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
    assert set(fingerprints) == {"strigo", "schoology", "kona", "pretix"}
    assert all(re.fullmatch(r"[0-9a-f]{32}", value) for value in fingerprints.values())
