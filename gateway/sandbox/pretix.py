"""pretix REST API emulator: organizers and events under `/api/v1`, as real pretix 2026.8.0 answers.

Every behaviour here was checked against a real pretix 2026.8.0 (`scripts/pretix-server.sh`); the
sources are `/work/shared/research/providers.md` §4 and pretix's `api/views/event.py`,
`api/serializers/event.py`, `api/auth/permission.py`, `api/middleware.py` and DRF. Mounted by the
sandbox at `/pretix`. What real pretix does and this emulator copies:

- `Authorization: Token <t>` (keyword case-insensitive). 401 bodies are DRF's; `WWW-Authenticate: Token`.
- Missing *or* forbidden organizer/event is 403 "You do not have permission to perform this action."
  (the permission check runs before the lookup); so is any write with the read-only team's token.
  Auth and permission are checked before the method, so a 405 needs a valid token and organizer.
- DRF page-number paging: `page` (or `last`), `page_size` (≤ 50, invalid → 50); `next`/`previous`
  are absolute, query keys sorted (DRF `replace_query_param`), `previous` to page 1 drops `page`;
  a page that is not a number or out of range is 404 `{"detail":"Invalid page."}`.
- Datetimes out in UTC with `Z`, microseconds only when non-zero; in: Django `parse_datetime`
  (Python `fromisoformat` plus Django's regex), naive values are UTC (the server's time zone).
- Multilingual strings are stored like i18nfield: a dict with keys sorted and empty values dropped, a
  plain string as is (rendered `{"en": …}`). Write responses echo the i18n values as sent (DRF
  serialises the in-memory object). `plugins` are rendered sorted and without duplicates.
- `search` is `icontains` on the stored text of name/location (JSON for dicts, so `search=en` matches
  every dict with an English entry) and on the slug; boolean filters take only true/false/1/0 (any
  case), anything else means no filter; a bad datetime filter is 400 under the filter's name.
- Validation is DRF's: field errors in serializer field order, then (only when every field is valid)
  the object-level date checks under `non_field_errors`. Those compare only the dates in the request,
  so a PATCH of `date_to` alone before the stored `date_from` is accepted (as real pretix does).
- PUT requires `name`, `slug`, `date_from` but keeps omitted optional fields (DRF update, not replace).
- `X-Idempotency-Key` on any non-GET request: the first answer (except 409/429/500/503) is stored per
  (Authorization header, key) and replayed for any later request with both, whatever its path or body.
- A JSON body that is not an object is 500 (pretix's SalesChannelMigrationMixin calls `.get` on it);
  `null` is 400 "No data provided". A path without its trailing slash: GET 301, other methods 404 HTML.

Emulator assumptions (no real counterpart):

- One team token (TOKEN) sees both seeded organizers, as an OAuth token could; a real team token
  belongs to exactly one organizer. READ_ONLY_TOKEN's team sees all events but has no write permission.
- `_has_orders` (DELETE refused) and `_has_quotas` (may go live) are internal flags; seeded live events
  have quotas, created events do not (so PATCH `live: true` is refused as on a fresh real event).
- Error messages are always English (real pretix translates them per `Accept-Language`).
- `timezone` accepts any IANA name Python knows (real: pytz `common_timezones`); no seating plans
  exist, so any `seating_plan` id is unknown; `attr[…]`, OPTIONS and organizer PATCH/PUT are not
  supported (405). `with_availability_for` gives `best_availability_state` 100 for events with
  quotas and null otherwise (real pretix computes it from the quotas' availability).

Seed (anchor 2026-10-01 09:00 UTC, plus four events in the current month of `now()`):

- `demo-conf`: 60 events `conf-01`…`conf-56` (one every 6 days from anchor - 90 d) and
  `meetup-this-month-1`…`4`. Every 3rd conf is live, every 7th not public, every 10th has orders
  (and is live), every 11th in test mode, `conf-20` and `conf-40` are series. Meta property `Track`;
  the hybrid plugin `pretix.plugins.banktransfer` is enabled on the organizer.
- `demo-arts`: `spring-gala`, `summer-opera` (has orders), `autumn-jazz`, `winter-ballet` (not public),
  and `new-year-concert` (January 2026, so the federated demo has pretix events among its earliest).
"""

from __future__ import annotations

import json
import math
import re
import zoneinfo
from collections.abc import Awaitable, Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta, timezone
from typing import Any
from urllib import parse

import orjson
from aiohttp import web

from gateway.sandbox.recorder import CallLog, Handler, json_response, recording_middleware

NAME = "pretix"
TOKEN = "sandbox-pretix-token"
READ_ONLY_TOKEN = "sandbox-pretix-readonly"
ORGANIZERS = ("demo-conf", "demo-arts")
ANCHOR = datetime(2026, 10, 1, 9, tzinfo=UTC)

PAGE_SIZE = 50
DEFAULT_PLUGINS = ("pretix.plugins.sendmail", "pretix.plugins.statistics")
# get_all_plugins() of a stock 2026.8.0 install (visible, event level); banktransfer is a hybrid plugin.
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
SALES_CHANNELS = ("web",)
# settings.CURRENCIES of pretix 2026.8.0 (pycountry).
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
# pretix.base.validators.EventSlugBanlistValidator
SLUG_BANLIST = frozenset(
    {
        "download", "healthcheck", "locale", "control", "redirect", "jsi18n", "metrics", "_global",
        "__debug__", "api", "events", "csp_report", "widget", "customer", "account", "lead", "accessibility",
    }
)  # fmt: skip
# django.utils.dateparse.datetime_re, the fallback after datetime.fromisoformat
DATETIME_RE = re.compile(
    r"(?P<year>\d{4})-(?P<month>\d{1,2})-(?P<day>\d{1,2})"
    r"[T ](?P<hour>\d{1,2}):(?P<minute>\d{1,2})"
    r"(?::(?P<second>\d{1,2})(?:[.,](?P<microsecond>\d{1,6})\d{0,6})?)?"
    r"\s*(?P<tzinfo>Z|[+-]\d{2}(?::?\d{2})?)?$"
)

