"""Strigo emulator seed: the deterministic ids, members, classes and 110 events of a fresh org."""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Final

from gateway.sandbox.strigo_limits import RateLimiter
from gateway.sandbox.strigo_state import (
    STATUS_ENDED,
    STATUS_LIVE,
    STATUS_READY,
    TOKEN_CHARS,
    Event,
    Member,
    StrigoClass,
    StrigoState,
    meteor_id,
)

SEED: Final = 20250303
SEED_ANCHOR: Final = datetime(2025, 3, 3, 9, 0, tzinfo=UTC)


def _unique_ids(rng: random.Random, count: int, taken: set[str]) -> tuple[str, ...]:
    ids: list[str] = []
    while len(ids) < count:
        candidate = meteor_id(rng)
        if candidate not in taken:
            taken.add(candidate)
            ids.append(candidate)
    return tuple(ids)


def _seed_ids() -> tuple[tuple[str, ...], ...]:
    rng = random.Random(SEED)
    taken: set[str] = set()
    return tuple(_unique_ids(rng, count, taken) for count in (6, 20, 20, 2, 110))


MEMBER_IDS, CLASS_IDS, RESOURCE_IDS, PARTNER_IDS, EVENT_IDS = _seed_ids()

_MEMBER_SEED: Final = (
    ("dana.owner@strigo-sandbox.example", "owner"),
    ("hugo.host@strigo-sandbox.example", "member"),
    ("iris.instructor@strigo-sandbox.example", "member"),
    ("tom.trainer@strigo-sandbox.example", "member"),
    ("ada.assistant@strigo-sandbox.example", "member"),
    ("lea.lead@strigo-sandbox.example", "member"),
)
MEMBER_EMAILS: Final = tuple(email for email, _ in _MEMBER_SEED)
OWNER_EMAIL: Final = MEMBER_EMAILS[0]

_CLASS_SEED: Final = (
    ("Kubernetes Fundamentals", ("kubernetes", "containers")),
    ("Docker Essentials", ("containers",)),
    ("Terraform in Practice", ("iac", "devops")),
    ("Ansible Automation", ("iac", "devops")),
    ("AWS Solutions Architect Prep", ("cloud", "aws")),
    ("Azure Administration", ("cloud", "azure")),
    ("GCP Data Engineering", ("cloud", "data")),
    ("Linux System Administration", ("linux",)),
    ("Python for Data Analysis", ("python", "data")),
    ("Go Microservices", ("go", "backend")),
    ("Rust Systems Programming", ("rust",)),
    ("React Front-End Development", ("frontend", "javascript")),
    ("PostgreSQL Performance Tuning", ("databases",)),
    ("Kafka Streaming", ("data", "streaming")),
    ("Elasticsearch Operations", ("search", "ops")),
    ("CI/CD with GitHub Actions", ("devops", "ci")),
    ("Observability with Prometheus", ("ops", "monitoring")),
    ("Secure Coding Practices", ("security",)),
    ("Machine Learning Foundations", ("ml", "python")),
    ("Spark for Big Data", ("data", "spark")),
)

# Seed layout by event index: 0-49 ended (every 36 h back from the anchor), 50-53 live (running at
# the anchor), 54-109 ready (every 36 h after it); every 4th is private, so 55 is ready + private.
_LIVE_INDICES: Final = range(50, 54)
ENDED_EVENT_ID: Final = EVENT_IDS[0]
LIVE_EVENT_ID: Final = EVENT_IDS[50]
READY_EVENT_ID: Final = EVENT_IDS[54]
PRIVATE_EVENT_ID: Final = EVENT_IDS[55]
PARTNER_EVENT_ID: Final = EVENT_IDS[5]


def _seed_members() -> dict[str, Member]:
    return {
        member_id: Member(id=member_id, email=email, role=role)
        for member_id, (email, role) in zip(MEMBER_IDS, _MEMBER_SEED, strict=True)
    }


def _seed_classes(owner: Member) -> dict[str, StrigoClass]:
    classes = (
        StrigoClass(
            id=class_id,
            name=name,
            description=f"Hands-on {name} with guided labs.",
            labels=labels,
            owner=owner,
            resource_id=resource_id,
        )
        for class_id, resource_id, (name, labels) in zip(CLASS_IDS, RESOURCE_IDS, _CLASS_SEED, strict=True)
    )
    return {cls.id: cls for cls in classes}


