"""Churn for the Kona emulator: a pop-up event appears, a single event moves, a pop-up is deleted."""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import replace

from aiohttp import web

from gateway.sandbox.churn import Churned, ChurnKind
from gateway.sandbox.kona_state import STATE, CalendarEvent

NAME = "kona"
HOUR_MS = 3_600_000


def churn(
    app: web.Application, kind: ChurnKind, rng: random.Random, ours: Sequence[Churned]
) -> Churned | None:
    """One change of `kind` to the emulated calendar."""
    state = app[STATE]
    now = state.now_ms()
    if kind is ChurnKind.DELETED:
        mine = [int(own.id) for own in ours if int(own.id) in state.events]
        if not mine:
            return None
        chosen = rng.choice(mine)
        del state.events[chosen]
        return Churned(NAME, kind, str(chosen))
    if kind is ChurnKind.MOVED:
        singles = [event for event in state.events.values() if event.series_id is None]
        event = rng.choice(singles)
        shift = rng.choice([-1, 1]) * rng.randint(1, 48) * HOUR_MS
        moved = replace(event, start_at=event.start_at + shift, end_at=event.end_at + shift, updated_at=now)
        state.events[event.id] = moved
        return Churned(NAME, kind, str(event.id))
    template = rng.choice(list(state.events.values()))
    start = now - now % HOUR_MS + rng.randint(2, 240) * HOUR_MS
    event = CalendarEvent(
        id=state.next_event_id,
        name=f"Pop-up: {template.name}",
        start_at=start,
        end_at=start + rng.randint(1, 3) * HOUR_MS,
        creator_id=template.creator_id,
        created_at=now,
        updated_at=now,
        details="Added by the sandbox's churn.",
        space_id=template.space_id,
    )
    state.next_event_id += 1
    state.events[event.id] = event
    return Churned(NAME, kind, str(event.id))
