"""pretix writes via the emulator: bodies, idempotency keys, checks before sending, 403 probes, retries."""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from gateway.errors import InvalidInput
from gateway.ids import encode_id
from gateway.providers.pretix import read_error
from gateway.sandbox import pretix as emulator
from gateway.upstream.replies import Reply
from tests.harness import Gateway, Sandbox, running_gateway, settings_for

PAYLOAD = "event { id slug title localizedName { text } } userErrors { field message code }"
CREATE = f"""mutation($organizer: String!, $input: CreatePretixEventInput!) {{
  createPretixEvent(organizer: $organizer, input: $input) {{ {PAYLOAD} }}
}}"""
UPDATE = f"""mutation($id: ID!, $input: UpdatePretixEventInput!) {{
  updatePretixEvent(id: $id, input: $input) {{ {PAYLOAD} }}
}}"""
DELETE = "mutation($id: ID!) { deletePretixEvent(id: $id) { deletedId userErrors { field message code } } }"
CLONE = f"""mutation($id: ID!, $input: CreatePretixEventInput!) {{
  clonePretixEvent(id: $id, input: $input) {{ {PAYLOAD} }}
}}"""
EVENT = "/api/v1/organizers/demo-conf/events/conf-01/"


def gid(slug: str, organizer: str = "demo-conf") -> str:
    return encode_id("pretix", organizer, slug)


def new_event(**overrides: Any) -> dict[str, Any]:
    values: dict[str, Any] = {
        "name": [{"locale": "en", "text": "Gateway Days"}, {"locale": "de", "text": "Gateway-Tage"}],
        "slug": "gateway-days",
        "dateFrom": "2027-05-01T09:00:00+02:00",
    }
    return values | overrides


def calls(sandbox: Sandbox) -> list[tuple[str, str]]:
    return [(call.method, call.path) for call in sandbox.calls("pretix")]


async def test_create_posts_pretixs_body_with_an_idempotency_key(gateway: Gateway, sandbox: Sandbox) -> None:
    input = new_event(
        dateTo="2027-05-02T18:00:00+02:00",
        location=[{"locale": "en", "text": "Hamburg"}],
        isPublic=False,
        metaData={"Track": "Tech"},
        timezone="Europe/Berlin",
        limitSalesChannels=["web"],
        allSalesChannels=False,
    )
    payload = (await gateway.data(CREATE, {"organizer": "demo-conf", "input": input}))["createPretixEvent"]
    assert payload["userErrors"] == []
    assert (payload["event"]["slug"], payload["event"]["title"]) == ("gateway-days", "Gateway Days")
    [call] = sandbox.calls("pretix")
    assert (call.method, call.path) == ("POST", "/api/v1/organizers/demo-conf/events/")
    assert call.headers["Content-Type"] == "application/json"
    assert uuid.UUID(call.headers["X-Idempotency-Key"]).version == 4
    assert call.body == {
        "name": {"en": "Gateway Days", "de": "Gateway-Tage"},
        "slug": "gateway-days",
        "date_from": "2027-05-01T09:00:00+02:00",
        "date_to": "2027-05-02T18:00:00+02:00",
        "is_public": False,
        "location": {"en": "Hamburg"},
        "meta_data": {"Track": "Tech"},
        "timezone": "Europe/Berlin",
        "all_sales_channels": False,
        "limit_sales_channels": ["web"],
    }


async def test_every_invalid_field_is_reported_before_sending(gateway: Gateway, sandbox: Sandbox) -> None:
    bad = new_event(
        name=[{"locale": "en", "text": " "}, {"locale": "EN", "text": "Twice"}, {"locale": "e", "text": "x"}],
        slug="-bad_slug",
        live=True,
        dateTo="2027-05-01T08:00:00+02:00",
        presaleStart="2027-04-01T00:00:00Z",
        presaleEnd="2027-03-01T00:00:00Z",
        currency="euro",
        geoLat=91.0,
        timezone="Mars/Olympus",
        metaData={"Track": 3},
    )
    payload = (await gateway.data(CREATE, {"organizer": "demo-conf", "input": bad}))["createPretixEvent"]
    fields = {tuple(error["field"]) for error in payload["userErrors"]}
    assert fields == {
        ("input", name)
        for name in (
            "name", "slug", "live", "dateTo", "presaleEnd", "currency", "geoLat", "timezone", "metaData",
        )
    }  # fmt: skip
    assert {error["code"] for error in payload["userErrors"]} == {"BAD_USER_INPUT"}
    assert len([error for error in payload["userErrors"] if error["field"] == ["input", "name"]]) == 3
    assert sandbox.calls("pretix") == []


