"""pretix's GraphQL inputs: event create/update inputs, list filter and order, and their request bodies.

Multilingual inputs are lists of `TranslationInput` (`[{locale: "en", text: "…"}]`), the same shape
`LocalizedText.translations` returns, so an edit form can send back what it read. pretix replaces
a multilingual value as a whole: the list given is the complete new value.
"""

from __future__ import annotations

import re
from datetime import datetime
from enum import Enum
from typing import Any

import strawberry
from strawberry.utils.str_converters import to_camel_case

from gateway.instants import clamped
from gateway.providers.base import JSONObject
from schema.scalars import JSON
from schema.validation import Problems, given_fields, refuse_empty_update

EVENT_SLUG = re.compile(r"^[a-zA-Z0-9]([a-zA-Z0-9.-]*[a-zA-Z0-9])?$")
ORGANIZER_SLUG = re.compile(r"^[a-zA-Z0-9][a-zA-Z0-9.-]*[a-zA-Z0-9]$")
# pretix.base.validators.EventSlugBanlistValidator
EVENT_SLUG_BANLIST = frozenset(
    {
        "download", "healthcheck", "locale", "control", "redirect", "jsi18n", "metrics", "_global",
        "__debug__", "api", "events", "csp_report", "widget", "customer", "account", "lead", "accessibility",
    }
)  # fmt: skip
_LOCALE = re.compile(r"^[A-Za-z]{2,3}([-_][A-Za-z0-9]{2,8})*$")
_CURRENCY = re.compile(r"^[A-Z]{3}$")
I18N = ("name", "location")
UPDATE_FIELDS = (
    "name", "slug", "live", "testmode", "currency", "date_from", "date_to", "date_admission", "is_public",
    "presale_start", "presale_end", "location", "geo_lat", "geo_lon", "has_subevents", "meta_data",
    "seating_plan", "seat_category_mapping", "plugins", "timezone", "item_meta_properties",
    "all_sales_channels", "limit_sales_channels",
)  # fmt: skip
CREATE_FIELDS = tuple(name for name in UPDATE_FIELDS if name != "seat_category_mapping")


@strawberry.input(description="One language version of a multilingual text.")
class TranslationInput:
    locale: str = strawberry.field(description="pretix language code, e.g. `en`, `de`, `de-informal`.")
    text: str = strawberry.field(description="The text in that language (not blank).")


@strawberry.enum(description="Orders of `pretixEvents` (pretix's own default: by slug).")
class PretixEventOrder(Enum):
    SLUG = strawberry.enum_value("slug", description="By slug, A to Z.")
    SLUG_DESC = strawberry.enum_value("-slug", description="By slug, Z to A.")
    DATE_FROM = strawberry.enum_value("date_from", description="Earliest start first.")
    DATE_FROM_DESC = strawberry.enum_value("-date_from", description="Latest start first.")


@strawberry.input(description="A meta data value an event must have (pretix's `attr[<property>]=<value>`).")
class PretixMetaDataFilter:
    property: str = strawberry.field(description="The name of one of the organizer's meta data properties.")
    value: str = strawberry.field(
        description="The value it must have; an event without one matches when this is the property's "
        "default."
    )


@strawberry.input(description="Filters pretix applies to its event list; all given ones must match.")
class PretixEventFilter:
    is_public: bool | None = strawberry.field(default=None, description="Listed publicly, or not.")
    live: bool | None = strawberry.field(default=None, description="Shop live, or not.")
    testmode: bool | None = strawberry.field(default=None, description="In test mode, or not.")
    has_subevents: bool | None = strawberry.field(default=None, description="Event series or not.")
    is_future: bool | None = strawberry.field(
        default=None, description="Ends (or, without an end, starts) now or later. Series never match true."
    )
    is_past: bool | None = strawberry.field(
        default=None, description="Ended (or, without an end, started) before now. Series never match true."
    )
    ends_after: datetime | None = strawberry.field(
        default=None, description="Single events ending (or, without an end, starting) at or after this."
    )
    date_from_after: datetime | None = strawberry.field(default=None, description="Starts at or after.")
    date_from_before: datetime | None = strawberry.field(default=None, description="Starts at or before.")
    date_to_after: datetime | None = strawberry.field(default=None, description="Ends at or after.")
    date_to_before: datetime | None = strawberry.field(default=None, description="Ends at or before.")
    search: str | None = strawberry.field(
        default=None,
        description="Text in the name (any language), slug or location, as pretix matches it: case-"
        "insensitive for A-Z only (`KÖLN` does not find `Köln`).",
    )
    sales_channel: str | None = strawberry.field(
        default=None, description="Only events sold through this sales channel, e.g. `web`."
    )
    meta_data: list[PretixMetaDataFilter] | None = strawberry.field(
        default=None,
        description="Only events with these meta data values (all of them). pretix ignores a property "
        "the organizer does not let events be filtered by, or does not have.",
    )


