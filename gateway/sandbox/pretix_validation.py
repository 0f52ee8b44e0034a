"""pretix emulator validation: EventSerializer's fields, checks, messages and legacy sales channels."""

from __future__ import annotations

import re
import zoneinfo
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from gateway.sandbox.pretix_fields import (
    FieldError,
    boolean_field,
    choice_field,
    datetime_field,
    float_field,
    i18n_field,
    object_field,
    string_field,
)
from gateway.sandbox.pretix_http import ApiError, ServerError
from gateway.sandbox.pretix_state import SALES_CHANNELS, Event, Organizer, i18n_json, stored_i18n

EVENT_PLUGINS = frozenset(
    {
        "pretix.plugins.autocheckin",
        "pretix.plugins.badges",
        "pretix.plugins.banktransfer",
        "pretix.plugins.manualpayment",
        "pretix.plugins.paypal2",
        "pretix.plugins.ticketoutputpdf",
        "pretix.plugins.returnurl",
        "pretix.plugins.reports",
        "pretix.plugins.sendmail",
        "pretix.plugins.statistics",
        "pretix.plugins.stripe",
        "pretix.plugins.webcheckin",
    }
)
HYBRID_PLUGINS = frozenset({"pretix.plugins.banktransfer"})
_CURRENCY_CODES = """
    AED AFN ALL AMD AOA ARS AUD AWG AZN BAM BBD BDT BHD BIF BMD BND BOB BOV BRL BSD BTN BWP BYN BZD CAD
    CDF CHE CHF CHW CLF CLP CNY COP COU CRC CUP CVE CZK DJF DKK DOP DZD EGP ERN ETB EUR FJD FKP GBP GEL GHS
    GIP GMD GNF GTQ GYD HKD HNL HTG HUF IDR ILS INR IQD IRR ISK JMD JOD JPY KES KGS KHR KMF KPW KRW KWD KYD
    KZT LAK LBP LKR LRD LSL LYD MAD MDL MGA MKD MMK MNT MOP MRU MUR MVR MWK MXN MXV MYR MZN NAD NGN NIO NOK
    NPR NZD OMR PAB PEN PGK PHP PKR PLN PYG QAR RON RSD RUB RWF SAR SBD SCR SDG SEK SGD SHP SLE SOS SRD SSP
    STN SVC SYP SZL THB TJS TMT TND TOP TRY TTD TWD TZS UAH UGX USD UYI UYU UYW UZS VED VES VND VUV WST XAD
    XAF XCD XCG XOF XPF XXX YER ZAR ZMW ZWG"""
CURRENCIES = frozenset(_CURRENCY_CODES.split())
SLUG_RE = re.compile(r"^[a-zA-Z0-9]([a-zA-Z0-9.-]*[a-zA-Z0-9])?$")
SLUG_BANLIST = frozenset(
    {
        "download", "healthcheck", "locale", "control", "redirect", "jsi18n", "metrics", "_global",
        "__debug__", "api", "events", "csp_report", "widget", "customer", "account", "lead", "accessibility",
    }
)  # fmt: skip
REQUIRED = "This field is required."
NOT_NULL = "This field may not be null."
LIVE_ON_CREATE = (
    "Events cannot be created as 'live'. Quotas and payment must be added to the event before sales can go "
    "live."
)
NO_QUOTA = "You need to configure at least one quota to sell anything."
EVENT_FIELDS = (
    "name", "slug", "live", "testmode", "currency", "date_from", "date_to", "date_admission", "is_public",
    "presale_start", "presale_end", "location", "geo_lat", "geo_lon", "has_subevents", "meta_data",
    "seating_plan", "plugins", "seat_category_mapping", "timezone", "item_meta_properties",
    "all_sales_channels", "limit_sales_channels",
)  # fmt: skip
CREATE_REQUIRED = ("name", "slug", "date_from")
I18N_FIELDS = ("name", "location")


@dataclass(frozen=True, slots=True)
class Target:
    """What a body is validated against: the organizer and, for updates, the event."""

    org: Organizer
    instance: Event | None


