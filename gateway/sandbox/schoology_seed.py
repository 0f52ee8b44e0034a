"""The Schoology emulator's state: seeded realms (district, schools, sections, groups, users) and events.

Everything here is deterministic: the same ids, titles and dates on every call of `seed_state()`.
IDs echo the Schoology docs' examples (section 3719526, user 265, event ids near 5615031).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from gateway.sandbox.schoology_time import TIMEZONE, realm_zone, stored

APP_URL = "https://app.schoology.com"
#: A user far from the school, whose own calendar is written in her zone.
FAR_USER_ZONE = "Asia/Tokyo"

DISTRICT_ID = 100200
SCHOOL_IDS = (200301, 200302)
BUSY_SECTION_ID = 3719526
SECTION_IDS = tuple(range(BUSY_SECTION_ID, BUSY_SECTION_ID + 12))
GROUP_IDS = (450101, 450102, 450103)
USER_IDS = (265, 266, 267, 268, 269)
FIRST_EVENT_ID = 5615000

#: Three-legged access tokens, as Schoology's `/oauth/access_token` hands them to an app: token ->
#: (token secret, user). Dana (265) teaches the busy section, Luis (266) the next one; both are in
#: the Robotics Club group.
DANA_TOKEN, DANA_TOKEN_SECRET = "sandbox-schoology-dana", "sandbox-schoology-dana-secret"
LUIS_TOKEN, LUIS_TOKEN_SECRET = "sandbox-schoology-luis", "sandbox-schoology-luis-secret"
ACCESS_TOKENS = {DANA_TOKEN: (DANA_TOKEN_SECRET, 265), LUIS_TOKEN: (LUIS_TOKEN_SECRET, 266)}

# Realm path segment -> the singular name events carry in their `realm` field.
REALM_KINDS = {
    "districts": "district",
    "schools": "school",
    "users": "user",
    "groups": "group",
    "sections": "section",
}

RealmKey = tuple[str, int]

_COURSES = (
    ("Biology I", "BIO-101", 5),
    ("Algebra II", "MTH-201", 3),
    ("World History", "HIS-110", 6),
    ("English Literature", "ENG-120", 2),
    ("Chemistry", "CHM-210", 5),
    ("Studio Art", "ART-105", 9),
)
_GROUPS = ("Robotics Club", "Debate Team", "Science Olympiad")
_USERS = (
    ("Ms.", "Dana", "Whitfield", "teacher"),
    ("Mr.", "Luis", "Ortega", "teacher"),
    ("", "Priya", "Raman", "student"),
    ("", "Jonah", "Becker", "student"),
    ("Dr.", "Helen", "Okafor", "administrator"),
)
_EVENT_TITLES = ("Lecture", "Lab Session", "Review Session", "Guest Speaker", "Quiz", "Field Trip")
_REALM_EVENT_TITLES = ("Meeting", "Planning Day", "Open House")
_TIMES = ("08:30:00", "10:15:00", "13:00:00", "14:45:00")
_TERM_START = date(2026, 1, 12)


@dataclass(slots=True)
class StoredEvent:
    """One event as kept by the emulator: its realm plus the fields Schoology returns for it."""

    realm: RealmKey
    fields: dict[str, Any]
    #: The `attachments` object `with_attachments=1` adds (None: nothing attached).
    attachments: dict[str, Any] | None = None


@dataclass(slots=True)
class SchoologyState:
    """All data of one emulator instance (one per `create_app`, so tests never share it)."""

    realms: dict[RealmKey, dict[str, Any]] = field(default_factory=dict)
    events: dict[int, StoredEvent] = field(default_factory=dict)
    #: The realms each user (of a three-legged call) belongs to; the app's own account sees all.
    memberships: dict[int, frozenset[RealmKey]] = field(default_factory=dict)
    next_event_id: int = FIRST_EVENT_ID

    def may_access(self, user_id: int | None, realm: RealmKey) -> bool:
        """Whether `user_id` (None: the app's own account) may read and write in `realm`."""
        return user_id is None or realm in self.memberships.get(user_id, frozenset())

    def add_event(self, realm: RealmKey, fields: dict[str, Any]) -> StoredEvent:
        """Store a new event under the next free id."""
        event = StoredEvent(realm=realm, fields={"id": self.next_event_id, **fields})
        self.events[self.next_event_id] = event
        self.next_event_id += 1
        return event

    def realm_events(self, realm: RealmKey) -> list[StoredEvent]:
        """The realm's events ordered by start, then id."""
        found = [event for event in self.events.values() if event.realm == realm]
        return sorted(found, key=lambda event: (event.fields["start"], event.fields["id"]))


def seed_state() -> SchoologyState:
    """A fresh, fully seeded state."""
    state = SchoologyState()
    state.realms[("districts", DISTRICT_ID)] = _district()
    for index, school_id in enumerate(SCHOOL_IDS):
        state.realms[("schools", school_id)] = _school(index, school_id)
    for index, section_id in enumerate(SECTION_IDS):
        state.realms[("sections", section_id)] = _section(index, section_id)
    for index, group_id in enumerate(GROUP_IDS):
        state.realms[("groups", group_id)] = _group(index, group_id)
    for index, user_id in enumerate(USER_IDS):
        state.realms[("users", user_id)] = _user(index, user_id)
    club = ("groups", GROUP_IDS[0])
    state.memberships = {
        265: frozenset({("sections", BUSY_SECTION_ID), club, ("users", 265)}),
        266: frozenset({("sections", SECTION_IDS[1]), club, ("users", 266)}),
    }
    _seed_events(state)
    return state


def _district() -> dict[str, Any]:
    return {
        "id": DISTRICT_ID,
        "title": "Maple Valley Unified School District",
        "address1": "400 Civic Center Drive",
        "address2": "",
        "city": "Maple Valley",
        "state": "NY",
        "postal_code": "12401",
        "country": "USA",
        "website": "https://www.maplevalley.example.org",
        "phone": "(845) 555-0100",
        "fax": "(845) 555-0101",
        "picture_url": "",
    }


def _school(index: int, school_id: int) -> dict[str, Any]:
    title = ("Maple Valley High School", "Cedar Ridge Middle School")[index]
    return {
        "id": school_id,
        "title": title,
        "address1": f"{120 + index * 300} School Street",
        "address2": "",
        "city": "Maple Valley",
        "state": "NY",
        "postal_code": "12401",
        "country": "USA",
        "website": f"https://{('mvhs', 'crms')[index]}.maplevalley.example.org",
        "phone": f"(845) 555-02{index}0",
        "fax": "",
        "building_code": f"MV-{index + 1:02d}",
        "picture_url": "",
    }


def _section(index: int, section_id: int) -> dict[str, Any]:
    course_title, course_code, subject_area = _COURSES[index // 2]
    school_id = SCHOOL_IDS[0] if index < 8 else SCHOOL_IDS[1]
    period = index % 2 * 2 + 2
    return {
        "id": section_id,
        "course_title": course_title,
        "course_code": course_code,
        "course_id": 2510400 + index // 2,
        "school_id": school_id,
        "building_id": school_id,
        "access_code": "",
        "section_title": f"Period {period}",
        "section_code": f"{course_code}-{period:02d}",
        "section_school_code": f"{course_code}-{period:02d}-2026S",
        "synced": 0,
        "active": 1,
        "description": "",
        "subject_area": str(subject_area),
        "grade_level_range_start": "11",
        "grade_level_range_end": "14",
        "parent_id": None,
        "grading_periods": [881201],
        "profile_url": f"{APP_URL}/sites/all/themes/schoology_theme/images/course-default.svg",
        "location": f"Room {100 + index * 7}",
        "meeting_days": ["1", "3", "5"],
        "start_time": "",
        "end_time": "",
        "class_periods": [],
        "weight": "",
    }


def _group(index: int, group_id: int) -> dict[str, Any]:
    return {
        "id": group_id,
        "title": _GROUPS[index],
        "description": f"The {_GROUPS[index]} at Maple Valley High School.",
        "website": "",
        "access_code": "",
        "category": "",
        "group_code": f"GRP-{index + 1}",
        "privacy_level": "school",
        "picture_url": "",
        "school_id": SCHOOL_IDS[0],
        "building_id": SCHOOL_IDS[0],
        "options": {
            "invite_type": 0,
            "member_post": 1,
            "member_post_comment": 1,
            "create_discussion": 0,
            "create_files": 0,
        },
    }


def _user(index: int, user_id: int) -> dict[str, Any]:
    name_title, first, last, position = _USERS[index]
    far = user_id == USER_IDS[-1]
    is_student = position == "student"
    return {
        "uid": str(user_id),
        "id": user_id,
        "school_id": SCHOOL_IDS[0],
        "building_id": SCHOOL_IDS[0],
        "school_uid": f"MV{user_id:06d}",
        "name_title": name_title,
        "name_title_show": 0 if is_student else 1,
        "name_first": first,
        "name_first_preferred": "",
        "name_middle": "",
        "name_middle_show": 0,
        "name_last": last,
        "name_display": f"{first} {last}",
        "username": f"{first[0].lower()}{last.lower()}",
        "primary_email": f"{first.lower()}.{last.lower()}@maplevalley.example.org",
        "position": "" if is_student else position.title(),
        "gender": None,
        "grad_year": "2027" if is_student else "",
        "birthday_date": None,
        "role_id": 796800 + (1 if is_student else 0),
        "picture_url": "",
        "tz_offset": 9 if far else -5,
        "tz_name": FAR_USER_ZONE if far else TIMEZONE,
        "language": "en",
    }


def _seed_events(state: SchoologyState) -> None:
    # The busy section has 47 events: three pages at the default limit of 20.
    for n in range(47):
        _add(state, ("sections", BUSY_SECTION_ID), _section_event(BUSY_SECTION_ID, n))
    for section_id in SECTION_IDS[1:]:
        for n in range(2 + section_id % 3):
            _add(state, ("sections", section_id), _section_event(section_id, n))
    for realm, count in (("groups", 3), ("users", 2), ("schools", 2), ("districts", 2)):
        for realm_id in sorted(rid for kind, rid in state.realms if kind == realm):
            for n in range(count):
                title = f"{_realm_title(state, realm, realm_id)}: {_REALM_EVENT_TITLES[n]}"
                _add(state, (realm, realm_id), _plain_event(title, n))


def _add(state: SchoologyState, realm: RealmKey, fields: dict[str, Any]) -> None:
    """Store an event whose times are given in its realm's zone (kept in UTC, see `schoology_time`)."""
    zone: ZoneInfo = realm_zone(realm[0], state.realms.get(realm))
    all_day = bool(fields["all_day"])
    for name in ("start", "end"):
        if fields[name]:
            fields[name] = stored(fields[name], zone, all_day=all_day)
    event = state.add_event(realm, fields)
    event.attachments = _attachments(event.fields)


def _attachments(fields: dict[str, Any]) -> dict[str, Any] | None:
    """Field trips carry a permission slip and the venue's page; guest speakers a talk video."""
    event_id, title = fields["id"], str(fields["title"])
    if title.startswith("Field Trip"):
        slip = {
            "id": event_id * 10 + 1, "title": "Permission slip", "filename": "permission-slip.pdf",
            "filesize": 48213, "md5_checksum": "5d41402abc4b2a76b9719d911017c592", "timestamp": 1767225600,
            "download_path": f"https://api.schoology.com/v1/attachment/{event_id * 10 + 1}/source/slip.pdf",
            "extension": "pdf", "converted_status": 4, "converted_type": 4,
        }  # fmt: skip
        venue = {"id": event_id * 10 + 2, "title": "Science museum", "url": "https://museum.example.org/",
                 "summary": "", "favicon": "", "thumbnail": ""}  # fmt: skip
        return {"files": {"file": [slip]}, "links": {"link": [venue]}}
    if title.startswith("Guest Speaker"):
        talk = {"id": event_id * 10 + 3, "title": "The talk", "url": "https://video.example.org/talk",
                "favicon": "", "thumbnail": ""}  # fmt: skip
        return {"videos": {"video": [talk]}}
    return None


def _realm_title(state: SchoologyState, realm: str, realm_id: int) -> str:
    data = state.realms[(realm, realm_id)]
    return str(data.get("title") or data.get("name_display"))


def _day(n: int, offset: int) -> str:
    return (_TERM_START + timedelta(days=offset + n * 3 // 2)).isoformat()


def _section_event(section_id: int, n: int) -> dict[str, Any]:
    offset = section_id - BUSY_SECTION_ID
    if n % 6 == 2:
        assignment_id = 8120000 + offset * 100 + n
        return _due_event("assignment", f"Homework {n // 6 + 1}", _day(n, offset), assignment_id)
    if n % 9 == 4:
        assignment_id = 8130000 + offset * 100 + n
        return _due_event("discussion", f"Discussion: Chapter {n // 9 + 1}", _day(n, offset), assignment_id)
    return _plain_event(f"{_EVENT_TITLES[n % len(_EVENT_TITLES)]} {n + 1}", n, offset)


def _plain_event(title: str, n: int, offset: int = 0) -> dict[str, Any]:
    all_day = 1 if title.startswith("Field Trip") else 0
    time = "00:00:00" if all_day else _TIMES[n % len(_TIMES)]
    day = _day(n, offset)
    has_end = 0 if all_day else 1
    end_time = f"{int(time[:2]) + 1:02d}{time[2:]}"
    return {
        "title": title,
        "description": f"{title} (seeded)",
        "start": f"{day} {time}",
        "has_end": has_end,
        "end": f"{day} {end_time}" if has_end else "",
        "all_day": all_day,
        "editable": 1,
        "rsvp": n % 3,
        "comments_enabled": 1,
        "type": "event",
    }


def _due_event(kind: str, title: str, day: str, assignment_id: int) -> dict[str, Any]:
    # Due-date events of assignments/discussions are listed but read-only (`editable: 0`).
    path = "assignment" if kind == "assignment" else "discussion"
    return {
        "title": title,
        "description": "",
        "start": f"{day} 23:59:00",
        "has_end": 0,
        "end": "",
        "all_day": 0,
        "editable": 0,
        "rsvp": 0,
        "comments_enabled": 1,
        "type": kind,
        "assignment_id": assignment_id,
        "web_url": f"{APP_URL}/{path}/{assignment_id}",
    }