NO_PERMISSION = "You do not have permission to perform this action."
NOT_PROVIDED = "Authentication credentials were not provided."
REQUIRED = "This field is required."
NOT_NULL = "This field may not be null."
DATETIME_FORMAT = (
    "Datetime has wrong format. Use one of these formats instead: "
    "YYYY-MM-DDThh:mm[:ss[.uuuuuu]][+HH:MM|-HH:MM|Z]."
)
DELETE_REFUSED = (
    "The event can not be deleted as it already contains orders. Please set 'live' to false to hide "
    "the event and take the shop offline instead."
)
LIVE_ON_CREATE = (
    "Events cannot be created as 'live'. Quotas and payment must be added to the event before sales can go "
    "live."
)
NO_QUOTA = "You need to configure at least one quota to sell anything."

LIST_ALLOW = "GET, POST, HEAD, OPTIONS"
DETAIL_ALLOW = "GET, PUT, PATCH, DELETE, HEAD, OPTIONS"
ORGANIZERS_ALLOW = "GET, HEAD, OPTIONS"
ORGANIZER_ALLOW = "GET, PUT, PATCH, HEAD, OPTIONS"
CLONE_ALLOW = "POST"  # CloneEventViewSet.http_method_names = ["post"]
I18n = str | dict[str, str]
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
# Serializer field order (EventSerializer.Meta.fields); errors and responses follow it.
EVENT_FIELDS = (
    "name", "slug", "live", "testmode", "currency", "date_from", "date_to", "date_admission", "is_public",
    "presale_start", "presale_end", "location", "geo_lat", "geo_lon", "has_subevents", "meta_data",
    "seating_plan", "plugins", "seat_category_mapping", "timezone", "item_meta_properties",
    "all_sales_channels", "limit_sales_channels",
)  # fmt: skip
CREATE_REQUIRED = ("name", "slug", "date_from")
I18N_FIELDS = ("name", "location")


# --- state -------------------------------------------------------------------------------------------


@dataclass(slots=True)
class Event:
    """One event; the public fields plus the internal `_has_orders`/`_has_quotas` flags."""

    slug: str
    name: I18n
    date_from: datetime
    seq: int = 0  # creation order; pretix breaks ordering ties by descending primary key
    live: bool = False
    testmode: bool = False
    currency: str = "EUR"
    date_to: datetime | None = None
    date_admission: datetime | None = None
    is_public: bool = True
    presale_start: datetime | None = None
    presale_end: datetime | None = None
    location: I18n | None = None
    geo_lat: float | None = None
    geo_lon: float | None = None
    has_subevents: bool = False
    meta_data: dict[str, str] = field(default_factory=dict)
    plugins: list[str] = field(default_factory=lambda: list(DEFAULT_PLUGINS))
    timezone: str = "UTC"
    item_meta_properties: dict[str, str] = field(default_factory=dict)
    all_sales_channels: bool = True
    limit_sales_channels: list[str] = field(default_factory=list)
    has_orders: bool = False
    has_quotas: bool = False


@dataclass(slots=True)
class Organizer:
    """An organizer, its events by slug and its event meta properties (name → allowed values or None)."""

    slug: str
    name: str
    events: dict[str, Event] = field(default_factory=dict)
    plugins: list[str] = field(default_factory=list)
    meta_properties: dict[str, frozenset[str] | None] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Team:
    """What an API token may do."""

    organizers: frozenset[str]
    can_write: bool


@dataclass(frozen=True, slots=True)
class StoredResponse:
    """An answer kept for `X-Idempotency-Key` replays."""

    status: int
    body: bytes
    headers: tuple[tuple[str, str], ...]


@dataclass(slots=True)
class PretixState:
    """Everything the emulator knows."""

    organizers: dict[str, Organizer]
    teams: dict[str, Team]
    now: Callable[[], datetime]
    next_seq: int = 1
    idempotency: dict[tuple[str, str], StoredResponse | None] = field(default_factory=dict)

    def sequence(self) -> int:
        """The next creation number."""
        self.next_seq += 1
        return self.next_seq


STATE = web.AppKey("pretix_state", PretixState)


# --- errors and responses ----------------------------------------------------------------------------


class ApiError(Exception):
    """An error answer: status, JSON body and extra headers."""

    def __init__(self, status: int, body: Any, *, headers: dict[str, str] | None = None) -> None:
        super().__init__(status)
        self.status = status
        self.body = body
        self.headers = headers or {}


def _detail(status: int, message: str, **headers: str) -> ApiError:
    return ApiError(status, {"detail": message}, headers=headers)


def _forbidden(message: str = NO_PERMISSION) -> ApiError:
    return _detail(403, message)


def _html(status: int, title: str) -> web.Response:
    page = f"<!DOCTYPE html>\n<html><head><title>{title}</title></head><body><h1>{title}</h1></body></html>\n"
    return web.Response(status=status, text=page, content_type="text/html", charset="utf-8")


def _answer(data: Any, status: int, allow: str, extra: dict[str, str] | None = None) -> web.Response:
    headers = {"Allow": allow, "Vary": "Accept-Language, Cookie, Host", "Content-Language": "en"}
    headers.update(extra or {})
    if status == 204:
        return web.Response(status=204, headers=headers)
    return json_response(data, status=status, headers=headers)


