"""What a change detector tells subscribers: changes and failures, and their form on the wire."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

import orjson

JSONObject = dict[str, Any]


class ChangeKind(StrEnum):
    """What happened to an event, as seen by one window."""

    CREATED = "CREATED"
    UPDATED = "UPDATED"
    DELETED = "DELETED"


def digest(raw: JSONObject, unhashed: frozenset[str] = frozenset()) -> str:
    """The content hash of an upstream object (key order does not matter), its `unhashed` keys left out."""
    content = {key: value for key, value in raw.items() if key not in unhashed} if unhashed else raw
    return hashlib.blake2b(orjson.dumps(content, option=orjson.OPT_SORT_KEYS), digest_size=16).hexdigest()


@dataclass(frozen=True, slots=True)
class Observed:
    """One event as a poll or a write saw it: its global id, the upstream object and its hash."""

    id: str
    raw: JSONObject
    digest: str

    @classmethod
    def of(cls, id: str, raw: JSONObject, unhashed: frozenset[str] = frozenset()) -> Observed:
        """`raw` with its hash (`unhashed` keys left out: see `ProviderSpec.endpoint_only_keys`)."""
        return cls(id=id, raw=raw, digest=digest(raw, unhashed))


@dataclass(frozen=True, slots=True)
class Change:
    """An event created, updated or deleted in a window; `raw` is None for a deletion."""

    kind: ChangeKind
    id: str
    at: datetime
    raw: JSONObject | None = None


@dataclass(frozen=True, slots=True)
class Failure:
    """A poll that failed: told to subscribers once, until a poll succeeds again."""

    provider: str
    code: str
    message: str
    at: datetime


Notice = Change | Failure


@dataclass(frozen=True, slots=True)
class Written:
    """A write through the gateway: the event as the upstream returned it, or None once deleted."""

    provider: str
    credential: str
    id: str
    raw: JSONObject | None
    #: Keys of `raw` its hash leaves out, as the provider's polls do (`ProviderSpec.endpoint_only_keys`).
    unhashed: frozenset[str] = frozenset()


def now() -> datetime:
    """The current instant, in UTC."""
    return datetime.now(UTC)


def encode_notice(notice: Notice) -> bytes:
    """A notice as one pub/sub message."""
    if isinstance(notice, Change):
        body: JSONObject = {"change": notice.kind.value, "id": notice.id, "at": notice.at.isoformat()}
        if notice.raw is not None:
            body["raw"] = notice.raw
        return orjson.dumps(body)
    return orjson.dumps(
        {
            "failure": notice.code,
            "provider": notice.provider,
            "message": notice.message,
            "at": notice.at.isoformat(),
        }
    )


def decode_notice(data: bytes) -> Notice:
    """The notice `encode_notice` wrote (ValueError or KeyError for anything else)."""
    body = orjson.loads(data)
    at = datetime.fromisoformat(body["at"])
    if "change" in body:
        return Change(kind=ChangeKind(body["change"]), id=str(body["id"]), at=at, raw=body.get("raw"))
    return Failure(
        provider=str(body["provider"]), code=str(body["failure"]), message=str(body["message"]), at=at
    )


def encode_written(written: Written) -> bytes:
    """A write through the gateway as one pub/sub message."""
    return orjson.dumps(
        {
            "provider": written.provider,
            "credential": written.credential,
            "id": written.id,
            "raw": written.raw,
            "unhashed": sorted(written.unhashed),
        }
    )


def decode_written(data: bytes) -> Written:
    """The write `encode_written` wrote (ValueError or KeyError for anything else)."""
    body = orjson.loads(data)
    raw = body["raw"]
    return Written(
        provider=str(body["provider"]),
        credential=str(body["credential"]),
        id=str(body["id"]),
        raw=raw if isinstance(raw, dict) else None,
        unhashed=frozenset(str(key) for key in body.get("unhashed") or ()),
    )
