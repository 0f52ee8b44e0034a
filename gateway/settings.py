"""Settings read once from the environment (or a `.env` file); names as in the public contract.

`Settings` holds the gateway's own knobs (`GATEWAY_*`). Each provider brings its own section, a
`ProviderSettings` model with its own prefix (`STRIGO_*`), which `Settings.section` reads from the
same sources, so settings.py never names a provider. Every field's `description` is the meaning
column of the README's settings table (generated from these models; a test compares them).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Annotated, Any, Literal, TypeVar, cast

from pydantic import BaseModel, BeforeValidator, Field, PrivateAttr, SecretStr, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict
from yarl import URL

#: `json_schema_extra` of a setting this implementation added beyond the contract's table.
BEYOND_CONTRACT: dict[str, Any] = {"beyond_contract": True}


def _public_url(value: object) -> object:
    if isinstance(value, str) and value:
        url = URL(value)
        if url.scheme not in ("http", "https") or not url.host or url.query_string or url.fragment:
            raise ValueError("must be an absolute http(s) URL without query or fragment")
        return value.rstrip("/")
    return value


def _split_csv(value: object) -> object:
    if isinstance(value, str):
        return [item.strip() for item in value.split(",") if item.strip()]
    return value


#: A list given as comma-separated text (`a,b,c`), not as JSON.
CsvList = Annotated[list[str], NoDecode, BeforeValidator(_split_csv)]
CsvSecrets = Annotated[list[SecretStr], NoDecode, BeforeValidator(_split_csv)]

SectionT = TypeVar("SectionT", bound="ProviderSettings")


def secret_values(model: BaseModel) -> list[str]:
    """Every `SecretStr` value of a settings model, lists included (empty ones left out)."""
    found = []
    for name in type(model).model_fields:
        value = getattr(model, name)
        for item in value if isinstance(value, list) else [value]:
            if isinstance(item, SecretStr) and item.get_secret_value():
                found.append(item.get_secret_value())
    return found


#: `GATEWAY_CORS_ALLOW_HEADERS`' default: what GraphQL clients (Apollo's client awareness and CSRF
#: headers), tracing (W3C trace context and baggage, Sentry) and the gateway's own auth send.
CORS_ALLOW_HEADERS = (
    "content-type", "authorization", "x-api-key", "x-request-id", "traceparent", "tracestate", "baggage",
    "sentry-trace", "apollographql-client-name", "apollographql-client-version", "apollo-require-preflight",
)  # fmt: skip


class ProviderSettings(BaseSettings):
    """One provider's section of the settings: its own env prefix, read from the environment or `.env`."""

    model_config = SettingsConfigDict(env_file=".env", extra="ignore", frozen=True)

    @property
    def enabled(self) -> bool:
        """Whether the provider's credentials are set: a provider without them is not opened. By
        default, every `SecretStr` setting is set (override when credentials are more than that)."""
        secrets = [
            value for name in type(self).model_fields if isinstance(value := getattr(self, name), SecretStr)
        ]
        return bool(secrets) and all(secret.get_secret_value() for secret in secrets)

    def secrets(self) -> list[str]:
        """Every credential of the provider, for redaction: its secret values (override to add forms
        of them the upstream may echo, such as Strigo's `ORG_ID:API_KEY`)."""
        return secret_values(self)


