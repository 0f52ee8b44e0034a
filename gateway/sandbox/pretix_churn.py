"""Churn for the pretix emulator: a pop-up event appears, an event moves, a pop-up is deleted."""

from __future__ import annotations

import random
from collections.abc import Sequence
from datetime import timedelta

from aiohttp import web

from gateway.sandbox.churn import Churned, ChurnKind
from gateway.sandbox.pretix_state import STATE, Event

NAME = "pretix"


def churn(
    app: web.Application, kind: ChurnKind, rng: random.Random, ours: Sequence[Churned]
) -> Churned | None:
    """One change of `kind` to the emulated organizers' events."""
    state = app[STATE]
    if kind is ChurnKind.DELETED:
        mine = [own for own in ours if own.id in state.organizers[own.scope[0]].events]
        if not mine:
            return None
        chosen = rng.choice(mine)
        del state.organizers[chosen.scope[0]].events[chosen.id]
        return Churned(NAME, kind, chosen.id, chosen.scope)
    organizer = state.organizers[rng.choice(sorted(state.organizers))]
    if kind is ChurnKind.MOVED:
        event = rng.choice(list(organizer.events.values()))
        shift = timedelta(hours=rng.choice([-1, 1]) * rng.randint(1, 48))
        event.date_from += shift
        if event.date_to is not None:
            event.date_to += shift
        return Churned(NAME, kind, event.slug, (organizer.slug,))
    template = rng.choice(list(organizer.events.values()))
    sequence = state.sequence()
    start = state.now().replace(minute=0, second=0, microsecond=0) + timedelta(hours=rng.randint(2, 240))
    event = Event(
        slug=f"popup-{sequence}",
        name={"en": f"Pop-up: {_english(template.name)}"},
        date_from=start,
        date_to=start + timedelta(hours=rng.randint(1, 3)),
        seq=sequence,
        timezone=template.timezone,
    )
    organizer.events[event.slug] = event
    return Churned(NAME, kind, event.slug, (organizer.slug,))


def _english(name: str | dict[str, str]) -> str:
    return name if isinstance(name, str) else name.get("en") or next(iter(name.values()), "event")
