"""pretix's full-replace input (`PUT …/events/{slug}/`) and its request body.

pretix's PUT is Django REST framework's update without `partial`: `name`, `slug` and `date_from` are
required (400 otherwise, checked against a real pretix), and optional fields left out keep their
values, as with PATCH. The slug is the event's own (it cannot change).
"""

from __future__ import annotations

from datetime import datetime

import strawberry

from gateway.providers.base import JSONObject
from schema.pretix_inputs import UPDATE_FIELDS, TranslationInput, check_event, wire_field
from schema.scalars import JSON
from schema.validation import Problems

#: What a PUT may send besides the slug (which is the event's) and `has_subevents` (fixed at creation).
REPLACE_FIELDS = tuple(name for name in UPDATE_FIELDS if name not in ("slug", "has_subevents"))


@strawberry.input(
    description="Every field of a pretix event at once (PUT): `name` and `dateFrom` are required; pretix "
    "keeps the optional fields left out, so give each one you want set (null clears the nullable ones)."
)
class ReplacePretixEventInput:
    name: list[TranslationInput] = strawberry.field(description="The full name, at least one language.")
    date_from: datetime = strawberry.field(description="Start.")
    date_to: datetime | None = strawberry.field(default=None, description="End; not before `dateFrom`.")
    date_admission: datetime | None = strawberry.field(default=None, description="When doors open.")
    presale_start: datetime | None = strawberry.field(default=None, description="When the shop opens.")
    presale_end: datetime | None = strawberry.field(default=None, description="Not before `presaleStart`.")
    live: bool | None = strawberry.field(
        default=None, description="Going live needs quotas and payment set up in pretix."
    )
    testmode: bool | None = strawberry.field(default=None, description="Test orders only, or not.")
    currency: str | None = strawberry.field(default=None, description="ISO 4217 code.")
    is_public: bool | None = strawberry.field(default=None, description="Listed publicly, or not.")
    location: list[TranslationInput] | None = strawberry.field(
        default=None, description="The location in every language."
    )
    geo_lat: float | None = strawberry.field(default=None, description="-90 to 90.")
    geo_lon: float | None = strawberry.field(default=None, description="-180 to 180.")
    meta_data: JSON | None = strawberry.field(default=None, description="Meta data property → value.")
    seating_plan: int | None = strawberry.field(default=None, description="Id of a seating plan.")
    seat_category_mapping: JSON | None = strawberry.field(
        default=None, description="Seating plan category → product id."
    )
    plugins: list[str] | None = strawberry.field(default=None, description="Plugin module names to enable.")
    timezone: str | None = strawberry.field(default=None, description="IANA zone, e.g. `Europe/Berlin`.")
    item_meta_properties: JSON | None = strawberry.field(
        default=None, description="The product meta properties and their defaults."
    )
    all_sales_channels: bool | None = strawberry.field(
        default=None, description="Sell through every sales channel, or not."
    )
    limit_sales_channels: list[str] | None = strawberry.field(
        default=None, description="The channels that may sell when `allSalesChannels` is false."
    )


def replace_body(data: ReplacePretixEventInput, slug: str) -> JSONObject:
    """The `PUT` body: the given fields, the event's own slug, checked as pretix would."""
    fields = {name: getattr(data, name) for name in REPLACE_FIELDS if getattr(data, name) is not None}
    problems = Problems("input")
    check_event(problems, fields, creating=False)
    problems.check()
    return {"slug": slug} | {name: wire_field(name, value) for name, value in fields.items()}
