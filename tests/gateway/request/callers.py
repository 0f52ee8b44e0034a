"""Callers with credentials of their own in the sandbox: each one's headers, and the query they send."""

from __future__ import annotations

from typing import Any

from gateway.ids import decode_id
from gateway.sandbox import pretix
from gateway.sandbox.emulators import emulator
from resolvers.registry import NAMES, PROVIDERS
from tests.harness import Gateway


def _caller(which: int) -> dict[str, str]:
    """The headers of the emulators' caller `which` (its `CALLERS`), for every provider taking callers."""
    headers: dict[str, str] = {}
    for api in PROVIDERS:
        if api.spec.caller is not None:
            callers = emulator(api.spec.name).callers
            assert callers, f"gateway/sandbox/{api.spec.name}.py needs CALLERS (two callers' credentials)"
            headers[api.spec.caller.name] = callers[which]
    return headers


#: Alice: Strigo's first org, Schoology's Dana (busy section), Kona's Ada (every space), pretix's
#: demo-conf team. Bob: the partner org, Luis (the next section), Grace (two spaces), demo-arts.
ALICE = _caller(0)
BOB = _caller(1)
#: Carol brings pretix alone (Alice's team token).
CAROL = {"X-Pretix-Token": pretix.CONF_TEAM_TOKEN}

WIDE = '{startsAfter: "2024-01-01T00:00:00Z", startsBefore: "2027-06-01T00:00:00Z"'
FIELDS = "edges { node { id provider providerId title } }"
#: One query, every provider's events in the window (each list under its provider's name).
PER_PROVIDER = (
    "{ "
    + " ".join(
        f"{name}: events(first: 200, filter: {WIDE}, providers: [{name.upper()}]}}) {{ {FIELDS} }}"
        for name in NAMES
    )
    + " }"
)
#: The federated list, no provider named.
ALL = f"{{ events(first: 200, filter: {WIDE}}}) {{ {FIELDS} }} }}"


async def seen(gateway: Gateway, headers: dict[str, str]) -> dict[str, list[str]]:
    """The ids of the events `PER_PROVIDER` shows a caller, per provider."""
    body = await gateway.query(PER_PROVIDER, headers=headers)
    assert "errors" not in body, body.get("errors")
    return {name: [edge["node"]["id"] for edge in body["data"][name]["edges"]] for name in body["data"]}


def realm_of(schoology_id: str) -> tuple[str, int]:
    """The realm a Schoology event's global id names."""
    kind, realm_id, _ = decode_id(schoology_id).parts
    return kind, int(realm_id)


def provider_ids(ids: list[str]) -> set[str]:
    """The upstream ids inside global ids."""
    return {decode_id(each).parts[-1] for each in ids}


def error_codes(body: dict[str, Any]) -> dict[str, str]:
    """Each error's provider and code."""
    return {error["extensions"].get("provider", ""): error["extensions"]["code"] for error in body["errors"]}
