"""The seam every provider meets: its `ProviderSpec`, the `ProviderClient` protocol, how it reads a
caller's credential (`CallerHeader`), batch-loading helpers."""

from __future__ import annotations

import asyncio
import re
from collections.abc import Awaitable, Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Generic, Protocol, TypeVar

from gateway.errors import NotFound
from gateway.settings import ProviderSettings, SectionT, Settings
from gateway.upstream.auth import CallerCredential, static_authorization
from gateway.upstream.endpoint import Upstream
from gateway.upstream.wiring import Wiring

K = TypeVar("K")
JSONObject = dict[str, Any]


class ProviderClient(Protocol):
    """What shared code relies on in every client: the `Upstream` it calls through, whose breaker
    and health `/readyz` and the `providers` query report."""

    @property
    def upstream(self) -> Upstream:
        """The provider's one HTTP endpoint."""
        ...


ClientT = TypeVar("ClientT", bound=ProviderClient)


class CredentialShape(ValueError):
    """A caller's credential header is not in its provider's form; the message says why (never the value)."""


def _always(section: Any) -> bool:
    return True


@dataclass(frozen=True, slots=True, kw_only=True)
class CallerHeader(Generic[SectionT]):
    """How a provider takes a caller's own credential (`GATEWAY_CREDENTIALS=caller|both`).

    `name` is the request header and `form` its shape for messages (`<org_id>:<api_key>`). `read`
    checks the value's shape (raising `CredentialShape`, before anything is sent) and turns it into
    the auth that signs the caller's calls, with every value of it to redact. `usable` says whether
    the deployment's own settings allow callers at all (Schoology needs the app's consumer key).
    """

    name: str
    form: str
    read: Callable[[str, SectionT], CallerCredential]
    usable: Callable[[SectionT], bool] = _always


#: Visible ASCII, no spaces: what a token may hold to travel in an HTTP header unchanged.
_TOKEN = re.compile(r"[\x21-\x7e]+")
#: No credential is longer; longer values are refused before they cost a fingerprint.
MAX_CREDENTIAL = 4096


def token(value: str, what: str) -> str:
    """`value` if it can be a token (visible ASCII, no spaces, not too long), else `CredentialShape`."""
    if not value:
        raise CredentialShape(f"the {what} is empty")
    if len(value) > MAX_CREDENTIAL:
        raise CredentialShape(f"the {what} is longer than {MAX_CREDENTIAL} characters")
    if not _TOKEN.fullmatch(value):
        raise CredentialShape(f"the {what} may hold only visible ASCII characters, no spaces")
    return value


def token_pair(value: str, first: str, second: str) -> tuple[str, str]:
    """`<first>:<second>`, split at the first colon, each part a `token`."""
    head, colon, tail = value.partition(":")
    if not colon:
        raise CredentialShape(f"it must be <{first}>:<{second}>, with a colon between them")
    return token(head, first), token(tail, second)


def bearer_caller(what: str) -> Callable[[str, Any], CallerCredential]:
    """A `CallerHeader.read` for a header that is one bearer token (`<{what}>`), sent as
    `Authorization: Bearer <token>` and redacted wherever it comes back."""

    def read(value: str, settings: Any) -> CallerCredential:
        secret = token(value, what)
        return CallerCredential(static_authorization(f"Bearer {secret}"), secrets=(secret,))

    return read


@dataclass(frozen=True, slots=True, kw_only=True)
class ProviderSpec(Generic[SectionT, ClientT]):
    """What the process knows of one upstream: its name, its settings section, how to open its client.

    `open` builds the client from the provider's own settings and the `Wiring` the lifespan owns
    (gateway-wide settings, pooled session, where cache and quota live, what to redact), which it
    passes to `Upstream.configured`. The same `open` builds a client for one caller's credential
    on `Wiring.for_caller`. `caller` says how callers bring their own (None: they cannot).
    """

    name: str
    title: str
    settings: type[SectionT]
    open: Callable[[SectionT, Wiring], ClientT]
    caller: CallerHeader[SectionT] | None = None
    #: Top-level keys of an event that some of the upstream's endpoints send and others leave out
    #: (a list's `links`, a write reply's extras): not part of the event's content when the change
    #: detectors compare what a write returned with what the next poll lists.
    endpoint_only_keys: frozenset[str] = frozenset()

    def section(self, settings: Settings) -> SectionT:
        """This provider's section of `settings`."""
        return settings.section(self.settings)

    def is_enabled(self, settings: Settings) -> bool:
        """Whether the deployment configured this provider's credentials."""
        return self.section(settings).enabled

    def open_client(self, settings: Settings, wiring: Wiring) -> ClientT:
        """The provider's client on the lifespan's wiring."""
        return self.open(self.section(settings), wiring)

    def accepts_callers(self, settings: Settings) -> bool:
        """Whether callers may bring their own credentials for this provider in this deployment."""
        return self.caller is not None and self.caller.usable(self.section(settings))

    def read_caller(self, settings: Settings, value: str) -> CallerCredential:
        """A caller's credential from its header value; `CredentialShape` when it is malformed."""
        if self.caller is None:
            raise CredentialShape(f"{self.title} takes no caller credentials")
        return self.caller.read(value, self.section(settings))


#: A spec of any provider (what registries and the lifespan hold).
AnySpec = ProviderSpec[Any, Any]


def deployment_secrets(settings: Settings, specs: Iterable[AnySpec]) -> tuple[str, ...]:
    """Every credential of the deployment, the gateway's own and each provider's: what is redacted."""
    sections: list[ProviderSettings] = [spec.section(settings) for spec in specs]
    return (*settings.secrets(), *(secret for section in sections for secret in section.secrets()))


async def gather_by_key(
    keys: Sequence[K], fetch_one: Callable[[K], Awaitable[JSONObject]]
) -> list[JSONObject | None]:
    """Fetch each key concurrently (the upstream layer bounds concurrency); missing objects are None.

    Any other failure of any key fails the whole batch, as the upstream itself is then unhealthy.
    """

    async def one(key: K) -> JSONObject | None:
        try:
            return await fetch_one(key)
        except NotFound:
            return None

    return list(await asyncio.gather(*(one(key) for key in keys)))


def pick_by_key(
    keys: Sequence[K], objects: Iterable[JSONObject], key_of: Callable[[JSONObject], K]
) -> list[JSONObject | None]:
    """Order objects from a list call by the requested keys; absent keys are None."""
    index: Mapping[K, JSONObject] = {key_of(obj): obj for obj in objects}
    return [index.get(key) for key in keys]
