"""Recurring series in the feed: the occurrences GraphQL returned, folded back into one RRULE.

Calendar apps show and sync a series best as one VEVENT with an RRULE (Outlook and Google cope
badly with hundreds of loose copies, and only a rule says "weekly" in the app). The feed must still
show exactly the occurrences the `events` query returned for its filter: no more (the rule may go
on beyond the window, the search may have left some out), no fewer. So each series becomes:

- a master whose DTSTART is the first rule instance the feed holds, with the series' rule cut to
  end (`UNTIL`) at the last one (`COUNT` dropped: it counted from the series' own first start);
- an EXDATE for each rule instance in between that GraphQL did not return (removed upstream, moved
  out of the window, not matching the search);
- a RECURRENCE-ID override for each occurrence that differs from the master (moved, retitled, …).

Occurrences are paired with rule instances by start first; those left (moved ones) by their
`index`, then by order. The plan is replayed (rule, exdates, overrides) and must give back exactly
the occurrences it came from: a series that does not (a rule dateutil cannot read, occurrences of
different kinds) is written as one VEVENT per occurrence instead, each under its own id.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from itertools import islice

from dateutil.rrule import rrulestr

from gateway.feed.records import FeedEvent
from gateway.feed.times import Moment, comparable, span

#: The most rule instances looked at per series (an hourly rule over two years fits).
MAX_INSTANCES = 20_000


@dataclass(frozen=True, slots=True)
class SeriesPlan:
    """One series as the feed writes it: the master's occurrence, its rule, exceptions, overrides."""

    uid: str
    master: FeedEvent
    start: Moment
    end: Moment | None
    rule: str
    exdates: tuple[Moment, ...] = ()
    #: (RECURRENCE-ID, the occurrence shown instead of that rule instance)
    overrides: tuple[tuple[Moment, FeedEvent], ...] = ()


@dataclass(slots=True)
class Folded:
    """The feed's events after folding: series plans, and every event that stays on its own."""

    series: list[SeriesPlan] = field(default_factory=list)
    singles: list[FeedEvent] = field(default_factory=list)


def fold(events: Sequence[FeedEvent]) -> Folded:
    """Fold every series with a rule into a plan; everything else (and any series that would not
    replay exactly) stays a single event."""
    groups: dict[str, list[FeedEvent]] = {}
    folded = Folded()
    for event in events:
        if event.series is not None and event.series.rule and event.starts_at is not None:
            groups.setdefault(event.series.id, []).append(event)
        else:
            folded.singles.append(event)
    for uid, group in groups.items():
        plan = plan_series(uid, group)
        if plan is None:
            folded.singles.extend(group)
        else:
            folded.series.append(plan)
    return folded


def plan_series(uid: str, group: Sequence[FeedEvent]) -> SeriesPlan | None:
    """The plan of one series' occurrences, or None when no RRULE plan shows exactly them."""
    if len({(event.all_day, event.timezone) for event in group}) != 1:
        return None
    if len({_index(event) for event in group}) != len(group):
        return None
    ordered = sorted(group, key=lambda event: comparable(span(event)[0]))
    anchor = ordered[0]
    try:
        instances = _instances(anchor, _index(ordered[-1]) - _index(anchor) + 1, span(ordered[-1])[0])
        pairs = _pair(instances, ordered, _index(anchor))
        plan = _plan(uid, instances, pairs)
        return plan if plan is not None and _replays(plan, group) else None
    except (ValueError, TypeError, OverflowError):
        return None


def _index(event: FeedEvent) -> int:
    assert event.series is not None
    return event.series.index


def _rule_parts(rule: str) -> dict[str, str]:
    text = rule.strip().removeprefix("RRULE:")
    parts = {}
    for part in text.split(";"):
        name, _, value = part.partition("=")
        if not name or not value:
            raise ValueError(f"not an RRULE: {rule!r}")
        parts[name.upper()] = value
    return parts


def _instances(anchor: FeedEvent, at_least: int, last_start: Moment) -> list[Moment]:
    """The rule's instances from the anchor (the feed's earliest occurrence) on: enough to reach
    the last occurrence's start and its index, and never more than the rule itself allows."""
    assert anchor.series is not None
    assert anchor.series.rule is not None
    parts = _rule_parts(anchor.series.rule)
    if "COUNT" in parts:
        remaining = int(parts["COUNT"]) - (anchor.series.index - 1)
        if remaining < 1:
            raise ValueError("the anchor lies beyond the rule's COUNT")
        parts["COUNT"] = str(remaining)
    start = span(anchor)[0]
    dtstart = _expansion_start(start)
    if "UNTIL" in parts:
        parts["UNTIL"] = _until_for(parts["UNTIL"], dtstart)
    rule = rrulestr(";".join(f"{name}={value}" for name, value in parts.items()), dtstart=dtstart)
    found: list[Moment] = []
    limit = comparable(last_start)
    for instance in islice(rule, MAX_INSTANCES):
        moment = _moment(instance, start)
        if len(found) >= at_least and comparable(moment) > limit:
            break
        found.append(moment)
    return found


def _expansion_start(start: Moment) -> datetime:
    # dateutil expands datetimes: an all-day series as naive midnights, a timed one in its zone's
    # wall-clock time (09:00 stays 09:00 across a DST change, as RFC 5545 means it).
    if isinstance(start, datetime):
        return start
    return datetime(start.year, start.month, start.day)


def _moment(instance: datetime, like: Moment) -> Moment:
    return instance if isinstance(like, datetime) else instance.date()


