"""Churn for the Schoology emulator: a pop-up event appears in a listed realm, an event moves, one goes."""

from __future__ import annotations

import random
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

from gateway.sandbox.churn import Churned, ChurnKind
from gateway.sandbox.schoology_seed import SchoologyState
from gateway.sandbox.schoology_time import DATETIME_FORMAT

NAME = "schoology"


def churn_realms(
    state: SchoologyState,
    realms: Sequence[str],
    kind: ChurnKind,
    rng: random.Random,
    ours: Sequence[Churned],
) -> Churned | None:
    """One change of `kind` to the events of `realms` (`sections/42`: those the gateway lists)."""
    listed = {(kind_, int(realm_id)) for kind_, realm_id in (realm.split("/") for realm in realms)}
    if kind is ChurnKind.DELETED:
        mine = [int(own.id) for own in ours if int(own.id) in state.events]
        if not mine:
            return None
        event = state.events.pop(rng.choice(mine))
        return Churned(NAME, kind, str(event.fields["id"]), _scope(event.realm))
    if kind is ChurnKind.MOVED:
        event = rng.choice([event for event in state.events.values() if event.realm in listed])
        shift = timedelta(hours=rng.choice([-1, 1]) * rng.randint(1, 48))
        for name in ("start", "end"):
            if event.fields.get(name):
                moved = datetime.strptime(event.fields[name], DATETIME_FORMAT) + shift
                event.fields[name] = moved.strftime(DATETIME_FORMAT)
        return Churned(NAME, kind, str(event.fields["id"]), _scope(event.realm))
    realm = rng.choice(sorted(listed))
    # Kept in UTC, like every Schoology time the emulator stores.
    hour = datetime.now(UTC).replace(minute=0, second=0, microsecond=0)
    start = hour + timedelta(hours=rng.randint(2, 240))
    end = start + timedelta(hours=rng.randint(1, 3))
    created = state.add_event(
        realm,
        {
            "title": "Pop-up study session",
            "description": "Added by the sandbox's churn.",
            "start": start.strftime(DATETIME_FORMAT),
            "has_end": 1,
            "end": end.strftime(DATETIME_FORMAT),
            "all_day": 0,
            "editable": 1,
            "rsvp": 0,
            "comments_enabled": 1,
            "type": "event",
        },
    )
    return Churned(NAME, kind, str(created.fields["id"]), _scope(realm))


def _scope(realm: tuple[str, int]) -> tuple[str, ...]:
    return (realm[0], str(realm[1]))