class _ServerError(Exception):
    """What real pretix answers with an HTML 500 (e.g. a JSON body that is a string)."""


Endpoint = Callable[[web.Request], Awaitable[tuple[int, Any]]]


def _route(allow: str, methods: Mapping[str, Endpoint]) -> Handler:
    """A handler for one path: auth and permission first, then the method (DRF's order)."""

    async def handler(request: web.Request) -> web.StreamResponse:
        try:
            endpoint = methods.get("GET" if request.method == "HEAD" else request.method)
            _authenticate(request)
            _check_permission(request, write=request.method not in SAFE_METHODS and endpoint is not None)
            if endpoint is None:
                raise _detail(405, f'Method "{request.method}" not allowed.')
            status, data = await endpoint(request)
        except ApiError as error:
            return _answer(error.body, error.status, allow, error.headers)
        except _ServerError:
            return _html(500, "Internal Server Error")
        return _answer(data, status, allow)

    return handler


# --- auth --------------------------------------------------------------------------------------------

TEAM = web.RequestKey("pretix_team", Team)


def _authenticate(request: web.Request) -> None:
    """DRF TokenAuthentication; the other pretix authenticators (session, device, OAuth) never match."""
    parts = request.headers.get("Authorization", "").split()
    if not parts or parts[0].lower() not in ("token", "device"):
        raise _detail(401, NOT_PROVIDED, **{"WWW-Authenticate": "Token"})
    if len(parts) == 1:
        raise _detail(401, "Invalid token header. No credentials provided.", **{"WWW-Authenticate": "Token"})
    if len(parts) > 2:
        raise _detail(
            401,
            "Invalid token header. Token string should not contain spaces.",
            **{"WWW-Authenticate": "Token"},
        )
    team = request.app[STATE].teams.get(parts[1]) if parts[0].lower() == "token" else None
    if team is None:
        raise _detail(401, "Invalid token.", **{"WWW-Authenticate": "Token"})
    request[TEAM] = team


def _check_permission(request: web.Request, *, write: bool) -> None:
    """EventPermission/EventCRUDPermission: unknown and forbidden look the same (403)."""
    org_slug = request.match_info.get("organizer")
    if org_slug is None:
        return
    state, team = request.app[STATE], request[TEAM]
    org = state.organizers.get(org_slug)
    if org is None or org_slug not in team.organizers:
        raise _forbidden()
    event_slug = request.match_info.get("event")
    if event_slug is not None and event_slug not in org.events:
        raise _forbidden()
    if write and not team.can_write:
        raise _forbidden()


def _organizer(request: web.Request) -> Organizer:
    return request.app[STATE].organizers[request.match_info["organizer"]]


def _event(request: web.Request) -> Event:
    return _organizer(request).events[request.match_info["event"]]


# --- output ------------------------------------------------------------------------------------------


def format_datetime(value: datetime | None) -> str | None:
    """DRF DateTimeField output in the UTC server time zone: `…Z`, microseconds only when non-zero."""
    if value is None:
        return None
    text = value.astimezone(UTC).isoformat()
    return text[:-6] + "Z" if text.endswith("+00:00") else text


def _site(request: web.Request) -> str:
    """The shop root: this emulator's mount point on the request's host (pretix uses its `url` setting)."""
    return f"{request.scheme}://{request.host}{request.path.split('/api/v1/')[0]}"


def event_json(
    event: Event, org: Organizer, site: str, *, detail: bool, availability: bool = False
) -> dict[str, Any]:
    """The event as EventSerializer renders it; `valid_keys` only on endpoints under one event.

    `availability` (a GET with `with_availability_for`) adds `best_availability_state`.
    """
    data: dict[str, Any] = {
        "name": i18n_json(event.name),
        "slug": event.slug,
        "live": event.live,
        "testmode": event.testmode,
        "currency": event.currency,
        "date_from": format_datetime(event.date_from),
        "date_to": format_datetime(event.date_to),
        "date_admission": format_datetime(event.date_admission),
        "is_public": event.is_public,
        "presale_start": format_datetime(event.presale_start),
        "presale_end": format_datetime(event.presale_end),
        "location": None if event.location is None else i18n_json(event.location),
        "geo_lat": event.geo_lat,
        "geo_lon": event.geo_lon,
        "has_subevents": event.has_subevents,
        "meta_data": event.meta_data,
        "seating_plan": None,
        "plugins": sorted(set(event.plugins)),
        "seat_category_mapping": {},
        "timezone": event.timezone,
        "item_meta_properties": event.item_meta_properties,
    }
    if detail:
        data["valid_keys"] = {"pretix_sig1": []}
    data["all_sales_channels"] = event.all_sales_channels
    data["limit_sales_channels"] = event.limit_sales_channels
    if availability:
        # Emulator assumption: an event with quotas has tickets available (100); without, unknown.
        data["best_availability_state"] = 100 if event.has_quotas else None
    data["public_url"] = f"{site}/{org.slug}/{event.slug}/"
    # The legacy field is still rendered (SalesChannelMigrationMixin.to_representation).
    data["sales_channels"] = list(SALES_CHANNELS) if event.all_sales_channels else event.limit_sales_channels
    return data


def organizer_json(org: Organizer, site: str) -> dict[str, Any]:
    """OrganizerSerializer."""
    return {"name": org.name, "slug": org.slug, "public_url": f"{site}/{org.slug}/", "plugins": org.plugins}


# --- paging ------------------------------------------------------------------------------------------


