"""Attacks on `BatchedLoad` deferral (compiled) against stock graphql-core, in process.

Each failing test here is a difference between the two executors that the deferral's claim
("answers, errors and their order, upstream calls identical; nothing leaks") rules out. The
passing ones pin down cases that held.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import warnings
from typing import Any

import pytest

from tests.attack3.batched_schema import COMPILED, STOCK, Player, both, run
from tests.gateway.execution import test_batched_loads as small


async def test_a_cancelled_shared_load_reaches_the_client_as_a_cancelled_error_on_the_compiled_path() -> None:
    """`team` (deferred) and `sureTeam` (a non-null BatchedLoad: resolved, in a task) wait on one
    loader future. Bo's `sureTeam` fails; the non-null list fails, graphql-core cancels Ada's item,
    and so her `sureTeam` task, and so the shared future. Stock answers `data: null` with errors; the
    compiled deferral, still alive, reads the cancelled future (`future.result()`) and a raw
    `CancelledError` escapes `execute` (over HTTP: no GraphQL answer at all)."""
    players = [small.Player(name="Ada", team_key="red"), small.Player(name="Bo", team_key="boom")]
    query = "{ players { team { title } sureTeam { title } } }"
    answers: list[dict[str, Any]] = []
    for schema in (small.STOCK, small.COMPILED):
        request = small._request(players)
        try:
            result = await schema.execute(query, context_value=request)
        except BaseException as error:
            answers.append({"raised": repr(error)})
        else:
            answers.append(
                {"data": result.data, "errors": [error.formatted for error in result.errors or []]}
            )
    stock, compiled = answers
    assert stock["data"] is None
    assert stock["errors"]
    assert compiled == stock


async def test_a_failing_batch_under_nested_lists_with_a_non_null_sibling_is_no_cancelled_error() -> None:
    """The same with the loader failing: stock lists five errors, compiled raises CancelledError."""
    query = "{ pages { node { team { title } sureTeam { title } } } }"
    answers: list[dict[str, Any]] = []
    for schema in (small.STOCK, small.COMPILED):
        request = small._request(small.ROSTER, failing_batch="teams")
        try:
            result = await schema.execute(query, context_value=request)
        except BaseException as error:
            answers.append({"raised": repr(error)})
        else:
            answers.append(
                {"data": result.data, "errors": [error.formatted for error in result.errors or []]}
            )
    assert "raised" not in answers[1], answers[1]
    assert answers[1] == answers[0]


async def test_a_cancelled_list_leaves_no_never_retrieved_load_exceptions() -> None:
    """A non-null root field fails while the list's deferred loads are in flight: graphql-core
    cancels the list. Stock's resolvers were awaiting the loader futures, so cancelling them
    cancels those futures; the compiled deferral only added done-callbacks, so when the batch then
    fails its futures hold exceptions nobody retrieves: asyncio logs "Future exception was never
    retrieved" (with a traceback) once per key, per request."""
    loop = asyncio.get_running_loop()
    previous = loop.get_exception_handler()
    reported: dict[str, list[str]] = {}
    try:
        for name, schema in (("stock", STOCK), ("compiled", COMPILED)):
            seen: list[str] = []
            loop.set_exception_handler(_noting(seen))
            answer, _ = await run(
                schema, "{ players { team { title } } mustRoot }", failing={"teams"}, delays={"teams": 6}
            )
            assert answer["data"] is None
            for _ in range(20):
                await asyncio.sleep(0)
            gc.collect()
            await asyncio.sleep(0)
            reported[name] = seen
    finally:
        loop.set_exception_handler(previous)
    assert reported["stock"] == []
    assert reported["compiled"] == [], reported["compiled"]


def _noting(seen: list[str]) -> Any:
    def note(_: Any, context: dict[str, Any]) -> None:
        seen.append(str(context.get("message")))

    return note


MEMBERS = "{ members { name team { title } ... on Player { mentor { name } } } }"


