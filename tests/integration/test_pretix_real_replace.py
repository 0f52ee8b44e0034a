"""pretix's full-replace PUT and `?clone_from=`, held against the emulator and a real pretix alike."""

from __future__ import annotations

from tests.integration.conftest import PretixTarget
from tests.integration.pretix_queries import EVENT_FIELDS, NODE, create, new_event

REPLACE = f"""mutation($id: ID!, $input: ReplacePretixEventInput!) {{
  replacePretixEvent(id: $id, input: $input) {{
    event {{ {EVENT_FIELDS} }} userErrors {{ field message code }}
  }}
}}"""
CLONING = f"""mutation($organizer: String!, $input: CreatePretixEventInput!, $from: ID) {{
  createPretixEvent(organizer: $organizer, input: $input, cloneFrom: $from) {{
    event {{ {EVENT_FIELDS} }} userErrors {{ field message code }}
  }}
}}"""


async def test_replace_sets_what_it_gives_and_pretix_keeps_the_rest(pretix_target: PretixTarget) -> None:
    target = pretix_target
    slug = target.unique("replace")
    made = await create(
        target.gateway, target.organizer, slug, location=[{"locale": "en", "text": "Berlin"}], testmode=True
    )
    given = {
        "name": [{"locale": "en", "text": "Replaced"}],
        "dateFrom": "2031-04-01T09:00:00Z",
        "isPublic": False,
    }
    data = await target.gateway.data(REPLACE, {"id": made["id"], "input": given})
    payload = data["replacePretixEvent"]
    assert payload["userErrors"] == []
    event = payload["event"]
    assert (event["title"], event["dateFrom"], event["isPublic"], event["slug"]) == (
        "Replaced", "2031-04-01T09:00:00+00:00", False, slug,
    )  # fmt: skip
    assert (event["location"], event["testmode"]) == ("Berlin", True)  # left out: kept, as pretix's PUT does
    if target.calls is not None:
        [put] = [call for call in target.calls() if call.method == "PUT"]
        expected = {"slug": slug, "name": {"en": "Replaced"}, "date_from": "2031-04-01T09:00:00+00:00"}
        assert put.body == expected | {"is_public": False}
    missing = await target.gateway.data(REPLACE, {"id": target.id("no-such-event"), "input": given})
    errors = missing["replacePretixEvent"]["userErrors"]
    assert [(error["code"], error["field"]) for error in errors] == [("NOT_FOUND", ["id"])]


async def test_create_can_clone_from_any_visible_event(pretix_target: PretixTarget) -> None:
    target = pretix_target
    source = (await target.gateway.data(NODE, {"id": target.id(target.event)}))["node"]
    slug = target.unique("from")
    variables = {"organizer": target.organizer, "input": new_event(slug), "from": target.id(target.event)}
    payload = (await target.gateway.data(CLONING, variables))["createPretixEvent"]
    assert payload["userErrors"] == []
    assert (payload["event"]["slug"], payload["event"]["plugins"]) == (slug, source["plugins"])
    assert payload["event"]["timezone"] == source["timezone"]
    if target.calls is not None:
        [post] = [call for call in target.calls() if call.method == "POST"]
        assert post.query == {"clone_from": f"{target.organizer}/{target.event}"}
    variables |= {"input": new_event(slug + "x"), "from": target.id("no-such-event")}
    missing = (await target.gateway.data(CLONING, variables))["createPretixEvent"]
    assert [(error["code"], error["field"]) for error in missing["userErrors"]] == [
        ("BAD_USER_INPUT", ["cloneFrom"])
    ]