async def test_update_patches_only_the_given_fields(gateway: Gateway, sandbox: Sandbox) -> None:
    changes = {"name": [{"locale": "en", "text": "Renamed"}], "dateTo": None, "slug": "conf-01"}
    payload = (await gateway.data(UPDATE, {"id": gid("conf-01"), "input": changes}))["updatePretixEvent"]
    assert payload["userErrors"] == []
    assert payload["event"]["localizedName"]["text"] == "Renamed"
    [call] = sandbox.calls("pretix")
    assert (call.method, call.path) == ("PATCH", EVENT)
    assert call.body == {"name": {"en": "Renamed"}, "date_to": None}  # the unchanged slug is not sent
    assert "X-Idempotency-Key" in call.headers


async def test_changing_the_slug_is_refused_before_sending(gateway: Gateway, sandbox: Sandbox) -> None:
    payload = (await gateway.data(UPDATE, {"id": gid("conf-01"), "input": {"slug": "other"}}))[
        "updatePretixEvent"
    ]
    [error] = payload["userErrors"]
    assert (error["code"], error["field"]) == ("BAD_USER_INPUT", ["input", "slug"])
    assert sandbox.calls("pretix") == []


async def test_has_subevents_is_checked_against_the_event(gateway: Gateway, sandbox: Sandbox) -> None:
    same = await gateway.data(
        UPDATE, {"id": gid("conf-20"), "input": {"hasSubevents": True, "testmode": True}}
    )
    assert same["updatePretixEvent"]["userErrors"] == []
    assert calls(sandbox) == [("GET", "/api/v1/organizers/demo-conf/events/conf-20/")] * 1 + [
        ("PATCH", "/api/v1/organizers/demo-conf/events/conf-20/")
    ]
    assert sandbox.calls("pretix")[1].body == {"testmode": True}
    sandbox.log.clear()
    other = await gateway.data(UPDATE, {"id": gid("conf-01"), "input": {"hasSubevents": True}})
    [error] = other["updatePretixEvent"]["userErrors"]
    assert (error["code"], error["field"]) == ("BAD_USER_INPUT", ["input", "hasSubevents"])
    assert calls(sandbox) == [("GET", EVENT)]


async def test_an_empty_update_is_refused(gateway: Gateway, sandbox: Sandbox) -> None:
    payload = (await gateway.data(UPDATE, {"id": gid("conf-01"), "input": {}}))["updatePretixEvent"]
    assert [(error["field"], error["code"]) for error in payload["userErrors"]] == [
        (["input"], "BAD_USER_INPUT")
    ]
    assert sandbox.calls("pretix") == []


async def test_pretix_field_errors_become_one_user_error_each(gateway: Gateway, sandbox: Sandbox) -> None:
    input = new_event(slug="conf-01", plugins=["no.such.plugin"], dateTo="2027-05-01T09:00:00+02:00")
    payload = (await gateway.data(CREATE, {"organizer": "demo-conf", "input": input}))["createPretixEvent"]
    assert [(error["field"], error["message"]) for error in payload["userErrors"]] == [
        (["input", "slug"], "This slug has already been used for a different event."),
        (["input", "plugins"], "Unknown plugin: 'no.such.plugin'."),
    ]


async def test_dates_are_compared_only_when_both_are_sent(gateway: Gateway, sandbox: Sandbox) -> None:
    # pretix itself compares only the dates in the request, so a lone dateTo is left to it.
    changes = {"dateTo": "2020-01-01T00:00:00Z"}
    ok = await gateway.data(UPDATE, {"id": gid("conf-01"), "input": changes})
    assert ok["updatePretixEvent"]["userErrors"] == []
    assert calls(sandbox) == [("PATCH", EVENT)]


