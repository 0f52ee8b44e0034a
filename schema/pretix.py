"""pretix's GraphQL shape: `PretixEvent` with every field of pretix's event resource, organizers, i18n text.

Multilingual pretix values (`{"en": "…", "de": "…"}`) become `LocalizedText`: all `translations`,
plus `text(locale:)`, which picks one language. The pick falls back from the requested locale to
the gateway's `PRETIX_LOCALE`, then `en`, then the first language pretix has (they are stored in
alphabetical order); each step also accepts the same base language (`de` for `de-AT`, `de-informal`
for `de`). `Event.title` is the name picked for `PRETIX_LOCALE`.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Annotated, Any

import strawberry

from gateway.errors import UpstreamFailure
from gateway.execution.batched import BatchedLoad
from gateway.ids import encode_id
from gateway.instants import parse_instant
from gateway.providers import pretix
from gateway.providers.base import JSONObject
from gateway.request.context import Context, Info
from gateway.upstream.values import flag, integer, text
from schema.event import Event, EventStatus, Node, Provider, status_in_time
from schema.pretix_inputs import EVENT_SLUG, ORGANIZER_SLUG
from schema.scalars import JSON, as_json
from schema.views import EventView, lazy, read, same_as

#: The per-request loader of organizers (`GET /organizers/{slug}/`).
ORGANIZERS = "pretix.organizers"
#: The kind in the global id of an organizer.
ORGANIZER_KIND = "organizer"


def pick(values: Mapping[str, str], *preferred: str | None) -> str | None:
    """One language of a multilingual value: the first preference found, then `en`, then the first."""
    present = {key.lower().replace("_", "-"): text for key, text in values.items() if text}
    for wanted in (*preferred, "en"):
        if not wanted:
            continue
        tag = wanted.lower().replace("_", "-")
        base = tag.split("-")[0]
        for candidate in (tag, base):
            if candidate in present:
                return present[candidate]
        same_language = [key for key in present if key.split("-")[0] == base]
        if same_language:
            return present[same_language[0]]
    return next(iter(present.values()), None)


def translations_of(value: Any) -> dict[str, str]:
    """A pretix multilingual value as a plain dict (pretix always sends an object or null)."""
    if not isinstance(value, dict):
        return {}
    return {str(locale): text for locale, text in value.items() if isinstance(text, str)}


@strawberry.type(description="One language version of a multilingual pretix text.")
class Translation:
    locale: str = strawberry.field(
        description="pretix's language code, e.g. `en`, `de`, `de-informal`, `pt-br`."
    )
    text: str = strawberry.field(description="The text in that language.")


@strawberry.type(
    description="A text pretix keeps in several languages. Use `text` for one language, or "
    "`translations` for all of them (e.g. to fill an edit form)."
)
class LocalizedText:
    values: strawberry.Private[dict[str, str]]

    @strawberry.field(description="Every language the text exists in, alphabetically by code.")
    def translations(self) -> list[Translation]:
        return [Translation(locale=locale, text=text) for locale, text in self.values.items()]

    @strawberry.field(
        description="The text in one language. Falls back to the gateway's default pretix locale, then "
        "English, then the first language there is; `de` also finds `de-informal`, `de-AT` finds `de`."
    )
    def text(
        self,
        info: Info,
        locale: Annotated[
            str | None,
            strawberry.argument(description="Language code wanted, e.g. `de`; default: the gateway's."),
        ] = None,
    ) -> str | None:
        return pick(self.values, locale, info.context.client(pretix.SPEC).locale)

    @classmethod
    def of(cls, value: Any) -> LocalizedText | None:
        """None for pretix's null, else the value's translations."""
        return None if value is None else cls(values=translations_of(value))


@strawberry.type(description="A pretix organizer account: the owner of events.")
class PretixOrganizer(Node):
    provider_id: str = strawberry.field(description="The organizer's slug (pretix's key for it).")
    slug: str = strawberry.field(description="Short name used in URLs and in `pretixEvents(organizer:)`.")
    name: str | None = strawberry.field(description="The organizer's name.")
    public_url: str | None = strawberry.field(description="The organizer's public page.")
    plugins: list[str] = strawberry.field(description="Organizer-level plugins enabled.")
    raw: JSON = strawberry.field(description="pretix's organizer object exactly as received.")

    @classmethod
    def from_upstream(cls, data: JSONObject) -> PretixOrganizer:
        """Build from pretix's organizer object (UPSTREAM_ERROR without a usable slug)."""
        slug = data.get("slug")
        if not isinstance(slug, str) or not ORGANIZER_SLUG.match(slug):
            raise UpstreamFailure("pretix sent an organizer without a usable slug", provider=pretix.NAME)
        return cls(
            id=strawberry.ID(encode_id(pretix.NAME, slug, kind=ORGANIZER_KIND)),
            provider_id=slug,
            slug=slug,
            name=text(data.get("name")),
            public_url=text(data.get("public_url")),
            plugins=[str(plugin) for plugin in data.get("plugins") or []],
            raw=as_json(data),
        )