class Settings(BaseSettings):
    """Every knob of the gateway itself, plus each provider's section. Secrets are `SecretStr`."""

    model_config = SettingsConfigDict(env_file=".env", extra="ignore", frozen=True)

    gateway_host: str = Field(default="127.0.0.1", description="bind address")
    gateway_port: int = Field(default=8000, description="bind port")
    gateway_api_keys: CsvSecrets = Field(
        default_factory=list,
        description="comma-separated caller keys (`Authorization: Bearer <key>` or `X-API-Key`)",
    )
    gateway_credentials: Literal["service", "caller", "both"] = Field(
        default="service",
        description="whose upstream credentials each request uses: `service` (the ones below), `caller` "
        "(only what the request brings in its `X-<Provider>-…` header), `both` (the caller's where given)",
    )
    gateway_credential_key: SecretStr = Field(
        default=SecretStr(""),
        description="key of the HMAC that fingerprints callers' credentials (their cache entries, quotas "
        "and breakers are kept under it); the same on every replica so they share them; random per "
        "process when empty",
        json_schema_extra=BEYOND_CONTRACT,
    )
    gateway_max_caller_credentials: int = Field(
        default=1000,
        gt=0,
        description="callers' credentials per provider a process keeps a client, quota and breaker for; "
        "the least recently used are forgotten beyond it",
        json_schema_extra=BEYOND_CONTRACT,
    )
    gateway_introspection: bool = Field(
        default=True, description="`false` hides the schema from introspection"
    )
    gateway_max_depth: int = Field(default=12, description="query depth limit (`QUERY_TOO_COMPLEX`)")
    # 25,000 keeps the loop blocked under ~200 ms by the costliest query it lets through (50,000
    # blocked it 250-310 ms); whole-schema introspection costs ~7,000, every field of 200 events ~14,000.
    gateway_max_cost: int = Field(default=25_000, description="query cost limit (`QUERY_TOO_COMPLEX`)")
    gateway_max_aliases: int = Field(
        default=30,
        description="aliases in one query (`QUERY_TOO_COMPLEX`)",
        json_schema_extra=BEYOND_CONTRACT,
    )
    # The document text itself: parsing is linear in both, and refused before it starts or as
    # soon as the count is passed, so no document costs more than a few milliseconds to parse.
    gateway_max_query_length: int = Field(
        default=50_000,
        description="query text in characters, checked before parsing (`QUERY_TOO_COMPLEX`)",
        json_schema_extra=BEYOND_CONTRACT,
    )
    gateway_max_query_tokens: int = Field(
        default=2_000,
        description="query text in tokens, checked while parsing (`QUERY_TOO_COMPLEX`)",
        json_schema_extra=BEYOND_CONTRACT,
    )
    gateway_max_batch: int = Field(
        default=10,
        ge=0,
        description="operations one JSON array body may hold, run together within the request's limits "
        "(0: batches are refused)",
    )
    gateway_persisted_documents: str = Field(
        default="",
        description="a JSON file of trusted documents, id → document (Relay's `persistConfig`, "
        "graphql-codegen's client preset, or Apollo's manifest); clients send `documentId`",
    )
    gateway_persisted_only: bool = Field(
        default=False,
        description="`true` runs only the documents of `GATEWAY_PERSISTED_DOCUMENTS` (trusted documents)",
    )
    gateway_subgraph: bool = Field(
        default=False,
        description="`true` serves the schema as an Apollo Federation v2 subgraph: `_service`, `_entities`, "
        'and `@key(fields: "id")` on every `Node` type',
    )
    gateway_max_body_bytes: int = Field(
        default=1_000_000, description="request body limit (413)", json_schema_extra=BEYOND_CONTRACT
    )
    gateway_max_header_bytes: int = Field(
        default=65_536,
        ge=1_024,
        description="bytes of a request's head (request line and headers); a larger one gets 431 and "
        "the connection is closed",
        json_schema_extra=BEYOND_CONTRACT,
    )
    gateway_header_timeout: float = Field(
        default=10.0,
        gt=0,
        description="seconds a client has to send a request's complete head, from the connection or "
        "the request's first byte; then the connection is closed (with 408 if part of it came); also "
        "what a WebSocket has to send `connection_init` (then closed 4408)",
        json_schema_extra=BEYOND_CONTRACT,
    )
    gateway_max_connections: int = Field(
        default=1_000,
        gt=0,
        description="open connections (and requests in flight) per process; a connection beyond it "
        "gets 503 and is closed at once",
        json_schema_extra=BEYOND_CONTRACT,
    )
    gateway_upstream_timeout: float = Field(default=10.0, description="seconds, total, per upstream call")
    gateway_connect_timeout: float = Field(
        default=3.0, description="seconds to connect", json_schema_extra=BEYOND_CONTRACT
    )
    gateway_cache_ttl: float = Field(
        default=0.0,
        description="seconds to keep upstream GET replies across requests (0 = off), in Redis when "
        "`GATEWAY_REDIS_URL` is set, else per process; any write through that provider clears them",
    )
    gateway_cache_max_bytes: int = Field(
        default=64 * 1024 * 1024,
        gt=0,
        description="memory each provider's in-process reply cache may hold (a reply counted as 5 times "
        "its bytes as received); the least recently used go first, and a reply over an eighth of it "
        "is not cached",
        json_schema_extra=BEYOND_CONTRACT,
    )
    gateway_redis_url: str = Field(
        default="",
        description="e.g. `redis://redis:6379/0`: the reply cache and the client-side quotas live in "
        "Redis, shared by all replicas (per process while Redis does not answer); one replica polls "
        "each `eventChanges` feed and every replica's subscribers get its changes",
    )
    gateway_cors_origins: CsvList = Field(
        default_factory=list,
        description="allowed browser origins, comma-separated (CORS closed when empty; `*` for any)",
        json_schema_extra=BEYOND_CONTRACT,
    )
    gateway_cors_allow_headers: CsvList = Field(
        default_factory=lambda: list(CORS_ALLOW_HEADERS),
        description="request headers a browser may send cross-origin, comma-separated (what client "
        "libraries and tracing send)",
    )
    gateway_cors_credentials: bool = Field(
        default=False,
        description="`true` lets browsers send cookies and HTTP auth cross-origin; needs explicit "
        "origins (refused at startup with `*`)",
    )
    gateway_max_concurrency: int = Field(
        default=16, description="concurrent calls per provider", json_schema_extra=BEYOND_CONTRACT
    )
    gateway_retries: int = Field(
        default=2,
        description="extra attempts for reads (never for writes, but pretix's idempotent ones)",
        json_schema_extra=BEYOND_CONTRACT,
    )
    gateway_breaker_failures: int = Field(
        default=5, description="failures that open a provider's breaker", json_schema_extra=BEYOND_CONTRACT
    )
    # Short, so that a provider's error ends with its fault: with 30 s every caller kept seeing it
    # for up to half a minute after the upstream had recovered.
    gateway_breaker_reset: float = Field(
        default=1.0,
        ge=0,
        description="seconds an open breaker fails calls fast before the next call probes the provider "
        "(one probe at a time); each failed probe doubles the pause, up to 30 s",
        json_schema_extra=BEYOND_CONTRACT,
    )
    gateway_log_level: str = Field(
        default="INFO", description="JSON log lines on stderr", json_schema_extra=BEYOND_CONTRACT
    )
    gateway_max_reply_bytes: int = Field(
        default=16_000_000,
        gt=0,
        description="bytes of one upstream reply, counted after decompression; a larger one is cut off "
        "(`UPSTREAM_ERROR`)",
        json_schema_extra=BEYOND_CONTRACT,
    )
    gateway_max_reply_items: int = Field(
        default=10_000,
        gt=0,
        description="items in one upstream list reply; more is an `UPSTREAM_ERROR` before any is read",
        json_schema_extra=BEYOND_CONTRACT,
    )
    gateway_max_pages: int = Field(
        default=20,
        gt=0,
        description="pages one list may take from an upstream; more is an `UPSTREAM_ERROR`",
        json_schema_extra=BEYOND_CONTRACT,
    )
    gateway_max_upstream_calls: int = Field(
        default=100,
        gt=0,
        description="upstream calls one GraphQL request may make, all providers together; further ones "
        "are refused (`QUERY_TOO_COMPLEX`)",
        json_schema_extra=BEYOND_CONTRACT,
    )
    gateway_poll_interval: float = Field(
        default=30.0,
        gt=0,
        description="seconds between two polls of one provider's list for the `eventChanges` subscribers "
        "watching the same window (one poll per provider, window and credential, shared by them all)",
    )
    gateway_max_subscriptions: int = Field(
        default=10_000,
        ge=0,
        description="subscriptions one process serves at once, every connection together; one more is "
        "refused (`QUERY_TOO_COMPLEX`)",
    )
    gateway_max_subscriptions_per_connection: int = Field(
        default=100,
        gt=0,
        description="operations one WebSocket runs at once (subscriptions included); one more is refused "
        "(`QUERY_TOO_COMPLEX`)",
        json_schema_extra=BEYOND_CONTRACT,
    )
    gateway_max_live_feeds: int = Field(
        default=100,
        gt=0,
        description="distinct (provider, window, credential) keys one process polls for subscriptions; a "
        "subscription needing one more is refused (`QUERY_TOO_COMPLEX`): each is a poller spending the "
        "provider's quota, and subscribers of one key share it",
        json_schema_extra=BEYOND_CONTRACT,
    )
    gateway_max_pending_changes: int = Field(
        default=100,
        gt=0,
        description="changes waiting for one subscriber that reads too slowly; one more drops it (WebSocket "
        "close 4008, or a last SSE `next` with a `QUERY_TOO_COMPLEX` error)",
        json_schema_extra=BEYOND_CONTRACT,
    )
    gateway_poll_lock_ttl: float = Field(
        default=15.0,
        gt=0,
        description="with Redis: seconds a replica's claim to poll a window lasts unless renewed; another "
        "replica takes over within this time after the poller dies",
        json_schema_extra=BEYOND_CONTRACT,
    )
    gateway_public_url: Annotated[str, BeforeValidator(_public_url)] = Field(
        default="",
        description="the gateway's address as calendar apps reach it (e.g. `https://events.example.com`, a "
        "path prefix allowed), used in the feed URLs `calendarFeed` returns; empty: the request's own "
        "scheme and `Host`",
        json_schema_extra=BEYOND_CONTRACT,
    )
    gateway_feed_secret: CsvSecrets = Field(
        default_factory=list,
        description="comma-separated HMAC keys signing `/calendar.ics` URLs: the first signs, every one "
        "verifies (prepend a new key to rotate; removing a key revokes the URLs it signed)",
    )
    gateway_feed_max_events: int = Field(
        default=1_000,
        gt=0,
        description="events in one `/calendar.ics` reply; a feed cut there says so (`X-WR-CALDESC` and "
        "the `X-Feed-Truncated` header)",
        json_schema_extra=BEYOND_CONTRACT,
    )
    gateway_feed_refresh: int = Field(
        default=3_600,
        ge=300,
        description="seconds between a calendar app's polls of the feed, as the feed suggests them "
        "(`REFRESH-INTERVAL`, `X-PUBLISHED-TTL`)",
        json_schema_extra=BEYOND_CONTRACT,
    )
    gateway_compiled_execution: bool = Field(
        default=True,
        description="run GraphQL through cached per-operation plans that read plain fields directly "
        "and load a list's related objects in one pass (`false`: stock graphql-core for every "
        "field, to rule the compiled path out)",
        json_schema_extra=BEYOND_CONTRACT,
    )

    @model_validator(mode="after")
    def _credentials_need_named_origins(self) -> Settings:
        # The CORS spec forbids credentials with the `*` origin; browsers would refuse every answer.
        if self.gateway_cors_credentials and "*" in self.gateway_cors_origins:
            raise ValueError(
                "GATEWAY_CORS_CREDENTIALS=true needs the allowed origins listed in GATEWAY_CORS_ORIGINS, "
                "not `*` (browsers refuse credentials with a wildcard origin)"
            )
        return self

    @model_validator(mode="after")
    def _persisted_only_needs_documents(self) -> Settings:
        if self.gateway_persisted_only and not self.gateway_persisted_documents:
            raise ValueError(
                "GATEWAY_PERSISTED_ONLY=true needs GATEWAY_PERSISTED_DOCUMENTS: nothing could run"
            )
        return self

    #: Values given to `from_values` that are not the gateway's own: for the providers' sections.
    _given: dict[str, Any] = PrivateAttr(default_factory=dict)
    _read_env_file: bool = PrivateAttr(default=True)
    _sections: dict[type[ProviderSettings], ProviderSettings] = PrivateAttr(default_factory=dict)

    @classmethod
    def from_values(cls, values: Mapping[str, Any]) -> Settings:
        """Settings from explicit values (lower-cased env names as keys), ignoring any `.env` file."""
        own = {key: value for key, value in values.items() if key in cls.model_fields}
        settings = cls(_env_file=None, **own)  # type: ignore[call-arg]
        settings._given = {key: value for key, value in values.items() if key not in own}
        settings._read_env_file = False
        return settings

    def section(self, model: type[SectionT]) -> SectionT:
        """A provider's settings, read once from the same sources as these (values, environment, `.env`)."""
        found = self._sections.get(model)
        if found is None:
            prefix = str(model.model_config.get("env_prefix", "")).lower()
            given = {
                key[len(prefix) :]: value for key, value in self._given.items() if key.startswith(prefix)
            }
            found = model(**given) if self._read_env_file else model(_env_file=None, **given)  # type: ignore[call-arg]
            self._sections[model] = found
        return cast(SectionT, found)

    def secrets(self) -> list[str]:
        """The gateway's own credentials, for redaction: caller keys and the Redis password."""
        found = secret_values(self)
        password = URL(self.gateway_redis_url).password if self.gateway_redis_url else None
        return [*found, password] if password else found


def settings_table(models: Sequence[type[BaseSettings]]) -> str:
    """The README's settings table (Markdown), one row per variable of each model, in field order."""
    rows = ["| variable | default | meaning |", "|---|---|---|"]
    for model in models:
        prefix = str(model.model_config.get("env_prefix", "")).upper()
        for name, field in model.model_fields.items():
            extra = field.json_schema_extra if isinstance(field.json_schema_extra, dict) else {}
            star = "*" if extra.get("beyond_contract") else ""
            default = _shown(field.get_default(call_default_factory=True))
            rows.append(f"| `{prefix}{name.upper()}`{star} | {default} | {field.description} |")
    return "\n".join(rows) + "\n"


def _shown(default: object) -> str:
    if isinstance(default, SecretStr):
        return "—" if not default.get_secret_value() else "(set)"
    if isinstance(default, bool):
        return f"`{str(default).lower()}`"
    if default in ("", []):
        return "empty"
    if isinstance(default, float) and default.is_integer():
        default = int(default)
    return f"`{default}`"