def _with_query_param(url: str, key: str, value: str | None) -> str:
    """DRF replace_query_param / remove_query_param: re-encodes the query with sorted keys."""
    scheme, netloc, path, query, fragment = parse.urlsplit(url)
    params = parse.parse_qs(query, keep_blank_values=True)
    if value is None:
        params.pop(key, None)
    else:
        params[key] = [value]
    return parse.urlunsplit(
        (scheme, netloc, path, parse.urlencode(sorted(params.items()), doseq=True), fragment)
    )


def _page_size(request: web.Request) -> int:
    try:
        size = int(request.query["page_size"])
    except (KeyError, ValueError):
        return PAGE_SIZE
    return min(size, PAGE_SIZE) if size > 0 else PAGE_SIZE


def paginate(request: web.Request, items: list[Any]) -> tuple[dict[str, Any], list[Any]]:
    """DRF PageNumberPagination: the envelope without `results`, and the page's items."""
    size = _page_size(request)
    pages = max(1, math.ceil(len(items) / size))
    raw = request.query.get("page") or "1"
    try:
        number = pages if raw == "last" else int(raw)
    except ValueError:
        raise _detail(404, "Invalid page.") from None
    if number < 1 or number > pages:
        raise _detail(404, "Invalid page.")
    query = request.rel_url.raw_query_string
    url = f"{request.scheme}://{request.host}{request.rel_url.raw_path}" + (f"?{query}" if query else "")
    envelope = {
        "count": len(items),
        "next": _with_query_param(url, "page", str(number + 1)) if number < pages else None,
        "previous": None
        if number == 1
        else _with_query_param(url, "page", str(number - 1) if number > 2 else None),
    }
    return envelope, items[(number - 1) * size : number * size]


# --- input parsing (DRF fields) ----------------------------------------------------------------------


class FieldError(Exception):
    """Messages for one field."""

    def __init__(self, *messages: str) -> None:
        super().__init__(*messages)
        self.messages = list(messages)


def parse_datetime(value: Any) -> datetime | None:
    """django.utils.dateparse.parse_datetime, made aware in UTC (pretix's default time zone here)."""
    if not isinstance(value, str):
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        match = DATETIME_RE.match(value)
        if match is None:
            return None
        try:
            parsed = _from_match(match)
        except ValueError:
            return None
    return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)


def _from_match(match: re.Match[str]) -> datetime:
    parts = match.groupdict()
    micro = parts.pop("microsecond")
    tz_text = parts.pop("tzinfo")
    tz: timezone | None = None
    if tz_text == "Z":
        tz = UTC
    elif tz_text is not None:
        minutes = 60 * int(tz_text[1:3]) + (int(tz_text[-2:]) if len(tz_text) > 3 else 0)
        tz = timezone(timedelta(minutes=-minutes if tz_text[0] == "-" else minutes))
    numbers = {key: int(value) for key, value in parts.items() if value is not None}
    return datetime(**numbers, microsecond=int(micro.ljust(6, "0")) if micro else 0, tzinfo=tz)


def _datetime(value: Any) -> datetime:
    parsed = parse_datetime(value)
    if parsed is None:
        raise FieldError(DATETIME_FORMAT)
    return parsed


_TRUE = frozenset({"t", "y", "yes", "true", "on", "1"})
_FALSE = frozenset({"f", "n", "no", "false", "off", "0"})


def _boolean(value: Any) -> bool:
    """DRF BooleanField."""
    if isinstance(value, bool):
        return value
    if isinstance(value, int | float) and value in (0, 1):
        return bool(value)
    if isinstance(value, str) and value.lower() in _TRUE | _FALSE:
        return value.lower() in _TRUE
    raise FieldError("Must be a valid boolean.")


def _i18n(value: Any) -> I18n:
    """i18nfield's serializer field: a plain string (shown as the default language) or a dict."""
    if isinstance(value, str):
        return value
    if not isinstance(value, dict):
        raise FieldError("Invalid data type.")
    if not all(isinstance(text, str) for text in value.values()):
        raise FieldError("All entries must be strings.")
    return dict(value)


def stored_i18n(value: I18n) -> I18n:
    """As i18nfield stores a value: a plain string as is, a dict with keys sorted and empty values dropped."""
    if isinstance(value, str):
        return value
    return {lang: value[lang] for lang in sorted(value) if value[lang]}


def i18n_json(value: I18n) -> dict[str, str]:
    """How a stored value is rendered: a plain string is the default language."""
    return {"en": value} if isinstance(value, str) else value


def _i18n_search_text(value: I18n) -> str:
    """The stored column text pretix's `search` runs icontains on (json.dumps, ASCII-escaped)."""
    return value if isinstance(value, str) else json.dumps(value, sort_keys=True)


def _string(value: Any) -> str:
    """DRF CharField (trims whitespace; numbers become strings)."""
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        raise FieldError("Not a valid string.")
    return str(value).strip()


def _float(value: Any, limit: int) -> float:
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise FieldError("A valid number is required.") from None
    if number < -limit:
        raise FieldError(f"Ensure this value is greater than or equal to {-limit}.")
    if number > limit:
        raise FieldError(f"Ensure this value is less than or equal to {limit}.")
    return number


def _choice(value: Any, choices: Iterable[str]) -> str:
    if isinstance(value, bool) or str(value) not in choices:
        raise FieldError(f'"{value}" is not a valid choice.')
    return str(value)


def _object(value: Any, name: str, value_type: type, shape: str) -> dict[str, Any]:
    """pretix's MetaDataField/MetaPropertyField/SeatCategoryMappingField type check."""
    if not isinstance(value, dict) or not all(isinstance(item, value_type) for item in value.values()):
        raise FieldError(f"{name} needs to be an object ({shape}).")
    return dict(value)