def _number(value: Any) -> float | None:
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) else None


def _strings(value: Any) -> list[str]:
    return [str(item) for item in value] if isinstance(value, list) else []


#: `PretixEvent.organizerObject`, from the request's loader of organizers.
ORGANIZER_OF_EVENT: BatchedLoad[PretixEvent, Context, JSONObject, PretixOrganizer] = BatchedLoad(
    key=lambda event: event.organizer,
    loader=lambda context: context.loaders.get(ORGANIZERS, context.client(pretix.SPEC).load_organizers),
    convert=PretixOrganizer.from_upstream,
)


@strawberry.type(
    description="A pretix event (ticket shop), with every field of pretix's event resource. `status`: "
    "DRAFT while the shop is not `live`; once live it follows the clock (SCHEDULED before `dateFrom`, "
    "LIVE until `dateTo`, or for a day from `dateFrom` when there is no end, ENDED after)."
)
class PretixEvent(Event):
    organizer: str = strawberry.field(description="Slug of the organizer the event belongs to.")
    slug: str = strawberry.field(description="The event's short name in URLs; fixed once created.")
    localized_name: LocalizedText = strawberry.field(
        description="The event's full name in each language (`title` is it in the gateway's locale)."
    )
    live: bool = strawberry.field(description="Whether the ticket shop is publicly available.")
    testmode: bool = strawberry.field(description="Whether the shop is in test mode (test orders only).")
    currency: str = strawberry.field(description="ISO 4217 code the event sells in.")
    date_from: datetime = strawberry.field(description="Start, as pretix sends it (same as `startsAt`).")
    date_to: datetime | None = strawberry.field(description="End (same as `endsAt`); null when open.")
    date_admission: datetime | None = strawberry.field(description="When doors open, when set.")
    is_public: bool | None = strawberry.field(
        description="Whether the event shows in the organizer's public list; null when pretix sends null "
        "(its documented list example does)."
    )
    presale_start: datetime | None = strawberry.field(description="When the shop opens, when set.")
    presale_end: datetime | None = strawberry.field(description="When the shop closes, when set.")
    localized_location: LocalizedText | None = strawberry.field(
        description="Where the event happens in each language, when set (`location` is it in the "
        "gateway's locale)."
    )
    geo_lat: float | None = strawberry.field(description="Latitude of the location, when set.")
    geo_lon: float | None = strawberry.field(description="Longitude of the location, when set.")
    has_subevents: bool = strawberry.field(description="Whether this is an event series; fixed once created.")
    meta_data: JSON = strawberry.field(description="Values of the organizer's meta data properties.")
    seating_plan: int | None = strawberry.field(description="Id of the seating plan, when one is used.")
    seat_category_mapping: JSON = strawberry.field(description="Seating plan category → product id.")
    plugins: list[str] = strawberry.field(description="Module names of the plugins enabled for the event.")
    item_meta_properties: JSON = strawberry.field(description="Product meta properties and defaults.")
    valid_keys: JSON | None = strawberry.field(
        description="Keys that validate ticket signatures. pretix sends them only for one event at a "
        "time (`node`, `updatePretixEvent`), so this is null in lists and after a create."
    )
    all_sales_channels: bool = strawberry.field(description="Whether every sales channel may sell.")
    limit_sales_channels: list[str] = strawberry.field(
        description="The sales channels that may sell, when `allSalesChannels` is false."
    )
    sales_channels: list[str] = strawberry.field(
        description="Legacy form of the two fields above, still sent by pretix.",
        deprecation_reason="Use allSalesChannels and limitSalesChannels.",
    )
    best_availability_state: int | None = strawberry.field(
        description="Best ticket availability (100 = available, lower = sold out or reserved, null = "
        "unknown). Only filled by `pretixEvents(withAvailabilityFor:)`."
    )
    public_url: str | None = strawberry.field(description="The public ticket shop.")

    @strawberry.field(
        description="The organizer's details (one request per page of events).",
        metadata=ORGANIZER_OF_EVENT.metadata,
    )
    async def organizer_object(self, info: Info) -> PretixOrganizer | None:
        return await ORGANIZER_OF_EVENT.resolve(self, info.context)

    @classmethod
    def from_upstream(
        cls, data: JSONObject, organizer: str, locale: str, now: datetime | None = None
    ) -> PretixEvent:
        """A view of pretix's event object; `title` is the name in `locale` (see `pick`); `status` is
        read at `now` (default: when first asked).

        UPSTREAM_ERROR without a usable slug or start; other fields of the wrong type read as absent.
        """
        slug, starts_at = data.get("slug"), parse_instant(data.get("date_from"))
        if not isinstance(slug, str) or not EVENT_SLUG.match(slug) or starts_at is None:
            raise UpstreamFailure("pretix sent an event without a usable slug or start", provider=pretix.NAME)
        return PretixEventView(data, organizer, slug, starts_at, locale, now)


