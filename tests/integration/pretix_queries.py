"""GraphQL documents and helpers the pretix contract tests share (emulator and real server alike)."""

from __future__ import annotations

import asyncio
from typing import Any

from tests.harness import Gateway
from tests.integration.conftest import PretixTarget

EVENT_FIELDS = """id provider providerId title startsAt endsAt timezone url allDay
  organizer slug live testmode currency dateFrom dateTo dateAdmission isPublic presaleStart presaleEnd
  geoLat geoLon hasSubevents metaData seatingPlan seatCategoryMapping plugins itemMetaProperties validKeys
  allSalesChannels limitSalesChannels salesChannels bestAvailabilityState publicUrl
  status location localizedName { text translations { locale text } }
  localizedLocation { text translations { locale text } }"""
LIST = """query($organizer: String!, $first: Int, $after: String, $filter: PretixEventFilter,
  $orderBy: PretixEventOrder, $channel: String) {
  pretixEvents(organizer: $organizer, first: $first, after: $after, filter: $filter, orderBy: $orderBy,
    withAvailabilityFor: $channel) {
    totalCount pageInfo { hasNextPage endCursor }
    edges { cursor node { slug title dateFrom isPublic bestAvailabilityState } }
  }
}"""
NODE = f"query($id: ID!) {{ node(id: $id) {{ id ... on PretixEvent {{ {EVENT_FIELDS} }} }} }}"
CREATE = f"""mutation($organizer: String!, $input: CreatePretixEventInput!) {{
  createPretixEvent(organizer: $organizer, input: $input) {{
    event {{ {EVENT_FIELDS} }} userErrors {{ field message code }}
  }}
}}"""
UPDATE = f"""mutation($id: ID!, $input: UpdatePretixEventInput!) {{
  updatePretixEvent(id: $id, input: $input) {{
    event {{ {EVENT_FIELDS} }} userErrors {{ field message code }}
  }}
}}"""
DELETE = (
    """mutation($id: ID!) { deletePretixEvent(id: $id) { deletedId userErrors { field message code } } }"""
)
CLONE = f"""mutation($id: ID!, $input: CreatePretixEventInput!) {{
  clonePretixEvent(id: $id, input: $input) {{
    event {{ {EVENT_FIELDS} }} userErrors {{ field message code }}
  }}
}}"""


def new_event(slug: str, **overrides: Any) -> dict[str, Any]:
    values: dict[str, Any] = {
        "name": [{"locale": "en", "text": f"Gateway {slug}"}],
        "slug": slug,
        "dateFrom": "2031-03-01T10:00:00+02:00",
    }
    return values | overrides


async def create(gateway: Gateway, organizer: str, slug: str, **overrides: Any) -> dict[str, Any]:
    data = await gateway.data(CREATE, {"organizer": organizer, "input": new_event(slug, **overrides)})
    payload: dict[str, Any] = data["createPretixEvent"]
    assert payload["userErrors"] == []
    return payload["event"]  # type: ignore[no-any-return]


async def listing(target: PretixTarget, **variables: Any) -> dict[str, Any]:
    data = await target.gateway.data(LIST, {"organizer": target.organizer, **variables})
    return data["pretixEvents"]  # type: ignore[no-any-return]


async def ensure_events(target: PretixTarget, at_least: int) -> None:
    """Create events until the organizer has `at_least` (the real server starts with two)."""
    missing = at_least - (await listing(target, first=0))["totalCount"]
    prefix = target.unique("page")
    fields = "{ userErrors { message } }"

    async def batch(numbers: range) -> None:
        aliases = " ".join(
            f'e{n}: createPretixEvent(organizer: "{target.organizer}", input: {{name: [{{locale: "en", '
            f'text: "Paging {n}"}}], slug: "{prefix}-{n:02d}", dateFrom: "2031-01-01T{n % 24:02d}:00:00Z"}}) '
            + fields
            for n in numbers
        )
        data = await target.gateway.data(f"mutation {{ {aliases} }}")
        assert all(payload["userErrors"] == [] for payload in data.values())

    await asyncio.gather(*(batch(range(start, min(start + 5, missing))) for start in range(0, missing, 5)))
