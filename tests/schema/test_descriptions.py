"""Every type, field, argument and enum value of the schema is described: the descriptions are the
API's documentation (the CI lint of issue 12; graphql-schema-linter checks the SDL as well)."""

from __future__ import annotations

from typing import Any

import pytest
from graphql import get_introspection_query, graphql_sync

from gateway.app import build_schema


def _introspected() -> dict[str, Any]:
    schema = build_schema()._schema
    result = graphql_sync(schema, get_introspection_query(descriptions=True, input_value_deprecation=True))
    assert result.errors is None, result.errors
    data: dict[str, Any] = result.data or {}
    introspected: dict[str, Any] = data["__schema"]
    return introspected


def missing_descriptions(schema: dict[str, Any]) -> list[str]:
    """`Type`, `Type.field`, `Type.field(argument)`, `Enum.VALUE` and `Input.field` without a description."""
    missing: list[str] = []

    def check(where: str, described: dict[str, Any]) -> None:
        if not (described.get("description") or "").strip():
            missing.append(where)

    for kind in schema["types"]:
        name = kind["name"]
        if name.startswith("__"):
            continue
        check(name, kind)
        for field in kind.get("fields") or ():
            check(f"{name}.{field['name']}", field)
            for argument in field.get("args") or ():
                check(f"{name}.{field['name']}({argument['name']})", argument)
        for field in kind.get("inputFields") or ():
            check(f"{name}.{field['name']}", field)
        for value in kind.get("enumValues") or ():
            check(f"{name}.{value['name']}", value)
    return missing


def test_everything_in_the_schema_is_described() -> None:
    missing = missing_descriptions(_introspected())
    assert not missing, f"{len(missing)} without a description:\n" + "\n".join(missing)


def test_the_lint_finds_what_is_missing() -> None:
    field: dict[str, Any] = {"name": "f", "description": None, "args": []}
    schema = {"types": [{"name": "T", "description": "", "fields": [field]}]}
    assert missing_descriptions(schema) == ["T", "T.f"]


@pytest.mark.parametrize("name", ["Date", "DateTime", "JSON", "Query", "Mutation"])
def test_the_roots_and_scalars_say_what_they_are(name: str) -> None:
    kind = next(t for t in _introspected()["types"] if t["name"] == name)
    assert len(kind["description"]) > 30
    assert kind["description"] != "Date (isoformat)"


def test_the_events_page_size_is_stated() -> None:
    query = next(t for t in _introspected()["types"] if t["name"] == "Query")
    events = next(f for f in query["fields"] if f["name"] == "events")
    first = next(a for a in events["args"] if a["name"] == "first")
    assert "1" in first["description"]
    assert "200" in first["description"]
