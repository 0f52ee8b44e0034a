"""Computed (`lazy`/`read`) attributes read inline by class-specialised runners, against the
descriptor reads of stock graphql-core: failures, values already kept, overrides in subclasses,
one field aliased from another, more classes than runners are kept for."""

from __future__ import annotations

from typing import Any

import strawberry

from gateway.execution import CompiledExecutionContext, compiled_execution_context
from gateway.execution.completion import MAX_RUNNER_CLASSES
from schema.views import UpstreamView, lazy, read, same_as

COMPUTED: list[str] = []


def _loud(view: Any) -> str:
    COMPUTED.append(view.data["name"])
    if view.data["name"] == "boom":
        raise ValueError("cannot compute")
    return str(view.data["name"]).upper()


@strawberry.type
class Thing:
    shout: str | None
    echo: str | None
    count: int | None
    must: str


class ThingView(UpstreamView, Thing):
    def __init__(self, data: dict[str, Any]) -> None:
        self.data = data

    shout = lazy(_loud)
    echo = same_as("shout")
    count = read("count", lambda value: value if isinstance(value, int) else None)
    must: lazy[Any, Any] = lazy(lambda view: view.data.get("must"))


class Overridden(ThingView):
    @property  # a data-less property: the runner must call it, not read __dict__
    def shout(self) -> str:  # type: ignore[override]
        return "overridden"


SUBCLASSES = [type(f"Sub{index}", (ThingView,), {}) for index in range(MAX_RUNNER_CLASSES + 3)]


@strawberry.type
class Query:
    @strawberry.field
    def things(self) -> list[Thing | None]:
        preset = ThingView({"name": "preset", "count": 3, "must": "m"})
        preset.__dict__["shout"] = "kept"
        items: list[Any] = [
            ThingView({"name": "a", "count": 1, "must": "m"}),
            ThingView({"name": "boom", "count": "x", "must": "m"}),
            preset,
            Overridden({"name": "o", "count": 2, "must": "m"}),
            ThingView({"name": "no must", "count": 5}),
        ]
        items += [cls({"name": cls.__name__, "count": 7, "must": "m"}) for cls in SUBCLASSES]
        return items


class Context(CompiledExecutionContext):
    plans = compiled_execution_context().plans


STOCK = strawberry.Schema(query=Query)
COMPILED = strawberry.Schema(query=Query, execution_context_class=Context)


async def test_inline_reads_answer_as_descriptor_reads() -> None:
    query = "{ things { shout echo count must a: shout } }"
    answers = []
    computed = []
    for schema in (STOCK, COMPILED, COMPILED):
        COMPUTED.clear()
        result = await schema.execute(query)
        answers.append((result.data, [error.formatted for error in result.errors or []]))
        computed.append(list(COMPUTED))
    assert answers[1] == answers[0]
    assert answers[2] == answers[0]
    assert computed[1] == computed[0]  # computed once per object, in the same order
