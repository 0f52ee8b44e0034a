"""Strawberry's extension runner without its per-request hook machinery, same semantics.

For every stage of every operation strawberry looks each extension's hook up again, checks what
kind of function it is, and wraps it in a fresh `contextlib.contextmanager` inside an exit stack:
about a third of the CPU of a `{ __typename }` request. Here the kind is checked once per
extension class, and a stage drives the generator hooks itself, as the exit stack would: each
hook's code before `yield` in order, the code after it in reverse order, an exception thrown into
the hooks still open (innermost first). A stage with any hook that is not a plain generator
function (an async one, a callable) is left to strawberry's own context manager.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Generator
from types import TracebackType
from typing import Any

from strawberry.extensions import SchemaExtension
from strawberry.extensions.context import (
    ExecutingContextManager,
    ExtensionContextManagerBase,
    OperationContextManager,
    ParsingContextManager,
    ValidationContextManager,
)
from strawberry.extensions.runner import SchemaExtensionsRunner

Hook = Callable[[SchemaExtension], Generator[None, None, None]]
#: Per extension class and stage: its generator hook, None when it has none, False when the hook is
#: of another kind. Looked up once: a hook replaced on the class afterwards is not seen.
_HOOKS: dict[tuple[type[SchemaExtension], str], Hook | bool | None] = {}


def _hook(kind: type[SchemaExtension], stage: str) -> Hook | bool | None:
    """`kind`'s hook for `stage` (None: none; False: not a generator function), looked up once."""
    key = (kind, stage)
    try:
        return _HOOKS[key]
    except KeyError:
        pass
    function = getattr(kind, stage)
    found: Hook | bool | None
    if function is getattr(SchemaExtension, stage):
        found = None
    elif inspect.isgeneratorfunction(function):
        found = function
    else:
        found = False
    _HOOKS[key] = found
    return found


def unwind(started: list[Generator[None, None, None]], error: BaseException | None) -> None:
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


class _Stage:
    """One stage's hooks, entered and exited as one async context manager."""

    __slots__ = ("_hooks", "_started")

    def __init__(self, hooks: list[tuple[Hook, SchemaExtension]]) -> None:
        self._hooks = hooks
        self._started: list[Generator[None, None, None]] = []

    async def __aenter__(self) -> None:
        self.__enter__()

    async def __aexit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        self.__exit__(kind, error, trace)

    def __enter__(self) -> None:
        started = self._started
        try:
            for hook, extension in self._hooks:
                generator = hook(extension)
                next(generator)
                started.append(generator)
        except BaseException:
            # A hook failing on entry: the others are closed at once (their `finally` runs) and not
            # told of the error. Strawberry never exits its stack then: they stay suspended until
            # collected, and not told either.
            for generator in reversed(started):
                generator.close()
            raise

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        try:
            unwind(self._started, error)
        except BaseException as raised:
            if raised is not error:
                raise
        # Never suppressed, even when a hook swallowed it: strawberry's stages return None from
        # `__aexit__`, so an exception always goes on to the operation.


class LeanExtensionsRunner(SchemaExtensionsRunner):
    """`SchemaExtensionsRunner` whose stages cost a few generator steps (see the module docstring)."""

    def _stage(self, name: str, fallback: type[ExtensionContextManagerBase]) -> Any:
        hooks: list[tuple[Hook, SchemaExtension]] = []
        for extension in self.extensions:
            hook = _hook(type(extension), name)
            if hook is None:
                continue
            if hook is False:
                return fallback(self.extensions)
            hooks.append((hook, extension))  # type: ignore[arg-type]
        return _Stage(hooks)

    def operation(self) -> Any:
        return self._stage("on_operation", OperationContextManager)

    def validation(self) -> Any:
        return self._stage("on_validate", ValidationContextManager)

    def parsing(self) -> Any:
        return self._stage("on_parse", ParsingContextManager)

    def executing(self) -> Any:
        return self._stage("on_execute", ExecutingContextManager)
