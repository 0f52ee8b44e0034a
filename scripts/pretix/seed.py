"""Seed data for the loopback pretix test server: organizers, teams, API tokens, events, one order.

Run with the pretix venv's Python and DJANGO_SETTINGS_MODULE=gw_pretix_settings:
    python seed.py OUT_ENV_FILE
Writes the tokens and slugs as KEY=VALUE lines to OUT_ENV_FILE. Tokens come from PRETIX_REAL_TOKEN /
PRETIX_REAL_READONLY_TOKEN when set, otherwise they are random.
"""

import os
import secrets
import string
import sys
from datetime import UTC, datetime
from decimal import Decimal

import django

django.setup()

from django.conf import settings  # noqa: E402
from django.db import transaction  # noqa: E402
from django_scopes import scopes_disabled  # noqa: E402
from i18nfield.strings import LazyI18nString  # noqa: E402
from pretix.base.models import Event, Order, Organizer, Team, TeamAPIToken  # noqa: E402

ORGANIZER = "gw-test"
OTHER_ORGANIZER = "gw-other"
EVENT = "gw-conf-2030"
EVENT_WITH_ORDERS = "gw-with-orders"


def _token(env_name: str) -> str:
    alphabet = string.ascii_lowercase + string.digits
    return os.environ.get(env_name) or "".join(secrets.choice(alphabet) for _ in range(64))


def _event(org: Organizer, slug: str, name: dict[str, str], start: datetime, end: datetime) -> Event:
    ev = Event.objects.filter(organizer=org, slug=slug).first()
    if ev is not None:
        return ev
    ev = Event.objects.create(
        organizer=org,
        slug=slug,
        name=LazyI18nString(name),
        currency="EUR",
        date_from=start,
        date_to=end,
        location=LazyI18nString({"en": "Berlin", "de": "Berlin"}),
    )
    # What the API's POST does after its own create.
    ev.set_defaults()
    ev.set_active_plugins(settings.PRETIX_PLUGINS_DEFAULT.split(","))
    ev.save(update_fields=["plugins"])
    return ev


def _team(org: Organizer, name: str, token_name: str, token: str, **perms: object) -> str:
    team, _ = Team.objects.update_or_create(organizer=org, name=name, defaults=perms)
    tok, _ = TeamAPIToken.objects.update_or_create(
        team=team, name=token_name, defaults={"token": token, "active": True}
    )
    return str(tok.token)


def seed() -> dict[str, str]:
    org, _ = Organizer.objects.get_or_create(slug=ORGANIZER, defaults={"name": "Gateway Test Organizer"})
    Organizer.objects.get_or_create(
        slug=OTHER_ORGANIZER, defaults={"name": "Organizer the tokens cannot see"}
    )
    full = _team(
        org,
        "API full access",
        "integration-tests",
        _token("PRETIX_REAL_TOKEN"),
        all_events=True,
        all_event_permissions=True,
        all_organizer_permissions=True,
    )
    # Sees every event (reading event settings needs no permission flag) but may not change or create any.
    readonly = _team(
        org,
        "API read-only",
        "integration-tests-readonly",
        _token("PRETIX_REAL_READONLY_TOKEN"),
        all_events=True,
        all_event_permissions=False,
        limit_event_permissions={"event.orders:read": True, "event.vouchers:read": True},
        all_organizer_permissions=False,
        limit_organizer_permissions={},
    )
    _event(
        org,
        EVENT,
        {"en": "Gateway Conference 2030", "de": "Gateway-Konferenz 2030"},
        datetime(2030, 6, 1, 9, tzinfo=UTC),
        datetime(2030, 6, 2, 17, tzinfo=UTC),
    )
    with_orders = _event(
        org,
        EVENT_WITH_ORDERS,
        {"en": "Event with orders", "de": "Veranstaltung mit Bestellungen"},
        datetime(2030, 9, 1, 9, tzinfo=UTC),
        datetime(2030, 9, 1, 17, tzinfo=UTC),
    )
    if not with_orders.orders.exists():
        # One paid order is enough for Event.allow_delete() to refuse (API DELETE -> 403).
        order = Order.objects.create(
            event=with_orders,
            email="buyer@example.org",
            status=Order.STATUS_PAID,
            total=Decimal("0.00"),
            locale="en",
            sales_channel=org.sales_channels.get(identifier="web"),
        )
        order.create_transactions()
    return {
        "PRETIX_REAL_TOKEN": full,
        "PRETIX_REAL_READONLY_TOKEN": readonly,
        "PRETIX_REAL_ORGANIZER": ORGANIZER,
        "PRETIX_REAL_OTHER_ORGANIZER": OTHER_ORGANIZER,
        "PRETIX_REAL_EVENT": EVENT,
        "PRETIX_REAL_EVENT_WITH_ORDERS": EVENT_WITH_ORDERS,
    }


def main() -> None:
    with scopes_disabled(), transaction.atomic():
        values = seed()
    with open(sys.argv[1], "w", encoding="utf-8") as out:
        out.writelines(f"{key}={value}\n" for key, value in values.items())


if __name__ == "__main__":
    main()