def _slug(value: Any, target: Target) -> str:
    slug = string_field(value)
    if not slug:
        raise FieldError("This field may not be blank.")
    messages = []
    if not SLUG_RE.match(slug):
        messages.append("The slug may only contain letters, numbers, dots and dashes.")
    if slug in SLUG_BANLIST:
        messages.append(f"This field has an invalid value: {slug}.")
    if len(slug) > 50:
        messages.append("Ensure this field has no more than 50 characters.")
    if messages:
        raise FieldError(*messages)
    # Event.clean_slug
    if target.instance is not None:
        if target.instance.slug != slug:
            raise FieldError("The event slug cannot be changed.")
    elif slug in target.org.events:
        raise FieldError("This slug has already been used for a different event.")
    return slug


def _live(value: Any, target: Target) -> bool:
    live = boolean_field(value)
    if live and target.instance is None:
        raise FieldError(LIVE_ON_CREATE)
    if live and target.instance is not None and not target.instance.has_quotas:
        raise FieldError(NO_QUOTA)  # Event.clean_live → live_issues
    return live


def _has_subevents(value: Any, target: Target) -> bool:
    series = boolean_field(value)
    if target.instance is not None and target.instance.has_subevents != series:
        raise FieldError("Once created an event cannot change between an series and a single event.")
    return series


def _meta_data(value: Any, target: Target) -> dict[str, str]:
    # Only the keys' type is checked; the values are stored as text.
    data = {key: str(text) for key, text in object_field(value, "meta_data", object, "str -> str").items()}
    for key, text in data.items():
        if key not in target.org.meta_properties:
            raise FieldError(f"Meta data property '{key}' does not exist.")
        allowed = target.org.meta_properties[key]
        if allowed is not None and text not in allowed:
            raise FieldError(f"Meta data property '{key}' does not allow value '{text}'.")
    return data


def _seating_plan(value: Any, target: Target) -> None:
    if isinstance(value, bool) or not isinstance(value, int | str):
        raise FieldError(f"Incorrect type. Expected pk value, received {type(value).__name__}.")
    if isinstance(value, str) and not value.strip().lstrip("-").isdigit():
        raise FieldError("Incorrect type. Expected pk value, received str.")
    raise FieldError(f'Invalid pk "{value}" - object does not exist.')  # the emulator has no seating plans


def _plugins(value: Any, target: Target) -> list[str]:
    if not isinstance(value, list | str | dict):
        raise ServerError  # PluginsField passes anything on; validate_plugins iterates it
    value = list(value)
    current = target.instance.plugins if target.instance is not None else []
    for plugin in value:
        if plugin not in EVENT_PLUGINS:
            raise FieldError(f"Unknown plugin: '{plugin}'.")
        if plugin in HYBRID_PLUGINS and plugin not in target.org.plugins and plugin not in current:
            raise FieldError(f"Plugin should be enabled on organizer level first: '{plugin}'.")
    return [plugin for plugin in value if plugin in EVENT_PLUGINS]


def _seat_category_mapping(value: Any, target: Target) -> dict[str, Any]:
    mapping = object_field(value, "seat_category_mapping", int, "str -> int")
    if mapping and target.instance is None:
        raise FieldError("You cannot specify seat category mappings on event creation.")
    if mapping:
        # The emulator's events have no items to map seats to.
        raise FieldError(f"Item '{next(iter(mapping.values()))}' does not exist.")
    return {}


def _sales_channel_list(value: Any, target: Target) -> list[str]:
    if not isinstance(value, list):
        raise FieldError(f'Expected a list of items but got type "{type(value).__name__}".')
    for identifier in value:
        if identifier not in SALES_CHANNELS:
            raise FieldError(f"Object with identifier={identifier} does not exist.")
    return list(value)


