"""An upstream that echoes the gateway's credentials never hands them on (issue 10, item 7).

Each provider's error dialect carries upstream text to the caller (Strigo's `error.message`,
Kona's `details`, pretix's `detail`, Schoology's 400 string); the hostile upstream puts the
request's `Authorization` header there, spelled in the ways an echo comes back.
"""

from __future__ import annotations

import base64
import re
from collections.abc import Callable
from typing import Any
from urllib.parse import quote, unquote

import orjson
import pytest
from aiohttp import web

from gateway.providers.base import deployment_secrets
from gateway.sandbox import kona as kona_emulator
from gateway.sandbox import pretix_state
from gateway.sandbox import strigo as strigo_emulator
from gateway.upstream.redaction import Redactor, spellings
from resolvers.registry import PROVIDERS
from tests.gateway.upstream.hostile_providers import STANDS
from tests.gateway.upstream.hostile_upstream import Hostile, Responder
from tests.harness import Sandbox, running_gateway, settings_for

QUERY = "query($p: Provider!) { events(filter: {providers: [$p]}) { edges { node { id } } } }"
STATUS = "{ providers { provider lastError { code message } } }"


def b64(text: str) -> str:
    return base64.b64encode(text.encode()).decode()


def unicode_escaped(text: str) -> str:
    return "".join(f"\\u{ord(char):04x}" for char in text)


#: How the echo spells the header in the provider's JSON error message (the `\\u` escapes are
#: written into the raw JSON, so decoding turns them back into the header itself).
SPELLINGS: dict[str, Callable[[str], str]] = {
    "plain": lambda auth: auth,
    "url-encoded": lambda auth: quote(auth, safe=""),
    "base64": b64,
    "base64-inside": lambda auth: b64(f"user={auth};"),
    "split": lambda auth: " and ".join(re.split(r"[ :]", auth)),
    "unicode-escaped": unicode_escaped,
}

#: Where each provider's error text goes, and the failure status used.
DIALECT: dict[str, tuple[int, Callable[[str], Any]]] = {
    "strigo": (400, lambda text: {"result": "failure", "error": {"type": "BadToken", "message": text}}),
    "kona": (401, lambda text: {"problemType": "auth", "title": "Unauthorized", "details": text}),
    "pretix": (401, lambda text: {"detail": text}),
    "schoology": (400, lambda text: text),
}


def echoing(provider: str, spelling: str) -> Responder:
    status, dialect = DIALECT[provider]

    async def respond(request: web.Request) -> web.StreamResponse:
        placeholder = "\x00ECHO\x00"
        raw = orjson.dumps(dialect(f"invalid credentials {placeholder} in request"))
        echoed = SPELLINGS[spelling](request.headers.get("Authorization", ""))
        # Into the JSON text as a JSON string's content: escaped, but for the escapes written on purpose.
        inner = echoed.encode() if spelling == "unicode-escaped" else orjson.dumps(echoed)[1:-1]
        body = raw.replace(orjson.dumps(placeholder)[1:-1], inner)
        return web.Response(body=body, status=status, content_type="application/json")

    return respond


def route(provider: str) -> tuple[str, str]:
    prefix = STANDS[provider].prefix
    return {
        "strigo": ("GET", f"{prefix}/events"),
        "kona": ("GET", f"{prefix}/calendar_events"),
        "pretix": ("GET", f"{prefix}/organizers/{pretix_state.ORGANIZERS[0]}/events/"),
        "schoology": ("POST", f"{prefix}/multiget"),
    }[provider]


def secrets_of(provider: str, sent: str) -> list[str]:
    """What must never come back: the header as sent, and each credential inside it."""
    if provider == "schoology":
        signature = re.search(r'oauth_signature="([^"]+)"', sent)
        assert signature is not None
        return [sent, unquote(signature.group(1)), signature.group(1)]
    return [sent, sent.split(" ", 1)[1].rsplit(":", 1)[-1]]


@pytest.mark.parametrize("spelling", list(SPELLINGS))
@pytest.mark.parametrize("provider", list(DIALECT))
async def test_echoed_credentials_are_redacted_from_errors_and_provider_status(
    sandbox: Sandbox, hostile: Hostile, provider: str, spelling: str
) -> None:
    method, path = route(provider)
    hostile.on(method, path, echoing(provider, spelling))
    request = {"query": QUERY, "variables": {"p": provider.upper()}}
    async with running_gateway(settings_for(sandbox, **STANDS[provider].settings(hostile))) as gateway:
        answer = await gateway.http.post("/graphql", json=request)
        status = await gateway.http.post("/graphql", json={"query": STATUS})
    [error] = answer.json()["errors"]
    assert error["extensions"]["provider"] == provider.upper()
    assert "invalid credentials" in error["message"]  # the upstream's text still comes through
    sent = hostile.calls(path)[0].headers["Authorization"]
    for secret in secrets_of(provider, sent):
        for leak in {secret, *(form for form in spellings(secret) if len(form) >= 8)}:
            assert leak not in answer.text, f"{leak!r} leaked"
            assert leak not in status.text, f"{leak!r} stayed in lastError"


def test_every_secret_setting_and_the_strigo_pair_are_redacted(sandbox: Sandbox) -> None:
    settings = settings_for(sandbox, gateway_api_keys="caller-key-1234,caller-key-5678")
    redactor = Redactor(deployment_secrets(settings, [api.spec for api in PROVIDERS]))
    for secret in (
        strigo_emulator.API_KEY, f"{strigo_emulator.ORG_ID}:{strigo_emulator.API_KEY}",
        kona_emulator.ACCESS_TOKEN, pretix_state.TOKEN, "sandbox-schoology-secret",
        "caller-key-1234", "caller-key-5678",
    ):  # fmt: skip
        assert redactor.text(f"x {secret} y") == "x [redacted] y"
        assert redactor.text(f"x {b64('prefix:' + secret)} y").count("[redacted]") == 1


def test_a_short_value_is_not_taken_for_a_credential() -> None:
    assert Redactor(["abc"]).text("abc abc") == "abc abc"
    assert Redactor(["abcd"]).text("abcd") == "[redacted]"


def test_oauth_parameters_are_redacted_by_name_in_every_spelling() -> None:
    redactor = Redactor()
    header = 'OAuth oauth_consumer_key="key", oauth_token="", oauth_signature="c2lnbmF0dXJl%3D"'
    assert redactor.text(header).endswith('oauth_signature="[redacted]"')
    assert "c2lnbmF0dXJl" not in redactor.text(quote(header, safe=""))
    assert "c2lnbmF0dXJl" not in redactor.text("?oauth_signature=c2lnbmF0dXJl%3D&x=1")
