"""Kona emulator state: users, spaces, calendar events, the tokens and the clock, one `KonaState` per app."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from zoneinfo import ZoneInfo

from aiohttp import web

from gateway.sandbox.kona_time import ms, utc

ACCOUNT_ID = 9001
FIRST_CREATED_ID = 2001


@dataclass(frozen=True, slots=True)
class User:
    """A Kona user (read-only through the API)."""

    id: int
    name: str
    email: str
    updated_at: int


@dataclass(frozen=True, slots=True)
class Space:
    """A Kona space; `members` maps user id to role (owner 1, participant 2)."""

    id: int
    name: str
    details: str
    welcome_message: str
    category: int
    space_type: int
    updated_at: int
    members: tuple[tuple[int, int], ...]


@dataclass(frozen=True, slots=True)
class CalendarEvent:
    """One calendar event (one instance, for recurring events); times are epoch milliseconds."""

    id: int
    name: str
    start_at: int
    end_at: int
    creator_id: int
    created_at: int = 0
    updated_at: int = 0
    location: str | None = None
    details: str | None = None
    all_day: bool = False
    space_id: int | None = None
    participant_ids: tuple[int, ...] = ()
    editor_ids: tuple[int, ...] = ()
    status: int = 1
    visibility: int = 2
    stakeholder: int = 1
    default_role: int = 1
    tags: tuple[str, ...] = ()
    ics_feed_id: int | None = None
    external_object: dict[str, str] | None = None
    series_id: int | None = None
    num_in_series: int | None = None
    period: int = 0
    frequency: int = 0
    sel_days: int | None = None
    series_end_at: int | None = None
    archived: bool = False


@dataclass(slots=True)
class KonaState:
    """Everything the emulator knows; one per app."""

    now: Callable[[], datetime]
    users: dict[int, User]
    spaces: dict[int, Space]
    events: dict[int, CalendarEvent]
    tokens: dict[str, int]
    #: When an access token stops working (epoch seconds); tokens not listed never do.
    token_expiry: dict[str, float] = field(default_factory=dict)
    #: OAuth clients (id -> secret) and the refresh tokens they may use, with the user of each.
    clients: dict[str, str] = field(default_factory=dict)
    refresh_tokens: dict[str, int] = field(default_factory=dict)
    #: Seconds an issued access token lasts (`expires_in`): a week, as Kona's docs show.
    token_lifetime: int = 604_800
    issued: int = 0
    next_event_id: int = FIRST_CREATED_ID
    #: How recurring series are stored: "instances" or "first" (see `kona_series`).
    recurrence: str = "instances"
    #: The account's zone: where series repeat their local time.
    zone: ZoneInfo = field(default_factory=lambda: ZoneInfo("UTC"))

    def user_of(self, access_token: str) -> int | None:
        """The user an access token acts for, unless it is unknown or has expired."""
        expiry = self.token_expiry.get(access_token)
        if expiry is not None and utc(self.now()).timestamp() >= expiry:
            return None
        return self.tokens.get(access_token)

    def now_ms(self) -> int:
        """The injectable clock, as epoch milliseconds."""
        return ms(utc(self.now()))


STATE = web.AppKey("kona_state", KonaState)
CURRENT_USER = web.RequestKey("kona_user", int)
