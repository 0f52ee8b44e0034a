"""The zone each Schoology realm writes its times in: a user's own `tz_name`, else `SCHOOLOGY_TIMEZONE`.

Schoology sends `start`/`end` without an offset. A user object carries `tz_name` (an IANA zone,
documented on the user realm), and a user's calendar is written in it; district, school, group and
section calendars are written in the school's zone, which the deployment names (`SCHOOLOGY_TIMEZONE`).
User zones are learned from the user objects and trusted for `ZONE_TTL` seconds.
"""

from __future__ import annotations

import time
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

#: Seconds a user's `tz_name` is trusted before it is read again.
ZONE_TTL = 3600.0
#: User realms whose zone one client remembers (the least recently learned go first).
MAX_ZONES = 4096


class RealmZones:
    """The learned zones of user realms, and the default for every other realm."""

    def __init__(self, default: ZoneInfo) -> None:
        self.default = default
        self._learned: dict[Any, tuple[ZoneInfo, float]] = {}

    def zone_of(self, realm: Any) -> ZoneInfo:
        """A realm's zone: a user's learned `tz_name`, else the default."""
        learned = self._learned.get(realm)
        return self.default if learned is None else learned[0]

    def needs(self, realm: Any, kind: str) -> bool:
        """Whether the realm is a user (`kind` "users") whose zone is not known, or no longer fresh."""
        learned = self._learned.get(realm)
        return kind == "users" and (learned is None or learned[1] < time.monotonic())

    def learn(self, realm: Any, data: Any) -> None:
        """Remember a user realm's zone from its object (the default when it names none)."""
        name = data.get("tz_name") if isinstance(data, dict) else None
        try:
            zone = ZoneInfo(name) if isinstance(name, str) and 0 < len(name) < 64 else self.default
        except (ZoneInfoNotFoundError, ValueError):
            zone = self.default
        self._learned.pop(realm, None)
        self._learned[realm] = (zone, time.monotonic() + ZONE_TTL)
        while len(self._learned) > MAX_ZONES:
            del self._learned[next(iter(self._learned))]
