"""Apollo Federation v2 subgraph types (`_Any`, `_Service`) and the subgraph SDL a supergraph composes.

In subgraph mode (`GATEWAY_SUBGRAPH=true`) every `Node` type is an entity keyed by its global id:
`@key(fields: "id")`. The SDL is the plain schema's with those keys and the `@link` that imports
Federation's directives; the plain schema (`schema/schema.graphql`) never carries them.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import replace
from typing import Any, cast

import strawberry
from graphql import (
    ConstArgumentNode,
    ConstDirectiveNode,
    ConstListValueNode,
    DefinitionNode,
    DocumentNode,
    FieldDefinitionNode,
    NameNode,
    ObjectTypeDefinitionNode,
    SchemaExtensionNode,
    StringValueNode,
    TypeDefinitionNode,
    parse,
    print_ast,
)

#: The Federation version the SDL links (the directives it uses are all in v2.0; 2.3 is what Apollo
#: Router, Hive Gateway and Cosmo all compose).
FEDERATION_URL = "https://specs.apollo.dev/federation/v2.3"
#: What the subgraph adds to the schema it serves, and leaves out of the SDL it reports.
FEDERATION_TYPES = frozenset({"_Any", "_Service", "_Entity"})
FEDERATION_FIELDS = frozenset({"_service", "_entities"})
#: Value types other subgraphs may define too (every Relay connection has a PageInfo).
SHAREABLE = frozenset({"PageInfo"})


@strawberry.type(name="_Service", description="This subgraph, as Apollo Federation composition reads it.")
class Service:
    sdl: str = strawberry.field(
        description='The subgraph\'s schema: every `Node` type an entity with `@key(fields: "id")`.'
    )


def _directive(name: str, **arguments: str) -> ConstDirectiveNode:
    return ConstDirectiveNode(
        name=NameNode(value=name),
        arguments=tuple(
            ConstArgumentNode(name=NameNode(value=key), value=StringValueNode(value=value))
            for key, value in arguments.items()
        ),
    )


def _link() -> SchemaExtensionNode:
    imports = ConstListValueNode(values=(StringValueNode(value="@key"), StringValueNode(value="@shareable")))
    link = ConstDirectiveNode(
        name=NameNode(value="link"),
        arguments=(
            ConstArgumentNode(name=NameNode(value="url"), value=StringValueNode(value=FEDERATION_URL)),
            ConstArgumentNode(name=NameNode(value="import"), value=imports),
        ),
    )
    return SchemaExtensionNode(directives=(link,), operation_types=())


def _annotated(definition: Any, entities: Collection[str]) -> Any:
    if not isinstance(definition, ObjectTypeDefinitionNode):
        return definition
    name = definition.name.value
    fields = tuple(
        field
        for field in definition.fields or ()
        if not (isinstance(field, FieldDefinitionNode) and field.name.value in FEDERATION_FIELDS)
    )
    extra: tuple[ConstDirectiveNode, ...] = ()
    if name in entities:
        extra = (_directive("key", fields="id"),)
    elif name in SHAREABLE:
        extra = (_directive("shareable"),)
    return replace(definition, fields=fields, directives=(*(definition.directives or ()), *extra))


def subgraph_sdl(printed: str, entities: Collection[str]) -> str:
    """The subgraph SDL of a printed schema: `entities` keyed by `id`, Federation's additions left out."""
    document = parse(printed)
    definitions = [
        _annotated(definition, entities)
        for definition in document.definitions
        if not (isinstance(definition, TypeDefinitionNode) and definition.name.value in FEDERATION_TYPES)
    ]
    link = cast(DefinitionNode, _link())  # a schema extension is a definition; graphql-core's types miss it
    return print_ast(DocumentNode(definitions=(link, *definitions))) + "\n"