Parser = Callable[[Any, Target], Any]
NULLABLE = frozenset(
    {
        "date_to",
        "date_admission",
        "presale_start",
        "presale_end",
        "location",
        "geo_lat",
        "geo_lon",
        "seating_plan",
    }
)
PARSERS: dict[str, Parser] = {
    "name": lambda value, _: i18n_field(value),
    "slug": _slug,
    "live": _live,
    "testmode": lambda value, _: boolean_field(value),
    "currency": lambda value, _: choice_field(value, CURRENCIES),
    "date_from": lambda value, _: datetime_field(value),
    "date_to": lambda value, _: datetime_field(value),
    "date_admission": lambda value, _: datetime_field(value),
    "is_public": lambda value, _: boolean_field(value),
    "presale_start": lambda value, _: datetime_field(value),
    "presale_end": lambda value, _: datetime_field(value),
    "location": lambda value, _: i18n_field(value),
    "geo_lat": lambda value, _: float_field(value, 90),
    "geo_lon": lambda value, _: float_field(value, 180),
    "has_subevents": _has_subevents,
    "meta_data": _meta_data,
    "seating_plan": _seating_plan,
    "plugins": _plugins,
    "seat_category_mapping": _seat_category_mapping,
    "timezone": lambda value, _: choice_field(value, zoneinfo.available_timezones()),
    "item_meta_properties": lambda value, _: object_field(value, "item_meta_properties", str, "str -> str"),
    "all_sales_channels": lambda value, _: boolean_field(value),
    "limit_sales_channels": _sales_channel_list,
}


def _legacy_error(name: str, allowed: str) -> ApiError:
    message = (
        f"If '{name}' is set, the legacy attribute 'sales_channels' must not be set or set to {allowed}."
    )
    return ApiError(400, {name: [message]})


def _legacy_sales_channels(body: dict[str, Any]) -> dict[str, Any]:
    """SalesChannelMigrationMixin.to_internal_value: translate `sales_channels`, before any field."""
    body = dict(body)
    if "sales_channels" in body:
        channels = body.pop("sales_channels")
        if channels is not None and not isinstance(channels, list):
            raise ServerError  # set(…) of a non-list
        if channels is None:
            raise ApiError(
                400,
                {
                    "sales_channels": [
                        "The legacy attribute 'sales_channels' cannot be set to None, it must be a list."
                    ]
                },
            )
        wanted = set(channels)
        if body.get("all_sales_channels") and wanted != set(SALES_CHANNELS):
            raise _legacy_error("all_sales_channels", "the list of all sales channels")
        if body.get("limit_sales_channels") and wanted != set(body["limit_sales_channels"]):
            raise _legacy_error("limit_sales_channels", "the same list")
        everything = wanted == set(SALES_CHANNELS)
        body["all_sales_channels"] = everything
        body["limit_sales_channels"] = [] if everything else list(channels)
    if body.get("all_sales_channels"):
        body["limit_sales_channels"] = []
    return body


def validate_event(body: dict[str, Any], target: Target, *, partial: bool) -> dict[str, Any]:
    """EventSerializer.is_valid: the validated fields, or ApiError 400 with DRF's error dict."""
    body = _legacy_sales_channels(body)
    values: dict[str, Any] = {}
    errors: dict[str, list[str]] = {}
    for name in EVENT_FIELDS:
        if name not in body:
            if not partial and name in CREATE_REQUIRED:
                errors[name] = [REQUIRED]
            continue
        value = body[name]
        if value is None:
            if name in NULLABLE:
                values[name] = None
            else:
                errors[name] = [NOT_NULL]
            continue
        try:
            values[name] = PARSERS[name](value, target)
        except FieldError as error:
            errors[name] = error.messages
    if errors:
        raise ApiError(400, errors)
    _validate_dates(values)
    return values


def _validate_dates(values: dict[str, Any]) -> None:
    """EventSerializer.validate: only the dates sent in this request are compared."""
    start, end = values.get("date_from"), values.get("date_to")
    if start is not None and end is not None and start > end:
        raise ApiError(400, {"non_field_errors": ["The event cannot end before it starts."]})
    start, end = values.get("presale_start"), values.get("presale_end")
    if start is not None and end is not None and start > end:
        raise ApiError(400, {"non_field_errors": ["The event's presale cannot end before it starts."]})


def apply(event: Event, values: dict[str, Any]) -> None:
    """Write validated values into an event (i18n values as stored)."""
    for name, value in values.items():
        if name in ("seating_plan", "seat_category_mapping"):
            continue
        if name in I18N_FIELDS and value is not None:
            value = stored_i18n(value)
        setattr(event, name, value)


def echo(data: dict[str, Any], values: dict[str, Any]) -> dict[str, Any]:
    """Write responses render the in-memory object, so i18n values appear exactly as sent."""
    for name in I18N_FIELDS:
        value = values.get(name)
        if value is not None:
            data[name] = i18n_json(value)
    return data
