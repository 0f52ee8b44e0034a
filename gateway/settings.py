"""Settings read once from the environment (or a `.env` file); names as in the public contract."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Annotated, Any

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict


def _split_csv(value: object) -> object:
    if isinstance(value, str):
        return [item.strip() for item in value.split(",") if item.strip()]
    return value


class Settings(BaseSettings):
    """Every knob of the gateway. Secrets are `SecretStr` so they never print."""

    model_config = SettingsConfigDict(env_file=".env", extra="ignore", frozen=True)

    gateway_host: str = "127.0.0.1"
    gateway_port: int = 8000
    gateway_api_keys: Annotated[list[SecretStr], NoDecode] = Field(default_factory=list)
    gateway_introspection: bool = True
    gateway_max_depth: int = 12
    # 25,000 keeps the loop blocked under ~200 ms by the costliest query it lets through (50,000
    # blocked it 250-310 ms); whole-schema introspection costs ~7,000, every field of 200 events ~14,000.
    gateway_max_cost: int = 25_000
    gateway_max_aliases: int = 30
    # The document text itself: parsing is linear in both, and refused before it starts or as
    # soon as the count is passed, so no document costs more than a few milliseconds to parse.
    gateway_max_query_length: int = 50_000
    gateway_max_query_tokens: int = 2_000
    gateway_max_body_bytes: int = 1_000_000
    gateway_upstream_timeout: float = 10.0
    gateway_connect_timeout: float = 3.0
    gateway_cache_ttl: float = 0.0
    gateway_redis_url: str = ""
    gateway_cors_origins: Annotated[list[str], NoDecode] = Field(default_factory=list)
    gateway_max_concurrency: int = 16
    gateway_retries: int = 2
    gateway_breaker_failures: int = 5
    gateway_breaker_reset: float = 30.0
    gateway_log_level: str = "INFO"
    #: What one upstream reply may hold: bytes after decompression, and items in one list.
    gateway_max_reply_bytes: int = Field(default=16_000_000, gt=0)
    gateway_max_reply_items: int = Field(default=10_000, gt=0)
    #: Pages one list may take from an upstream before the gateway gives up on it.
    gateway_max_pages: int = Field(default=20, gt=0)
    #: Upstream calls one GraphQL request may make, all providers together.
    gateway_max_upstream_calls: int = Field(default=100, gt=0)
    gateway_compiled_execution: bool = True

    strigo_base_url: str = "https://app.strigo.io/api/v1"
    strigo_org_id: str = ""
    strigo_api_key: SecretStr = SecretStr("")
    strigo_rate_per_minute: int = 120

    schoology_base_url: str = "https://api.schoology.com/v1"
    schoology_consumer_key: str = ""
    schoology_consumer_secret: SecretStr = SecretStr("")
    schoology_realms: Annotated[list[str], NoDecode] = Field(default_factory=list)
    schoology_timezone: str = "UTC"
    schoology_rate_limit: int = 15
    schoology_rate_period: float = 5.0

    kona_base_url: str = "https://io.kona.com/api"
    kona_access_token: SecretStr = SecretStr("")

    pretix_base_url: str = "https://pretix.eu/api/v1"
    pretix_token: SecretStr = SecretStr("")
    pretix_organizers: Annotated[list[str], NoDecode] = Field(default_factory=list)
    pretix_locale: str = "en"
    pretix_rate_per_minute: int = 360

    @classmethod
    def from_values(cls, values: Mapping[str, Any]) -> Settings:
        """Settings from explicit values (field names as keys), ignoring any `.env` file."""
        return cls(_env_file=None, **values)  # type: ignore[call-arg]

    @field_validator(
        "gateway_api_keys", "gateway_cors_origins", "schoology_realms", "pretix_organizers", mode="before"
    )
    @classmethod
    def _csv(cls, value: object) -> object:
        return _split_csv(value)