def wire_datetime(value: datetime) -> str:
    """A filter instant as pretix prints them (UTC, `Z`), so no `+` needs escaping in a query.

    Instants UTC cannot express (year 1 at +14:00) are the first or last one it can.
    """
    return clamped(value).isoformat().replace("+00:00", "Z")


def list_params(
    filter: PretixEventFilter | None, order_by: PretixEventOrder | None, with_availability_for: str | None
) -> dict[str, str]:
    """The query parameters of `GET /organizers/{o}/events/` for these arguments."""
    params: dict[str, str] = {}
    for name, value in vars(filter or PretixEventFilter()).items():
        if name == "meta_data":
            params |= {f"attr[{wanted.property}]": wanted.value for wanted in value or ()}
        elif isinstance(value, bool):
            params[name] = "true" if value else "false"
        elif isinstance(value, datetime):
            params[name] = wire_datetime(value)
        elif value:
            params[name] = str(value)
    if order_by is not None:
        params["ordering"] = str(order_by.value)
    if with_availability_for:
        params["with_availability_for"] = with_availability_for
    return params


@strawberry.input(description="A new pretix event. Datetimes need a UTC offset.")
class CreatePretixEventInput:
    name: list[TranslationInput] = strawberry.field(
        description="The full name, at least one language (read back as `localizedName`)."
    )
    slug: str = strawberry.field(
        description="Short name for URLs: letters, digits, dots and dashes, at most 50; cannot change later."
    )
    date_from: datetime = strawberry.field(description="Start.")
    date_to: datetime | None = strawberry.field(default=None, description="End; not before `dateFrom`.")
    date_admission: datetime | None = strawberry.field(default=None, description="When doors open.")
    presale_start: datetime | None = strawberry.field(default=None, description="When the shop opens.")
    presale_end: datetime | None = strawberry.field(default=None, description="Not before `presaleStart`.")
    currency: str | None = strawberry.field(
        default=None, description="ISO 4217 code; pretix's default (EUR on pretix.eu) when omitted."
    )
    live: bool | None = strawberry.field(
        default=None, description="Must be false: a shop goes live later, once it has quotas and payment."
    )
    testmode: bool | None = strawberry.field(default=None, description="Test orders only (default false).")
    is_public: bool | None = strawberry.field(default=None, description="Default true.")
    location: list[TranslationInput] | None = strawberry.field(
        default=None, description="Where it happens, per language (read back as `localizedLocation`)."
    )
    geo_lat: float | None = strawberry.field(default=None, description="-90 to 90.")
    geo_lon: float | None = strawberry.field(default=None, description="-180 to 180.")
    has_subevents: bool | None = strawberry.field(
        default=None, description="Make it an event series; cannot change later."
    )
    meta_data: JSON | None = strawberry.field(
        default=None, description="Object of the organizer's meta data property names to string values."
    )
    seating_plan: int | None = strawberry.field(default=None, description="Not with `hasSubevents`.")
    plugins: list[str] | None = strawberry.field(
        default=None, description="Plugin module names to enable (default: pretix's default set)."
    )
    timezone: str | None = strawberry.field(default=None, description="IANA zone, e.g. `Europe/Berlin`.")
    item_meta_properties: JSON | None = strawberry.field(default=None, description="Object of strings.")
    all_sales_channels: bool | None = strawberry.field(
        default=None, description="Sell through every sales channel (default true)."
    )
    limit_sales_channels: list[str] | None = strawberry.field(
        default=None, description="The channels that may sell when `allSalesChannels` is false."
    )


