"""What a request brings of its own upstream credentials (`GATEWAY_CREDENTIALS=caller|both`): each
provider's header read, checked for shape before anything is sent, and fingerprinted.

The fingerprint is an HMAC-SHA256 of the provider's name and the header's value under the
process's credential key (`GATEWAY_CREDENTIAL_KEY`, else random per process): a stable, short
name for one credential that cache keys, quotas, breakers and log lines carry instead of the
credential, and that reveals nothing of it to whoever reads them without the key.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from functools import partial

from starlette.datastructures import Headers

from gateway.errors import BadUserInput
from gateway.providers.base import AnySpec, CredentialShape
from gateway.settings import Settings
from gateway.upstream.auth import CallerCredential

#: Hex digits of a fingerprint kept (128 bits).
FINGERPRINT_LENGTH = 32


class CredentialRefused(BadUserInput):
    """A caller's credential header is malformed, repeated, or not accepted here (refused before any call)."""

    def __init__(self, message: str, *, provider: str, header: str) -> None:
        super().__init__(message, provider=provider)
        self.header = header


@dataclass(frozen=True, slots=True)
class Fingerprints:
    """Names credentials by a keyed hash, so that the name reveals nothing of the credential."""

    key: bytes

    @classmethod
    def for_settings(cls, settings: Settings) -> Fingerprints:
        """The configured key (shared by replicas), else a random one for this process alone."""
        configured = settings.gateway_credential_key.get_secret_value()
        return cls(configured.encode() if configured else secrets.token_bytes(32))

    def of(self, provider: str, credential: str) -> str:
        """The fingerprint of `credential` presented for `provider`."""
        digest = hmac.new(self.key, f"{provider}\0{credential}".encode(), hashlib.sha256)
        return digest.hexdigest()[:FINGERPRINT_LENGTH]


@dataclass(frozen=True, slots=True)
class CallerHeaders:
    """Reads every provider's caller header from a request, for one deployment."""

    settings: Settings
    specs: Sequence[AnySpec]
    fingerprints: Fingerprints
    #: Every provider's caller header, as ASGI spells header names (lower-case bytes).
    names: frozenset[bytes] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        names = frozenset(spec.caller.name.lower().encode("latin-1") for spec in self.specs if spec.caller)
        object.__setattr__(self, "names", names)

    def read(self, headers: Headers) -> Mapping[str, CallerCredential]:
        """The caller's credential per provider, fingerprinted; `CredentialRefused` for a bad header."""
        found: dict[str, CallerCredential] = {}
        if not any(name in self.names for name, _ in headers.raw):
            return found  # one pass over the headers for the common request, which brings none
        for spec in self.specs:
            caller = spec.caller
            values = headers.getlist(caller.name) if caller is not None else []
            if caller is None or not values:
                continue
            refuse = partial(CredentialRefused, provider=spec.name, header=caller.name)
            if self.settings.gateway_credentials == "service":
                raise refuse(
                    f"{caller.name} is not accepted: this gateway calls {spec.title} with its own "
                    "credentials (GATEWAY_CREDENTIALS=service)"
                )
            if not spec.accepts_callers(self.settings):
                raise refuse(
                    f"{caller.name} is not accepted: {spec.title} is not set up on this gateway for "
                    "callers' credentials"
                )
            if len(values) > 1:
                raise refuse(f"{caller.name} was sent {len(values)} times: send it once")
            value = values[0].strip()
            try:
                credential = spec.read_caller(self.settings, value)
            except CredentialShape as error:
                raise refuse(f"{caller.name} must be {caller.form}: {error}") from None
            found[spec.name] = replace(credential, scope=self.fingerprints.of(spec.name, value))
        return found
