"""Object runners: one generated function per (object type, selection) of a plan.

A runner does for one object what graphql-core's `execute_fields` does: every field in the
selection's order, errors through graphql-core's `handle_field_error`, awaitables gathered at
the end (settled in the background if a sibling's error propagates first). A plain field is an
inlined attribute read with a fast path for the usual classes of its scalar; anything else calls
the completers of `completion.py` or graphql-core's `execute_field` (resolvers).

Only `repr()` literals and checked Python identifiers are written into the generated source;
every object it uses (types, completers, field groups) comes in through its namespace.
"""

from __future__ import annotations

import keyword
from dataclasses import dataclass
from datetime import date, datetime, time
from decimal import Decimal
from typing import Any, Literal
from uuid import UUID

from graphql import GraphQLLeafType
from graphql.execution.executor import Executor
from graphql.pyutils import Path, Undefined, gather_with_cancel

from gateway.execution.completion import Complete, Runner, Site, to_path
from gateway.execution.computed import ComputedAttribute, inline_attribute
from gateway.execution.deferral import DeferredField

FastKind = Literal["class", "int", "enum", "scalar", "composite"]

# Exact classes whose instances are never awaitable, never exceptions, and have no instance
# attributes: a leaf value of one of these goes straight to its scalar's serializer.
_SAFE_LEAVES = frozenset({str, int, float, bool, dict, list, tuple, datetime, date, time, Decimal, UUID})
_SYNC = frozenset({dict, list, str, int, float, bool, type(None)})
_INT_RANGE = "-2147483648 <= v <= 2147483647"
_MISSING: Any = object()


@dataclass(frozen=True, slots=True)
class Fast:
    """How a plain leaf value is recognised as already serialised (or serialised inline)."""

    kind: FastKind
    non_null: bool
    cls: type | None = None
    names: dict[int, str] | None = None
    leaf_type: GraphQLLeafType | None = None


@dataclass(frozen=True, slots=True)
class Step:
    """One response key of a runner: `__typename`, a plain attribute, a resolver, or a resolver
    that is a `BatchedLoad` (deferred to the list around the object, when there is one)."""

    key: str
    site: Site | None = None
    attribute: str | None = None
    complete: Complete | None = None
    fast: Fast | None = None
    typename: str | None = None
    deferred: DeferredField | None = None


def build_runner(steps: list[Step], parent_name: str, cls: type | None = None) -> Runner:
    """Generate the runner for these steps (the fields of one object type, in response order), for
    values of class `cls` (its computed attributes read inline) or, with None, of any class."""
    inline = {
        step.key: found
        for step in steps
        if cls is not None
        and step.attribute is not None
        and (found := inline_attribute(cls, step.attribute)) is not None
    }
    namespace: dict[str, Any] = {
        "Path": Path,
        "to_path": to_path,
        "SYNC": _SYNC,
        "SAFE": _SAFE_LEAVES,
        "gather": _gather_fields,
        "CLV": Executor.complete_leaf_value,
        "UNDEFINED": Undefined,
        "MISSING": _MISSING,
    }
    needs_real_path = any(
        step.site is not None and step.attribute is None and step.deferred is None for step in steps
    )
    deferring = any(step.deferred is not None for step in steps)
    lines = ["def run(ex, src, path):", "    aw = None"]
    if deferring:
        lines.append("    later = None")
    if needs_real_path:
        lines.append("    real = to_path(path)")
    if inline:
        lines.append("    sd = src.__dict__")
    lines += ["    try:", "        pass"]
    for index, step in enumerate(steps):
        lines.extend(_emit(index, step, namespace, inline.get(step.key)))
    lines += [
        "    except Exception:",
        "        if aw is not None:",
        "            ex.settle_in_background([pending for _, pending in aw])",
        "        raise",
        "    d = {" + ", ".join(f"{step.key!r}: r{index}" for index, step in enumerate(steps)) + "}",
        *(_hand_over_deferred() if deferring else []),
        "    if aw is None:",
        "        return d",
        "    return gather(d, aw)",
    ]
    source = "\n".join(lines)
    code = compile(source, f"<graphql plan: {parent_name}>", "exec")
    exec(code, namespace)  # noqa: S102 - generated from checked identifiers and repr() literals only
    runner: Runner = namespace["run"]
    return runner


