"""What pretix's queries and mutations share: its events, loaded and primed by (organizer, slug)."""

from __future__ import annotations

from gateway.providers import pretix
from gateway.providers.base import JSONObject
from gateway.request.context import Context
from resolvers.provider_events import ProviderEvents
from schema.pretix import PretixEvent
from schema.pretix_inputs import EVENT_SLUG, ORGANIZER_SLUG


def _key(parts: tuple[str, ...]) -> pretix.EventKey | None:
    """(organizer, slug) from the parts of a pretix global id; None when malformed."""
    if len(parts) != 2 or not ORGANIZER_SLUG.match(parts[0]) or not EVENT_SLUG.match(parts[1]):
        return None
    return parts[0], parts[1]


def _event(context: Context, data: JSONObject, scope: tuple[str, ...]) -> PretixEvent:
    return PretixEvent.from_upstream(data, scope[0], PRETIX.client(context).locale)


PRETIX = ProviderEvents(
    spec=pretix.SPEC, what="pretix event", batch=lambda client: client.load_events, key=_key, convert=_event
)