def _until_for(value: str, dtstart: datetime) -> str:
    """The rule's UNTIL in the form dateutil (and RFC 5545) wants beside this DTSTART."""
    if "T" in value:
        moment = datetime.strptime(value.rstrip("Z"), "%Y%m%dT%H%M%S")
        if value.endswith("Z"):
            moment = moment.replace(tzinfo=UTC)
    else:
        day = datetime.strptime(value, "%Y%m%d")
        # A date UNTIL beside a timed start includes that whole day.
        moment = day + timedelta(days=1, seconds=-1)
        if dtstart.tzinfo is not None:
            moment = moment.replace(tzinfo=dtstart.tzinfo)
    if dtstart.tzinfo is None:
        return (moment.astimezone(UTC).replace(tzinfo=None) if moment.tzinfo else moment).strftime(
            "%Y%m%dT%H%M%S"
        )
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dtstart.tzinfo)
    return moment.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def _pair(instances: list[Moment], ordered: Sequence[FeedEvent], anchor_index: int) -> dict[int, FeedEvent]:
    """Rule instance position → the occurrence shown for it."""
    by_start = {comparable(moment): position for position, moment in enumerate(instances)}
    pairs: dict[int, FeedEvent] = {}
    left = []
    for event in ordered:
        position = by_start.get(comparable(span(event)[0]))
        if position is not None and position not in pairs:
            pairs[position] = event
        else:
            left.append(event)
    for event in sorted(left, key=_index):
        position = _index(event) - anchor_index
        if not 0 <= position < len(instances) or position in pairs:
            free = [spot for spot in range(len(instances)) if spot not in pairs]
            if not free:
                raise ValueError("more occurrences than rule instances")
            position = free[0]
        pairs[position] = event
    return pairs


def _plan(uid: str, instances: list[Moment], pairs: dict[int, FeedEvent]) -> SeriesPlan | None:
    first, last = min(pairs), max(pairs)
    kept = instances[first : last + 1]
    plain = {p: e for p, e in pairs.items() if comparable(span(e)[0]) == comparable(instances[p])}
    if not plain:
        return None  # every occurrence moved: nothing to take the master's shape from
    master = plain[min(plain)]
    start, end = span(master)
    duration = None if end is None else _difference(end, start)
    overrides = []
    for position, event in sorted(pairs.items()):
        if position in plain and _alike(event, master, duration):
            continue
        overrides.append((instances[position], event))
    exdates = tuple(instances[p] for p in range(first, last + 1) if p not in pairs)
    parts = {
        name: value for name, value in _rule_parts(_rule(master)).items() if name not in ("COUNT", "UNTIL")
    }
    parts["UNTIL"] = _until_text(kept[-1])
    dtstart = kept[0]
    return SeriesPlan(
        uid=uid,
        master=master,
        start=dtstart,
        end=None if duration is None else _shifted(dtstart, duration),
        rule=";".join(f"{name}={value}" for name, value in parts.items()),
        exdates=exdates,
        overrides=tuple(overrides),
    )


def _rule(event: FeedEvent) -> str:
    assert event.series is not None
    assert event.series.rule is not None
    return event.series.rule


def _difference(end: Moment, start: Moment) -> timedelta:
    if isinstance(end, datetime) and isinstance(start, datetime):
        return end.astimezone(UTC) - start.astimezone(UTC)
    return timedelta(days=(_as_date(end) - _as_date(start)).days)


def _as_date(moment: Moment) -> date:
    return moment.date() if isinstance(moment, datetime) else moment


def _shifted(moment: Moment, by: timedelta) -> Moment:
    if isinstance(moment, datetime):
        return (moment.astimezone(UTC) + by).astimezone(moment.tzinfo)
    return moment + by


def _alike(event: FeedEvent, master: FeedEvent, duration: timedelta | None) -> bool:
    start, end = span(event)
    own = None if end is None else _difference(end, start)
    same_text = (event.title, event.description, event.location, event.url, event.status) == (
        master.title,
        master.description,
        master.location,
        master.url,
        master.status,
    )
    return own == duration and same_text


def _until_text(moment: Moment) -> str:
    if isinstance(moment, datetime):
        return moment.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")
    return moment.strftime("%Y%m%d")


def _replays(plan: SeriesPlan, group: Sequence[FeedEvent]) -> bool:
    """Whether a calendar app expanding the plan shows exactly `group`'s starts and ends."""
    dtstart = _expansion_start(plan.start)
    until = _until_for(_rule_parts(plan.rule)["UNTIL"], dtstart)
    parts = _rule_parts(plan.rule) | {"UNTIL": until}
    rule = rrulestr(";".join(f"{name}={value}" for name, value in parts.items()), dtstart=dtstart)
    instances = [_moment(instance, plan.start) for instance in islice(rule, MAX_INSTANCES + 1)]
    if len(instances) > MAX_INSTANCES or not instances or comparable(instances[0]) != comparable(plan.start):
        return False
    removed = {comparable(moment) for moment in plan.exdates}
    replaced = {comparable(moment) for moment, _ in plan.overrides}
    if not removed | replaced <= {comparable(moment) for moment in instances}:
        return False
    duration = None if plan.end is None else _difference(plan.end, plan.start)
    shown = [
        _key(moment, None if duration is None else _shifted(moment, duration))
        for moment in instances
        if comparable(moment) not in removed | replaced
    ]
    shown += [_key(*span(event)) for _, event in plan.overrides]
    return sorted(shown) == sorted(_key(*span(event)) for event in group)


def _key(start: Moment, end: Moment | None) -> tuple[object, ...]:
    return (comparable(start), None if end is None else comparable(end))
