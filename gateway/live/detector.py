"""The change detector of one (provider, window, credential): poll, diff with the last snapshot, tell.

A poll lists the window's events; each is known by its global id and the hash of its upstream
object. The first poll only records that snapshot (subscriptions send changes, not the state they
start from); every later one compares: a new id is CREATED, a changed hash UPDATED, a missing id
DELETED. A write through the gateway is applied at once, the same way (`apply`), so its change
goes out immediately and the next poll, which sees the same hash, finds nothing to say about it.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime
from typing import Protocol

from gateway import metrics
from gateway.errors import ErrorCode, GatewayError
from gateway.live.changes import Change, ChangeKind, Failure, Notice, Observed, Written, now

log = logging.getLogger("gateway.live")

Snapshot = dict[str, str]


class Source(Protocol):
    """What a detector watches: one provider's events inside one window, with one credential."""

    @property
    def provider(self) -> str:
        """The provider's name (for metrics and failures)."""
        ...

    async def poll(self) -> list[Observed]:
        """Every event in the window now; a `GatewayError` when the list could not be read whole."""
        ...

    def admits(self, observed: Observed) -> bool:
        """Whether the window holds this event (as a write through the gateway left it)."""
        ...


class LeaseLost(Exception):
    """Another replica polls this key now: this one stops."""


class SnapshotGone(Exception):
    """The stored snapshot vanished (its last subscriber elsewhere left meanwhile): store it whole again."""


class Lease(Protocol):
    """A process's claim to poll one key: where the key's snapshot lives and where its notices go."""

    @property
    def lost(self) -> bool:
        """Whether the claim has lapsed (the detector stops at its next step)."""
        ...

    async def load(self) -> Snapshot | None:
        """The key's last snapshot (a previous poller's, after a takeover); None before any."""
        ...

    async def commit(
        self, notices: Sequence[Notice], updates: Mapping[str, str | None], *, baseline: bool = False
    ) -> None:
        """Publish `notices` and apply `updates` (id → hash, None: gone) to the snapshot, together.

        With `baseline`, `updates` is the whole snapshot. `LeaseLost` when the claim has lapsed,
        `SnapshotGone` when there are updates but no stored snapshot: then nothing was published.
        """
        ...


def diff(snapshot: Snapshot, observed: Sequence[Observed], at: datetime, skip: set[str]) -> list[Change]:
    """The changes from `snapshot` to `observed`, in the poll's order, deletions last; `skip` ids left out."""
    seen = {item.id: item for item in observed}
    changes = []
    for item in seen.values():
        if item.id in skip:
            continue
        before = snapshot.get(item.id)
        if before is None:
            changes.append(Change(ChangeKind.CREATED, item.id, at, item.raw))
        elif before != item.digest:
            changes.append(Change(ChangeKind.UPDATED, item.id, at, item.raw))
    changes.extend(Change(ChangeKind.DELETED, id, at) for id in snapshot if id not in seen and id not in skip)
    return changes


def _updated(snapshot: Snapshot, updates: Mapping[str, str | None]) -> Snapshot:
    """`snapshot`, changed in place by `updates` (id → hash; None: gone)."""
    for id, digest in updates.items():
        if digest is None:
            snapshot.pop(id, None)
        else:
            snapshot[id] = digest
    return snapshot


class ChangeDetector:
    """Polls `source` every `interval` seconds while `lease` holds, and applies writes as they come."""

    def __init__(
        self, source: Source, lease: Lease, interval: float, clock: Callable[[], datetime] = now
    ) -> None:
        self.source = source
        self.lease = lease
        self.interval = interval
        self.clock = clock
        self.snapshot: Snapshot | None = None
        self._lock = asyncio.Lock()
        #: Ids written through the gateway while a poll is in flight: that poll may predate the
        #: write, so it says nothing about them (the next one will).
        self._touched: set[str] | None = None
        self._failing = False

    async def run(self) -> None:
        """Load the last snapshot, then poll until the lease is lost (`LeaseLost`) or cancelled."""
        self.snapshot = await self.lease.load()
        while True:
            if self.lease.lost:
                raise LeaseLost
            await self.poll()
            await asyncio.sleep(self.interval)

    async def poll(self) -> None:
        """One poll: a baseline the first time, else the changes since the last one."""
        provider = self.source.provider
        self._touched = set()
        try:
            observed = await self.source.poll()
        except GatewayError as error:
            await self._failed(error)
            return
        except Exception as error:  # a bug: logged with its trace, told to subscribers without it
            log.exception("unexpected error polling %s", provider)
            await self._failed(GatewayError("Internal server error while polling", provider=provider), error)
            return
        finally:
            touched, self._touched = self._touched, None
        async with self._lock:
            self._failing = False
            if self.snapshot is None:
                baseline = {item.id: item.digest for item in observed}
                await self.lease.commit([], baseline, baseline=True)
                self.snapshot = baseline
            else:
                changes = diff(self.snapshot, observed, self.clock(), touched or set())
                digests = {item.id: item.digest for item in observed}
                await self._commit(changes, {change.id: digests.get(change.id) for change in changes})
                for change in changes:
                    metrics.LIVE_CHANGES.labels(provider, change.kind.value).inc()
        metrics.LIVE_POLLS.labels(provider, "ok").inc()  # counted once recorded: tests wait on it

    async def apply(self, written: Written, observed: Observed | None) -> None:
        """Publish what a write through the gateway changed in this window (`observed`: None if deleted)."""
        async with self._lock:
            if self.snapshot is None:
                return  # no baseline yet: the first poll records the write's outcome
            if self._touched is not None:
                self._touched.add(written.id)
            before = self.snapshot.get(written.id)
            if observed is not None and self.source.admits(observed):
                if before == observed.digest:
                    return
                kind = ChangeKind.CREATED if before is None else ChangeKind.UPDATED
                change = Change(kind, written.id, self.clock(), observed.raw)
                updates: dict[str, str | None] = {written.id: observed.digest}
            elif before is not None:  # deleted, or moved out of the window
                change = Change(ChangeKind.DELETED, written.id, self.clock())
                updates = {written.id: None}
            else:
                return
            await self._commit([change], updates)
            metrics.LIVE_CHANGES.labels(self.source.provider, change.kind.value).inc()

    async def _commit(self, notices: Sequence[Notice], updates: Mapping[str, str | None]) -> None:
        """Publish and record together; the in-memory snapshot follows only once that succeeded."""
        assert self.snapshot is not None
        try:
            await self.lease.commit(notices, updates)
        except SnapshotGone:
            await self.lease.commit(notices, _updated(dict(self.snapshot), updates), baseline=True)
        _updated(self.snapshot, updates)

    async def _failed(self, error: GatewayError, cause: Exception | None = None) -> None:
        """Tell subscribers once that polls fail; the snapshot stays, so nothing is lost meanwhile."""
        provider = self.source.provider
        metrics.LIVE_POLLS.labels(provider, "failed").inc()
        if cause is None:
            log.warning("polling %s failed: %s", provider, error.message)
        async with self._lock:
            if self._failing:
                return
            self._failing = True
            code = error.extensions.get("code", ErrorCode.INTERNAL_SERVER_ERROR.value)
            failure = Failure(
                provider=error.provider or provider, code=code, message=error.message, at=self.clock()
            )
            await self.lease.commit([failure], {})
