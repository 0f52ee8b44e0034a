"""Kona emulator seed: the deterministic users, spaces, tokens and calendar events of a fresh app.

Seeded data (ANCHOR = 2024-03-01T00:00Z; tokens: ACCESS_TOKEN → user 101, OTHER_ACCESS_TOKEN → 102,
EXPIRED_ACCESS_TOKEN → 101 but expired; OAuth client CLIENT_ID/CLIENT_SECRET, whose REFRESH_TOKEN
renews Ada's tokens and OTHER_REFRESH_TOKEN Grace's):

- Users 101 Ada Lovelace (the token's user), 102 Grace Hopper, 103 Alan Turing,
  104 Katherine Johnson, 105 Edsger Dijkstra. Account 9001.
- Spaces 201 Product Launch, 202 Engineering, 203 Customer Success (all work), 204 Ada's Notes
  (personal). Ada participates in all four, Grace in 201 and 202 only: Grace does not see the public
  events of 203 and 204 (unless she created or takes part in one), and sees 1090, which Ada does not.
- March 2024 lists exactly 60 events (pages of 25, 25, 10): one-offs 1001-1056 and the first four
  instances of the weekly series 1061-1068 (Mondays 10:00-10:30 UTC from 2024-03-04, `series_id`
  1061, `num_in_series` 1-8, period 2, frequency 1, sel_days 1, `series_end_at` 2024-04-22 10:30;
  in another account zone, every instance keeps the first's local time, across DST changes).
  Instances 5-8 (1065-1068) fall in April 2024. In the `first` recurrence model only 1061 is stored
  (57 records in March), and the list shows it for every window one of its occurrences overlaps.
- Forbidden for user 101 (403 on PUT/DELETE): 1005 and 1006 (creator 102/103, default_role 2),
  1008 (creator 103, default_role 3). 1007 is default_role 2 by 102 but lists 101 as editor, so
  editable. 1009 is participants-only by 104 with 101 as participant (visible).
- 1010 has `ics_feed_id` 7001; 1012 is all-day; 1015 complete, 1016 pending, 1025 group_closed,
  1020 has stakeholder 2 (everyone).
- 1070 "Quarterly offsite" spans 2024-04-29 09:00 → 2024-05-02 17:00 (the only May event).
- 1090 is participants-only by 102 without 101 (never listed, 404); 1091 is archived (not listed,
  fetchable by id). Both lie in March 2024.
- Current month of `now()` at app creation: 1101-1108 on days 2, 5, …, 23 at 15:00-16:00 UTC;
  1104 is forbidden (creator 102, default_role 2), 1105 is all-day on the 15th.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from gateway.sandbox.kona_series import FIRST, INSTANCES, occurrences
from gateway.sandbox.kona_state import CalendarEvent, KonaState, Space, User
from gateway.sandbox.kona_time import month_start, ms

ACCESS_TOKEN = "sandbox-kona-token"
OTHER_ACCESS_TOKEN = "sandbox-kona-token-grace"
EXPIRED_ACCESS_TOKEN = "sandbox-kona-token-expired"
CLIENT_ID = "sandbox-kona-client"
CLIENT_SECRET = "sandbox-kona-client-secret"
REFRESH_TOKEN = "sandbox-kona-refresh-ada"
OTHER_REFRESH_TOKEN = "sandbox-kona-refresh-grace"
ANCHOR = datetime(2024, 3, 1, tzinfo=UTC)


def _seed_users() -> dict[int, User]:
    names = ["Ada Lovelace", "Grace Hopper", "Alan Turing", "Katherine Johnson", "Edsger Dijkstra"]
    stamp = ms(ANCHOR - timedelta(days=60))
    users = [
        User(101 + i, name, f"{name.split()[0].lower()}@example.com", stamp + i * 3_600_000)
        for i, name in enumerate(names)
    ]
    return {user.id: user for user in users}


def _seed_spaces() -> dict[int, Space]:
    stamp = ms(ANCHOR - timedelta(days=45))
    spaces = [
        Space(201, "Product Launch", "Everything for the spring launch.", "Welcome, launch crew!", 1, 0,
              stamp, ((101, 1), (102, 2), (103, 2))),
        Space(202, "Engineering", "Engineering rituals and reviews.", "Hello engineers.", 1, 1,
              stamp + 1_000, ((102, 1), (101, 2), (104, 2))),
        Space(203, "Customer Success", "Calls and onboarding.", "", 1, 3,
              stamp + 2_000, ((103, 1), (101, 2), (105, 2))),
        Space(204, "Ada's Notes", "Personal planning.", "", 0, 0, stamp + 3_000, ((101, 1),)),
    ]  # fmt: skip
    return {space.id: space for space in spaces}


_TOPICS = (
    "Design review",
    "Sprint planning",
    "Customer call",
    "Budget sync",
    "Hiring panel",
    "Launch rehearsal",
    "Team retro",
    "Roadmap workshop",
)
_LOCATIONS = ("Room 1", "Room 2", "Zoom", None)
_ONE_OFFS = 56


def _whole_day(day: datetime) -> dict[str, Any]:
    return {"all_day": True, "start_at": ms(day), "end_at": ms(day + timedelta(days=1)) - 1}


def _one_off_specials() -> dict[int, dict[str, Any]]:
    return {
        1005: {"creator_id": 102, "default_role": 2, "details": "Grace's event; Ada may only view."},
        1006: {"creator_id": 103, "default_role": 2},
        1007: {"creator_id": 102, "default_role": 2, "editor_ids": (101,)},
        1008: {"creator_id": 103, "default_role": 3},
        1009: {"creator_id": 104, "visibility": 1, "participant_ids": (101, 104)},
        1010: {"ics_feed_id": 7001, "tags": ("imported", "ics")},
        1012: _whole_day(ANCHOR + timedelta(days=6)),
        1015: {"status": 2},
        1016: {"status": 0},
        1020: {"stakeholder": 2, "tags": ("everyone",)},
        1025: {"status": 3},
        1030: {"participant_ids": (101, 102, 103), "location": "Board room"},
    }


def _one_off(k: int) -> CalendarEvent:
    start = ANCHOR + timedelta(days=k * 31 // _ONE_OFFS, hours=8 + (k * 5) % 9, minutes=30 * (k % 2))
    return CalendarEvent(
        id=1001 + k,
        name=f"{_TOPICS[k % len(_TOPICS)]} {k // len(_TOPICS) + 1}",
        start_at=ms(start),
        end_at=ms(start + timedelta(minutes=30 + 30 * (k % 4))),
        creator_id=(101, 101, 102, 101, 103)[k % 5],
        space_id=(201, 202, 203)[k % 3],
        location=_LOCATIONS[k % len(_LOCATIONS)],
        details=None if k % 3 else f"Agenda item {k + 1}.",
    )


def _weekly_series(zone: ZoneInfo) -> list[CalendarEvent]:
    """The stand-up: its first instance at 10:00 UTC, the others at the same local time in the
    account's zone (as Kona keeps a series' wall time across daylight-saving changes, and as the
    `first` model and the gateway expand its rule), each stored."""
    start = datetime(2024, 3, 4, 10, tzinfo=UTC)  # a Monday
    # Aware arithmetic in the zone is wall-clock arithmetic: the 8th Monday at the first's local time.
    last_end = start.astimezone(zone) + timedelta(weeks=7, minutes=30)
    first = CalendarEvent(
        id=1061,
        name="Weekly stand-up",
        start_at=ms(start),
        end_at=ms(start + timedelta(minutes=30)),
        creator_id=101,
        space_id=202,
        location="Zoom",
        tags=("standup",),
        series_id=1061,
        num_in_series=1,
        period=2,
        frequency=1,
        sel_days=1,
        series_end_at=ms(last_end),
    )
    return [
        replace(first, id=1060 + number, start_at=start_at, end_at=end_at, num_in_series=number)
        for number, start_at, end_at in occurrences(first, zone)
    ]


def _odd_events() -> list[CalendarEvent]:
    def at(month: int, day: int, hour: int) -> int:
        return ms(datetime(2024, month, day, hour, tzinfo=UTC))

    return [
        CalendarEvent(1070, "Quarterly offsite", at(4, 29, 9), at(5, 2, 17), 101,
                      location="Lisbon", details="Three days out of the office.", space_id=201),
        CalendarEvent(1090, "Confidential: reorg planning", at(3, 14, 12), at(3, 14, 13),
                      102, space_id=202, visibility=1, participant_ids=(102, 103)),
        CalendarEvent(1091, "Cancelled kickoff", at(3, 20, 9), at(3, 20, 10), 101,
                      space_id=201, archived=True),
    ]  # fmt: skip


def _anchor_events(zone: ZoneInfo) -> list[CalendarEvent]:
    specials = _one_off_specials()
    one_offs = [replace(event, **specials.get(event.id, {})) for event in map(_one_off, range(_ONE_OFFS))]
    events = sorted([*one_offs, *_weekly_series(zone), *_odd_events()], key=lambda event: event.id)
    # Multipliers coprime with 101 give distinct stamps whose order differs from the id order.
    created = ANCHOR - timedelta(days=30)
    updated = ANCHOR - timedelta(days=5)
    return [
        replace(
            event,
            created_at=ms(created + timedelta(hours=(i * 37) % 101)),
            updated_at=ms(updated + timedelta(hours=(i * 29) % 101)),
        )
        for i, event in enumerate(events)
    ]


_CURRENT_NAMES = (
    "Demo day",
    "All-hands",
    "Customer onboarding",
    "Quarterly planning",
    "Company holiday",
    "Security training",
    "Product demo",
    "Team dinner",
)


def _current_month_events(now: datetime) -> list[CalendarEvent]:
    first = month_start(now)
    specials: dict[int, dict[str, Any]] = {
        1104: {"creator_id": 102, "default_role": 2},
        1105: _whole_day(first + timedelta(days=14)),
    }
    events = []
    for j, name in enumerate(_CURRENT_NAMES):
        start = first + timedelta(days=1 + 3 * j, hours=15)
        event = CalendarEvent(
            id=1101 + j,
            name=name,
            start_at=ms(start),
            end_at=ms(start + timedelta(hours=1)),
            creator_id=101,
            space_id=(201, 202, 203, 204)[j % 4],
            location=_LOCATIONS[j % len(_LOCATIONS)],
            created_at=ms(first - timedelta(days=10) + timedelta(hours=(j * 3) % 8)),
            updated_at=ms(first - timedelta(days=2) + timedelta(hours=(j * 5) % 8)),
        )
        events.append(replace(event, **specials.get(event.id, {})))
    return events


def seed_state(
    now: Callable[[], datetime], *, recurrence: str = INSTANCES, zone: ZoneInfo | None = None
) -> KonaState:
    """A fresh account; in the `first` recurrence model the weekly series is its first instance alone."""
    zone = zone or ZoneInfo("UTC")
    events = [*_anchor_events(zone), *_current_month_events(now())]
    if recurrence == FIRST:
        events = [event for event in events if event.series_id in (None, event.id)]
    return KonaState(
        now=now,
        users=_seed_users(),
        spaces=_seed_spaces(),
        events={event.id: event for event in events},
        tokens={ACCESS_TOKEN: 101, OTHER_ACCESS_TOKEN: 102, EXPIRED_ACCESS_TOKEN: 101},
        token_expiry={EXPIRED_ACCESS_TOKEN: 0.0},
        clients={CLIENT_ID: CLIENT_SECRET},
        refresh_tokens={REFRESH_TOKEN: 101, OTHER_REFRESH_TOKEN: 102},
        recurrence=recurrence,
        zone=zone,
    )
