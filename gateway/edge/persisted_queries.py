"""Persisted queries: Apollo's automatic persisted queries (APQ) and trusted documents.

APQ (`extensions.persistedQuery {version: 1, sha256Hash}`): a client sends the hash alone; the
gateway answers `PersistedQueryNotFound` (code PERSISTED_QUERY_NOT_FOUND, HTTP 200, as Apollo Server
does) until the client sends hash and text together; the text is checked against the hash and, once
it has validated, kept in a bounded in-process LRU and, with `GATEWAY_REDIS_URL`, in Redis for every
replica. A hit costs no parse and no validation: the document cache holds both by query text.

Trusted documents (`GATEWAY_PERSISTED_DOCUMENTS`): a JSON object of id → document, as Relay's
`persistConfig` and graphql-codegen's client preset write it (or Apollo's persisted query
manifest). Clients name one by `documentId` (GraphQL over HTTP), Relay's `doc_id`, or the APQ hash.
With `GATEWAY_PERSISTED_ONLY=true` nothing else runs (PERSISTED_QUERY_NOT_ALLOWED).
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import orjson
from cross_web import HTTPException
from graphql import GraphQLError
from strawberry.http import GraphQLHTTPResponse, GraphQLRequestData
from strawberry.types import ExecutionResult

from gateway.error_shape import is_request_error
from gateway.errors import (
    BadRequest,
    ErrorCode,
    GatewayError,
    PersistedQueryNotAllowed,
    PersistedQueryNotFound,
)
from gateway.sized_lru import SizedLru
from gateway.upstream.redis_link import REDIS_ERRORS, RedisLink

log = logging.getLogger("gateway.persisted")

#: Where a request names a trusted document instead of sending its text (moved into `extensions`
#: when the request is read, since strawberry keeps only the four standard parameters).
DOCUMENT_ID = "documentId"
#: The spellings clients send it in: GraphQL over HTTP's `documentId`, Relay's `doc_id`.
DOCUMENT_ID_PARAMETERS = ("documentId", "doc_id")
#: How long Redis keeps a registered query (a client re-registers an expired one in one round trip).
REDIS_TTL = 7 * 24 * 3600
REDIS_PREFIX = "event-gateway:apq:"


def sha256_hex(text: str) -> str:
    """The hash APQ clients send for a document: SHA-256 of its text, lower-case hex."""
    return hashlib.sha256(text.encode()).hexdigest()


def _key(document_id: str) -> str:
    # GraphQL over HTTP's persisted documents spell a hash `sha256:<hex>`; Relay's ids have no prefix.
    return document_id.removeprefix("sha256:").lower()


def load_documents(path: str) -> dict[str, str]:
    """The trusted documents of a JSON file: `{id: document}` or Apollo's persisted query manifest."""
    try:
        data = orjson.loads(Path(path).read_bytes())
    except (OSError, orjson.JSONDecodeError) as error:
        raise ValueError(f"GATEWAY_PERSISTED_DOCUMENTS: cannot read {path}: {error}") from error
    if isinstance(data, dict) and data.get("format") == "apollo-persisted-query-manifest":
        data = {op.get("id"): op.get("body") for op in data.get("operations") or () if isinstance(op, dict)}
    if not isinstance(data, dict) or not all(
        isinstance(key, str) and isinstance(value, str) for key, value in data.items()
    ):
        raise ValueError(f"GATEWAY_PERSISTED_DOCUMENTS: {path} is not a JSON object of id → document")
    return {_key(key): value for key, value in data.items()}


@dataclass(frozen=True, slots=True)
class Resolved:
    """What a request runs: the document text, and the hash to register once it has validated."""

    query: str | None
    register: str | None = None


