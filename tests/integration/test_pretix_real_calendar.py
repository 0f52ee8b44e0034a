"""pretix's calendar edge days, table-driven, held against the emulator and a real pretix alike.

pretix events are timed (no all-day days; an event series' dates are sub-events, not on the event
page): each case creates one through the gateway in its own zone and reads it back from `node` and
the federated query, at +14:00 and -12:00, across midnight, and across both daylight-saving changes
of America/New_York. pretix keeps instants (answering in UTC) and the event's zone (a pytz common zone:
Etc/GMT+12 is not one, so the -12:00 instant belongs to Pacific/Pago_Pago's event).
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from tests.integration.conftest import PretixTarget
from tests.integration.pretix_queries import create

FIELDS = "id startsAt endsAt allDay startDate endDate timezone series { id } url publicUrl"
NODE = f"query($id: ID!) {{ node(id: $id) {{ ... on PretixEvent {{ {FIELDS} }} }} }}"
EVENTS = f"""query($filter: EventFilter) {{
  events(filter: $filter, first: 5) {{ nodes {{ ... on PretixEvent {{ {FIELDS} }} }} }}
}}"""


@dataclass(frozen=True)
class Case:
    name: str
    zone: str
    start: str
    end: str
    starts_at: str
    ends_at: str


CASES = [
    Case("at +14:00", "Pacific/Kiritimati", "2032-02-10T00:00:00+14:00", "2032-02-10T02:00:00+14:00",
         "2032-02-09T10:00:00+00:00", "2032-02-09T12:00:00+00:00"),
    Case("at -12:00", "Pacific/Pago_Pago", "2032-02-10T23:00:00-12:00", "2032-02-11T01:00:00-12:00",
         "2032-02-11T11:00:00+00:00", "2032-02-11T13:00:00+00:00"),
    Case("across midnight", "Europe/Berlin", "2032-06-30T23:00:00+02:00", "2032-07-01T01:30:00+02:00",
         "2032-06-30T21:00:00+00:00", "2032-06-30T23:30:00+00:00"),
    Case("across the March DST change", "America/New_York", "2032-03-13T22:00:00-05:00",
         "2032-03-14T04:00:00-04:00", "2032-03-14T03:00:00+00:00", "2032-03-14T08:00:00+00:00"),
    Case("across the November DST change", "America/New_York", "2032-11-06T22:00:00-04:00",
         "2032-11-07T04:00:00-05:00", "2032-11-07T02:00:00+00:00", "2032-11-07T09:00:00+00:00"),
]  # fmt: skip


@pytest.mark.parametrize("case", CASES, ids=lambda case: case.name)
async def test_edge_days(pretix_target: PretixTarget, case: Case) -> None:
    target = pretix_target
    slug = target.unique("edge")
    made = await create(
        target.gateway, target.organizer, slug, dateFrom=case.start, dateTo=case.end, timezone=case.zone
    )
    alone = (await target.gateway.data(NODE, {"id": made["id"]}))["node"]
    window = {"providers": ["PRETIX"], "startsAfter": case.starts_at, "search": slug}
    federated = (await target.gateway.data(EVENTS, {"filter": window}))["events"]["nodes"]
    assert [node["id"] for node in federated] == [made["id"]]
    for read in (alone, federated[0]):
        assert (read["startsAt"], read["endsAt"]) == (case.starts_at, case.ends_at)
        assert (read["allDay"], read["startDate"], read["endDate"], read["series"]) == (
            False,
            None,
            None,
            None,
        )
        assert (read["timezone"], read["url"]) == (case.zone, read["publicUrl"])