@pytest.mark.parametrize(
    ("status", "body", "expected"),
    [
        (400, {"non_field_errors": ["The event cannot end before it starts."]}, [("BAD_USER_INPUT", None)]),
        (
            400,
            {"slug": ["a", "b"], "non_field_errors": ["c"]},
            [("BAD_USER_INPUT", ("slug",)), ("BAD_USER_INPUT", None)],
        ),
        (400, {"detail": "JSON parse error - Expected object or value"}, [("BAD_USER_INPUT", None)]),
        (400, ["Event to copy from was not found"], [("BAD_USER_INPUT", None)]),
        (401, {"detail": "Invalid token."}, [("UPSTREAM_UNAUTHORIZED", None)]),
        (404, {"detail": "Invalid page."}, [("NOT_FOUND", None)]),
        (
            409,
            {"detail": "The server was too busy to process your request. Please try again."},
            [("UPSTREAM_RATE_LIMITED", None)],
        ),
    ],
)
def test_pretix_error_bodies_are_read(status: int, body: Any, expected: list[tuple[str, Any]]) -> None:
    error = read_error(Reply(status, {}, body, "http://pretix.test/api/v1/"), "POST")
    assert error is not None
    problems = error.problems if isinstance(error, InvalidInput) else [error]
    # pretix names its own keys: the resolvers point them at the GraphQL input (see `userErrors` above).
    assert [(problem.code, problem.upstream_field) for problem in problems] == expected


async def test_a_refused_write_costs_one_probe_and_a_delete_with_orders_none(sandbox: Sandbox) -> None:
    async with running_gateway(settings_for(sandbox, pretix_token=emulator.READ_ONLY_TOKEN)) as read_only:
        forbidden = await read_only.data(UPDATE, {"id": gid("conf-01"), "input": {"testmode": True}})
        assert calls(sandbox) == [("PATCH", EVENT), ("GET", EVENT)]
        sandbox.log.clear()
        missing = await read_only.data(DELETE, {"id": gid("gone")})
        assert [call[0] for call in calls(sandbox)] == ["DELETE", "GET"]
    [error] = forbidden["updatePretixEvent"]["userErrors"]
    assert error["code"] == "FORBIDDEN"
    assert [(e["code"], e["field"]) for e in missing["deletePretixEvent"]["userErrors"]] == [
        ("NOT_FOUND", ["id"])
    ]
    sandbox.log.clear()
    async with running_gateway(settings_for(sandbox)) as gateway:
        refused = await gateway.data(DELETE, {"id": gid("conf-10")})
    assert [e["code"] for e in refused["deletePretixEvent"]["userErrors"]] == ["CONFLICT"]
    assert calls(sandbox) == [("DELETE", "/api/v1/organizers/demo-conf/events/conf-10/")]


async def test_a_busy_pretix_is_retried_with_the_same_key(gateway: Gateway, sandbox: Sandbox) -> None:
    sandbox.fault("pretix", status=409, error_rate=1.0)
    body = await gateway.query(DELETE, {"id": gid("conf-01")})
    assert body["errors"][0]["extensions"] == {"code": "UPSTREAM_RATE_LIMITED", "provider": "PRETIX"}
    attempts = sandbox.calls("pretix")
    assert [call.method for call in attempts] == ["DELETE"] * 3
    assert len({call.headers["X-Idempotency-Key"] for call in attempts}) == 1
    sandbox.log.faults.clear()
    sandbox.log.clear()
    await gateway.data(DELETE, {"id": gid("conf-02")})
    await gateway.data(DELETE, {"id": gid("conf-03")})
    assert len({call.headers["X-Idempotency-Key"] for call in sandbox.calls("pretix")}) == 2


async def test_clone_posts_to_the_source_event(gateway: Gateway, sandbox: Sandbox) -> None:
    payload = (await gateway.data(CLONE, {"id": gid("conf-01"), "input": new_event()}))["clonePretixEvent"]
    assert payload["userErrors"] == []
    assert payload["event"]["id"] == gid("gateway-days")
    assert calls(sandbox) == [("POST", f"{EVENT}clone/")]


async def test_ids_of_other_providers_are_refused(gateway: Gateway, sandbox: Sandbox) -> None:
    data = await gateway.data(DELETE, {"id": encode_id("strigo", "abc")})
    [error] = data["deletePretixEvent"]["userErrors"]
    assert (error["code"], error["field"]) == ("BAD_USER_INPUT", ["id"])
    created = await gateway.data(CREATE, {"organizer": "x", "input": new_event()})
    assert [e["field"] for e in created["createPretixEvent"]["userErrors"]] == [["organizer"]]
    assert sandbox.calls("pretix") == []
