"""`gateway.errors` is the one source of error codes and of the exception tree its docstring draws."""

from __future__ import annotations

import inspect
import re
from pathlib import Path

import pytest

from gateway import errors
from gateway.errors import ErrorCode, GatewayError

ROOT = Path(__file__).parents[2]
SOURCES = sorted(
    path
    for package in ("gateway", "schema", "resolvers")
    for path in (ROOT / package).rglob("*.py")
    if path != ROOT / "gateway" / "errors.py"
)
CLASSES = [
    cls
    for _, cls in inspect.getmembers(errors, inspect.isclass)
    if issubclass(cls, GatewayError) and cls.__module__ == errors.__name__
]


@pytest.mark.parametrize("path", SOURCES, ids=lambda path: str(path.relative_to(ROOT)))
def test_no_module_but_errors_spells_a_code(path: Path) -> None:
    codes = "|".join(code.value for code in ErrorCode)
    literals = re.findall(rf"""["']({codes})["']""", path.read_text())
    assert not literals, f"use ErrorCode instead of {literals}"


@pytest.mark.parametrize("cls", CLASSES, ids=lambda cls: cls.__name__)
def test_every_exception_is_drawn_in_the_tree(cls: type[GatewayError]) -> None:
    assert re.search(rf"\b{cls.__name__}\b", errors.__doc__ or "")


def test_every_code_has_an_exception_or_is_set_before_graphql_runs() -> None:
    raised = {cls.code for cls in CLASSES}
    set_directly = {ErrorCode.GRAPHQL_PARSE_FAILED, ErrorCode.GRAPHQL_VALIDATION_FAILED}
    assert raised | set_directly == set(ErrorCode)
