"""Several strawberry extensions run as one: the same hooks in the same order, at a quarter of the cost.

Strawberry rebuilds its hook machinery for every extension and every stage of every operation
(looking each hook up, wrapping it in a fresh `contextlib.contextmanager` and an exit stack); with
four extensions that was about a third of the CPU of a `{ __typename }` request. The chain is one
extension to strawberry, and drives its parts' generator hooks itself, exactly as strawberry's
exit stack would: each part's code before `yield` in order, the code after it in reverse order,
an exception thrown into the parts still open (innermost first), a failure on entry closing them.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Generator, Iterator, Sequence
from typing import Any

from strawberry.extensions import SchemaExtension
from strawberry.types import ExecutionContext

Hook = Callable[[Any], Generator[None, None, None]]
#: Per stage, the hooks of the parts taking part in it: (the part's index, its hook function).
Stages = dict[str, tuple[tuple[int, Hook], ...]]
#: The stages a part may take part in; anything else a part overrides is refused when chained.
STAGES = ("on_operation", "on_parse", "on_validate", "on_execute")
_OTHER_HOOKS = ("on_stream_result", "resolve", "get_results")


def _hooks_of(kind: type[SchemaExtension]) -> dict[str, Hook]:
    """The stages `kind` overrides, each a generator function (checked once per kind)."""
    for name in _OTHER_HOOKS:
        if getattr(kind, name) is not getattr(SchemaExtension, name):
            raise TypeError(f"{kind.__name__}.{name} cannot be chained")
    hooks: dict[str, Hook] = {}
    for name in STAGES:
        function = getattr(kind, name)
        if function is getattr(SchemaExtension, name):
            continue
        if not inspect.isgeneratorfunction(function):
            raise TypeError(f"{kind.__name__}.{name} must be a generator to be chained")
        hooks[name] = function
    return hooks


class ExtensionChain(SchemaExtension):
    """One request's parts, as one extension (built by `chained`)."""

    def __init__(self, parts: Sequence[SchemaExtension], stages: Stages) -> None:
        self._parts = tuple(parts)
        self._stages = stages

    @property
    def execution_context(self) -> ExecutionContext:
        return self._parts[0].execution_context

    @execution_context.setter
    def execution_context(self, value: ExecutionContext) -> None:
        for part in self._parts:
            part.execution_context = value

    def on_operation(self) -> Iterator[None]:
        yield from self._run("on_operation")

    def on_parse(self) -> Iterator[None]:
        yield from self._run("on_parse")

    def on_validate(self) -> Iterator[None]:
        yield from self._run("on_validate")

    def on_execute(self) -> Iterator[None]:
        yield from self._run("on_execute")

    def _run(self, stage: str) -> Generator[None, None, None]:
        started: list[Generator[None, None, None]] = []
        try:
            for index, hook in self._stages[stage]:
                generator = hook(self._parts[index])
                next(generator)
                started.append(generator)
        except BaseException:
            # Strawberry's exit stack is never exited when a hook fails on entry: the parts already
            # entered are closed (their `finally` runs), not told of the error.
            for generator in reversed(started):
                generator.close()
            raise
        try:
            yield
        except BaseException as error:
            _unwind(started, error)
        else:
            _unwind(started, None)


def _unwind(started: list[Generator[None, None, None]], error: BaseException | None) -> None:
    """Close `started` innermost first, as `contextlib.ExitStack` would; raise what is left over."""
    for generator in reversed(started):
        if error is None:
            try:
                next(generator)
            except StopIteration:
                continue
            except BaseException as raised:
                error = raised
                continue
            error = RuntimeError("an extension hook yielded more than once")
            continue
        try:
            generator.throw(error)
        except StopIteration:
            error = None  # the part swallowed it, as a context manager may
        except BaseException as raised:
            if raised is not error:
                raised.__context__ = raised.__context__ or error
            error = raised
        else:
            error = RuntimeError("an extension hook yielded after an exception")
    if error is not None:
        raise error


def chained(factories: Sequence[Callable[[], SchemaExtension]]) -> Callable[[], SchemaExtension]:
    """A factory of one extension running `factories`' extensions in order (see the module docstring)."""
    factories = tuple(factories)
    stages: Stages = {}

    def build() -> SchemaExtension:
        parts = [factory() for factory in factories]
        if not stages:
            hooks = [_hooks_of(type(part)) for part in parts]
            for stage in STAGES:
                stages[stage] = tuple((index, own[stage]) for index, own in enumerate(hooks) if stage in own)
        return ExtensionChain(parts, stages)

    return build
