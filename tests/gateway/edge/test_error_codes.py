"""Every GraphQL error carries a contract `extensions.code`, whatever stage found it; values the caller
sent that a scalar cannot read, and nulls where only a value or nothing is allowed, name the field."""

from __future__ import annotations

from typing import Any

import pytest
from graphql import GraphQLInputObjectType
from strawberry.types.base import StrawberryMaybe, StrawberryOptional

from gateway.app import build_schema
from gateway.errors import ErrorCode
from gateway.ids import encode_id
from gateway.sandbox import strigo as strigo_emulator
from tests.harness import Gateway, Sandbox, running_gateway, settings_for

CODES = {code.value for code in ErrorCode}
KONA_RANGE = (
    'konaCalendarEvents(dateRangeStart: START, dateRangeEnd: "2024-03-31T00:00:00Z") { nodes { id } }'
)
UPDATE = """mutation($id: ID!, $input: UpdateStrigoEventInput!) {
  updateStrigoEvent(id: $id, input: $input) { event { id } userErrors { field message code } } }"""
STRIGO_ID = encode_id("strigo", strigo_emulator.EVENT_IDS[-1])


def _coded(body: dict[str, Any]) -> list[dict[str, Any]]:
    errors: list[dict[str, Any]] = body["errors"]
    assert errors
    for error in errors:
        assert error["extensions"]["code"] in CODES, error
    return errors


@pytest.mark.parametrize(
    ("document", "variables", "code", "words"),
    [
        ("{ events { edges { cursor }", {}, "GRAPHQL_PARSE_FAILED", "Syntax Error"),
        ("{ nope }", {}, "GRAPHQL_VALIDATION_FAILED", "nope"),
        ("{ " + KONA_RANGE.replace("START", '"x"') + " }", {}, "GRAPHQL_VALIDATION_FAILED", "DateTime"),
        (
            "{ " + KONA_RANGE.replace("START", '"2024-03-01T00:00:00"') + " }",
            {},
            "GRAPHQL_VALIDATION_FAILED",
            "no UTC offset",
        ),
        (
            "query($s: DateTime) { " + KONA_RANGE.replace("START", "$s") + " }",
            {"s": "x"},
            "BAD_USER_INPUT",
            "DateTime",
        ),
        (
            '{ schoologyEvents(realm: {kind: SECTION, providerId: "1"}, startDate: "2024-1-1", '
            'endDate: "2024-01-02") { nodes { id } } }',
            {},
            "GRAPHQL_VALIDATION_FAILED",
            "YYYY-MM-DD",
        ),
        ("query($n: Int!) { events(first: $n) { nodes { id } } }", {}, "BAD_USER_INPUT", "$n"),
        ("query($n: Int!) { events(first: $n) { nodes { id } } }", {"n": "ten"}, "BAD_USER_INPUT", "$n"),
        ("{ events(first: 0) { nodes { id } } }", {}, "BAD_USER_INPUT", "between 1 and 200"),
        ('{ node(id: "nope") { id } }', {}, "BAD_USER_INPUT", "not a valid id"),
    ],
    ids=[
        "parse",
        "validation",
        "datetime-literal",
        "datetime-without-offset",
        "datetime-variable",
        "date-literal",
        "missing-variable",
        "variable-type",
        "resolver",
        "malformed-id",
    ],
)
async def test_every_stage_codes_its_errors(
    gateway: Gateway, document: str, variables: dict[str, Any], code: str, words: str
) -> None:
    errors = _coded(await gateway.query(document, variables))
    assert errors[0]["extensions"]["code"] == code
    assert words in errors[0]["message"]
    assert "Internal server error" not in errors[0]["message"]


async def test_a_scalar_error_in_a_literal_points_at_the_value(gateway: Gateway) -> None:
    [error] = _coded(await gateway.query("{\n  " + KONA_RANGE.replace("START", '"x"') + "\n}"))
    assert error["locations"] == [{"line": 2, "column": 38}]


