"""Thin views: fields computed from the decoded upstream object on first read, once, and equal to
what the eager types held (the end-to-end tests of each provider check the values over HTTP)."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import strawberry

from gateway.errors import MalformedItem
from gateway.ids import decode_id, encode_id
from gateway.providers.schoology import Realm
from schema.event import Event, EventStatus, Provider
from schema.kona import KonaCalendarEvent
from schema.pretix import PretixEvent
from schema.scalars import as_json
from schema.schoology import SchoologyEvent
from schema.strigo import StrigoAvailability, StrigoEvent, StrigoOwner
from schema.views import EventView, UpstreamView, id_parts, lazy, read, same_as

STRIGO_EVENT: dict[str, Any] = {
    "id": "ev1",
    "name": "Kubernetes 101",
    "description": 42,
    "date_start": "2026-11-22T09:30:00.000Z",
    "date_end": "not a date",
    "timezone": "Europe/Berlin",
    "event_link": "https://app.strigo.io/event/ev1",
    "token": "tok",
    "class_id": "cls1",
    "owner": {"id": "mem1", "email": "host@example.com"},
    "availability": "secret",
    "include_chat": True,
    "include_video": "yes",
    "tas": ["ta@example.com", 7, None],
    "trainees": "nobody",
    "status": "live",
    "labels": ["a"],
}


def test_every_field_of_a_strigo_event_reads_as_the_upstream_gave_it() -> None:
    event = StrigoEvent.from_upstream(STRIGO_EVENT, ZoneInfo("UTC"))
    starts = datetime(2026, 11, 22, 9, 30, tzinfo=UTC)
    expected = StrigoEvent(
        id=strawberry.ID(encode_id("strigo", "ev1")),
        provider=Provider.STRIGO,
        provider_id="ev1",
        title="Kubernetes 101",
        description="42",
        starts_at=starts,
        ends_at=None,
        timezone="Europe/Berlin",
        all_day=False,
        start_date=None,
        end_date=None,
        url="https://app.strigo.io/event/ev1",
        location=None,
        status=EventStatus.LIVE,
        raw=as_json(STRIGO_EVENT),
        event_link="https://app.strigo.io/event/ev1",
        token="tok",
        class_id="cls1",
        owner=StrigoOwner.of("mem1", "host@example.com"),
        name="Kubernetes 101",
        availability=None,
        date_start=starts,
        date_end=None,
        include_chat=True,
        include_video=None,
        include_lab_exercises=None,
        is_recorded=None,
        tas=["ta@example.com", "7"],
        trainees=[],
        strigo_status="live",
        partner_id=None,
        labels=["a"],
    )
    assert isinstance(event, StrigoEvent)
    for field in dataclasses.fields(StrigoEvent):
        if not field.init:
            continue  # a resolver, not a value
        assert getattr(event, field.name) == getattr(expected, field.name), field.name


def test_a_strigo_event_computes_only_the_fields_read_and_each_once() -> None:
    event = StrigoEvent.from_upstream({**STRIGO_EVENT, "availability": "public"})
    assert {"id", "owner", "starts_at", "date_start", "title", "tas"}.isdisjoint(vars(event))
    assert event.availability is StrigoAvailability.PUBLIC
    assert event.date_start is event.starts_at is vars(event)["starts_at"]
    assert event.id is event.id
    assert "owner" not in vars(event)
    assert id_parts(event) == decode_id(event.id).parts == ("ev1",)


def test_a_strigo_event_without_a_usable_id_is_refused_at_once() -> None:
    with pytest.raises(MalformedItem):
        StrigoEvent.from_upstream({**STRIGO_EVENT, "id": "no spaces allowed"})


class Sample(EventView):
    """A view with one of each kind of field, counting computations."""

    computed = 0

    def __init__(self, data: dict[str, Any]) -> None:
        self.data = data
        self.id_parts = ("x",)

    @lazy
    def doubled(self) -> int:
        Sample.computed += 1
        return int(self.data["n"]) * 2

    label = read("label", str)
    twice = same_as("doubled")


def test_lazy_fields_compute_on_first_read_and_then_are_plain_attributes() -> None:
    Sample.computed = 0
    view = Sample({"n": 4, "label": 5})
    assert Sample.computed == 0
    assert (view.doubled, view.twice, view.doubled) == (8, 8, 8)
    assert Sample.computed == 1
    assert vars(view)["doubled"] == 8
    assert view.label == "5"
    assert isinstance(Sample.__dict__["doubled"], lazy)
    assert isinstance(Sample.__dict__["label"], read)


def test_id_parts_of_an_object_that_is_not_a_view_come_from_its_id() -> None:
    @dataclasses.dataclass
    class Plain:
        id: str

    assert id_parts(Plain(encode_id("kona", "12", 3))) == ("12", "3")
    assert not isinstance(Plain("x"), UpstreamView)


KONA_OCCURRENCE: dict[str, Any] = {
    "id": 41,
    "series_id": 41,
    "num_in_series": 3,
    "name": "Stand-up",
    "start_at": 1_764_000_000_000,
    "end_at": 1_764_000_900_000,
    "period": 0,
    "frequency": 1,
}
PRETIX_EVENT: dict[str, Any] = {
    "slug": "conf",
    "name": {"de": "Konferenz", "en": "Conference"},
    "date_from": "2026-11-22T09:30:00+01:00",
    "date_to": None,
    "live": False,
}
SCHOOLOGY_EVENT: dict[str, Any] = {"id": "7", "title": "Exam", "start": "2026-11-22 09:30:00", "all_day": "0"}


def _views() -> list[tuple[Any, tuple[str, ...], dict[str, Any]]]:
    """(view, its global id's parts, some of its field values) for each provider but Strigo."""
    return [
        (
            KonaCalendarEvent.from_upstream(KONA_OCCURRENCE, ZoneInfo("Europe/Berlin")),
            ("41", "3"),
            {"title": "Stand-up", "timezone": "Europe/Berlin", "num_in_series": 3, "url": None},
        ),
        (
            PretixEvent.from_upstream(PRETIX_EVENT, "acme", "de"),
            ("acme", "conf"),
            {"title": "Konferenz", "status": EventStatus.DRAFT, "date_to": None, "organizer": "acme"},
        ),
        (
            SchoologyEvent.from_upstream(SCHOOLOGY_EVENT, Realm("sections", "12"), ZoneInfo("UTC")),
            ("sections", "12", "7"),
            {"title": "Exam", "all_day": False, "ends_at": None, "location": None},
        ),
    ]


@pytest.mark.parametrize("index", range(3), ids=["kona", "pretix", "schoology"])
def test_every_provider_builds_a_view_that_computes_fields_when_read(index: int) -> None:
    event, parts, values = _views()[index]
    assert isinstance(event, Event)
    assert isinstance(event, EventView)
    assert {"id", "title", "status", "ends_at"}.isdisjoint(vars(event))
    assert id_parts(event) == decode_id(event.id).parts == parts
    assert {name: getattr(event, name) for name in values} == values
    assert event.starts_at is vars(event)["starts_at"]
