"""Subgraph mode (`GATEWAY_SUBGRAPH=true`): Apollo Federation v2's `_service { sdl }` and `_entities`,
every `Node` type an entity keyed by `id`; the plain schema stays free of Federation."""

from __future__ import annotations

from collections import Counter
from typing import Any

import pytest
from graphql import ObjectTypeDefinitionNode, parse, print_ast
from strawberry.types.base import get_object_definition

from gateway.__main__ import main
from gateway.app import build_schema, export_sdl, export_subgraph_sdl
from gateway.ids import encode_id
from gateway.sandbox import strigo as strigo_emulator
from resolvers.registry import PROVIDERS
from tests.harness import Gateway, Sandbox, running_gateway, settings_for

ENTITIES = """query($representations: [_Any!]!) { _entities(representations: $representations) {
  __typename ... on Node { id } ... on StrigoEvent { name } ... on KonaSpace { name } } }"""


def node_types() -> set[str]:
    schema = build_schema()._schema
    return {kind.name for kind in schema.get_implementations(schema.type_map["Node"]).objects}  # type: ignore[arg-type]


def test_the_subgraph_sdl_keys_every_node_type_by_id(capsys: pytest.CaptureFixture[str]) -> None:
    main(["export-schema", "--subgraph"])
    sdl = capsys.readouterr().out
    assert sdl == export_subgraph_sdl()
    document = parse(sdl)
    assert print_ast(document.definitions[0]).startswith(
        'extend schema @link(url: "https://specs.apollo.dev/federation/v2.3", import: ["@key", "@shareable"])'
    )
    keyed = {
        definition.name.value
        for definition in document.definitions
        if isinstance(definition, ObjectTypeDefinitionNode)
        and any(print_ast(d) == '@key(fields: "id")' for d in definition.directives or ())
    }
    assert keyed == node_types()
    # Every type a provider registers is a Node (its events, spaces, users, classes, realms, series…).
    assert keyed == {get_object_definition(kind, strict=True).name for api in PROVIDERS for kind in api.types}
    for name in ("_service", "_entities", "_Service", "_Entity", "_Any"):
        assert name not in sdl


def test_the_plain_sdl_has_no_federation() -> None:
    plain = export_sdl()
    for word in ("@key", "@link", "@shareable", "_entities", "_service"):
        assert word not in plain


async def test_service_answers_the_subgraph_sdl(sandbox: Sandbox) -> None:
    async with running_gateway(settings_for(sandbox, gateway_subgraph=True)) as gateway:
        data = await gateway.data("{ _service { sdl } }")
    assert data["_service"]["sdl"] == export_subgraph_sdl()


async def test_without_subgraph_mode_there_is_no_service(gateway: Gateway) -> None:
    body = await gateway.query("{ _service { sdl } }")
    assert body["errors"][0]["extensions"]["code"] == "GRAPHQL_VALIDATION_FAILED"


async def test_entities_resolve_in_order_batched_per_provider(sandbox: Sandbox) -> None:
    strigo = [encode_id("strigo", event_id) for event_id in strigo_emulator.EVENT_IDS[:3]]
    representations: list[dict[str, Any]] = [
        {"__typename": "StrigoEvent", "id": strigo[0]},
        {"__typename": "KonaSpace", "id": encode_id("kona", 201, kind="space")},
        {"__typename": "StrigoEvent", "id": strigo[1]},
        {"__typename": "StrigoEvent", "id": strigo[2]},
    ]
    async with running_gateway(settings_for(sandbox, gateway_subgraph=True)) as gateway:
        data = await gateway.data(ENTITIES, {"representations": representations})
    found = data["_entities"]
    assert [(entity["__typename"], entity["id"]) for entity in found] == [
        (each["__typename"], each["id"]) for each in representations
    ]
    assert all(entity["name"] for entity in found)
    calls = Counter((call.provider, call.method) for call in sandbox.log.calls)
    assert calls == {("strigo", "GET"): 1, ("kona", "GET"): 1}  # three Strigo ids: one list call


@pytest.mark.parametrize(
    ("representation", "code"),
    [
        ({"__typename": "KonaSpace", "id": encode_id("strigo", strigo_emulator.EVENT_IDS[0])}, "NOT_FOUND"),
        ({"__typename": "Planet", "id": encode_id("kona", 201, kind="space")}, "BAD_USER_INPUT"),
        ({"__typename": "KonaSpace"}, "BAD_USER_INPUT"),
    ],
    ids=["another-types-id", "unknown-type", "no-id"],
)
async def test_an_entity_that_cannot_be_had_is_null_with_its_error(
    sandbox: Sandbox, representation: dict[str, Any], code: str
) -> None:
    good = {"__typename": "KonaSpace", "id": encode_id("kona", 202, kind="space")}
    async with running_gateway(settings_for(sandbox, gateway_subgraph=True)) as gateway:
        body = await gateway.query(ENTITIES, {"representations": [representation, good]})
    assert body["data"]["_entities"][0] is None
    assert body["data"]["_entities"][1]["id"] == good["id"]
    [error] = body["errors"]
    assert (error["path"], error["extensions"]["code"]) == (["_entities", 0], code)
