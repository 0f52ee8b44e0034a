"""Structured JSON logs and the per-operation log line + metrics (a strawberry extension)."""

from __future__ import annotations

import logging
import sys
import time
from collections.abc import Iterator
from typing import Any

import orjson
from graphql import DocumentNode, OperationDefinitionNode
from strawberry.extensions import SchemaExtension

from gateway import metrics
from gateway.request.context import Context

log = logging.getLogger("gateway.request")


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, message, the record's `extra` fields, exception."""

    # `color_message` is uvicorn's ANSI-coloured copy of the message: noise in a JSON line.
    _STANDARD = frozenset(vars(logging.LogRecord("", 0, "", 0, "", (), None)).keys()) | {
        "message",
        "asctime",
        "color_message",
    }

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": self.formatTime(record, "%Y-%m-%dT%H:%M:%S%z"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        entry.update({key: value for key, value in vars(record).items() if key not in self._STANDARD})
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return orjson.dumps(entry, default=str).decode()


def configure_logging(level: str) -> None:
    """Send every log record to stderr as JSON lines."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonFormatter())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())


def operation_label(name: str | None, document: DocumentNode | None) -> str:
    """The operation's name as a metric label: only a name its document defines, from a bounded set."""
    if name is None:
        return metrics.ANONYMOUS
    defined = {
        definition.name.value
        for definition in (document.definitions if document else ())
        if isinstance(definition, OperationDefinitionNode) and definition.name
    }
    return metrics.OPERATION_LABELS.label(name) if name in defined else metrics.OTHER


def record_operation(operation: str, result: Any, context: Any, elapsed: float) -> None:
    """The operation's metrics sample, and its log line when INFO is enabled."""
    errors = getattr(result, "errors", None) or ()
    outcome = "ok" if not errors else ("partial" if getattr(result, "data", None) else "error")
    metrics.requests(operation, outcome).inc()
    metrics.request_seconds(operation).observe(elapsed)
    if not log.isEnabledFor(logging.INFO):
        return
    codes = sorted({str((error.extensions or {}).get("code", "GRAPHQL_ERROR")) for error in errors})
    log.info(
        "graphql request",
        extra={
            "request_id": context.request_id if isinstance(context, Context) else None,
            "operation": operation,
            "duration_ms": round(elapsed * 1000, 2),
            "upstream_calls": len(context.upstream_calls) if isinstance(context, Context) else None,
            "outcome": outcome,
            "errors": codes,
            # Which credential each provider was called with: `service`, or a caller's keyed
            # fingerprint; never the credential itself.
            "credentials": dict(context.credential_keys) if isinstance(context, Context) else None,
        },
    )


class RequestLog(SchemaExtension):
    """One log line and one metrics sample per GraphQL operation.

    Both cost microseconds: the metric children come from a cache (`gateway.metrics`), and the log
    line's fields are gathered only when its level is enabled.
    """

    def on_operation(self) -> Iterator[None]:
        started = time.perf_counter()
        yield
        elapsed = time.perf_counter() - started
        execution = self.execution_context
        label = operation_label(execution.operation_name, execution.graphql_document)
        record_operation(label, execution.result, execution.context, elapsed)