class PretixEventView(EventView, PretixEvent):
    """`PretixEvent` over pretix's decoded event: each field computed on first read (`schema.views`)."""

    provider = Provider.PRETIX
    description = None
    all_day = False
    start_date = None
    end_date = None

    def __init__(
        self,
        data: JSONObject,
        organizer: str,
        slug: str,
        starts_at: datetime,
        locale: str,
        now: datetime | None,
    ) -> None:
        super().__init__(data, organizer, slug)
        self.organizer = organizer
        self.slug = slug
        self.starts_at = self.date_from = starts_at
        self.locale = locale
        self.now = now

    @lazy
    def localized_name(self) -> LocalizedText:
        return LocalizedText(values=translations_of(self.data.get("name")))

    @lazy
    def title(self) -> str:
        return pick(self.localized_name.values, self.locale) or self.slug

    @lazy
    def location(self) -> str | None:
        location = self.localized_location
        return None if location is None else pick(location.values, self.locale)

    @lazy
    def status(self) -> EventStatus:
        if not self.live:
            return EventStatus.DRAFT
        now = self.now or datetime.now(UTC)
        return status_in_time(self.starts_at, self.ends_at, all_day=self.ends_at is None, now=now)

    @lazy
    def valid_keys(self) -> JSON | None:
        return as_json(self.data["valid_keys"]) if "valid_keys" in self.data else None

    @lazy
    def all_sales_channels(self) -> bool:
        return bool(self.data.get("all_sales_channels", True))

    ends_at = read("date_to", parse_instant)
    date_to = same_as("ends_at")
    timezone = read("timezone", text)
    url = read("public_url", text)
    public_url = same_as("url")
    localized_location = read("location", LocalizedText.of)
    live = read("live", bool)
    testmode = read("testmode", bool)
    currency = read("currency", lambda value: str(value or ""))
    date_admission = read("date_admission", parse_instant)
    is_public = read("is_public", flag)
    presale_start = read("presale_start", parse_instant)
    presale_end = read("presale_end", parse_instant)
    geo_lat = read("geo_lat", _number)
    geo_lon = read("geo_lon", _number)
    has_subevents = read("has_subevents", bool)
    meta_data = read("meta_data", lambda value: as_json(value or {}))
    seating_plan = read("seating_plan", lambda value: integer(value, minimum=0, maximum=2**31 - 1))
    seat_category_mapping = read("seat_category_mapping", lambda value: as_json(value or {}))
    plugins = read("plugins", _strings)
    item_meta_properties = read("item_meta_properties", lambda value: as_json(value or {}))
    limit_sales_channels = read("limit_sales_channels", _strings)
    sales_channels = read("sales_channels", _strings)
    best_availability_state = read(
        "best_availability_state", lambda value: integer(value, minimum=-(2**31), maximum=2**31 - 1)
    )