# --- event validation --------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Target:
    """What a body is validated against: the organizer and, for updates, the event."""

    org: Organizer
    instance: Event | None


def _slug(value: Any, target: Target) -> str:
    slug = _string(value)
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
    live = _boolean(value)
    if live and target.instance is None:
        raise FieldError(LIVE_ON_CREATE)
    if live and target.instance is not None and not target.instance.has_quotas:
        raise FieldError(NO_QUOTA)  # Event.clean_live → live_issues
    return live


def _has_subevents(value: Any, target: Target) -> bool:
    series = _boolean(value)
    if target.instance is not None and target.instance.has_subevents != series:
        raise FieldError("Once created an event cannot change between an series and a single event.")
    return series


def _meta_data(value: Any, target: Target) -> dict[str, str]:
    # Only the keys' type is checked; the values are stored as text.
    data = {key: str(text) for key, text in _object(value, "meta_data", object, "str -> str").items()}
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
        raise _ServerError  # PluginsField passes anything on; validate_plugins iterates it
    value = list(value)
    current = target.instance.plugins if target.instance is not None else []
    for plugin in value:
        if plugin not in EVENT_PLUGINS:
            raise FieldError(f"Unknown plugin: '{plugin}'.")
        if plugin in HYBRID_PLUGINS and plugin not in target.org.plugins and plugin not in current:
            raise FieldError(f"Plugin should be enabled on organizer level first: '{plugin}'.")
    return [plugin for plugin in value if plugin in EVENT_PLUGINS]


def _seat_category_mapping(value: Any, target: Target) -> dict[str, Any]:
    mapping = _object(value, "seat_category_mapping", int, "str -> int")
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
    "name": lambda value, _: _i18n(value),
    "slug": _slug,
    "live": _live,
    "testmode": lambda value, _: _boolean(value),
    "currency": lambda value, _: _choice(value, CURRENCIES),
    "date_from": lambda value, _: _datetime(value),
    "date_to": lambda value, _: _datetime(value),
    "date_admission": lambda value, _: _datetime(value),
    "is_public": lambda value, _: _boolean(value),
    "presale_start": lambda value, _: _datetime(value),
    "presale_end": lambda value, _: _datetime(value),
    "location": lambda value, _: _i18n(value),
    "geo_lat": lambda value, _: _float(value, 90),
    "geo_lon": lambda value, _: _float(value, 180),
    "has_subevents": _has_subevents,
    "meta_data": _meta_data,
    "seating_plan": _seating_plan,
    "plugins": _plugins,
    "seat_category_mapping": _seat_category_mapping,
    "timezone": lambda value, _: _choice(value, zoneinfo.available_timezones()),
    "item_meta_properties": lambda value, _: _object(value, "item_meta_properties", str, "str -> str"),
    "all_sales_channels": lambda value, _: _boolean(value),
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
            raise _ServerError  # set(…) of a non-list
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


def _echo(data: dict[str, Any], values: dict[str, Any]) -> dict[str, Any]:
    """Write responses render the in-memory object, so i18n values appear exactly as sent."""
    for name in I18N_FIELDS:
        value = values.get(name)
        if value is not None:
            data[name] = i18n_json(value)
    return data


# --- request bodies ----------------------------------------------------------------------------------


async def _body(request: web.Request) -> dict[str, Any]:
    """The JSON object body; DRF/pretix answers for anything else."""
    raw = await request.read()
    if not raw.strip():
        return {}
    try:
        data = orjson.loads(raw)
    except orjson.JSONDecodeError:
        raise _detail(400, f"JSON parse error - {_parse_error(raw)}") from None
    if data is None:
        raise ApiError(400, {"non_field_errors": ["No data provided"]})
    if not isinstance(data, dict):
        raise _ServerError  # the mixin calls data.get(…) on it
    return data


def _parse_error(raw: bytes) -> str:
    """pretix parses JSON with ujson; its two common messages."""
    bad_literal = re.search(rb"(?<![\"\w])([ntf])[a-z]*", raw)
    if bad_literal is not None and raw.lstrip()[:1] in (b"{", b"["):
        word = {b"n": "null", b"t": "true", b"f": "false"}[bad_literal.group(1)]
        return f"Unexpected character found when decoding '{word}'"
    return "Expected object or value"


# --- filters -----------------------------------------------------------------------------------------


def _bool_param(request: web.Request, name: str) -> bool | None:
    """django-filter BooleanWidget: true/false/1/0 (any case); other values mean no filter."""
    return {"1": True, "true": True, "0": False, "false": False}.get(request.query.get(name, "").lower())


DATE_FILTERS = (
    ("ends_after", ("ends_after",)),
    ("date_from", ("date_from_after", "date_from_before")),
    ("date_to", ("date_to_after", "date_to_before")),
)


def _date_params(request: web.Request) -> dict[str, tuple[datetime | None, datetime | None]]:
    """ends_after and the two IsoDateTimeFromToRange filters; bad values are 400 under the filter name."""
    ranges: dict[str, tuple[datetime | None, datetime | None]] = {}
    errors: dict[str, list[str]] = {}
    for name, keys in DATE_FILTERS:
        bounds: list[datetime | None] = []
        for key in keys:
            text = request.query.get(key, "")
            parsed = parse_datetime(text) if text else None
            if text and parsed is None:
                errors[name] = ["Enter a valid date/time."]
            bounds.append(parsed)
        ranges[name] = (bounds[0], bounds[-1] if len(bounds) > 1 else None)
    if errors:
        raise ApiError(400, errors)
    return ranges


