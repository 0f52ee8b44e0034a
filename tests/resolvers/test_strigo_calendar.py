"""Strigo's calendar edge days, table-driven: timed events keep their instants whatever the offset.

Strigo events are timed only (no all-day days, no series): each case creates one through the gateway
and reads it back from the list, `node` and the federated query, at +14:00 and -12:00, across
midnight, and across both daylight-saving changes of America/New_York.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest

from gateway.sandbox import strigo as emulator
from tests.harness import Sandbox, running_gateway, settings_for

FIELDS = "id startsAt endsAt allDay startDate endDate timezone series { id } url"
CREATE = f"""mutation($input: CreateStrigoEventInput!) {{
  createStrigoEvent(input: $input) {{ event {{ {FIELDS} eventLink }} userErrors {{ field message }} }}
}}"""
NODE = f"query($id: ID!) {{ node(id: $id) {{ ... on Event {{ {FIELDS} }} }} }}"
EVENTS = (
    f"""query($filter: EventFilter) {{ events(filter: $filter, first: 50) {{ nodes {{ {FIELDS} }} }} }}"""
)


@dataclass(frozen=True)
class Case:
    name: str
    start: str
    end: str
    #: The instants Strigo keeps (UTC, as it answers them).
    starts_at: str
    ends_at: str


CASES = [
    Case("at +14:00", "2030-02-10T00:00:00+14:00", "2030-02-10T02:00:00+14:00",
         "2030-02-09T10:00:00+00:00", "2030-02-09T12:00:00+00:00"),
    Case("at -12:00", "2030-02-10T23:00:00-12:00", "2030-02-11T01:00:00-12:00",
         "2030-02-11T11:00:00+00:00", "2030-02-11T13:00:00+00:00"),
    Case("across midnight", "2030-06-30T23:00:00+02:00", "2030-07-01T01:30:00+02:00",
         "2030-06-30T21:00:00+00:00", "2030-06-30T23:30:00+00:00"),
    Case("across the March DST change", "2030-03-09T22:00:00-05:00", "2030-03-10T04:00:00-04:00",
         "2030-03-10T03:00:00+00:00", "2030-03-10T08:00:00+00:00"),
    Case("across the November DST change", "2030-11-02T22:00:00-04:00", "2030-11-03T04:00:00-05:00",
         "2030-11-03T02:00:00+00:00", "2030-11-03T09:00:00+00:00"),
]  # fmt: skip


@pytest.mark.parametrize("case", CASES, ids=lambda case: case.name)
async def test_edge_days(sandbox: Sandbox, case: Case) -> None:
    settings = settings_for(sandbox, strigo_timezone="America/New_York")
    async with running_gateway(settings) as gateway:
        made = await gateway.data(CREATE, {"input": _input(case)})
        assert made["createStrigoEvent"]["userErrors"] == []
        created = made["createStrigoEvent"]["event"]
        alone = (await gateway.data(NODE, {"id": created["id"]}))["node"]
        window = {"providers": ["STRIGO"], "startsAfter": "2030-01-01T00:00:00Z"}
        federated = (await gateway.data(EVENTS, {"filter": window}))["events"]["nodes"]
    [listed] = [node for node in federated if node["id"] == created["id"]]
    for read in (created, alone, listed):
        assert (read["startsAt"], read["endsAt"]) == (case.starts_at, case.ends_at)
        assert (read["allDay"], read["startDate"], read["endDate"], read["series"]) == (
            False,
            None,
            None,
            None,
        )
        assert read["timezone"] == "America/New_York"  # Strigo echoes no zone: STRIGO_TIMEZONE
        assert read["url"] == created["eventLink"]


def _input(case: Case) -> dict[str, Any]:
    return {
        "name": f"Edge {case.name}",
        "owner": emulator.OWNER_EMAIL,
        "classId": emulator.CLASS_IDS[0],
        "dateStart": case.start,
        "dateEnd": case.end,
    }
