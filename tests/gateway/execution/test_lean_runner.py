"""The lean extension runner runs hooks exactly as strawberry's own runner does: same order, same
exception handling, the same results."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
import strawberry
from strawberry.extensions import SchemaExtension
from strawberry.extensions.runner import SchemaExtensionsRunner
from strawberry.types import ExecutionContext

from gateway.execution.lean_runner import LeanExtensionsRunner

Log = list[str]


def recording(name: str, log: Log, *, fail_on: str = "", swallow: bool = False) -> type[SchemaExtension]:
    """An extension that logs every hook's entry and exit (and fails or swallows where told)."""

    def hook(stage: str) -> Callable[[SchemaExtension], Iterator[None]]:
        def run(self: SchemaExtension) -> Iterator[None]:
            log.append(f"{name}>{stage}")
            if fail_on == f"enter {stage}":
                raise ValueError(f"{name} enter {stage}")
            try:
                yield
            except ValueError as error:
                log.append(f"{name}!{stage}:{error}")
                if not swallow:
                    raise
                return
            log.append(f"{name}<{stage}")
            if fail_on == f"exit {stage}":
                raise ValueError(f"{name} exit {stage}")

        return run

    stages = ("on_operation", "on_parse", "on_validate", "on_execute")
    return type(name, (SchemaExtension,), {stage: hook(stage.removeprefix("on_")) for stage in stages})


@strawberry.type
class Query:
    @strawberry.field
    def hello(self) -> str:
        return "world"

    @strawberry.field
    def broken(self) -> str:
        raise RuntimeError("resolver failed")


class LeanSchema(strawberry.Schema):
    def create_extensions_runner(
        self, execution_context: ExecutionContext, extensions: list[SchemaExtension]
    ) -> SchemaExtensionsRunner:
        return LeanExtensionsRunner(execution_context=execution_context, extensions=extensions)


async def run_both(query: str, fail_on: str, swallow: bool) -> tuple[Log, Log, object, object]:
    """The log and result of `query` with strawberry's runner, then with the lean one."""
    separate: Log = []
    together: Log = []
    first = [recording("A", separate), recording("B", separate, fail_on=fail_on, swallow=swallow)]
    second = [recording("A", together), recording("B", together, fail_on=fail_on, swallow=swallow)]
    first.append(recording("C", separate))
    second.append(recording("C", together))
    result_separate = await strawberry.Schema(query=Query, extensions=first).execute(query)
    result_chained = await LeanSchema(query=Query, extensions=second).execute(query)
    return separate, together, result_separate, result_chained


def shape(result: object) -> object:
    data = getattr(result, "data", None)
    errors = [error.message for error in getattr(result, "errors", None) or ()]
    return data, errors


@pytest.mark.parametrize(
    ("fail_on", "swallow"),
    [
        ("", False),
        ("enter parse", False),
        ("exit parse", False),
        ("enter execute", False),
        ("exit execute", False),
        ("exit operation", False),
        ("exit validate", True),
        ("exit execute", True),
        ("exit parse", True),
        ("enter operation", False),
        ("enter validate", True),
    ],
)
@pytest.mark.parametrize("query", ["{ hello }", "{ broken }", "{ nope }", "{ hello"])
async def test_lean_hooks_run_as_strawberrys_do(query: str, fail_on: str, swallow: bool) -> None:
    separate, together, result_separate, result_chained = await run_both(query, fail_on, swallow)
    assert together == separate
    assert shape(result_chained) == shape(result_separate)
    assert separate  # the hooks did run


async def test_hooks_of_other_kinds_are_left_to_strawberry() -> None:
    """A callable or async-generator hook takes its stage back to strawberry's context manager."""
    log: Log = []

    class Plain(SchemaExtension):
        def on_operation(self) -> None:  # type: ignore[override]
            log.append("plain operation")

    class Async(SchemaExtension):
        async def on_execute(self):  # type: ignore[no-untyped-def]
            log.append("async>execute")
            yield
            log.append("async<execute")

    extensions: list[type[SchemaExtension]] = [Plain, Async, recording("G", log)]
    result = await LeanSchema(query=Query, extensions=extensions).execute("{ hello }")
    assert shape(result) == ({"hello": "world"}, [])
    assert log == [
        "plain operation", "G>operation", "G>parse", "G<parse", "G>validate", "G<validate",
        "async>execute", "G>execute", "G<execute", "async<execute", "G<operation",
    ]  # fmt: skip
