"""Churn for the Strigo emulator: a pop-up event appears, a ready event moves, a pop-up is deleted."""

from __future__ import annotations

import random
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

from aiohttp import web

from gateway.sandbox.churn import Churned, ChurnKind
from gateway.sandbox.strigo_state import STATE, STATUS_LIVE, Event

NAME = "strigo"


def churn(
    app: web.Application, kind: ChurnKind, rng: random.Random, ours: Sequence[Churned]
) -> Churned | None:
    """One change of `kind` to the emulated org's events."""
    state = app[STATE]
    if kind is ChurnKind.DELETED:
        mine = [own.id for own in ours if own.id in state.events]
        if not mine:
            return None
        chosen = rng.choice(mine)
        del state.events[chosen]
        return Churned(NAME, kind, chosen)
    if kind is ChurnKind.MOVED:
        movable = [event for event in state.events.values() if event.status != STATUS_LIVE]
        event = rng.choice(movable)
        shift = timedelta(hours=rng.choice([-1, 1]) * rng.randint(1, 48))
        event.date_start += shift
        event.date_end += shift
        return Churned(NAME, kind, event.id)
    template = rng.choice(list(state.events.values()))
    start = datetime.now(UTC).replace(minute=0, second=0, microsecond=0) + timedelta(
        hours=rng.randint(2, 240)
    )
    event = Event(
        id=state.new_event_id(),
        token=state.new_token(),
        owner=template.owner,
        name=f"Pop-up: {template.name}",
        class_id=template.class_id,
        date_start=start,
        date_end=start + timedelta(hours=rng.randint(1, 3)),
        description="Added by the sandbox's churn.",
        labels=list(template.labels),
    )
    state.events[event.id] = event
    return Churned(NAME, kind, event.id)