@dataclass
class PersistedQueries:
    """The APQ store (LRU, and Redis when there is one) and the trusted documents."""

    trusted: Mapping[str, str] = field(default_factory=dict)
    only_trusted: bool = False
    max_entries: int = 2048
    #: Characters of query text the LRU may hold in all (a query is at most GATEWAY_MAX_QUERY_LENGTH).
    max_characters: int = 16_000_000
    _entries: SizedLru[str, str] = field(init=False)
    _trusted_texts: frozenset[str] = field(init=False)

    def __post_init__(self) -> None:
        self._entries = SizedLru(self.max_entries, self.max_characters)
        self._trusted_texts = frozenset(self.trusted.values())

    async def resolve(
        self, query: str | None, extensions: Mapping[str, Any] | None, redis: RedisLink | None
    ) -> Resolved:
        """The document a request runs, or PERSISTED_QUERY_NOT_FOUND / _NOT_ALLOWED / BAD_REQUEST."""
        extensions = extensions if isinstance(extensions, Mapping) else {}
        document_id = extensions.get(DOCUMENT_ID)
        persisted = extensions.get("persistedQuery")
        if document_id is not None:
            if not isinstance(document_id, str) or query is not None:
                raise BadRequest("`documentId` is a string, sent instead of `query`")
            return Resolved(await self._known(_key(document_id), redis))
        if persisted is not None:
            return await self._automatic(query, persisted, redis)
        if self.only_trusted and query is not None and query not in self._trusted_texts:
            raise PersistedQueryNotAllowed(
                "only trusted documents run here (GATEWAY_PERSISTED_ONLY): send a `documentId`"
            )
        return Resolved(query)

    async def _automatic(self, query: str | None, persisted: Any, redis: RedisLink | None) -> Resolved:
        if not isinstance(persisted, dict) or persisted.get("version") != 1:
            raise BadRequest("unsupported persisted query: `extensions.persistedQuery.version` must be 1")
        sha = persisted.get("sha256Hash")
        if not isinstance(sha, str) or not sha:
            raise BadRequest("`extensions.persistedQuery.sha256Hash` is missing")
        sha = _key(sha)
        if query is None:
            return Resolved(await self._known(sha, redis))
        if sha256_hex(query) != sha:
            raise BadRequest("provided sha does not match query")
        if self.only_trusted:
            if sha not in self.trusted and query not in self._trusted_texts:
                raise PersistedQueryNotAllowed(
                    "only trusted documents run here (GATEWAY_PERSISTED_ONLY): this one is not among them"
                )
            return Resolved(query)
        return Resolved(query, register=sha)

    async def _known(self, key: str, redis: RedisLink | None) -> str:
        found = self.trusted.get(key)
        if found is None and not self.only_trusted:
            found = self._entries.get(key)
            if found is None and redis is not None:
                found = await _redis_get(redis, key)
                if found is not None:
                    self._entries.put(key, found, len(found))
        if found is None:
            raise PersistedQueryNotFound
        return found

    async def run(
        self,
        operation: GraphQLRequestData,
        redis: RedisLink | None,
        execute: Callable[[GraphQLRequestData], Awaitable[ExecutionResult]],
    ) -> ExecutionResult:
        """`execute` the operation with its persisted document; an APQ registration is kept once the
        document has validated (it ran, or failed only in execution)."""
        try:
            resolved = await self.resolve(operation.query, operation.extensions, redis)
        except GatewayError as error:
            if error.code is ErrorCode.BAD_REQUEST:
                # Malformed like any other request: 400 in either media type (CONTRACT §5). The
                # other codes (PERSISTED_QUERY_NOT_FOUND above all, APQ's protocol) stay results.
                raise HTTPException(400, error.message) from error
            return ExecutionResult(
                data=None, errors=[GraphQLError(error.message, extensions=error.extensions)]
            )
        result = await execute(replace(operation, query=resolved.query))
        if resolved.register is not None and resolved.query is not None and not is_request_error(result):
            await self.register(resolved.register, resolved.query, redis)
        return result

    async def register(self, sha: str, query: str, redis: RedisLink | None) -> None:
        """Keep a query that has validated under its hash (in Redis too, when there is one)."""
        if self._entries.get(sha) is not None:
            return
        self._entries.put(sha, query, len(query))
        if redis is not None and redis.usable():
            try:
                await redis.client.set(REDIS_PREFIX + sha, query, ex=REDIS_TTL)
            except REDIS_ERRORS as error:
                redis.failed(error, "storing a persisted query")
            else:
                redis.answered()


def only_persisted_query_not_found(response: GraphQLHTTPResponse | list[GraphQLHTTPResponse]) -> bool:
    """Whether an answer is PERSISTED_QUERY_NOT_FOUND alone (the client will send the text next)."""
    if not isinstance(response, dict) or response.get("data") is not None:
        return False
    errors = response.get("errors") or []
    return bool(errors) and all(
        isinstance(error, dict)
        and (error.get("extensions") or {}).get("code") == ErrorCode.PERSISTED_QUERY_NOT_FOUND
        for error in errors
    )


async def _redis_get(redis: RedisLink, sha: str) -> str | None:
    if not redis.usable():
        return None
    try:
        value = await redis.client.get(REDIS_PREFIX + sha)
    except REDIS_ERRORS as error:
        redis.failed(error, "reading a persisted query")
        return None
    redis.answered()
    if value is None:
        return None
    text = value.decode() if isinstance(value, bytes) else str(value)
    # Anyone who can write to Redis could plant a document under a hash: only its own hash counts.
    return text if sha256_hex(text) == sha else None
