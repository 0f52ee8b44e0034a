"""The provider seam itself: specs read their own section of the settings, secrets come from every
provider, batch helpers keep the order asked for and read a missing object as None."""

from __future__ import annotations

import pytest

from gateway.errors import NotFound, UpstreamFailure
from gateway.providers import kona, strigo
from gateway.providers.base import deployment_secrets, gather_by_key, pick_by_key
from gateway.settings import Settings
from resolvers.registry import PROVIDERS


def test_a_spec_reads_its_own_section_from_the_values_given() -> None:
    settings = Settings.from_values(
        {"strigo_org_id": "org", "strigo_api_key": "key-1234", "kona_base_url": "x"}
    )
    section = strigo.SPEC.section(settings)
    assert (section.org_id, section.api_key.get_secret_value()) == ("org", "key-1234")
    assert strigo.SPEC.is_enabled(settings)
    assert not kona.SPEC.is_enabled(settings)
    assert kona.SPEC.section(settings).base_url == "x"
    assert strigo.SPEC.section(settings) is section  # read once


def test_a_section_reads_the_environment_with_its_prefix(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KONA_ACCESS_TOKEN", "from-the-environment")
    assert (
        kona.SPEC.section(Settings.from_values({})).access_token.get_secret_value() == "from-the-environment"
    )
    given = Settings.from_values({"kona_access_token": "given"})
    assert kona.SPEC.section(given).access_token.get_secret_value() == "given"


def test_the_deployment_secrets_are_every_providers_and_the_gateways() -> None:
    settings = Settings.from_values(
        {
            "gateway_api_keys": "caller-key-1",
            "gateway_redis_url": "redis://:redis-pass@127.0.0.1:6379/0",
            "strigo_org_id": "org",
            "strigo_api_key": "strigo-key",
            "pretix_token": "pretix-token",
        }
    )
    secrets = deployment_secrets(settings, [api.spec for api in PROVIDERS])
    assert {"caller-key-1", "redis-pass", "strigo-key", "org:strigo-key", "pretix-token"} <= set(secrets)


async def test_gather_by_key_reads_not_found_as_none_and_fails_on_anything_else() -> None:
    async def fetch(key: int) -> dict[str, int]:
        if key == 2:
            raise NotFound("gone")
        return {"id": key}

    assert await gather_by_key([3, 2, 1], fetch) == [{"id": 3}, None, {"id": 1}]

    async def broken(key: int) -> dict[str, int]:
        raise UpstreamFailure("down")

    with pytest.raises(UpstreamFailure):
        await gather_by_key([1], broken)


def test_pick_by_key_orders_a_list_by_the_keys_asked() -> None:
    listed = [{"id": "b"}, {"id": "a"}]
    assert pick_by_key(["a", "c", "b"], listed, lambda obj: str(obj["id"])) == [
        {"id": "a"},
        None,
        {"id": "b"},
    ]
