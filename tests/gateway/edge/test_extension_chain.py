"""Chained extensions run their hooks exactly as strawberry runs separate ones: same order, same
exception handling, on the real schema."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
import strawberry
from strawberry.extensions import SchemaExtension

from gateway.edge.extension_chain import chained

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


async def run_both(query: str, fail_on: str, swallow: bool) -> tuple[Log, Log, object, object]:
    """The log and result of `query` with separate extensions, then with the same ones chained."""
    separate: Log = []
    together: Log = []
    first = [recording("A", separate), recording("B", separate, fail_on=fail_on, swallow=swallow)]
    second = [recording("A", together), recording("B", together, fail_on=fail_on, swallow=swallow)]
    first.append(recording("C", separate))
    second.append(recording("C", together))
    result_separate = await strawberry.Schema(query=Query, extensions=first).execute(query)
    result_chained = await strawberry.Schema(query=Query, extensions=[chained(second)]).execute(query)
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
    ],
)
@pytest.mark.parametrize("query", ["{ hello }", "{ broken }", "{ nope }", "{ hello"])
async def test_chained_hooks_run_as_separate_extensions_do(query: str, fail_on: str, swallow: bool) -> None:
    separate, together, result_separate, result_chained = await run_both(query, fail_on, swallow)
    assert together == separate
    assert shape(result_chained) == shape(result_separate)
    assert separate  # the hooks did run


def test_a_part_with_hooks_the_chain_cannot_drive_is_refused() -> None:
    class Resolving(SchemaExtension):
        def resolve(self, _next, root, info, *args, **kwargs):  # type: ignore[no-untyped-def]
            return _next(root, info, *args, **kwargs)

    class Plain(SchemaExtension):
        def on_operation(self) -> None:  # type: ignore[override]
            return None

    for kind in (Resolving, Plain):
        with pytest.raises(TypeError):
            chained([kind])()