async def test_errors_of_an_interface_list_are_listed_in_stocks_order() -> None:
    """Stock starts an object's only awaitable field in the item's own task but an object with two
    in tasks of their own (one loop turn later): Staff's `team` loads, and so fails, before the
    Players'. The deferral orders every object by its index: the errors come in another order."""
    (stock, _), (compiled, _) = await both(MEMBERS, failing={"teams"})
    assert compiled["data"] == stock["data"]
    assert [error["path"] for error in compiled["errors"]] == [error["path"] for error in stock["errors"]]


async def test_an_interface_lists_batch_asks_for_its_keys_in_stocks_order() -> None:
    """The same cause: the one upstream batch asks for ["blue", "bad", "red", "gone"] under stock and
    ["red", "blue", "bad", "gone"] compiled (another URL / body upstream, another cache key)."""
    (stock, stock_batches), (compiled, compiled_batches) = await both(MEMBERS)
    assert compiled["data"] == stock["data"]
    assert compiled_batches == stock_batches


async def test_errors_of_a_union_list_are_listed_in_stocks_order() -> None:
    query = (
        "{ anyone { ... on Player { team { title } mentor { name } } ... on Staff { role team { key } } } }"
    )
    (stock, _), (compiled, _) = await both(query)
    assert compiled["data"] == stock["data"]
    assert compiled["errors"] == stock["errors"]


async def test_an_object_discarded_by_a_synchronous_non_null_failure_loads_what_stock_loads() -> None:
    """Xo's `syncMust` fails before his holder's runner ends, so his `team` is never handed to the
    list: no load of "blue". Stock had already made Xo's `team` coroutine and settles it in the
    background: it loads "blue". Fewer upstream calls than stock (harmless, but not "identical")."""
    items = [
        Player(name="Ada", team_key="red"),
        Player(name="Xo", team_key="blue"),
        Player(name="Cy", team_key="bad"),
    ]
    (stock, stock_batches), (compiled, compiled_batches) = await both(
        "{ holders { player { team { title } syncMust } maybe { team { key } } } }", items=items
    )
    assert compiled == stock
    assert compiled_batches == stock_batches


async def test_errors_of_nullable_items_nulled_by_an_async_non_null_failure_come_in_stocks_order() -> None:
    (stock, _), (compiled, _) = await both("{ nullablePlayers { team { title } must } }")
    assert compiled["data"] == stock["data"]
    assert compiled["errors"] == stock["errors"]


async def test_a_cancelled_waiter_of_a_shared_load_fails_its_siblings_with_cancelled_error_on_stock() -> None:
    """Not the deferral's: `BatchedLoad.resolve` awaits the loader's shared future unshielded. When
    graphql-core cancels one waiter (Ada's holder: `must` failed beside `player.team`), the future
    itself is cancelled, and every other field waiting on the same key (`maybe.team`) raises
    CancelledError out of `execute` on the stock path (GATEWAY_COMPILED_EXECUTION=false, or a
    batched field outside a list on the compiled path). The compiled path answers here."""
    (stock, _), (compiled, _) = await both(
        "{ holders { player { team { title } must } maybe { team { key } } } }"
    )
    assert "raised" not in compiled
    assert stock == compiled


HELD = [
    ("{ players { a: team { title } b: team { key } c: mentor { name } d: mentor { name } } }", {}),
    ("{ players { a: team { title } b: team { key } } }", {"failing": {"teams"}}),
    ("{ players { team { title } ...F } } fragment F on Player { team { key } mentor { name } }", {}),
    ("{ players { team @skip(if: true) { key } name } }", {}),
    ("{ players { name team { title } mentor { name } } }", {"delays": {"teams": 1, "coaches": 5}}),
    ("{ players { name team { title } mentor { name } } }", {"delays": {"teams": 5, "coaches": 1}}),
    ("{ players { name team { title } mentor { name } } }", {"failing": {"coaches"}, "delays": {"teams": 4}}),
    ("{ holders { player { team { title } } maybe { team { key } mentor { name } } } }", {}),
    ("{ players { name } again: players { team { title } } }", {"failing": {"teams"}}),
]