def _ends(event: Event) -> datetime:
    return event.date_to if event.date_to is not None else event.date_from


def _in_range(value: datetime | None, bounds: tuple[datetime | None, datetime | None]) -> bool:
    low, high = bounds
    if low is None and high is None:
        return True
    if value is None:
        return False
    return (low is None or value >= low) and (high is None or value <= high)


def _search_text(event: Event) -> str:
    """The columns pretix's `search` runs icontains on: name, slug, location."""
    parts = [_i18n_search_text(event.name), event.slug]
    if event.location is not None:
        parts.append(_i18n_search_text(event.location))
    return "\n".join(parts).lower()


def _matches(event: Event, request: web.Request, now: datetime, dates: dict[str, Any]) -> bool:
    for name in ("is_public", "live", "has_subevents", "testmode"):
        wanted = _bool_param(request, name)
        if wanted is not None and getattr(event, name) != wanted:
            return False
    single = not event.has_subevents  # series never count as past, future or ending after
    for name, is_true in (
        ("is_past", single and _ends(event) < now),
        ("is_future", single and _ends(event) >= now),
    ):
        wanted = _bool_param(request, name)
        if wanted is not None and wanted != is_true:
            return False
    ends_after = dates["ends_after"][0]
    if ends_after is not None and not (single and _ends(event) >= ends_after):
        return False
    if not _in_range(event.date_from, dates["date_from"]) or not _in_range(event.date_to, dates["date_to"]):
        return False
    channel = request.query.get("sales_channel")
    if channel and not (event.all_sales_channels or channel in event.limit_sales_channels):
        return False
    search = request.query.get("search", "")
    # pretix.helpers.i18n.i18ncomp escapes the term the way the stored JSON is escaped.
    return not search or json.dumps(search)[1:-1].lower() in _search_text(event)


def _ordered(events: list[Event], request: web.Request) -> list[Event]:
    """TotalOrderingFilter: comma-separated `date_from`/`slug` (± ), unknown ones dropped, then -pk."""
    keys = [key.strip() for key in request.query.get("ordering", "").split(",")]
    keys = [key for key in keys if key.lstrip("-") in ("date_from", "slug")] or ["slug"]
    result = sorted(events, key=lambda event: event.seq, reverse=True)
    for key in reversed(keys):
        name = key.lstrip("-")
        result.sort(key=lambda event: getattr(event, name), reverse=key.startswith("-"))
    return result


# --- endpoints ---------------------------------------------------------------------------------------


async def list_organizers(request: web.Request) -> tuple[int, Any]:
    """GET /organizers/ — the token's organizers, `ordering` slug|name (default slug)."""
    state, team = request.app[STATE], request[TEAM]
    orgs = [org for slug, org in state.organizers.items() if slug in team.organizers]
    ordering = request.query.get("ordering", "slug")
    key = ordering.lstrip("-") if ordering.lstrip("-") in ("slug", "name") else "slug"
    orgs.sort(key=lambda org: str(getattr(org, key)), reverse=ordering == f"-{key}")
    envelope, page = paginate(request, orgs)
    site = _site(request)
    return 200, envelope | {"results": [organizer_json(org, site) for org in page]}


async def get_organizer(request: web.Request) -> tuple[int, Any]:
    """GET /organizers/{organizer}/."""
    return 200, organizer_json(_organizer(request), _site(request))


async def list_events(request: web.Request) -> tuple[int, Any]:
    """GET /organizers/{organizer}/events/ with EventFilter and ordering."""
    org, now = _organizer(request), request.app[STATE].now()
    availability = _availability(request)
    dates = _date_params(request)
    events = [event for event in org.events.values() if _matches(event, request, now, dates)]
    envelope, page = paginate(request, _ordered(events, request))
    site = _site(request)
    results = [event_json(event, org, site, detail=False, availability=availability) for event in page]
    return 200, envelope | {"results": results}


async def get_event(request: web.Request) -> tuple[int, Any]:
    """GET /organizers/{organizer}/events/{event}/."""
    availability = _availability(request)
    org = _organizer(request)
    return 200, event_json(_event(request), org, _site(request), detail=True, availability=availability)


def _availability(request: web.Request) -> bool:
    """`with_availability_for=<channel>`: the channel must exist (checked before filters and paging)."""
    if "with_availability_for" not in request.query:
        return False
    if request.query["with_availability_for"] not in SALES_CHANNELS:
        raise _detail(404, "No SalesChannel matches the given query.")
    return True


async def create_event(request: web.Request) -> tuple[int, Any]:
    """POST /organizers/{organizer}/events/ (optionally `?clone_from=<slug>` or `<org>/<slug>`)."""
    org, state = _organizer(request), request.app[STATE]
    body = await _body(request)
    values = validate_event(body, Target(org, None), partial=False)
    source = _clone_source(request) if "clone_from" in request.query else None
    event = Event(slug=values["slug"], name={}, date_from=values["date_from"], seq=state.sequence())
    apply(event, values)
    if source is not None:
        _copy_from(event, source, values, channels=False)
    org.events[event.slug] = event
    return 201, _echo(event_json(event, org, _site(request), detail=False), values)


def _clone_source(request: web.Request) -> Event:
    state, team = request.app[STATE], request[TEAM]
    org_slug, _, slug = request.query["clone_from"].rpartition("/")
    org = state.organizers.get(org_slug or request.match_info["organizer"])
    if org is None or org.slug not in team.organizers or slug not in org.events:
        raise ApiError(400, ["Event to copy from was not found"])
    return org.events[slug]


