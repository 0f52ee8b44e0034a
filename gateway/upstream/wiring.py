"""What the lifespan hands each provider to build its `Upstream` with: the `Wiring`."""

from __future__ import annotations

from dataclasses import dataclass, field, replace

import aiohttp

from gateway.settings import Settings
from gateway.upstream.auth import CallerCredential
from gateway.upstream.redaction import Redactor
from gateway.upstream.state import StateFactory


@dataclass(frozen=True, slots=True, kw_only=True)
class Wiring:
    """What the lifespan hands each provider for its `Upstream`: the gateway-wide settings (limits,
    retries, breaker), a pooled session, where state lives, every credential to redact, and, for a
    client opened for one caller, that caller's credential (`for_caller`).

    Providers pass it to `Upstream.configured` without looking inside.
    """

    settings: Settings
    session: aiohttp.ClientSession
    state: StateFactory = field(default_factory=StateFactory)
    secrets: tuple[str, ...] = ()
    #: The deployment's redactor, built once from `secrets` (else built per upstream).
    redactor: Redactor | None = None
    caller: CallerCredential | None = None

    def for_caller(self, credential: CallerCredential) -> Wiring:
        """This wiring for a client that calls with `credential` instead of the deployment's own."""
        return replace(self, caller=credential)