@pytest.mark.parametrize(("query", "store"), HELD)
async def test_what_held(query: str, store: dict[str, Any]) -> None:
    """Aliases of one batched field, fragments merging it, @skip, loaders settling in either order,
    a failing loader beside a working one, one object in two places: stock's answer and batches."""
    stock, compiled = await both(query, **store)
    assert compiled == stock


async def test_concurrent_requests_sharing_one_plan_answer_as_each_alone() -> None:
    """Forty requests at once on one plan (new plans and runners made while others run), with
    loaders settling in different orders: each answers what it answers alone."""
    queries: list[tuple[str, dict[str, Any]]] = [
        ("{ players { name team { title } mentor { name } } }", {"delays": {"teams": 3}}),
        ("{ players { name team { title } mentor { name } } }", {"failing": {"coaches"}}),
        ("{ holders { player { team { title } } maybe { mentor { name } } } }", {"delays": {"coaches": 4}}),
    ]
    alone = [await run(COMPILED, query, **store) for query, store in queries]
    together = await asyncio.gather(
        *(run(COMPILED, queries[i % 3][0], None, None, **queries[i % 3][1]) for i in range(40))
    )
    for index, outcome in enumerate(together):
        assert outcome == alone[index % 3]


DIRECTED = (
    "query($on: Boolean!, $off: Boolean! = false) { players { name "
    "a: team @include(if: $on) { title } b: team @skip(if: $on) { key } "
    "... @include(if: $off) { mentor { name } } } }"
)


@pytest.mark.parametrize("values", [{"on": True}, {"on": False}, {"on": True, "off": True}])
async def test_directives_on_batched_fields_with_variables_answer_as_stock(values: dict[str, Any]) -> None:
    """One document, its directive variables changing from request to request (one plan each)."""
    stock, compiled = await both(DIRECTED, variables=values)
    assert compiled == stock
    assert "errors" not in stock[0] or stock[0]["data"] is not None


async def test_a_resolver_beside_a_deferred_field_joins_the_batch_it_joins_under_stock() -> None:
    """Under stock, a team's `coach` (BatchedLoad) and `assistant` (a resolver loading from the same
    loader) start in the same loop turn: one batch for all four coaches. Compiled, `assistant`'s
    resolver is an awaitable the deferral keeps in `later` and starts only once every nested round
    of deferred loads has settled: a second upstream batch (and the latencies added up)."""
    (stock, stock_batches), (compiled, compiled_batches) = await both(
        "{ players { team { coach { name } assistant { name } } } }"
    )
    assert compiled == stock
    assert compiled_batches == stock_batches


async def test_a_cancelled_compiled_execution_leaves_no_coroutine_never_awaited() -> None:
    """The request's task is cancelled (a client that left) while nested deferred loads are pending:
    the awaitables the deferral kept in `later` (`_fill` around the objects' gathered fields, and the
    resolvers' coroutines inside) are never awaited nor closed: "coroutine ... was never awaited"
    RuntimeWarnings. Stock's tasks are cancelled and leave nothing."""
    query = "{ players { team { coach { name } assistant { name } } } }"
    never_awaited = {}
    for label, schema in (("stock", STOCK), ("compiled", COMPILED)):
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            task = asyncio.ensure_future(run(schema, query, delays={"coaches": 50}))
            for _ in range(10):
                await asyncio.sleep(0)
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
            for _ in range(60):
                await asyncio.sleep(0)
            gc.collect()
        never_awaited[label] = [
            str(warning.message) for warning in caught if "never awaited" in str(warning.message)
        ]
    assert never_awaited["stock"] == []
    assert never_awaited["compiled"] == []
