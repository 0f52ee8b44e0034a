"""The schema follows the conventions Relay, Apollo and urql assume (CONTRACT §5): global ids on every
`id`, Relay-complete connections, and fields that merge across the types of one interface."""

from __future__ import annotations

import itertools

import pytest
from graphql import (
    GraphQLField,
    GraphQLInputObjectType,
    GraphQLInterfaceType,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLOutputType,
    GraphQLSchema,
    is_leaf_type,
    parse,
    validate,
)

from gateway.app import build_schema

SCHEMA: GraphQLSchema = build_schema()._schema


def _object(name: str) -> GraphQLObjectType:
    kind = SCHEMA.type_map[name]
    assert isinstance(kind, GraphQLObjectType), name
    return kind


def _implementations(name: str) -> list[str]:
    interface = SCHEMA.type_map[name]
    assert isinstance(interface, GraphQLInterfaceType)
    return sorted(kind.name for kind in SCHEMA.get_implementations(interface).objects)


def _named_types() -> list[str]:
    return sorted(name for name in SCHEMA.type_map if not name.startswith("__"))


EVENT_TYPES = _implementations("Event")


#: Types whose `id` is another object's global id, as the contract names it. `EventChange.id` is the
#: id of the event that changed (CONTRACT §8), still given when the event is gone (DELETED).
IDS_OF_ANOTHER_NODE = {"EventChange"}


def test_every_id_field_is_a_global_id_of_a_node() -> None:
    node = SCHEMA.type_map["Node"]
    for name in _named_types():
        kind = SCHEMA.type_map[name]
        fields = getattr(kind, "fields", None)
        if not fields or "id" not in fields:
            continue
        assert str(fields["id"].type) == "ID!", f"{name}.id is {fields['id'].type}, not a global ID!"
        if isinstance(kind, GraphQLInputObjectType):
            pytest.fail(
                f"{name}.id: an input field named `id` must be a global id; name upstream keys `providerId`"
            )
        assert isinstance(kind, GraphQLObjectType | GraphQLInterfaceType)
        if name in IDS_OF_ANOTHER_NODE:
            continue
        assert kind is node or node in kind.interfaces, f"{name} has an id but does not implement Node"


def test_every_connection_has_relay_page_info() -> None:
    page_info = _object("PageInfo")
    assert {name: str(field.type) for name, field in page_info.fields.items()} == {
        "hasNextPage": "Boolean!",
        "hasPreviousPage": "Boolean!",
        "startCursor": "String",
        "endCursor": "String",
    }
    connections = [name for name in _named_types() if name.endswith("Connection")]
    assert len(connections) >= 4
    for name in connections:
        kind = _object(name)
        assert str(kind.fields["pageInfo"].type) == "PageInfo!", name
        assert str(kind.fields["edges"].type) == f"[{name.removesuffix('Connection')}Edge!]!", name


def _shape_conflict(a: GraphQLOutputType, b: GraphQLOutputType) -> bool:
    """graphql-core's "same response shape" for two fields of different object types."""
    while True:
        if isinstance(a, GraphQLNonNull) != isinstance(b, GraphQLNonNull):
            return True
        if isinstance(a, GraphQLNonNull) and isinstance(b, GraphQLNonNull):
            a, b = a.of_type, b.of_type
            continue
        if isinstance(a, GraphQLList) != isinstance(b, GraphQLList):
            return True
        if isinstance(a, GraphQLList) and isinstance(b, GraphQLList):
            a, b = a.of_type, b.of_type
            continue
        break
    if is_leaf_type(a) or is_leaf_type(b):
        return a is not b
    return False  # two composite types merge field by field, checked where they are selected


def _implementation_pairs() -> list[tuple[str, str, str]]:
    pairs: list[tuple[str, str, str]] = []
    for name in _named_types():
        if isinstance(SCHEMA.type_map[name], GraphQLInterfaceType):
            pairs.extend((name, a, b) for a, b in itertools.combinations(_implementations(name), 2))
    return sorted(set(pairs))


@pytest.mark.parametrize(("interface", "first", "second"), _implementation_pairs())
def test_two_types_of_one_interface_never_share_a_field_name_with_different_types(
    interface: str, first: str, second: str
) -> None:
    a, b = SCHEMA.type_map[first], SCHEMA.type_map[second]
    assert isinstance(a, GraphQLObjectType)
    assert isinstance(b, GraphQLObjectType)
    shared = sorted(set(a.fields) & set(b.fields))
    fields: dict[str, tuple[GraphQLField, GraphQLField]] = {
        name: (a.fields[name], b.fields[name]) for name in shared
    }
    conflicts = [
        f"{name}: {first} {x.type} vs {second} {y.type}"
        for name, (x, y) in fields.items()
        if _shape_conflict(x.type, y.type)
    ]
    assert not conflicts, conflicts


@pytest.mark.parametrize(("first", "second"), list(itertools.combinations(EVENT_TYPES, 2)))
def test_status_name_and_location_of_two_event_types_select_together_without_aliases(
    first: str, second: str
) -> None:
    def fragment(kind: str) -> str:
        fields = _object(kind).fields
        wanted = [name for name in ("status", "name", "location") if name in fields]
        return f"... on {kind} {{ {' '.join(wanted)} }}"

    query = f"{{ events {{ nodes {{ status location {fragment(first)} {fragment(second)} }} }} }}"
    assert validate(SCHEMA, parse(query)) == []


def test_every_event_type_has_a_normalised_status_and_location() -> None:
    for name in EVENT_TYPES:
        fields = _object(name).fields
        assert str(fields["status"].type) == "EventStatus!"
        assert str(fields["location"].type) == "String"
    status = SCHEMA.type_map["EventStatus"]
    assert list(status.values) == ["SCHEDULED", "LIVE", "ENDED", "CANCELLED", "DRAFT", "UNKNOWN"]  # type: ignore[attr-defined]


def test_user_error_codes_are_an_enum() -> None:
    assert str(_object("UserError").fields["code"].type) == "UserErrorCode!"
    codes = SCHEMA.type_map["UserErrorCode"]
    assert sorted(codes.values) == ["BAD_USER_INPUT", "CONFLICT", "FORBIDDEN", "NOT_FOUND"]  # type: ignore[attr-defined]