def _emit(index: int, step: Step, namespace: dict[str, Any], computed: ComputedAttribute | None) -> list[str]:
    i = index
    if step.typename is not None:
        return [f"        r{i} = {step.typename!r}"]
    site = step.site
    assert site is not None
    key = repr(step.key)
    namespace[f"PT{i}"] = site.parent_type
    namespace[f"TN{i}"] = site.parent_type.name
    if step.deferred is not None:
        namespace[f"F{i}"] = site.field_details
        namespace[f"Q{i}"] = step.deferred
        return [
            "        if ex.deferred is None:",
            f"            r{i} = ex.execute_field(PT{i}, src, F{i}, Path(to_path(path), {key}, TN{i}), None)",
            *_collect_awaitable(f"r{i}", key, "            "),
            "        else:",
            f"            r{i} = None",
            "            later = [] if later is None else later",
            f"            later.append(Q{i})",
        ]
    if step.attribute is None:
        namespace[f"F{i}"] = site.field_details
        return [
            f"        r{i} = ex.execute_field(PT{i}, src, F{i}, Path(real, {key}, TN{i}), None)",
            *_collect_awaitable(f"r{i}", key, "        "),
        ]
    namespace[f"S{i}"] = site
    namespace[f"G{i}"] = step.complete
    namespace[f"A{i}"] = step.attribute
    if computed is not None:
        # What the attribute lookup does for a computed attribute, without the descriptor call.
        namespace[f"K{i}"] = computed.reader()
        read = [f"v = sd.get(A{i}, MISSING)", "if v is MISSING:", f"    v = sd[A{i}] = K{i}(src)"]
    else:
        read = [f"v = src.{step.attribute}" if _is_identifier(step.attribute) else f"v = getattr(src, A{i})"]
    slow = [f"v = G{i}(ex, v, (path, {key}, TN{i}), None)", *_collect_awaitable("v", key, "")]
    body = _fast(i, step.fast, slow, namespace)
    return [
        "        try:",
        *("            " + line for line in read),
        *("            " + line for line in body),
        "        except Exception as e:",
        "            v = None",
        f"            S{i}.fail(ex, e, (path, {key}, TN{i}))",
        f"        r{i} = v",
    ]


def _fast(i: int, fast: Fast | None, slow: list[str], namespace: dict[str, Any]) -> list[str]:
    indented = ["    " + line for line in slow]
    if fast is None:
        return slow
    if fast.kind == "composite":
        return slow if fast.non_null else ["if v is not None:", *indented]
    guard = "" if fast.non_null else "v is not None and "
    if fast.kind == "class":
        namespace[f"C{i}"] = fast.cls
        return [f"if {guard}v.__class__ is not C{i}:", *indented]
    if fast.kind == "int":
        return [f"if {guard}(v.__class__ is not int or not {_INT_RANGE}):", *indented]
    if fast.kind == "enum":
        namespace[f"N{i}"] = fast.names
        lines = [f"n = N{i}.get(id(v))", "if n is not None:", "    v = n", "else:", *indented]
        return lines if fast.non_null else ["if v is not None:", *("    " + line for line in lines)]
    assert fast.leaf_type is not None
    namespace[f"L{i}"] = fast.leaf_type
    namespace[f"O{i}"] = fast.leaf_type.coerce_output_value
    otherwise = "else:" if fast.non_null else "elif v is not None:"
    # `complete_leaf_value` inlined; on a null coercion it is called after all, for its error.
    return [
        "if v.__class__ in SAFE:",
        f"    o = O{i}(v)",
        f"    v = o if o is not None and o is not UNDEFINED else CLV(L{i}, v)",
        otherwise,
        *indented,
    ]


def _hand_over_deferred() -> list[str]:
    # After the object's dict exists (a sibling's error may still have discarded the object).
    return [
        "    if later is not None:",
        "        scope = ex.deferred",
        "        for field in later:",
        "            scope.append((field, d, src, path))",
    ]


def _collect_awaitable(name: str, key: str, indent: str) -> list[str]:
    return [
        f"{indent}if {name}.__class__ not in SYNC and ex.is_awaitable({name}):",
        f"{indent}    aw = [] if aw is None else aw",
        f"{indent}    aw.append(({key}, {name}))",
    ]


def _is_identifier(name: str | None) -> bool:
    return name is not None and name.isidentifier() and not keyword.iskeyword(name)


async def _gather_fields(data: dict[str, Any], pending: list[tuple[str, Any]]) -> dict[str, Any]:
    if len(pending) == 1:
        key, awaitable = pending[0]
        data[key] = await awaitable
    else:
        results = await gather_with_cancel(*(awaitable for _, awaitable in pending))
        for (key, _), result in zip(pending, results, strict=True):
            data[key] = result
    return data