@strawberry.input(
    description="Changes to a pretix event; omitted fields stay as they are. `slug` and `hasSubevents` "
    "cannot change: giving a different value is refused before anything is sent."
)
class UpdatePretixEventInput:
    name: strawberry.Maybe[list[TranslationInput]] = strawberry.field(
        description="Replaces the name in every language."
    )
    slug: strawberry.Maybe[str] = strawberry.field(description="Only the current slug is accepted.")
    live: strawberry.Maybe[bool] = strawberry.field(
        description="Going live needs quotas and payment set up in pretix; otherwise pretix says why not."
    )
    testmode: strawberry.Maybe[bool] = strawberry.field(description="Test orders only, or not.")
    currency: strawberry.Maybe[str] = strawberry.field(description="ISO 4217 code.")
    date_from: strawberry.Maybe[datetime] = strawberry.field(description="A new start.")
    date_to: strawberry.Maybe[datetime | None] = strawberry.field(description="A new end; null: none.")
    date_admission: strawberry.Maybe[datetime | None] = strawberry.field(
        description="When doors open; null: not set."
    )
    is_public: strawberry.Maybe[bool] = strawberry.field(description="Listed publicly, or not.")
    presale_start: strawberry.Maybe[datetime | None] = strawberry.field(
        description="When the shop opens; null: not set."
    )
    presale_end: strawberry.Maybe[datetime | None] = strawberry.field(
        description="When the shop closes; null: not set."
    )
    location: strawberry.Maybe[list[TranslationInput] | None] = strawberry.field(
        description="Replaces the location in every language; null clears it."
    )
    geo_lat: strawberry.Maybe[float | None] = strawberry.field(description="-90 to 90; null clears it.")
    geo_lon: strawberry.Maybe[float | None] = strawberry.field(description="-180 to 180; null clears it.")
    has_subevents: strawberry.Maybe[bool] = strawberry.field(description="Only the current value.")
    meta_data: strawberry.Maybe[JSON] = strawberry.field(description="Replaces the meta data values.")
    seating_plan: strawberry.Maybe[int | None] = strawberry.field(
        description="Id of a seating plan; null: none."
    )
    seat_category_mapping: strawberry.Maybe[JSON] = strawberry.field(
        description="Seating plan category → product id."
    )
    plugins: strawberry.Maybe[list[str]] = strawberry.field(description="Replaces the enabled plugins.")
    timezone: strawberry.Maybe[str] = strawberry.field(description="IANA zone, e.g. `Europe/Berlin`.")
    item_meta_properties: strawberry.Maybe[JSON] = strawberry.field(
        description="Replaces the product meta properties."
    )
    all_sales_channels: strawberry.Maybe[bool] = strawberry.field(
        description="Sell through every sales channel, or not."
    )
    limit_sales_channels: strawberry.Maybe[list[str]] = strawberry.field(
        description="The channels that may sell when `allSalesChannels` is false."
    )


def check_organizer(value: str, field: str = "organizer") -> str:
    """An organizer slug as pretix allows them (refused before any call otherwise)."""
    if not (2 <= len(value) <= 50 and ORGANIZER_SLUG.match(value)):
        problems = Problems()
        problems.add(field, f"{value!r} is not a pretix organizer slug")
        problems.check()
    return value


def _translations(problems: Problems, name: str, value: list[TranslationInput], *, required: bool) -> None:
    if required and not value:
        problems.add(to_camel_case(name), f"{to_camel_case(name)} needs at least one language")
    seen: set[str] = set()
    for entry in value:
        locale = entry.locale.lower().replace("_", "-")
        if not _LOCALE.match(entry.locale):
            problems.add(
                to_camel_case(name), f"{entry.locale!r} is not a language code such as 'en' or 'de-informal'"
            )
        elif locale in seen:
            problems.add(to_camel_case(name), f"language {entry.locale!r} is given twice")
        seen.add(locale)
        if not entry.text.strip():
            blank = f"the {entry.locale!r} text is blank; leave that language out instead"
            problems.add(to_camel_case(name), blank)