@pytest.mark.parametrize("how", ["literal", "variable"])
async def test_a_null_where_a_field_may_only_be_omitted_names_the_field(
    gateway: Gateway, sandbox: Sandbox, how: str
) -> None:
    if how == "literal":
        document = UPDATE.replace("$input: UpdateStrigoEventInput!", "").replace(
            "input: $input", 'input: { name: "x", availability: null }'
        )
        body = await gateway.query(document, {"id": STRIGO_ID})
    else:
        body = await gateway.query(UPDATE, {"id": STRIGO_ID, "input": {"name": "x", "availability": None}})
    [error] = _coded(body)
    assert error["message"] == "`input.availability` cannot be null: omit it to leave it unchanged"
    assert error["extensions"] == {"code": "BAD_USER_INPUT", "field": ["input", "availability"]}
    assert body["data"] is None
    assert sandbox.calls("strigo") == []


async def test_a_null_inside_a_list_of_inputs_and_a_null_that_is_allowed(
    gateway: Gateway, sandbox: Sandbox
) -> None:
    allowed = await gateway.query(UPDATE, {"id": STRIGO_ID, "input": {"description": None}})
    assert "errors" not in allowed or all(
        e["extensions"]["code"] != "BAD_USER_INPUT" for e in allowed["errors"]
    )
    document = """mutation($id: ID!, $name: [TranslationInput!]) {
      updatePretixEvent(id: $id, input: { name: $name }) { userErrors { field } } }"""
    body = await gateway.query(document, {"id": encode_id("pretix", "demo-conf", "conf-01"), "name": None})
    [error] = _coded(body)
    assert error["extensions"]["field"] == ["input", "name"]
    assert sandbox.calls("pretix") == []


async def test_a_provider_failure_is_reported_at_the_fields_alias(sandbox: Sandbox) -> None:
    async with running_gateway(settings_for(sandbox, gateway_retries=0)) as gateway:
        sandbox.fault("strigo", error_rate=1.0, status=503)
        body = await gateway.query(
            '{ upcoming: events(first: 5, filter: {startsAfter: "2024-01-01T00:00:00Z"}) { nodes { id } } }'
        )
    [error] = _coded(body)
    assert error["path"] == ["upcoming"]
    assert (error["extensions"]["code"], error["extensions"]["provider"]) == ("UPSTREAM_ERROR", "STRIGO")
    assert body["data"]["upcoming"]["nodes"]


async def test_a_hidden_pretix_organizer_is_reported_at_the_fields_alias(sandbox: Sandbox) -> None:
    settings = settings_for(sandbox, pretix_organizers="demo-conf,no-such-organizer")
    async with running_gateway(settings) as gateway:
        body = await gateway.query(
            '{ mine: events(first: 5, filter: {providers: [PRETIX], startsAfter: "2024-01-01T00:00:00Z"}) '
            "{ nodes { id } } }"
        )
    [error] = _coded(body)
    assert (error["path"], error["extensions"]["provider"]) == (["mine"], "PRETIX")


SCHOOLOGY_CREATE = """mutation($input: CreateSchoologyEventInput!) {
  createSchoologyEvent(realm: {kind: SECTION, providerId: "3719526"}, input: $input) {
    event { id } userErrors { field message } } }"""
KONA_CREATE_IN_FRAGMENT = """mutation { ...create }
fragment create on Mutation { ... on Mutation { createKonaCalendarEvent(input: {name: "x", allDay: true,
  startDate: "2026-01-01", endDate: "9999-12-31"}) { event { id } } } }"""
PAST_THE_END = "9999-12-31T23:59:59-14:00"  # a valid RFC 3339 string, but year 10000 in UTC