def _seed_schedule(index: int) -> tuple[datetime, datetime, str]:
    duration = timedelta(hours=2 + (index % 4) * 2)
    if index in _LIVE_INDICES:
        start = SEED_ANCHOR - timedelta(minutes=60 + 30 * (index - _LIVE_INDICES.start))
        return start, SEED_ANCHOR + timedelta(hours=4), STATUS_LIVE
    if index < _LIVE_INDICES.start:
        start = SEED_ANCHOR - timedelta(hours=36 * (_LIVE_INDICES.start - index))
        return start, start + duration, STATUS_ENDED
    start = SEED_ANCHOR + timedelta(hours=36 * (index - _LIVE_INDICES.stop + 1))
    return start, start + duration, STATUS_READY


def _seed_event(index: int, members: list[Member], classes: list[StrigoClass]) -> Event:
    cls = classes[index % len(classes)]
    owner = members[index % len(members)]
    start, end, status = _seed_schedule(index)
    private = index % 4 == 3
    ta_count = (1, 0, 2)[index % 3]
    return Event(
        id=EVENT_IDS[index],
        token="".join(TOKEN_CHARS[(index * 7 + k * 13) % len(TOKEN_CHARS)] for k in range(4)),
        owner=owner,
        name=f"{cls.name} - Cohort {index // len(classes) + 1}",
        class_id=cls.id,
        date_start=start,
        date_end=end,
        availability="private" if private else "public",
        description=None if index % 7 == 6 else f"Session {index + 1} of {cls.name}.",
        include_chat=index % 2 == 0,
        include_video=index % 3 != 2,
        include_lab_exercises=index % 2 == 1,
        is_recorded=index % 5 == 0,
        tas=[members[(index + k) % len(members)].email for k in range(1, ta_count + 1)],
        trainees=[f"learner{(index + k) % 40:02d}@learners.example" for k in range(3)] if private else [],
        labels=[*cls.labels, ("emea", "amer", "apac")[index % 3]],
        status=status,
        partner_id=PARTNER_IDS[index % 2] if index % 12 == 5 else None,
    )


def seed_state(*, rate_limit: int, clock: Callable[[], float]) -> StrigoState:
    """A fresh org: 6 members, 20 classes, 110 events (the first 100 cover all 20 classes)."""
    members = _seed_members()
    owner = members[MEMBER_IDS[0]]
    classes = _seed_classes(owner)
    member_list, class_list = list(members.values()), list(classes.values())
    events = (_seed_event(index, member_list, class_list) for index in range(len(EVENT_IDS)))
    return StrigoState(
        members=members,
        classes=classes,
        events={event.id: event for event in events},
        limiter=RateLimiter(limit=rate_limit, clock=clock),
        rng=random.Random(SEED + 1),
    )


#: A second org with its own key, members, classes and events: none of them visible to the first.
SECOND_ORG_SEED: Final = 20250304
SECOND_ORG_EVENT_COUNT: Final = 6


def seed_second_org(limiter: RateLimiter) -> StrigoState:
    """A small second org (1 member, 2 classes, 6 ready events) sharing the emulator's rate limiter."""
    rng = random.Random(SECOND_ORG_SEED)
    taken = set(MEMBER_IDS) | set(CLASS_IDS) | set(RESOURCE_IDS) | set(PARTNER_IDS) | set(EVENT_IDS)
    member_ids, class_ids, resource_ids, event_ids = (
        _unique_ids(rng, count, taken) for count in (1, 2, 2, SECOND_ORG_EVENT_COUNT)
    )
    owner = Member(id=member_ids[0], email="olga.owner@partner-academy.example", role="owner")
    classes = {
        class_id: StrigoClass(
            id=class_id,
            name=name,
            description=f"Partner Academy: {name}.",
            labels=("partner",),
            owner=owner,
            resource_id=resource_id,
        )
        for class_id, resource_id, name in zip(
            class_ids, resource_ids, ("Incident Response Drills", "Threat Modelling"), strict=True
        )
    }
    class_list = list(classes.values())
    events = {}
    for index, event_id in enumerate(event_ids):
        cls = class_list[index % len(class_list)]
        start = SEED_ANCHOR + timedelta(days=2 + 3 * index, hours=1)
        events[event_id] = Event(
            id=event_id,
            token="".join(TOKEN_CHARS[(index * 11 + k * 5) % len(TOKEN_CHARS)] for k in range(4)),
            owner=owner,
            name=f"Partner Academy: {cls.name} {index + 1}",
            class_id=cls.id,
            date_start=start,
            date_end=start + timedelta(hours=3),
            availability="public",
            status=STATUS_READY,
        )
    return StrigoState(
        members={owner.id: owner},
        classes=classes,
        events=events,
        limiter=limiter,
        rng=random.Random(SECOND_ORG_SEED + 1),
    )
