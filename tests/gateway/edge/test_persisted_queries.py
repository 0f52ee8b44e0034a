"""Automatic persisted queries (Apollo's protocol) over POST and GET, shared through Redis, and trusted
documents (`GATEWAY_PERSISTED_DOCUMENTS`, `GATEWAY_PERSISTED_ONLY`)."""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

import orjson
import pytest
from pydantic import ValidationError

from gateway.edge.persisted_queries import PersistedQueries, sha256_hex
from gateway.query_limits import guard
from gateway.settings import Settings
from gateway.upstream.redis_link import RedisLink, open_redis
from tests.gateway.upstream.test_redis import RedisServer, redis_server  # noqa: F401 (a fixture)
from tests.harness import Gateway, Sandbox, running_gateway, settings_for

QUERY = "query Providers { providers { provider enabled } }"
HASH = sha256_hex(QUERY)
NEW = "application/graphql-response+json"


def apq(sha: str = HASH) -> dict[str, Any]:
    return {"persistedQuery": {"version": 1, "sha256Hash": sha}}


async def post(gateway: Gateway, body: Any, accept: str = NEW) -> tuple[int, dict[str, Any], Any]:
    response = await gateway.http.post("/graphql", json=body, headers={"Accept": accept})
    return response.status_code, dict(response.headers), response.json()


NOT_FOUND = {
    "errors": [{"message": "PersistedQueryNotFound", "extensions": {"code": "PERSISTED_QUERY_NOT_FOUND"}}]
}


def not_found(body: dict[str, Any]) -> bool:
    """Apollo's answer; `data: null` too for application/json (legacy clients expect the key)."""
    return {key: value for key, value in body.items() if key != "data" or value is not None} == NOT_FOUND


@pytest.mark.parametrize("accept", [NEW, "application/json"])
async def test_the_apq_round_trip_over_post(gateway: Gateway, accept: str) -> None:
    status, headers, body = await post(gateway, {"extensions": apq()}, accept)
    # As Apollo Server answers it, so every persisted-query link resends the text.
    assert (status, not_found(body)) == (200, True)
    assert headers["cache-control"] == "private, no-cache, must-revalidate"
    status, _, registered = await post(gateway, {"query": QUERY, "extensions": apq()}, accept)
    assert status == 200
    assert registered["data"]["providers"]
    status, _, hit = await post(gateway, {"extensions": apq(), "operationName": "Providers"}, accept)
    assert (status, hit) == (200, registered)


async def test_the_apq_round_trip_over_get_never_gets_the_playground(gateway: Gateway) -> None:
    params = {"extensions": orjson.dumps(apq()).decode()}
    browserish = {"Accept": "text/html,application/xhtml+xml,*/*;q=0.8"}
    missing = await gateway.http.get("/graphql", params=params, headers=browserish)
    assert missing.headers["content-type"].startswith("application/json")
    assert not_found(missing.json())
    await post(gateway, {"query": QUERY, "extensions": apq()})
    hit = await gateway.http.get("/graphql", params=params, headers={"Accept": NEW})
    assert hit.status_code == 200
    assert hit.json()["data"]["providers"]


async def test_a_hit_costs_no_parse_and_no_validation(
    gateway: Gateway, monkeypatch: pytest.MonkeyPatch
) -> None:
    counted = {"parse": 0, "validate": 0}
    real_parse, real_validate = guard.parse, guard.validate_document  # type: ignore[attr-defined]

    def parse(*args: Any, **kwargs: Any) -> Any:
        counted["parse"] += 1
        return real_parse(*args, **kwargs)

    def validate(*args: Any, **kwargs: Any) -> Any:
        counted["validate"] += 1
        return real_validate(*args, **kwargs)

    monkeypatch.setattr(guard, "parse", parse)
    monkeypatch.setattr(guard, "validate_document", validate)
    await post(gateway, {"query": QUERY, "extensions": apq()})
    assert counted == {"parse": 1, "validate": 1}
    for _ in range(3):
        _, _, body = await post(gateway, {"extensions": apq()})
        assert body["data"]["providers"]
    assert counted == {"parse": 1, "validate": 1}


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"query": QUERY, "extensions": apq("0" * 64)}, "provided sha does not match query"),
        (
            {"extensions": {"persistedQuery": {"version": 2, "sha256Hash": HASH}}},
            "`extensions.persistedQuery.version` must be 1",
        ),
        ({"extensions": {"persistedQuery": {"version": 1}}}, "sha256Hash` is missing"),
    ],
    ids=["hash-mismatch", "version", "no-hash"],
)
async def test_malformed_persisted_queries_are_bad_requests(
    gateway: Gateway, body: dict[str, Any], message: str
) -> None:
    status, _, answer = await post(gateway, body)
    assert status == 400
    [error] = answer["errors"]
    assert error["extensions"] == {"code": "BAD_REQUEST"}
    assert message in error["message"]
    _, _, later = await post(gateway, {"extensions": apq()})
    assert not_found(later)  # nothing was registered


async def test_a_document_that_does_not_validate_is_not_registered(gateway: Gateway) -> None:
    invalid = "{ nope }"
    _, _, body = await post(gateway, {"query": invalid, "extensions": apq(sha256_hex(invalid))})
    assert body["errors"][0]["extensions"]["code"] == "GRAPHQL_VALIDATION_FAILED"
    _, _, later = await post(gateway, {"extensions": apq(sha256_hex(invalid))})
    assert not_found(later)