def _string_object(problems: Problems, name: str, value: Any) -> None:
    if not isinstance(value, dict) or not all(isinstance(text, str) for text in value.values()):
        problems.add(to_camel_case(name), f"{to_camel_case(name)} must be an object whose values are strings")


def check_event(problems: Problems, fields: dict[str, Any], *, creating: bool) -> None:
    """Refuse, naming the input field, what pretix would refuse of these event fields."""
    for name in I18N:
        if fields.get(name) is not None:
            _translations(problems, name, fields[name], required=name == "name")
    slug = fields.get("slug")
    if slug is not None and (len(slug) > 50 or not EVENT_SLUG.match(slug) or slug in EVENT_SLUG_BANLIST):
        problems.add("slug", f"{slug!r} is not allowed: letters, digits, dots and dashes, at most 50")
    if fields.get("currency") is not None and not _CURRENCY.match(fields["currency"]):
        problems.add("currency", f"{fields['currency']!r} is not an ISO 4217 code such as 'EUR'")
    if creating and fields.get("live"):
        problems.add("live", "events cannot be created live; set up quotas and payment, then update `live`")
    for name, limit in (("geo_lat", 90), ("geo_lon", 180)):
        if fields.get(name) is not None and not -limit <= fields[name] <= limit:
            problems.add(to_camel_case(name), f"{to_camel_case(name)} must be between -{limit} and {limit}")
    for name in ("meta_data", "item_meta_properties"):
        if name in fields:
            _string_object(problems, name, fields[name])
    if "seat_category_mapping" in fields and not isinstance(fields["seat_category_mapping"], dict):
        problems.add("seatCategoryMapping", "seatCategoryMapping must be an object")
    problems.timezone("timezone", fields.get("timezone"))
    for start, end in (("date_from", "date_to"), ("presale_start", "presale_end")):
        if fields.get(start) is not None and fields.get(end) is not None and fields[end] < fields[start]:
            later = to_camel_case(end)
            problems.add(later, f"{later} must not be before {to_camel_case(start)}")
    if creating and fields.get("has_subevents") and fields.get("seating_plan") is not None:
        problems.add("seatingPlan", "an event series cannot have a seating plan of its own")


def wire_field(name: str, value: Any) -> Any:
    """An input value as pretix's JSON has it."""
    if isinstance(value, datetime):
        return value.isoformat()
    if name in I18N and value is not None:
        return {entry.locale: entry.text for entry in value}
    return value


def create_body(data: CreatePretixEventInput) -> JSONObject:
    """The `POST /organizers/{o}/events/` body, after checking what pretix would refuse."""
    fields = given_fields(data, CREATE_FIELDS)
    problems = Problems("input")
    check_event(problems, fields, creating=True)
    problems.check()
    return {name: wire_field(name, value) for name, value in fields.items()}


def update_body(data: UpdatePretixEventInput, slug: str, has_subevents: bool | None) -> JSONObject:
    """The `PATCH` body: only given fields; `slug`/`hasSubevents` equal to the event's are dropped.

    `has_subevents` is the event's current value (needed only when the input gives `hasSubevents`).
    """
    fields = given_fields(data, UPDATE_FIELDS)
    if not fields:
        refuse_empty_update()
    problems = Problems("input")
    if fields.get("slug", slug) != slug:
        problems.add("slug", f"the slug of an event cannot be changed (it is {slug!r})")
    if "has_subevents" in fields and fields["has_subevents"] != has_subevents:
        problems.add("hasSubevents", "an event cannot change between a single event and a series")
    fields.pop("slug", None)
    fields.pop("has_subevents", None)
    check_event(problems, fields, creating=False)
    problems.check()
    return {name: wire_field(name, value) for name, value in fields.items()}
