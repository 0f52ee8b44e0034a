"""Which emulator serves which provider: the module `gateway.sandbox.<name>` of each provider's name.

The sandbox imports no provider code. Its callers (the CLI, the tests, the benchmark) name the
providers from the registry, and each name finds its emulator here by that convention, so a new
provider's emulator needs no line in a shared file; `tests/test_layout.py` checks that every
registered provider has one. An emulator module has `create_app(log)` and `sandbox_env(base_url)`, and
may have `churn(app, kind, rng, ours)` (see `gateway.sandbox.churn`), and for the shared tests `CALLERS`
(two callers' own credentials for the provider's caller header) and `refusal(message)`.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import cast

from aiohttp import web

from gateway.sandbox.churn import ChurnFn
from gateway.sandbox.recorder import CallLog


@dataclass(frozen=True, slots=True)
class Emulator:
    """One provider's emulator: its aiohttp app, the settings that point the gateway at it, its churn."""

    name: str
    create_app: Callable[[CallLog], web.Application]
    env: Callable[[str], dict[str, str]]
    churn: ChurnFn | None = None
    #: Two sandbox callers' own credentials, as the provider's caller header carries them (tests).
    callers: tuple[str, str] | None = None
    #: A refusal in the API's own error form saying a message (tests make it echo what it received).
    refusal: Callable[[str], web.Response] | None = None


def emulator(name: str) -> Emulator:
    """The emulator of the provider called `name` (ModuleNotFoundError when it has none)."""
    module = importlib.import_module(f"{__package__}.{name}")
    return Emulator(
        name=name,
        create_app=cast(Callable[[CallLog], web.Application], module.create_app),
        env=cast(Callable[[str], dict[str, str]], module.sandbox_env),
        churn=cast(ChurnFn | None, getattr(module, "churn", None)),
        callers=cast(tuple[str, str] | None, getattr(module, "CALLERS", None)),
        refusal=cast(Callable[[str], web.Response] | None, getattr(module, "refusal", None)),
    )