async def test_replicas_share_registrations_through_redis(
    sandbox: Sandbox,
    redis_server: RedisServer,  # noqa: F811 (the fixture)
) -> None:
    settings = settings_for(sandbox, gateway_redis_url=redis_server.url)
    async with running_gateway(settings) as first, running_gateway(settings) as second:
        await post(first, {"query": QUERY, "extensions": apq()})
        _, _, body = await post(second, {"extensions": apq()})
        assert body["data"]["providers"]
    # A value planted under a hash it does not match is never run.
    client = open_redis(redis_server.url)
    forged = "{ __typename }"
    await client.set(f"event-gateway:apq:{sha256_hex(QUERY + ' ')}", forged)
    await client.aclose()
    async with running_gateway(settings) as third:
        _, _, body = await post(third, {"extensions": apq(sha256_hex(QUERY + " "))})
    assert not_found(body)


async def test_without_redis_answering_registrations_stay_in_process() -> None:
    store = PersistedQueries()
    link = RedisLink(open_redis("redis://127.0.0.1:9/0"))  # nothing listens there
    await store.register(HASH, QUERY, link)
    assert (await store.resolve(None, apq(), link)).query == QUERY
    await link.client.aclose()


async def test_the_in_process_store_is_bounded() -> None:
    store = PersistedQueries(max_entries=2)
    texts = [f"{{ a{n}: __typename }}" for n in range(3)]
    for text in texts:
        await store.register(sha256_hex(text), text, None)
    assert (await store.resolve(None, apq(sha256_hex(texts[2])), None)).query == texts[2]
    with pytest.raises(Exception, match="PersistedQueryNotFound"):
        await store.resolve(None, apq(sha256_hex(texts[0])), None)


# --- trusted documents ----------------------------------------------------------------------------------

TRUSTED = "query Trusted { providers { provider } }"
RELAY_ID = hashlib.md5(TRUSTED.encode()).hexdigest()  # noqa: S324 (Relay's default document id)


def documents(tmp_path: Path, content: Any) -> str:
    path = tmp_path / "persisted.json"
    path.write_bytes(orjson.dumps(content))
    return str(path)


@pytest.mark.parametrize("only", [False, True], ids=["with-free-queries", "persisted-only"])
async def test_trusted_documents_by_relays_doc_id_and_document_id(
    sandbox: Sandbox, tmp_path: Path, only: bool
) -> None:
    path = documents(tmp_path, {RELAY_ID: TRUSTED})
    settings = settings_for(sandbox, gateway_persisted_documents=path, gateway_persisted_only=only)
    async with running_gateway(settings) as gateway:
        _, _, by_doc_id = await post(gateway, {"doc_id": RELAY_ID, "variables": {}})
        by_get = await gateway.http.get("/graphql", params={"documentId": RELAY_ID}, headers={"Accept": NEW})
        _, _, unknown = await post(gateway, {"documentId": "f" * 32})
        _, _, as_text = await post(gateway, {"query": TRUSTED})
        status, _, free = await post(gateway, {"query": QUERY})
        _, _, register = await post(gateway, {"query": QUERY, "extensions": apq()})
    assert by_doc_id["data"]["providers"]
    assert by_get.json() == by_doc_id
    assert not_found(unknown)
    assert as_text == by_doc_id
    if only:
        assert status == 400
        assert free["errors"][0]["extensions"] == {"code": "PERSISTED_QUERY_NOT_ALLOWED"}
        assert register["errors"][0]["extensions"] == {"code": "PERSISTED_QUERY_NOT_ALLOWED"}
    else:
        assert free["data"]["providers"]
        assert register["data"]["providers"]


async def test_trusted_documents_by_sha256_and_from_apollos_manifest(
    sandbox: Sandbox, tmp_path: Path
) -> None:
    manifest = {
        "format": "apollo-persisted-query-manifest",
        "version": 1,
        "operations": [{"id": sha256_hex(TRUSTED), "name": "Trusted", "type": "query", "body": TRUSTED}],
    }
    settings = settings_for(
        sandbox, gateway_persisted_documents=documents(tmp_path, manifest), gateway_persisted_only=True
    )
    async with running_gateway(settings) as gateway:
        _, _, by_hash = await post(gateway, {"extensions": apq(sha256_hex(TRUSTED))})
        _, _, prefixed = await post(gateway, {"documentId": f"sha256:{sha256_hex(TRUSTED)}"})
    assert by_hash["data"]["providers"]
    assert prefixed == by_hash


def test_persisted_only_without_documents_is_refused_at_startup() -> None:
    with pytest.raises(ValidationError, match="GATEWAY_PERSISTED_DOCUMENTS"):
        Settings.from_values({"gateway_persisted_only": True})


async def test_an_unreadable_documents_file_stops_the_start(sandbox: Sandbox, tmp_path: Path) -> None:
    bad = documents(tmp_path, ["not", "an", "object"])
    with pytest.raises(ValueError, match="GATEWAY_PERSISTED_DOCUMENTS"):
        async with running_gateway(settings_for(sandbox, gateway_persisted_documents=bad)):
            pass
