"""The change detector's rules, with a scripted source: what a poll and a write say, and when not.

The end-to-end tests show these against the sandbox; here the source is scripted so that the races
(a write while a poll is in flight) happen exactly, every run.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime

from gateway.errors import UpstreamUnavailable
from gateway.live.changes import Change, ChangeKind, Failure, Notice, Observed, Written
from gateway.live.detector import ChangeDetector, SnapshotGone
from gateway.live.hub import FeedKey
from gateway.live.local import LocalLease

KEY = FeedKey(provider="strigo", window="", credential="service")
AT = datetime(2026, 12, 4, tzinfo=UTC)


def event(id: str, title: str = "t") -> Observed:
    return Observed.of(id, {"id": id, "name": title})


@dataclass
class ScriptedSource:
    """Answers each poll with the next of `polls` (raising an exception one); waits while `gate` is shut."""

    polls: list[list[Observed] | Exception]
    outside: set[str] = field(default_factory=set)
    gate: asyncio.Event = field(default_factory=asyncio.Event)
    provider: str = "strigo"

    def __post_init__(self) -> None:
        self.gate.set()

    async def poll(self) -> list[Observed]:
        await self.gate.wait()
        answer = self.polls.pop(0)
        if isinstance(answer, Exception):
            raise answer
        return answer

    def admits(self, observed: Observed) -> bool:
        return observed.id not in self.outside


@dataclass
class Heard:
    """A receiver that keeps what it is given."""

    notices: list[Notice] = field(default_factory=list)

    def deliver(self, name: str, notices: Sequence[Notice]) -> None:
        self.notices.extend(notices)

    async def written(self, written: Written) -> None:
        raise AssertionError("not used")


def detector(source: ScriptedSource) -> tuple[ChangeDetector, Heard]:
    heard = Heard()
    return ChangeDetector(source, LocalLease(heard, KEY), interval=0, clock=lambda: AT), heard


def kinds(notices: list[Notice]) -> list[tuple[str, str]]:
    return [(notice.kind.value, notice.id) for notice in notices if isinstance(notice, Change)]


async def test_the_first_poll_is_a_baseline_then_each_poll_says_what_changed() -> None:
    source = ScriptedSource([[event("a"), event("b")], [event("a", "renamed"), event("c")], [event("c")]])
    watching, heard = detector(source)
    for _ in range(3):
        await watching.poll()
    assert kinds(heard.notices) == [
        ("UPDATED", "a"),
        ("CREATED", "c"),
        ("DELETED", "b"),
        ("DELETED", "a"),
    ]


async def test_a_write_during_a_poll_is_told_once_whatever_that_poll_saw() -> None:
    # The poll in flight read the list before the write: it must neither delete the written event
    # nor, once the next poll sees it, create it again.
    written = event("new")
    source = ScriptedSource([[event("a")], [event("a")], [event("a"), written]])
    watching, heard = detector(source)
    await watching.poll()
    source.gate.clear()
    in_flight = asyncio.create_task(watching.poll())
    await asyncio.sleep(0)
    await watching.apply(Written("strigo", "service", "new", written.raw), written)
    source.gate.set()
    await in_flight
    await watching.poll()
    assert kinds(heard.notices) == [("CREATED", "new")]


async def test_writes_moving_an_event_across_the_window_create_and_delete_it() -> None:
    inside, outside = event("e", "in"), event("e", "out")
    source = ScriptedSource([[]])
    watching, heard = detector(source)
    await watching.poll()
    await watching.apply(Written("strigo", "service", "e", inside.raw), inside)
    await watching.apply(Written("strigo", "service", "e", inside.raw), inside)  # no change: nothing
    source.outside.add("e")
    await watching.apply(Written("strigo", "service", "e", outside.raw), outside)
    await watching.apply(Written("strigo", "service", "e", None), None)  # already gone from the window
    assert kinds(heard.notices) == [("CREATED", "e"), ("DELETED", "e")]


async def test_failing_polls_are_told_once_and_lose_nothing() -> None:
    down = UpstreamUnavailable("Strigo is down", provider="strigo")
    source = ScriptedSource([[event("a")], down, down, [event("a"), event("b")], down])
    watching, heard = detector(source)
    for _ in range(5):
        await watching.poll()
    failures = [notice for notice in heard.notices if isinstance(notice, Failure)]
    assert [(failure.code, failure.provider) for failure in failures] == [
        ("UPSTREAM_UNAVAILABLE", "strigo")
    ] * 2
    assert kinds(heard.notices) == [("CREATED", "b")]  # what changed while polls failed, once back
    assert heard.notices[1] == Change(ChangeKind.CREATED, "b", AT, event("b").raw)


@dataclass
class ForgetfulLease:
    """A lease whose stored snapshot vanished once (the key's last subscriber elsewhere left)."""

    commits: list[tuple[list[Notice], dict[str, str | None], bool]] = field(default_factory=list)
    gone_once: bool = True
    lost: bool = False

    async def load(self) -> dict[str, str] | None:
        return None

    async def commit(
        self, notices: Sequence[Notice], updates: Mapping[str, str | None], *, baseline: bool = False
    ) -> None:
        if self.gone_once and not baseline and updates:
            self.gone_once = False
            raise SnapshotGone
        self.commits.append((list(notices), dict(updates), baseline))


async def test_a_vanished_snapshot_is_stored_whole_again_with_the_changes() -> None:
    lease = ForgetfulLease()
    source = ScriptedSource([[event("a")], [event("a"), event("b")]])
    watching = ChangeDetector(source, lease, interval=0, clock=lambda: AT)
    await watching.poll()
    await watching.poll()
    [baseline, reseeded] = lease.commits
    assert baseline == ([], {"a": event("a").digest}, True)
    assert reseeded[1:] == ({"a": event("a").digest, "b": event("b").digest}, True)
    assert kinds(reseeded[0]) == [("CREATED", "b")]


async def test_an_update_during_a_poll_is_not_undone_by_that_poll() -> None:
    renamed = event("a", "renamed")
    source = ScriptedSource([[event("a")], [event("a")], [renamed]])
    watching, heard = detector(source)
    await watching.poll()
    source.gate.clear()
    in_flight = asyncio.create_task(watching.poll())
    await asyncio.sleep(0)
    await watching.apply(Written("strigo", "service", "a", renamed.raw), renamed)
    source.gate.set()
    await in_flight  # saw the old "a": says nothing about it
    await watching.poll()  # sees what the write left: nothing new
    assert kinds(heard.notices) == [("UPDATED", "a")]