@pytest.mark.parametrize(
    ("document", "variables", "field"),
    [
        (
            SCHOOLOGY_CREATE.replace("($input: CreateSchoologyEventInput!)", "").replace(
                "input: $input", f'input: {{title: "x", start: "{PAST_THE_END}"}}'
            ),
            {},
            ["input", "start"],
        ),
        (
            SCHOOLOGY_CREATE.replace("$input: CreateSchoologyEventInput!", "$start: DateTime").replace(
                "input: $input", 'input: {title: "x", start: $start}'
            ),
            {"start": "0001-01-01T00:00:00+14:00"},
            ["input", "start"],
        ),
        (SCHOOLOGY_CREATE, {"input": {"title": "x", "start": "0001-01-01T00:00:00Z"}}, ["input", "start"]),
        (
            SCHOOLOGY_CREATE,
            {"input": {"title": "x", "allDay": True, "startDate": "2026-01-01", "endDate": "9999-12-31"}},
            ["input", "endDate"],
        ),
    ],
    ids=["literal", "variable", "nested-variable", "date"],
)
async def test_a_write_of_a_time_past_the_calendars_ends_is_the_callers_mistake(
    gateway: Gateway, sandbox: Sandbox, document: str, variables: dict[str, Any], field: list[str]
) -> None:
    # Turned into Schoology's zone, such a value overflowed `datetime` in the resolver: the caller's
    # typo came back INTERNAL_SERVER_ERROR (Kona's all-day days, pretix and the emulators too).
    body = await gateway.query(document, variables)
    [error] = _coded(body)
    assert error["extensions"] == {"code": "BAD_USER_INPUT", "field": field}
    assert error["message"].startswith(f"`{'.'.join(field)}` is out of range")
    assert "between 0001-01-02 and 9999-12-30" in error["message"]
    assert body["data"] is None
    assert sandbox.calls("schoology") == []


async def test_every_write_argument_is_checked_and_a_filter_may_still_say_forever(
    gateway: Gateway, sandbox: Sandbox
) -> None:
    # A root field inside fragments is seen too.
    [error] = _coded(await gateway.query(KONA_CREATE_IN_FRAGMENT))
    assert error["extensions"]["field"] == ["input", "endDate"]
    assert sandbox.calls("kona") == []
    # Reads clamp such values ("from the beginning of time"): only writes refuse them.
    read = await gateway.query(
        "query($s: DateTime) { events(first: 1, filter: {startsBefore: $s}) { nodes { id } } }",
        {"s": PAST_THE_END},
    )
    assert "errors" not in read, read["errors"]


def _fields_that_may_only_be_omitted() -> list[tuple[str, str]]:
    """(input type, field) of every `Maybe[T]` field without `None` in T, across every provider."""
    schema = build_schema()
    found = []
    for name, type_ in schema._schema.type_map.items():
        definition = type_.extensions.get("strawberry-definition") if hasattr(type_, "extensions") else None
        if isinstance(type_, GraphQLInputObjectType) and definition is not None:
            for field in definition.fields:
                if isinstance(field.type, StrawberryMaybe) and not isinstance(
                    field.type.of_type, StrawberryOptional
                ):
                    found.append((name, schema.config.name_converter.from_field(field)))
    return found


UPDATES = {
    "UpdateStrigoEventInput": ("updateStrigoEvent", STRIGO_ID, "strigo"),
    "UpdateSchoologyEventInput": (
        "updateSchoologyEvent", encode_id("schoology", "sections", "3719526", "5615000"), "schoology",
    ),
    "UpdateKonaCalendarEventInput": ("updateKonaCalendarEvent", encode_id("kona", "1061"), "kona"),
    "UpdatePretixEventInput": ("updatePretixEvent", encode_id("pretix", "demo-conf", "conf-01"), "pretix"),
}  # fmt: skip


async def test_every_field_that_may_only_be_omitted_refuses_null_in_the_same_words(
    gateway: Gateway, sandbox: Sandbox
) -> None:
    # A guard over the whole schema: a new `Maybe` field of any provider gets the same answer.
    fields = _fields_that_may_only_be_omitted()
    assert {input_type for input_type, _ in fields} == set(UPDATES)
    assert len(fields) > 40
    for input_type, field in fields:
        mutation, event_id, provider = UPDATES[input_type]
        call = f'{mutation}(id: "{event_id}", input: INPUT) {{ userErrors {{ code }} }}'
        literal = f"mutation {{ {call.replace('INPUT', f'{{{field}: null}}')} }}"
        variable = f"mutation($i: {input_type}!) {{ {call.replace('INPUT', '$i')} }}"
        for document, variables in ((literal, {}), (variable, {"i": {field: None}})):
            [error] = _coded(await gateway.query(document, variables))
            assert error["message"] == f"`input.{field}` cannot be null: omit it to leave it unchanged"
            assert error["extensions"] == {"code": "BAD_USER_INPUT", "field": ["input", field]}
        assert sandbox.calls(provider) == []