def _copy_from(event: Event, source: Event, values: dict[str, Any], *, channels: bool) -> None:
    """Event.copy_data_from, then the body's overrides (EventViewSet.perform_create / CloneEventSerializer).

    Only the clone endpoint lets the body override the sales channels (`channels`); perform_create's
    check looks for `sales_channels` in validated data, where the mixin never leaves it.
    """
    event.plugins = list(source.plugins)
    event.is_public = source.is_public
    event.testmode = source.testmode
    event.all_sales_channels = source.all_sales_channels
    event.limit_sales_channels = list(source.limit_sales_channels)
    if source.date_admission is not None:
        event.date_admission = event.date_from + (source.date_admission - source.date_from)
    if "meta_data" not in values:
        event.meta_data = dict(source.meta_data)
    event.timezone = source.timezone
    event.item_meta_properties = dict(source.item_meta_properties)
    event.has_quotas = source.has_quotas
    overrides = ("plugins", "is_public", "testmode", "has_subevents", "date_admission", "timezone")
    apply(event, {name: values[name] for name in overrides if name in values})
    if channels:
        apply(
            event,
            {name: values[name] for name in ("all_sales_channels", "limit_sales_channels") if name in values},
        )


async def clone_event(request: web.Request) -> tuple[int, Any]:
    """POST /organizers/{organizer}/events/{event}/clone/ — a new event from the body, data from {event}."""
    org, state, source = _organizer(request), request.app[STATE], _event(request)
    body = await _body(request)
    values = validate_event(body, Target(org, None), partial=False)
    event = Event(slug=values["slug"], name={}, date_from=values["date_from"], seq=state.sequence())
    apply(event, values)
    _copy_from(event, source, values, channels=True)
    org.events[event.slug] = event
    return 201, _echo(event_json(event, org, _site(request), detail=True), values)


async def _update_event(request: web.Request, *, partial: bool) -> tuple[int, Any]:
    org, event = _organizer(request), _event(request)
    values = validate_event(await _body(request), Target(org, event), partial=partial)
    apply(event, values)
    return 200, _echo(event_json(event, org, _site(request), detail=True), values)


async def patch_event(request: web.Request) -> tuple[int, Any]:
    """PATCH: only the given fields change."""
    return await _update_event(request, partial=True)


async def put_event(request: web.Request) -> tuple[int, Any]:
    """PUT: name, slug and date_from required; omitted optional fields keep their values (DRF update)."""
    return await _update_event(request, partial=False)


async def delete_event(request: web.Request) -> tuple[int, Any]:
    """DELETE: 204, or 403 when the event has orders (Event.allow_delete)."""
    org, event = _organizer(request), _event(request)
    if event.has_orders:
        raise _forbidden(DELETE_REFUSED)
    del org.events[event.slug]
    return 204, None


# --- middlewares -------------------------------------------------------------------------------------


@web.middleware
async def idempotency(request: web.Request, handler: Handler) -> web.StreamResponse:
    """pretix IdempotencyMiddleware: replay the stored answer for the same Authorization + key."""
    key = request.headers.get("X-Idempotency-Key")
    if request.method in SAFE_METHODS or not key:
        return await handler(request)
    store = request.app[STATE].idempotency
    slot = (request.headers.get("Authorization", ""), key)
    if slot in store:
        stored = store[slot]
        if stored is None:
            return json_response(
                {"detail": "Concurrent request with idempotency key."},
                status=409,
                headers={"Retry-After": "5"},
            )
        return web.Response(status=stored.status, body=stored.body, headers=dict(stored.headers))
    store[slot] = None
    response = await handler(request)
    if response.status in (409, 429, 500, 503) or not isinstance(response, web.Response):
        del store[slot]  # meant to be retried
    else:
        body = response.body if isinstance(response.body, bytes) else b""
        store[slot] = StoredResponse(response.status, body, tuple(response.headers.items()))
    return response


async def _missing_slash(request: web.Request) -> web.StreamResponse:
    """Django APPEND_SLASH: GET/HEAD are redirected; other methods fall through to the HTML 404."""
    if request.method not in ("GET", "HEAD"):
        return _html(404, "Not found")
    query = request.rel_url.raw_query_string
    location = f"{request.rel_url.raw_path}/" + (f"?{query}" if query else "")
    return web.Response(status=301, headers={"Location": location}, content_type="text/html", charset="utf-8")


async def _not_found(request: web.Request) -> web.StreamResponse:
    return _html(404, "Not found")


# --- seed --------------------------------------------------------------------------------------------

_TOPICS = (
    ("Python Summit", "Python-Gipfel"), ("Data Days", "Datentage"), ("Cloud Forum", "Cloud-Forum"),
    ("Security Camp", "Sicherheitscamp"), ("Design Week", "Designwoche"), ("DevOps Day", "DevOps-Tag"),
    ("Open Source Night", "Open-Source-Nacht"),
)  # fmt: skip
_CITIES = (
    ("Berlin", "Berlin"), ("Munich", "München"), ("Cologne", "Köln"), ("Vienna", "Wien"),
    ("Zurich", "Zürich"), ("Hamburg", "Hamburg"), ("Leipzig", "Leipzig"), ("Online", "Online"),
)  # fmt: skip
_GEO = {"Berlin": (52.52, 13.405), "Munich": (48.137, 11.575), "Vienna": (48.208, 16.373)}


