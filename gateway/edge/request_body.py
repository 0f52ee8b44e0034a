"""Reading a GraphQL request off HTTP strictly: anything malformed is a 400 `BAD_REQUEST`, never a crash.

JSON is decoded with orjson, which refuses what `json` lets through or chokes on: invalid UTF-8,
lone surrogates, `NaN`, and nesting deeper than 1024 levels (where `json` raises RecursionError).
`variables` and `extensions` may nest at most `MAX_JSON_DEPTH` levels, checked without recursion:
what reads them later (graphql-core's coercion, the gateway's own walks) may then recurse safely.
A body must be an object (or, for a batch, an array of objects); the GraphQL parameters of a GET
may appear once each, so no two readers of one URL can disagree about which `query` it carries.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import orjson
from cross_web import HTTPException

from gateway.edge.persisted_queries import DOCUMENT_ID, DOCUMENT_ID_PARAMETERS

__all__ = ["DOCUMENT_ID_PARAMETERS", "PARAMETERS"]

#: The GraphQL-over-HTTP request parameters (with the spellings of a persisted document's id).
PARAMETERS = ("query", "variables", "operationName", "extensions", *DOCUMENT_ID_PARAMETERS)
#: Parameters that carry JSON when sent in a URL.
JSON_PARAMETERS = ("variables", "extensions")
#: Levels of arrays and objects `variables` or `extensions` may nest: far beyond any input type
#: of the schema, far below Python's recursion limit (400 levels crashed a recursive walk).
MAX_JSON_DEPTH = 64


def decode_json(data: str | bytes) -> object:
    """Strict JSON; raises `orjson.JSONDecodeError` (a `json.JSONDecodeError`) on anything malformed."""
    return orjson.loads(data)


def require_request_shape(data: object) -> dict[str, Any] | list[dict[str, Any]]:
    """The decoded body if it is a GraphQL request (an object) or a batch (an array of objects)."""
    if isinstance(data, dict):
        _require_shallow(data, "")
        return data
    if isinstance(data, list) and all(isinstance(item, dict) for item in data):
        for index, item in enumerate(data):
            _require_parameter_types(item, f"Batch entry {index}: ")
            _require_shallow(item, f"Batch entry {index}: ")
        return data
    raise HTTPException(
        400, "The request body must be a JSON object (or, for a batch, an array of JSON objects)."
    )


_TYPES: dict[str, tuple[type, str]] = {
    "query": (str, "a string"),
    "operationName": (str, "a string"),
    "variables": (dict, "an object"),
    "extensions": (dict, "an object"),
}


def type_problem(data: Mapping[str, Any]) -> str | None:
    """Which GraphQL parameter of a request has the wrong JSON type, in words; None when all fit."""
    for name, (kind, spelled) in _TYPES.items():
        value = data.get(name)
        if value is not None and not isinstance(value, kind):
            return f"`{name}` must be {spelled} or null."
    return None


def depth_problem(data: Mapping[str, Any]) -> str | None:
    """Which JSON parameter of a request nests deeper than `MAX_JSON_DEPTH`, in words; or None."""
    for name in JSON_PARAMETERS:
        if nests_deeper_than(data.get(name), MAX_JSON_DEPTH + 1):
            return f"`{name}` nests deeper than {MAX_JSON_DEPTH} levels."
    return None


def _require_parameter_types(data: dict[str, Any], where: str) -> None:
    # strawberry checks a single request's parameters itself, but not a batch's entries.
    problem = type_problem(data)
    if problem is not None:
        raise HTTPException(400, f"{where}{problem}")


def nests_deeper_than(value: object, limit: int) -> bool:
    """Whether arrays and objects in `value` nest more than `limit` levels (walked without recursion)."""
    pending: list[tuple[object, int]] = [(value, 0)]
    while pending:
        item, depth = pending.pop()
        if isinstance(item, dict | list):
            if depth >= limit:
                return True
            children = item.values() if isinstance(item, dict) else item
            pending.extend((child, depth + 1) for child in children)
    return False


def _require_shallow(data: Mapping[str, Any], where: str) -> None:
    problem = depth_problem(data)
    if problem is not None:
        raise HTTPException(400, f"{where}{problem}")


def with_document_id(data: dict[str, Any]) -> dict[str, Any]:
    """`data` with a persisted document's id (`documentId`, or Relay's `doc_id`) moved into
    `extensions`, where it reaches the execution (strawberry passes only the four standard
    parameters on)."""
    given = [name for name in DOCUMENT_ID_PARAMETERS if name in data]
    if not given:
        return data
    if len(given) > 1:
        raise HTTPException(400, "Give a document's id once: `documentId` or `doc_id`.")
    extensions = data.get("extensions")
    if extensions is not None and not isinstance(extensions, dict):
        return data  # refused as malformed when the request is read
    rest = {key: value for key, value in data.items() if key != given[0]}
    return {**rest, "extensions": {**(extensions or {}), DOCUMENT_ID: data[given[0]]}}


def single_parameters(items: Sequence[tuple[str, str]]) -> dict[str, str]:
    """The URL's parameters as a dict, refusing a GraphQL parameter that appears more than once."""
    seen: dict[str, str] = {}
    for name, value in items:
        if name in seen and name in PARAMETERS:
            raise HTTPException(400, f"The `{name}` parameter must appear at most once.")
        seen[name] = value
    return seen


def parse_json_parameters(params: Mapping[str, str]) -> dict[str, Any]:
    """`params` with `variables` and `extensions` decoded from JSON (400 when they are not JSON)."""
    parsed: dict[str, Any] = dict(params)
    for name in JSON_PARAMETERS:
        if parsed.get(name):
            try:
                parsed[name] = decode_json(parsed[name])
            except orjson.JSONDecodeError as error:
                raise HTTPException(400, f"The `{name}` parameter is not valid JSON.") from error
    _require_shallow(parsed, "")
    return parsed
