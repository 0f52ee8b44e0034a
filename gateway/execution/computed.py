"""Attributes computed on first read and kept on the instance, which compiled runners read inline.

A `ComputedAttribute` is a non-data descriptor: its value for an instance is `compute(instance)`,
stored in the instance's `__dict__` under the attribute's name, where Python finds it on later
reads. A runner specialised for a class reads such an attribute as that lookup would resolve it
(the instance's `__dict__`, else compute and store) without calling the descriptor.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any


class ComputedAttribute:
    """Base of an attribute computed by `reader()(instance)` on first read and kept in the instance's
    `__dict__` under `name`. A subclass's `__get__`, if it has its own, must do exactly that."""

    __slots__ = ()
    name: str

    def reader(self) -> Callable[[Any], Any]:
        """The function computing the attribute's value for an instance."""
        raise NotImplementedError

    def __get__(self, instance: Any, owner: type[Any] | None = None) -> Any:
        if instance is None:
            return self
        value = instance.__dict__[self.name] = self.reader()(instance)
        return value


def inline_attribute(cls: type, attribute: str) -> ComputedAttribute | None:
    """The computed attribute that reading `attribute` on an instance of `cls` resolves to, when a
    runner may read it inline (plain attribute lookup, instances with a `__dict__`), else None."""
    if (
        cls.__getattribute__ is not object.__getattribute__  # type: ignore[comparison-overlap]
        or hasattr(cls, "__getattr__")
        or not cls.__dictoffset__
    ):
        return None
    for klass in cls.__mro__:
        if attribute in klass.__dict__:
            found = klass.__dict__[attribute]
            kind = type(found)
            if (
                isinstance(found, ComputedAttribute)
                and found.name == attribute
                and not hasattr(kind, "__set__")
                and not hasattr(kind, "__delete__")
            ):
                return found
            return None
    return None