def _conf_event(index: int, seq: int) -> Event:
    topic, city = _TOPICS[index % len(_TOPICS)], _CITIES[index % len(_CITIES)]
    start = ANCHOR + timedelta(days=6 * index - 90, hours=index % 4)
    lat, lon = _GEO.get(city[0], (None, None))
    orders = index % 10 == 0
    live = orders or index % 3 == 0
    return Event(
        slug=f"conf-{index:02d}",
        name={"de": f"{topic[1]} {city[1]} #{index}", "en": f"{topic[0]} {city[0]} #{index}"},
        date_from=start,
        date_to=None if index % 8 == 5 else start + timedelta(hours=8 + 24 * (index % 3)),
        date_admission=start - timedelta(minutes=30) if index % 4 == 0 else None,
        presale_start=start - timedelta(days=60) if live else None,
        presale_end=start if live else None,
        seq=seq,
        live=live,
        testmode=index % 11 == 0,
        is_public=index % 7 != 0,
        location={"de": city[1], "en": city[0]},
        geo_lat=lat,
        geo_lon=lon,
        has_subevents=index in (20, 40),
        meta_data={"Track": ("Tech", "Business", "Community")[index % 3]},
        timezone="Europe/Berlin" if index % 2 else "UTC",
        currency="CHF" if city[0] == "Zurich" else "EUR",
        has_orders=orders,
        has_quotas=live,
    )


def _this_month_event(number: int, now: datetime, seq: int) -> Event:
    start = now.replace(day=1, hour=18, minute=0, second=0, microsecond=0) + timedelta(
        days=3 + 7 * (number - 1)
    )
    return Event(
        slug=f"meetup-this-month-{number}",
        name={"de": f"Monatliches Treffen {number}", "en": f"Monthly meetup {number}"},
        date_from=start,
        date_to=start + timedelta(hours=3),
        seq=seq,
        live=True,
        location={"de": "Köln", "en": "Cologne"},
        has_quotas=True,
    )


def _arts_events(first_seq: int) -> list[Event]:
    rows = (
        ("spring-gala", "Spring Gala", "Frühlingsgala", ANCHOR + timedelta(days=170)),
        ("summer-opera", "Summer Opera", "Sommeroper", ANCHOR + timedelta(days=260)),
        ("autumn-jazz", "Autumn Jazz", "Herbstjazz", ANCHOR + timedelta(days=20)),
        ("winter-ballet", "Winter Ballet", "Winterballett", ANCHOR + timedelta(days=80)),
        ("new-year-concert", "New Year Concert", "Neujahrskonzert", ANCHOR - timedelta(days=265)),
    )
    return [
        Event(
            slug=slug,
            name={"de": de, "en": en},
            date_from=start,
            date_to=start + timedelta(hours=3),
            seq=first_seq + offset,
            live=slug == "summer-opera",
            is_public=slug != "winter-ballet",
            location={"de": "Wien", "en": "Vienna"},
            has_orders=slug == "summer-opera",
            has_quotas=True,
        )
        for offset, (slug, en, de, start) in enumerate(rows)
    ]


def seed_state(now: Callable[[], datetime]) -> PretixState:
    """The seeded organizers, teams and events (deterministic apart from the current-month events)."""
    conf = Organizer(
        "demo-conf",
        "Demo Conferences",
        plugins=["pretix.plugins.banktransfer"],
        meta_properties={"Track": None},
    )
    arts = Organizer("demo-arts", "Demo Arts")
    events = [_conf_event(index, index) for index in range(1, 57)]
    events += [_this_month_event(number, now(), 56 + number) for number in range(1, 5)]
    conf.events = {event.slug: event for event in events}
    arts.events = {event.slug: event for event in _arts_events(61)}
    teams = {
        TOKEN: Team(frozenset(ORGANIZERS), can_write=True),
        READ_ONLY_TOKEN: Team(frozenset(ORGANIZERS), can_write=False),
    }
    return PretixState({org.slug: org for org in (conf, arts)}, teams, now, next_seq=100)


# --- app ---------------------------------------------------------------------------------------------


def create_app(log: CallLog, *, now: Callable[[], datetime] | None = None) -> web.Application:
    """The seeded emulator; `now` (default: the wall clock) drives is_past/is_future and this month's seed."""
    app = web.Application(middlewares=[recording_middleware(NAME, log), idempotency])
    app[STATE] = seed_state(now or (lambda: datetime.now(UTC)))
    add = app.router.add_route
    orgs, org, events = (
        "/api/v1/organizers",
        "/api/v1/organizers/{organizer}",
        "/api/v1/organizers/{organizer}/events",
    )
    event = events + "/{event}"
    add("*", f"{orgs}/", _route(ORGANIZERS_ALLOW, {"GET": list_organizers}))
    add("*", f"{org}/", _route(ORGANIZER_ALLOW, {"GET": get_organizer}))
    add("*", f"{events}/", _route(LIST_ALLOW, {"GET": list_events, "POST": create_event}))
    detail = {"GET": get_event, "PATCH": patch_event, "PUT": put_event, "DELETE": delete_event}
    add("*", f"{event}/", _route(DETAIL_ALLOW, detail))
    add("*", f"{event}/clone/", _route(CLONE_ALLOW, {"POST": clone_event}))
    for path in (orgs, org, events, event, f"{event}/clone"):
        add("*", path, _missing_slash)
    add("*", "/{tail:.*}", _not_found)
    return app


def sandbox_env(base_url: str) -> dict[str, str]:
    """The gateway settings pointing at this emulator mounted at `base_url` (e.g. `…/pretix`)."""
    return {
        "PRETIX_BASE_URL": f"{base_url.rstrip('/')}/api/v1",
        "PRETIX_TOKEN": TOKEN,
        "PRETIX_ORGANIZERS": ",".join(ORGANIZERS),
    }
