"""pretix emulator state: organizers, events, teams, the stored idempotent answers, and the seed."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from aiohttp import web

TOKEN = "sandbox-pretix-token"
READ_ONLY_TOKEN = "sandbox-pretix-readonly"
#: Team tokens of one organizer each, as real pretix team tokens are (tokenauth.rst).
CONF_TEAM_TOKEN = "sandbox-pretix-conf-team"
ARTS_TEAM_TOKEN = "sandbox-pretix-arts-team"
ORGANIZERS = ("demo-conf", "demo-arts")
ANCHOR = datetime(2026, 10, 1, 9, tzinfo=UTC)
DEFAULT_PLUGINS = ("pretix.plugins.sendmail", "pretix.plugins.statistics")
SALES_CHANNELS = ("web",)
I18n = str | dict[str, str]


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
    #: Each property's default value (what an event without one of its own has).
    meta_defaults: dict[str, str] = field(default_factory=dict)
    #: The properties events may be filtered by (`attr[…]`; pretix's `filter_allowed`).
    meta_filterable: frozenset[str] = frozenset()


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


def stored_i18n(value: I18n) -> I18n:
    """As i18nfield stores a value: a plain string as is, a dict with keys sorted and empty values dropped."""
    if isinstance(value, str):
        return value
    return {lang: value[lang] for lang in sorted(value) if value[lang]}


def i18n_json(value: I18n) -> dict[str, str]:
    """How a stored value is rendered: a plain string is the default language."""
    return {"en": value} if isinstance(value, str) else value


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
        meta_properties={"Track": None, "Room": None},
        meta_defaults={"Track": "", "Room": "Main hall"},
        meta_filterable=frozenset({"Track"}),
    )
    arts = Organizer("demo-arts", "Demo Arts")
    events = [_conf_event(index, index) for index in range(1, 57)]
    events += [_this_month_event(number, now(), 56 + number) for number in range(1, 5)]
    conf.events = {event.slug: event for event in events}
    arts.events = {event.slug: event for event in _arts_events(61)}
    teams = {
        TOKEN: Team(frozenset(ORGANIZERS), can_write=True),
        READ_ONLY_TOKEN: Team(frozenset(ORGANIZERS), can_write=False),
        CONF_TEAM_TOKEN: Team(frozenset({"demo-conf"}), can_write=True),
        ARTS_TEAM_TOKEN: Team(frozenset({"demo-arts"}), can_write=True),
    }
    return PretixState({org.slug: org for org in (conf, arts)}, teams, now, next_seq=100)
